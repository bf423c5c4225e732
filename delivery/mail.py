"""Sending the build summary over SMTP as one multipart text+HTML message."""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from delivery.errors import DeliveryError, traceback_text

SMTPS_PORT = 465


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP server (the password is never printed)."""

    host: str
    port: int
    starttls: bool = False
    implicit_tls: bool = False
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0


def build_message(sender: str, recipients: list[str], subject: str, text: str,
                  html: str) -> EmailMessage:
    """Return a multipart/alternative message with a text and an HTML part."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send(settings: SmtpSettings, message: EmailMessage) -> None:
    """Send the message; any refusal becomes a one-line DeliveryError."""
    where = f"{settings.host}:{settings.port}"
    _refuse_unsafe(settings, where)
    try:
        with _connect(settings) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise _error(f"SMTP server {where} refused the login of user '{settings.user}': "
                     "check SMTP_USER and SMTP_PASSWORD", exc) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(sorted(exc.recipients))
        raise _error(f"SMTP server {where} refused the recipients {refused}", exc) from exc
    except smtplib.SMTPSenderRefused as exc:
        raise _error(f"SMTP server {where} refused the sender {exc.sender}: {_reply(exc)}",
                     exc) from exc
    except smtplib.SMTPException as exc:
        raise _error(f"SMTP server {where} refused the message: {_reply(exc)}", exc) from exc
    except (OSError, ssl.SSLError) as exc:
        raise _error(f"cannot reach SMTP server {where}: {exc.strerror or exc}; "
                     "check SMTP_HOST and SMTP_PORT", exc) from exc


def _refuse_unsafe(settings: SmtpSettings, where: str) -> None:
    """Refuse contradictory TLS settings, and a login that would go over plain text."""
    if settings.starttls and settings.implicit_tls:
        raise DeliveryError("SMTP_STARTTLS and SMTP_SSL exclude each other: SMTPS (usually port "
                            "465) is TLS from the start, STARTTLS (587) upgrades a plain one")
    if settings.user and not (settings.starttls or settings.implicit_tls):
        raise DeliveryError(f"refusing to send the SMTP password to {where} in clear: set "
                            "SMTP_STARTTLS=true, or SMTP_SSL=true for SMTPS (port 465)")


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    """Open the connection: TLS from the first byte for SMTPS, else plain (maybe upgraded)."""
    if settings.implicit_tls:
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                context=ssl.create_default_context())
    return smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)


def _reply(exc: smtplib.SMTPException) -> str:
    """Return the server's reply ('554 5.7.1 ...') of a refusal, or the exception's text."""
    if not isinstance(exc, smtplib.SMTPResponseException):
        return str(exc)
    text = exc.smtp_error
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{exc.smtp_code} {text}"


def _error(message: str, exc: BaseException) -> DeliveryError:
    """Wrap a failure with its traceback as the --verbose detail."""
    return DeliveryError(message, traceback_text(exc))
