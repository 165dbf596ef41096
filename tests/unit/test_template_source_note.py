"""What the Templates page says about a language's text: its own, the built-in translation, or
English because the language has none."""

from __future__ import annotations

from concierge_app.services.shared import messages
from concierge_app.ui.staff.templates.state import source_note


def _view(language: str, source: str) -> messages.TemplateView:
    return messages.TemplateView(
        "invoice_sent", "Invoice Sent", "s", "b", (), False, language, source
    )


def test_the_page_says_where_each_languages_text_comes_from() -> None:
    assert source_note(_view("es", messages.SAVED)).startswith("Your own Español text")
    assert "built-in Deutsch translation" in source_note(_view("de", messages.BUILT_IN))
    fallback = source_note(_view("it", messages.ENGLISH))
    assert "No Italiano text yet" in fallback and "get the English text" in fallback
    assert source_note(_view("en", messages.BUILT_IN)) == "The built-in text."
