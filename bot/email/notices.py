"""The two transactional mails: the double opt-in confirmation and the manage-link mail. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from bot.email.digest import mail_domain
from templates.render import render

__all__ = ["build_confirmation", "build_manage_link"]


def _message(
    *, to: str, sender: str, subject: str, public_url: str, now: datetime, text: str, html: str
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid("kamerwacht", domain=mail_domain(public_url))
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text + "\n")
    msg.add_alternative(html + "\n", subtype="html")
    return msg


def build_confirmation(
    *,
    to: str,
    sender: str,
    confirm_url: str,
    what: Sequence[str],
    frequency_label: str,
    public_url: str,
    lang: str = "nl",
    now: datetime,
) -> EmailMessage:
    """The double opt-in mail: a link to a page whose button confirms (on POST)."""
    context = {
        "confirm_url": confirm_url,
        "what": list(what),
        "frequency_label": frequency_label,
        "lang": lang,
    }
    subject = render("email/subject.txt", kind="confirm", lang=lang)
    return _message(
        to=to,
        sender=sender,
        subject=subject,
        public_url=public_url,
        now=now,
        text=render("email/confirm.txt", **context),
        html=render("email/confirm.html", **context),
    )


def build_manage_link(
    *, to: str, sender: str, manage_url: str, public_url: str, lang: str = "nl", now: datetime
) -> EmailMessage:
    """The mail with a link to the subscriber's manage page."""
    context = {"manage_url": manage_url, "lang": lang}
    subject = render("email/subject.txt", kind="manage", lang=lang)
    return _message(
        to=to,
        sender=sender,
        subject=subject,
        public_url=public_url,
        now=now,
        text=render("email/manage_link.txt", **context),
        html=render("email/manage_link.html", **context),
    )
