"""Reservation statements stored as billed, one row per partner, period and currency (the lines
in the compact form of `domain.statement`), instead of one row per line; messages rendered when
sent; the month-end run's collection step.

Existing statement lines are packed into statements; the platform's part of a deposit service
(not kept before) is taken from the service's deposit.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 10:30:00
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_SOURCE = {"stay": "b", "service": "s"}
_COLLECTED = {"platform": "p", "partner": "o", "shared": "d"}


def upgrade() -> None:
    op.create_table(
        "partner_statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("deducted_minor", sa.Integer(), nullable=False),
        sa.Column("gross_minor", sa.Integer(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("rate_bps", sa.Integer(), nullable=False),
        sa.Column("net_payout", sa.Boolean(), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_partner_statement_currency_iso"),
        ),
        sa.CheckConstraint(
            "amount_minor >= 0", name=op.f("ck_partner_statement_amount_minor_non_negative")
        ),
        sa.CheckConstraint(
            "deducted_minor >= 0", name=op.f("ck_partner_statement_deducted_minor_non_negative")
        ),
        sa.CheckConstraint(
            "gross_minor >= 0", name=op.f("ck_partner_statement_gross_minor_non_negative")
        ),
        sa.CheckConstraint("line_count > 0", name=op.f("ck_partner_statement_has_lines")),
        sa.CheckConstraint("rate_bps BETWEEN 0 AND 10000", name=op.f("ck_partner_statement_rate")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["month_end_run.id"], name=op.f("fk_partner_statement_run_id_month_end_run")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_partner_statement_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_statement")),
        sa.UniqueConstraint(
            "run_id",
            "partner_id",
            "currency",
            name=op.f("uq_partner_statement_run_id_partner_id_currency"),
        ),
    )
    with op.batch_alter_table("partner_statement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_statement_partner_id"), ["partner_id"], unique=False
        )
    with op.batch_alter_table("partner_invoice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("statement_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_partner_invoice_statement_id_partner_statement"),
            "partner_statement",
            ["statement_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_partner_invoice_statement_id"), ["statement_id"]
        )
    with op.batch_alter_table("month_end_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("collected_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("render_from", sa.String(length=100), nullable=True))

    _pack_existing_lines()
    op.execute("UPDATE month_end_run SET collected_at = started_at")
    op.drop_table("partner_invoice_line")


def _pack_existing_lines() -> None:
    conn = op.get_bind()
    lines: dict[int, list[str]] = defaultdict(list)
    rates: dict[int, int] = {}
    platform_total: dict[int, int] = defaultdict(int)
    rows = conn.execute(
        sa.text(
            "SELECT l.invoice_id, l.source, l.source_id, l.collected_by, l.base_minor, "
            "l.rate_bps, s.deposit_minor FROM partner_invoice_line l "
            "LEFT JOIN service_item s ON l.source = 'service' AND s.id = l.source_id "
            "ORDER BY l.invoice_id, l.id"
        )
    )
    for r in rows:
        base = int(r.base_minor)
        platform = {"platform": base, "partner": 0}.get(
            r.collected_by, min(base, int(r.deposit_minor or 0))
        )
        platform_total[r.invoice_id] += platform
        rates[r.invoice_id] = int(r.rate_bps)  # one rate per partner and run
        code = _COLLECTED[r.collected_by]
        line = f"{_SOURCE[r.source]}{r.source_id} {code} {base}"
        lines[r.invoice_id].append(f"{line} {platform}" if code == "d" else line)
    invoices = conn.execute(
        sa.text(
            "SELECT i.id, i.run_id, i.partner_id, i.currency, i.amount_minor, i.deducted_minor, "
            "p.payout_method FROM partner_invoice i JOIN partner p ON p.id = i.partner_id "
            "WHERE i.kind = 'commission' AND i.run_id IS NOT NULL"
        )
    ).all()
    for inv in invoices:
        if inv.id not in lines:
            continue
        statement_id = conn.execute(
            sa.text(
                "INSERT INTO partner_statement (run_id, partner_id, currency, amount_minor, "
                "deducted_minor, gross_minor, line_count, rate_bps, net_payout, lines) VALUES (:run, "
                ":partner, :currency, :amount, :deducted, :gross, :count, :rate, :net, :lines) "
                "RETURNING id"
            ),
            {
                "run": inv.run_id,
                "partner": inv.partner_id,
                "currency": inv.currency,
                "amount": inv.amount_minor,
                "deducted": inv.deducted_minor,
                "gross": platform_total[inv.id],
                "count": len(lines[inv.id]),
                "rate": rates[inv.id],
                "net": inv.deducted_minor > 0 or inv.payout_method == "net_payout",
                "lines": "\n".join(lines[inv.id]),
            },
        ).scalar_one()
        conn.execute(
            sa.text("UPDATE partner_invoice SET statement_id = :s WHERE id = :i"),
            {"s": statement_id, "i": inv.id},
        )


def downgrade() -> None:
    raise NotImplementedError(
        "0007 packs statement lines into statements; going back would need them unpacked."
    )
