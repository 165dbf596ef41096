"""A service's title and description are bounded: refused with a clear message, never cut."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from concierge_app.domain.errors import DomainError
from concierge_app.domain.service_text import (
    DESCRIPTION_MAX_CHARS,
    TITLE_MAX_CHARS,
    clean_description,
    clean_title,
)


def test_a_title_of_exactly_the_limit_is_kept_whole_and_trimmed():
    title = "é" * TITLE_MAX_CHARS
    assert clean_title(f"  {title}\t") == title


def test_a_title_one_character_too_long_is_refused_saying_how_long_it_is_and_may_be():
    with pytest.raises(DomainError) as refused:
        clean_title("x" * (TITLE_MAX_CHARS + 1))
    assert refused.value.field == "title"
    assert refused.value.message == (
        "The title has 201 characters; keep it to 200 at most (put the details in the description)."
    )


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("   ", "Give the service a title."),
        ("Sailing\nfor four", "Keep the title on one line."),
        ("Sail\ring", "Keep the title on one line."),
        ("Sailing\x00", "control character (U+0000)"),
        ("Sail\x1bing", "control character (U+001B)"),
    ],
)
def test_a_blank_multi_line_or_control_character_title_is_refused_at_the_title(title, message):
    with pytest.raises(DomainError, match=re.escape(message)) as e:
        clean_title(title)
    assert e.value.field == "title"


def test_a_ten_kilobyte_description_is_refused_with_its_length_and_the_limit():
    with pytest.raises(DomainError) as refused:
        clean_description("word " * 2048)
    assert refused.value.field == "description"
    assert refused.value.message == (
        "The description has 10,239 characters; shorten it to 2,000 at most."
    )


def test_a_description_of_exactly_the_limit_is_kept_with_its_line_breaks_and_tabs():
    text = ("a\tb\n" * (DESCRIPTION_MAX_CHARS // 4))[:-1] + "z"
    assert len(text) == DESCRIPTION_MAX_CHARS
    assert clean_description(text) == text


def test_windows_line_breaks_count_as_one_character_and_are_stored_as_newlines():
    text = "Line one\r\n" * (DESCRIPTION_MAX_CHARS // 9)  # 10 characters each, 9 once read
    cleaned = clean_description(text)
    assert "\r" not in cleaned and cleaned.count("\n") == DESCRIPTION_MAX_CHARS // 9 - 1
    assert len(cleaned) <= DESCRIPTION_MAX_CHARS


def test_no_description_is_the_empty_string():
    assert clean_description("  \n ") == ""


def test_a_description_with_a_nul_byte_is_refused_at_the_description():
    with pytest.raises(DomainError, match=r"control character \(U\+0000\)") as refused:
        clean_description("Dinner\x00")
    assert refused.value.field == "description"


@given(st.text(max_size=TITLE_MAX_CHARS + 40))
def test_a_title_is_either_refused_or_stored_exactly_as_given_without_its_outer_spaces(text):
    try:
        cleaned = clean_title(text)
    except DomainError as refused:
        assert refused.field == "title" and refused.message
    else:
        assert cleaned == text.strip() and 0 < len(cleaned) <= TITLE_MAX_CHARS
