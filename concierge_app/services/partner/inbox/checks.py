"""The inbox's topics and limits, and the checks of what people typed (subject, message, topic,
subtopic, author)."""

from __future__ import annotations

from concierge_app.domain.errors import Conflict

TOPIC = "Invoices and commission"
TOPICS = (TOPIC,)
DEFAULT_SUBTOPIC = "Other"
SUBTOPICS = (
    DEFAULT_SUBTOPIC,
    "Invoice amount",
    "Payment methods",
    "Direct debit",
    "Credit and debit notes",
    "Bank details",
)
SUBJECT_MAX = 200  # partner_thread.subject
BODY_MAX = 5000
THREAD_NOT_FOUND = "This message was not found in your inbox."


def checked_subject(text: str) -> str:
    subject = " ".join(text.split())
    if not subject:
        raise Conflict("Enter a subject.", field="subject")
    if len(subject) > SUBJECT_MAX:
        raise Conflict(
            f"Keep the subject to {SUBJECT_MAX} characters (it has {len(subject)}).",
            field="subject",
        )
    return subject


def checked_body(text: str) -> str:
    body = text.strip().replace("\r\n", "\n")
    if not body:
        raise Conflict("Write your message.", field="body")
    if len(body) > BODY_MAX:
        raise Conflict(
            f"Keep the message to {BODY_MAX:,} characters (it has {len(body):,}).", field="body"
        )
    return body


def checked_topic(text: str) -> str:
    topic = text.strip() or TOPIC
    if topic not in TOPICS:
        raise Conflict(f"Choose the topic {TOPIC}.", field="topic")
    return topic


def checked_subtopic(text: str) -> str:
    subtopic = text.strip() or DEFAULT_SUBTOPIC
    if subtopic not in SUBTOPICS:
        raise Conflict(
            "Choose a subtopic from the list: " + ", ".join(SUBTOPICS) + ".", field="subtopic"
        )
    return subtopic


def checked_author(text: str) -> str:
    author = text.strip()
    if not author or len(author) > 254:
        raise Conflict("Sign in again to write a message.")
    return author
