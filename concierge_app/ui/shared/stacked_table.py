"""Partner tables that become stacked rows on a phone (issue 15).

One table in the page at every width: the same rows, cells, ids, classes and data attributes
(the e2e tests find `tr.partner-invoice-row[data-number=…]` on a phone as on a desktop, and a
Pay online button is the same button). From `stack_below` up it is the table as it always was;
below it, CSS turns each row into a block: a grid of its cells, each fact under its column's
name (the cell's `data-label`), wide cells (a number, a status, buttons) across the row. Nothing
scrolls sideways, and every figure, link and button of the table is there (only a cell with
nothing in it may be left out: `hide`).

`stack_below` is the width a table needs (its columns at their narrowest, plus the page's
margins): the Invoices tables stack below 1100 px, a reservation statement below 1024 px, the
group's tables and the Ledger below 768 px, the Payouts below 640 px. Measured with the demo's
longest rows (a failed direct debit's notes, an online payment's reference): at 390, 480,
640, 768, 900, 1024 and 1280 px no partner page scrolls sideways.

    stacked_table(
        table_header(...),
        rx.table.body(rx.foreach(rows, lambda r: rx.table.row(
            stacked_cell(link, wide=True),                  # the row's name, across the row
            stacked_cell(r.period, label="Period"),          # a fact under its label
            stacked_cell(buttons, wide=True, actions=True),  # buttons, left-aligned
        ))),
        stack_below=PHONE,
    )
"""

from __future__ import annotations

from typing import Any

import reflex as rx

PHONE = 640  # px: below this, every partner table is stacked
TABLET = 768  # a table that needs up to ~700 px (the group's tables, the Ledger)
DESKTOP = 1024  # a table that needs up to ~950 px (a reservation statement)


def stacked_style(stack_below: int, min_column: str) -> dict[str, Any]:
    """The CSS (emotion, on the table's root) that stacks its rows below `stack_below` px:
    each row a grid of columns at least `min_column` wide (2 on a 390 px phone)."""
    cells = "& tbody > tr > td, & tbody > tr > th"
    return {
        f"@media screen and (max-width: {stack_below - 0.02}px)": {
            "& .rt-TableRootTable, & tbody": {
                "display": "block",
                "width": "100%",
                "height": "auto",
            },
            # Radix wraps the table in a scroll area whose content box is `display: table`
            # (as wide as its widest content): a block keeps it to the card's width.
            "& .rt-ScrollAreaViewport > div": {"display": "block !important"},
            "& thead": {"display": "none"},  # each cell says its column (data-label)
            "& tbody > tr": {
                "display": "grid",
                # auto-fill: the same columns in every row, so the facts line up
                "grid_template_columns": f"repeat(auto-fill, minmax({min_column}, 1fr))",
                "gap": "var(--space-2) var(--space-4)",
                "padding": "var(--space-3) var(--space-1)",
                "box_shadow": "inset 0 -1px var(--gray-a5)",
            },
            cells: {
                "display": "block",
                "height": "auto",
                "padding": "0",
                "box_shadow": "none",
                "text_align": "left",
                "white_space": "normal",
                "min_width": "0",
                "overflow_wrap": "break-word",
            },
            "& td[data-label]::before": {
                "content": "attr(data-label)",
                "display": "block",
                "margin_bottom": "2px",
                "font_size": "var(--font-size-1)",
                "line_height": "var(--line-height-1)",
                "font_weight": "500",
                "color": "var(--gray-11)",
            },
            "& td.stack-wide": {"grid_column": "1 / -1"},
            "& td.stack-title": {"font_weight": "var(--font-weight-medium)"},
            # buttons under the row's facts, from the left, on as many lines as they need
            "& td.stack-actions > *": {"justify_content": "flex-start", "flex_wrap": "wrap"},
            "& td[data-stack='hide']": {"display": "none"},  # nothing to say on a phone
        }
    }


def stacked_table(
    *children: rx.Component, stack_below: int, min_column: str = "128px", **props: Any
) -> rx.Component:
    """`rx.table.root` whose rows stack below `stack_below` px (see the module's docstring)."""
    return rx.table.root(
        *children,
        style=stacked_style(stack_below, min_column),
        width="100%",
        **props,
    )


def stacked_cell(
    *children: rx.Component | rx.Var[Any] | str,
    label: str = "",
    wide: bool = False,
    title: bool = False,
    actions: bool = False,
    hide: rx.Var[bool] | None = None,
    class_name: str = "",
    custom_attrs: dict[str, Any] | None = None,
    **props: Any,
) -> rx.Component:
    """A cell of a stacked table. Stacked: under its `label` (its column's name), or `wide`
    across the row, or the row's `title` (across it, in medium weight), or `actions` (buttons)
    across the row from the left; `hide` (a Var) leaves it out of the stacked row (an empty
    figure). The table shows it as it always did."""
    classes = [c for c in (class_name, "stack-wide" if wide or title or actions else "") if c]
    if title:
        classes.append("stack-title")
    if actions:
        classes.append("stack-actions")
    attrs: dict[str, Any] = dict(custom_attrs or {})
    if label:
        attrs["data-label"] = label
    if hide is not None:
        attrs["data-stack"] = rx.cond(hide, "hide", "show")
    if classes:
        props["class_name"] = " ".join(classes)
    return rx.table.cell(*children, custom_attrs=attrs, **props)
