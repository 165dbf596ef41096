"""SMTP delivery of outbox messages (host, port, STARTTLS and credentials from settings)."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from concierge_app.settings import Settings


class DeliveryError(Exception):
    """The message could not be handed to the mail server; the text says why."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/pdf"


class Mailer(Protocol):
    def send(
        self, *, recipient: str, subject: str, body: str, attachments: tuple[Attachment, ...] = ()
    ) -> None: ...


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout: float = 15.0

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpMailer | None:
        """The configured mailer, or None when SMTP_HOST is not set (messages stay queued)."""
        if not settings.smtp_host:
            return None
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            settings.smtp_username,
            settings.smtp_password,
            settings.smtp_starttls,
        )

    def send(
        self, *, recipient: str, subject: str, body: str, attachments: tuple[Attachment, ...] = ()
    ) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, recipient, subject
        message.set_content(body)
        for item in attachments:
            main, sub = item.mime_type.split("/", 1)
            message.add_attachment(item.content, maintype=main, subtype=sub, filename=item.filename)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
