"""The parts of a CSV import card (bank statements, bookings): the example file, the drop zone,
the import button with its progress, and the refusal listing the rows that refused the file."""

from __future__ import annotations

from typing import Any

import reflex as rx

ACCEPT = {"text/csv": [".csv"], "text/plain": [".csv", ".txt"]}


def csv_example(text: str, **props: Any) -> rx.Component:
    """A sample of the file: its header row and one row."""
    return rx.el.pre(
        text,
        font_family="var(--code-font-family)",
        font_size="12px",
        padding="8px 10px",
        border_radius="var(--radius-2)",
        background_color="var(--gray-a3)",
        white_space="pre",
        overflow_x="auto",
        width="100%",
        margin="0",
        **props,
    )


def csv_drop_zone(
    upload_id: str, *, max_bytes: int, disabled: Any, on_rejected: Any, chosen_id: str
) -> rx.Component:
    """Drop or choose one CSV file (at most `max_bytes`); shows the chosen file's name."""
    chosen = rx.selected_files(upload_id)
    return rx.upload.root(
        rx.vstack(
            rx.icon("file_up", size=22, color="var(--gray-10)"),
            rx.cond(
                chosen.length() > 0,  # type: ignore[attr-defined]
                rx.text(chosen[0], weight="medium", size="2", id=chosen_id),  # type: ignore[index]
                rx.text("Drop the CSV file here, or click to choose it", size="2"),
            ),
            align="center",
            spacing="1",
        ),
        id=upload_id,
        accept=ACCEPT,
        max_files=1,
        multiple=False,
        max_size=max_bytes,
        disabled=disabled,
        on_drop_rejected=on_rejected,
        border="1px dashed var(--gray-a8)",
        border_radius="var(--radius-3)",
        padding="20px",
        width="100%",
        cursor="pointer",
        background_color="var(--color-panel-solid)",
    )


def import_button(
    upload_id: str,
    label: str,
    *,
    on_upload: Any,
    importing: Any,
    progress: Any,
    button_id: str,
    progress_id: str,
) -> rx.Component:
    """The import button (enabled once a file is chosen) and, while it runs, a spinner with
    its progress; `on_upload` is the state's upload handler."""
    chosen = rx.selected_files(upload_id)
    return rx.hstack(
        rx.button(
            rx.icon("upload", size=16),
            label,
            on_click=on_upload(rx.upload_files(upload_id=upload_id)),
            loading=importing,
            disabled=chosen.length() == 0,  # type: ignore[attr-defined]
            id=button_id,
        ),
        rx.cond(
            importing,
            rx.hstack(
                rx.spinner(size="2"),
                rx.text(progress, size="2", color_scheme="gray"),
                align="center",
                spacing="2",
                id=progress_id,
            ),
        ),
        align="center",
        spacing="3",
        wrap="wrap",
    )


def import_refusal(error: Any, problems: Any, **props: Any) -> rx.Component:
    """Why the file was refused, and its bad rows (shown while `error` is not empty)."""
    return rx.cond(
        error != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle_alert")),
            rx.callout.text(error, weight="medium"),
            rx.cond(
                problems.length() > 0,
                rx.el.ul(
                    rx.foreach(problems, lambda p: rx.el.li(rx.text(p, size="2"))),
                    padding_left="20px",
                    margin="0",
                    list_style_type="disc",
                ),
            ),
            color_scheme="red",
            role="alert",
            width="100%",
            overflow_wrap="anywhere",
            **props,
        ),
    )


def import_done(summary: Any, **props: Any) -> rx.Component:
    """What became of the file (shown while `summary` is not empty)."""
    return rx.cond(
        summary != "",
        rx.callout(
            summary, icon="circle_check", color_scheme="green", role="status", width="100%", **props
        ),
    )
