"""The partner inbox: a partner writes to the finance team under the topic "Invoices and
commission" and a subtopic ("Other" unless chosen), optionally about one of its invoices; staff
read the threads of every partner and reply; the partner's finance contact is emailed the reply.

Every effect is audited (subject `partner:<id>`), so open pages see it through the change feed.
The message text itself stays in `partner_thread_message`; the audit trail records who wrote
which message in which thread, and when. A partner only ever sees its own threads: another
partner's thread is simply "not found".

- checks: the topics, the limits and the checks of what people typed
- writing: opening a thread, replying, marking read
- reading: the thread lists and one thread, for partner and staff
"""

from concierge_app.services.partner.inbox.checks import (
    BODY_MAX,
    DEFAULT_SUBTOPIC,
    SUBJECT_MAX,
    SUBTOPICS,
    THREAD_NOT_FOUND,
    TOPIC,
    TOPICS,
)
from concierge_app.services.partner.inbox.reading import (
    InvoiceOption,
    ThreadMessageView,
    ThreadSummary,
    ThreadView,
    invoice_options,
    partner_thread,
    partner_threads,
    staff_thread,
    staff_threads,
)
from concierge_app.services.partner.inbox.writing import (
    mark_read_by_partner,
    mark_read_by_staff,
    open_thread,
    partner_reply,
    staff_reply,
)

__all__ = [
    "BODY_MAX",
    "DEFAULT_SUBTOPIC",
    "SUBJECT_MAX",
    "SUBTOPICS",
    "THREAD_NOT_FOUND",
    "TOPIC",
    "TOPICS",
    "InvoiceOption",
    "ThreadMessageView",
    "ThreadSummary",
    "ThreadView",
    "invoice_options",
    "mark_read_by_partner",
    "mark_read_by_staff",
    "open_thread",
    "partner_reply",
    "partner_thread",
    "partner_threads",
    "staff_reply",
    "staff_thread",
    "staff_threads",
]
