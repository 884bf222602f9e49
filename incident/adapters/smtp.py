"""E-mail through an SMTP server (the only module that imports smtplib).

SMTP has no idempotency key, so this adapter is not idempotent: the outbox
never re-sends a message whose fate a crash left unknown; it holds it as
``in_doubt`` for a person to check. The Message-ID is derived from the
idempotency key, so a mail client shows a repeat as the same message."""

from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate

from incident.adapters.base import DeliveryError, OutgoingMessage
from incident.config import SmtpConfig


class SmtpAdapter:
    channel = "email"
    idempotent = False

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def build(self, message: OutgoingMessage) -> EmailMessage:
        p = message.payload
        msg = EmailMessage()
        msg["From"] = (
            formataddr((self.config.sender_name, self.config.sender)) if self.config.sender_name else self.config.sender
        )
        msg["To"] = message.recipient
        msg["Subject"] = p["subject"]
        msg["Date"] = formatdate(localtime=False)
        digest = hashlib.sha256(message.key.encode()).hexdigest()[:32]
        msg["Message-ID"] = f"<{digest}@{self.config.sender.split('@')[-1]}>"
        msg["X-Incident-Delivery"] = message.key
        msg.set_content(p["text"])
        msg.add_alternative(p["html"], subtype="html")
        return msg

    def send(self, message: OutgoingMessage) -> str | None:
        c = self.config
        msg = self.build(message)
        password = os.environ.get(c.password_env) if c.password_env else None
        try:
            if c.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    c.host, c.port, timeout=c.timeout_seconds, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(c.host, c.port, timeout=c.timeout_seconds)
            with client:
                if c.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if c.username and password:
                    client.login(c.username, password)
                refused = client.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"recipient refused: {exc.recipients}", permanent=True) from None
        except smtplib.SMTPResponseException as exc:
            # 5xx is the server saying no for good; 4xx is "try later".
            raise DeliveryError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=exc.smtp_code >= 500) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
        if refused:
            raise DeliveryError(f"recipient refused: {refused}", permanent=True)
        return msg["Message-ID"]
