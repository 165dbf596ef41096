"""The lifecycle templates' built-in texts: each template's key, name, subject, body and the
placeholders its messages provide. The guest and partner texts are marked for the catalogs
(`N_`): each language's translation is the built-in text in that language (`i18n.translated`).
"""

from __future__ import annotations

from dataclasses import dataclass

from concierge_app.domain.i18n import N_


@dataclass(frozen=True, slots=True)
class TemplateDefault:
    key: str
    name: str
    subject: str
    body: str
    placeholders: tuple[str, ...]


_BOOKING_PLACEHOLDERS = (
    "platform_name",
    "guest_name",
    "booking_reference",
    "property_name",
    "check_in",
    "check_out",
    "portal_url",
)

DEFAULT_TEMPLATES: dict[str, TemplateDefault] = {
    t.key: t
    for t in (
        TemplateDefault(
            key="invoice_sent",
            name="Invoice Sent",
            subject=N_("Your invoice {{ invoice_number }} for {{ booking_reference }}"),
            body=N_(
                "Dear {{ guest_name }},\n\n"
                "Your concierge invoice {{ invoice_number }} for your stay at {{ property_name }} "
                "({{ check_in }} – {{ check_out }}) is ready.\n\n"
                "{% for line in lines %}  • {{ line.description }}: {{ line.amount }}\n{% endfor %}"
                "\nTotal due: {{ invoice_total }}\n\n"
                "You can review and pay it in your Payments card:\n{{ portal_url }}\n\n"
                "Warm regards,\n{{ platform_name }}"
            ),
            placeholders=(*_BOOKING_PLACEHOLDERS, "invoice_number", "invoice_total", "lines"),
        ),
        TemplateDefault(
            key="payment_received",
            name="Payment Received",
            subject=N_("Payment received for {{ booking_reference }} — thank you"),
            body=N_(
                "Dear {{ guest_name }},\n\n"
                "We have received your payment of {{ amount_paid }} for invoice(s) "
                "{{ invoice_numbers }}.\n\n"
                "Your Payments card shows the invoice(s) as Paid:\n{{ portal_url }}\n\n"
                "Thank you,\n{{ platform_name }}"
            ),
            placeholders=(*_BOOKING_PLACEHOLDERS, "amount_paid", "invoice_numbers"),
        ),
        TemplateDefault(
            key="refund_issued",
            name="Refund Issued",
            subject=N_(
                "Refund {{ amount_refunded }} for {{ booking_reference }}: credit note "
                "{{ credit_note_number }}"
            ),
            body=N_(
                "Dear {{ guest_name }},\n\n"
                "We have refunded {{ amount_refunded }} of your payment for invoice(s) "
                "{{ invoice_numbers }}.\n"
                "{% if reason %}Reason: {{ reason }}\n{% endif %}"
                "\nCredit note {{ credit_note_number }} is attached; your portal lists it with "
                "your other documents:\n{{ portal_url }}\n\n"
                "The refund may take a few days to reach your account.\n\n"
                "Kind regards,\n{{ platform_name }}"
            ),
            placeholders=(
                *_BOOKING_PLACEHOLDERS,
                "credit_note_number",
                "amount_refunded",
                "invoice_numbers",
                "reason",
            ),
        ),
        TemplateDefault(
            key="guest_reminder",
            name="Payment Reminder",
            subject=N_(
                "Reminder: invoice {{ invoice_number }} for {{ booking_reference }} is unpaid"
            ),
            body=N_(
                "Dear {{ guest_name }},\n\n"
                "A friendly reminder: your concierge invoice {{ invoice_number }} for your stay "
                "at {{ property_name }} ({{ check_in }} – {{ check_out }}) is still unpaid.\n\n"
                "Amount due: {{ invoice_total }}\n\n"
                "You can pay it in your Payments card:\n{{ portal_url }}\n\n"
                "If you have paid already, thank you, and please ignore this message.\n\n"
                "Warm regards,\n{{ platform_name }}"
            ),
            placeholders=(*_BOOKING_PLACEHOLDERS, "invoice_number", "invoice_total"),
        ),
        TemplateDefault(
            key="staff_invitation",
            name="Staff Invitation",
            subject="You are invited to {{ platform_name }}",
            body=(
                "Dear {{ recipient_name }},\n\n"
                "{{ invited_by }} invited you to {{ platform_name }} as {{ roles }}.\n\n"
                "Choose your password here (the link works once, until {{ expires_at }}):\n"
                "{{ link_url }}\n\n"
                "Kind regards,\n{{ platform_name }}"
            ),
            placeholders=(
                "platform_name",
                "recipient_name",
                "invited_by",
                "roles",
                "link_url",
                "expires_at",
            ),
        ),
        TemplateDefault(
            key="password_reset",
            name="Password Reset",
            subject="Choose a new password for {{ platform_name }}",
            body=(
                "Dear {{ recipient_name }},\n\n"
                "A new password was asked for your account ({{ account_email }}).\n"
                "Choose it here (the link works once, until {{ expires_at }}):\n"
                "{{ link_url }}\n\n"
                "When you do, every browser signed in to your account is signed out.\n"
                "If you did not expect this, tell us.\n\n"
                "Kind regards,\n{{ platform_name }}"
            ),
            placeholders=(
                "platform_name",
                "recipient_name",
                "account_email",
                "link_url",
                "expires_at",
            ),
        ),
        TemplateDefault(
            key="partner_invitation",
            name="Partner Invitation",
            subject="Your {{ platform_name }} Extranet login for {{ partner_name }}",
            body=(
                "Dear {{ recipient_name }},\n\n"
                "{{ invited_by }} invited you to the {{ platform_name }} Extranet for "
                "{{ partner_name }}.\n\n"
                "Choose your password here (the link works once, until {{ expires_at }}):\n"
                "{{ link_url }}\n\n"
                "Kind regards,\n{{ platform_name }}"
            ),
            placeholders=(
                "platform_name",
                "recipient_name",
                "invited_by",
                "partner_name",
                "link_url",
                "expires_at",
            ),
        ),
        TemplateDefault(
            key="bank_details_changed",
            name="Bank Details Changed",
            subject="Your bank details at {{ platform_name }} were changed",
            body=(
                "Dear {{ partner_name }} finance team,\n\n"
                "The bank account for property ID {{ partner_code }} was changed on "
                "{{ changed_at }} by {{ changed_by }}.\n"
                "New account: {{ account_holder }}, {{ iban_masked }}.\n\n"
                "If you did not make this change, tell us at once through the Extranet inbox "
                "(topic Invoices and commission, subtopic Other).\n\n"
                "Kind regards,\n{{ platform_name }} Finance"
            ),
            placeholders=(
                "platform_name",
                "partner_name",
                "partner_code",
                "changed_at",
                "changed_by",
                "account_holder",
                "iban_masked",
            ),
        ),
        TemplateDefault(
            key="partner_invoice_issued",
            name="Partner Invoice Issued",
            # a commission invoice or its VAT/GST document: each named by its kind
            subject="{{ platform_name }} {{ document_name }} {{ invoice_number }} — {{ period }}",
            body=(
                "Dear {{ partner_name }} finance team,\n\n"
                "Your {{ document_name }} {{ invoice_number }} {{ document_about }} is attached "
                "(property ID {{ partner_code }}).\n\n"
                "{{ amount_label }}: {{ invoice_total }}\n"
                "{% if nothing_to_pay %}Deducted from your payout — nothing to pay.\n"
                "{% else %}Amount to pay: {{ amount_payable }}, due by {{ due_date }}.\n"
                "{{ payment_instructions }}\n{% endif %}"
                "\nYou can also find it under Finance → Invoices:\n{{ finance_url }}\n\n"
                "Kind regards,\n{{ platform_name }} Finance"
            ),
            placeholders=(
                "platform_name",
                "partner_name",
                "partner_code",
                "document_name",
                "document_about",
                "amount_label",
                "invoice_number",
                "period",
                "invoice_total",
                "amount_payable",
                "nothing_to_pay",
                "due_date",
                "payment_instructions",
                "finance_url",
            ),
        ),
        TemplateDefault(
            key="partner_reminder",
            name="Partner Payment Reminder",
            subject=N_(
                "{{ notice_title }}: {{ platform_name }} {{ document_name }} {{ invoice_number }}"
            ),
            body=N_(
                "Dear {{ partner_name }} finance team,\n\n"
                "{{ notice }}\n\n"
                "{{ document_name|capitalize }} {{ invoice_number }} (property ID "
                "{{ partner_code }}, {{ period }}): {{ amount_due }} still to pay.\n"
                "{{ payment_instructions }}\n\n"
                "You can find it under Finance → Invoices:\n{{ finance_url }}\n\n"
                "If you have paid already, thank you, and please ignore this message.\n\n"
                "Kind regards,\n{{ platform_name }} Finance"
            ),
            placeholders=(
                "platform_name",
                "partner_name",
                "partner_code",
                "document_name",
                "invoice_number",
                "period",
                "amount_due",
                "due_date",
                "payment_instructions",
                "finance_url",
                "notice_title",
                "notice",
            ),
        ),
        TemplateDefault(
            key="partner_note_issued",
            name="Partner Note Issued",
            subject=(
                "{{ platform_name }} {{ title|lower }} {{ note_number }} — "
                "invoice {{ related_number }}"
            ),
            body=(
                "Dear {{ partner_name }} finance team,\n\n"
                "We issued {{ title|lower }} {{ note_number }} (property ID {{ partner_code }}) "
                "{% if credit %}deducting {{ amount }} from"
                "{% else %}adding {{ amount }} to{% endif %} "
                "invoice {{ related_number }} for {{ period }}. The invoice stays valid.\n"
                "Reason: {{ reason }}\n\n"
                "{% if credit %}A credit note is not paid out to your bank account: it pays "
                "the invoice it corrects; what that invoice no longer needs pays your other open "
                "or next invoices, oldest due first.\n{{ applied }}\n"
                "{% else %}{{ payment_instructions }}\n{% endif %}"
                "\nThe note is attached. You can also find it under Finance → Invoices:\n"
                "{{ finance_url }}"
                "\n\nKind regards,\n{{ platform_name }} Finance"
            ),
            placeholders=(
                "platform_name",
                "partner_name",
                "partner_code",
                "title",
                "note_number",
                "related_number",
                "period",
                "amount",
                "credit",
                "reason",
                "applied",
                "payment_instructions",
                "finance_url",
            ),
        ),
        TemplateDefault(
            key="partner_inbox_reply",
            name="Partner Inbox Reply",
            subject="Re: {{ subject }} — {{ platform_name }} Finance",
            body=(
                "Dear {{ partner_name }} finance team,\n\n"
                '{{ staff_name }} replied to your message "{{ subject }}" '
                "({{ topic }} → {{ subtopic }}, property ID {{ partner_code }}):\n\n"
                "{{ reply }}\n\n"
                "Read and answer it in your Extranet inbox:\n{{ inbox_url }}\n\n"
                "Kind regards,\n{{ platform_name }} Finance"
            ),
            placeholders=(
                "platform_name",
                "partner_name",
                "partner_code",
                "subject",
                "topic",
                "subtopic",
                "staff_name",
                "reply",
                "inbox_url",
            ),
        ),
        TemplateDefault(  # a group's payment (multiple property plan): partner_* is the group
            key="payment_allocation",
            name="Payment Allocation",
            subject="{{ platform_name }}: your payment of {{ amount_paid }} — how it was applied",
            body=(
                "Dear {{ partner_name }} finance team,\n\n"
                "We received your payment for group {{ partner_code }}:\n"
                "Amount: {{ amount_paid }}\nMethod: {{ payment_method }}\n"
                "Date: {{ payment_date }}\n\n"
                "It was applied to your properties' invoices, oldest due first:\n"
                "{{ allocation_lines }}\n\n"
                "Credit left: {{ credit_left }}\n\n"
                "Every property's invoices are under Finance → All properties:\n{{ group_url }}\n\n"
                "Kind regards,\n{{ platform_name }} Finance"
            ),
            placeholders=(
                "platform_name",
                "partner_name",
                "partner_code",
                "amount_paid",
                "payment_method",
                "payment_date",
                "allocation_lines",
                "credit_left",
                "group_url",
            ),
        ),
        TemplateDefault(
            key="provider_refund",
            name="Refund at the Provider",
            subject="{{ platform_name }}: {{ headline }} — {{ booking_reference }}",
            body=(
                "Refund {{ refund_id }} of {{ amount }} on booking {{ booking_reference }} "
                "{{ what_happened }}\n\n"
                "{% for line in lines %}  • {{ line.description }}: {{ line.amount }}\n"
                "{% endfor %}"
                "{% if check %}\n{{ check }}\n{% endif %}"
                "\nThe booking:\n{{ booking_url }}\n\n"
                "{{ platform_name }} billing"
            ),
            placeholders=(
                "platform_name",
                "booking_reference",
                "headline",
                "refund_id",
                "amount",
                "what_happened",
                "lines",
                "check",
                "booking_url",
            ),
        ),
        TemplateDefault(
            key="reconciliation_drift",
            name="Reconciliation Drift",
            subject="{{ platform_name }}: {{ drift_count }} differences, {{ period }}",
            body=(
                "Reconciling {{ period }} with {{ provider }} found {{ drift_count }} "
                "differences between the provider and the ledger:\n\n"
                "{% for line in lines %}  • {{ line.description }}: {{ line.amount }}\n"
                "{% endfor %}"
                "\nNothing was changed: check each one.\n{{ reconciliation_url }}\n\n"
                "{{ platform_name }} billing"
            ),
            placeholders=(
                "platform_name",
                "period",
                "provider",
                "drift_count",
                "lines",
                "reconciliation_url",
            ),
        ),
        TemplateDefault(
            key="direct_debit_failed",
            name="Direct Debit Failed",
            subject="{{ platform_name }}: your direct debit of {{ amount_payable }} failed",
            body=(
                "Dear {{ partner_name }} finance team,\n\n"
                "The direct debit of {{ amount_payable }} we requested from your bank on "
                "{{ requested_on }} (mandate {{ mandate_reference }}, property ID "
                "{{ partner_code }}) failed.\n"
                "Your bank's reason: {{ failure_reason }}\n\n"
                "These invoices are unpaid again and appear red under Finance → Invoices:\n"
                "{% for line in lines %}  • {{ line.description }}: {{ line.amount }}\n"
                "{% endfor %}\n"
                "What to do:\n"
                "1. Contact your bank to see why the payment failed.\n"
                "2. Pay {{ amount_payable }} as soon as possible:\n"
                "{{ payment_instructions }}\n\n"
                "Your invoices:\n{{ finance_url }}\n\n"
                "Kind regards,\n{{ platform_name }} Finance"
            ),
            placeholders=(
                "platform_name",
                "partner_name",
                "partner_code",
                "amount_payable",
                "requested_on",
                "mandate_reference",
                "failure_reason",
                "invoice_numbers",
                "lines",
                "payment_instructions",
                "finance_url",
            ),
        ),
    )
}


# The templates guests and partners read: written in each recipient's language (a text saved per
# language, else the catalog's translation of the built-in text, else English).
TRANSLATED_TEMPLATES = frozenset(
    {"invoice_sent", "payment_received", "guest_reminder", "refund_issued", "partner_reminder"}
)
