"""Email subscription: the form, double opt-in, one-click unsubscribe and the manage page.

Links in mails only ever open a page: confirming, unsubscribing and every change on the manage
page happen on POST, so mail scanners that follow links change nothing. The one exception by
design is RFC 8058: a POST of ``List-Unsubscribe=One-Click`` to the unsubscribe URL unsubscribes
at once, without cookies or further steps.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.email.notices import build_confirmation, build_manage_link
from bot.email.sender import PermanentMailError, TemporaryMailError
from bot.email.tokens import CONFIRM, MANAGE, UNSUBSCRIBE, InvalidToken, read_token
from bot.web import routes_form
from bot.web.site import Site, page, request_lang, site
from state.models import (
    Channel,
    Frequency,
    Subscriber,
    Subscription,
    SubscriptionKind,
    is_motion_key,
)
from templates.web_texts import translator

__all__ = [
    "Choice",
    "confirm_form",
    "confirm_post",
    "manage_form",
    "manage_post",
    "manage_request",
    "parse_choice",
    "subscribe_form",
    "subscribe_post",
    "unsubscribe_form",
    "unsubscribe_post",
]

logger = logging.getLogger(__name__)

EMAIL_RE = re.compile(
    r"^[^@\s<>\"(),;:\[\]\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?\.[A-Za-z]{2,63}$"
)
DOSSIER_RE = re.compile(r"^[1-9]\d{3,5}(?:-[0-9A-Za-z]{1,5})?$")
MAX_BODY = 8192
FOLLOW_KINDS = ("all", "motion", "dossier", "keyword")
FREQUENCIES = (Frequency.DAILY.value, Frequency.WEEKLY.value)


@dataclass(frozen=True, slots=True)
class Choice:
    """A validated subscription request."""

    kind: SubscriptionKind
    value: str
    frequency: Frequency


async def _form(request: Request) -> dict[str, str]:
    """The urlencoded body as a flat dict (first value wins), size-capped."""
    body = await request.body()
    if len(body) > MAX_BODY:
        return {}
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


def normalise_email(raw: str) -> str | None:
    """The address with its domain lower-cased, or None when it does not look like one."""
    address = raw.strip()
    if len(address) > 254 or not EMAIL_RE.match(address):
        return None
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def parse_choice(form: dict[str, str]) -> tuple[Choice | None, list[str]]:
    """What to follow and how often, from the form; error keys when it is not valid."""
    errors: list[str] = []
    kind_raw = form.get("follow", "all")
    value = " ".join(form.get("value", "").split())
    if kind_raw not in FOLLOW_KINDS:
        errors.append("err.follow")
    kind = SubscriptionKind(kind_raw) if kind_raw in FOLLOW_KINDS else SubscriptionKind.ALL
    if kind is SubscriptionKind.ALL:
        value = ""
    elif kind is SubscriptionKind.MOTION:
        value = value.replace(" ", "")
        if not is_motion_key(value):
            errors.append("err.value")
    elif kind is SubscriptionKind.DOSSIER:
        value = value.replace(" ", "")
        if not DOSSIER_RE.match(value):
            errors.append("err.value")
    elif not 2 <= len(value) <= 60:
        errors.append("err.value")
    frequency_raw = form.get("frequency", Frequency.DAILY.value)
    if frequency_raw not in FREQUENCIES:
        errors.append("err.frequency")
        frequency_raw = Frequency.DAILY.value
    if errors:
        return None, errors
    return Choice(kind, value, Frequency(frequency_raw)), []


def describe(sub: Subscription | Choice, lang: str) -> str:
    """A subscription in words: ``Motie 21501-02-3067`` / ``Alles over het onderwerp``."""
    t = translator(lang)
    if sub.kind is SubscriptionKind.ALL:
        return t("sub.follow.all")
    return f"{t(f'sub.follow.{sub.kind.value}')}: {sub.value}"


def _now() -> datetime:
    return datetime.now(UTC)


async def subscribe_form(request: Request) -> Response:
    """``GET /abonneren``: the form (``?motion=`` pre-selects one motion)."""
    motion_id = request.query_params.get("motion", "")
    form = {"follow": "motion", "value": motion_id} if is_motion_key(motion_id) else {}
    return page(request, "subscribe.html", form=form, errors=[], email_on=_email_on(request))


def _email_on(request: Request) -> bool:
    return site(request).mailer is not None


async def _send(s: Site, msg: EmailMessage) -> str | None:
    """Send a transactional mail; an error key when it failed."""
    if s.mailer is None:
        return "sub.off"
    try:
        await s.mailer.send(msg)
    except PermanentMailError:
        return "err.refused"
    except TemporaryMailError as exc:
        logger.warning("confirmation mail not sent: %s", exc)
        return "err.send"
    return None


def _manage_link_mail(s: Site, subscriber: Subscriber, address: str, now: datetime) -> EmailMessage:
    """The mail with a link to ``subscriber``'s manage page (sent to ``address`` only)."""
    return build_manage_link(
        to=address,
        sender=s.settings.smtp_from,
        manage_url=s.links.manage(subscriber.id, now),
        public_url=s.links.public_url,
        lang=subscriber.language,
        now=now,
    )


async def subscribe_post(request: Request) -> Response:
    """``POST /abonneren``: store the (unconfirmed) subscription and mail the confirm link."""
    s = site(request)
    lang = request_lang(request)
    form = await _form(request)
    if s.mailer is None:
        return page(
            request,
            "subscribe.html",
            status_code=503,
            form=form,
            errors=["sub.off"],
            email_on=False,
        )
    address = normalise_email(form.get("email", ""))
    choice, errors = parse_choice(form)
    if address is None:
        errors.insert(0, "err.email")
    if errors or choice is None or address is None:
        return page(
            request, "subscribe.html", status_code=400, form=form, errors=errors, email_on=True
        )
    if not s.may_mail(address.casefold()):
        return page(
            request,
            "subscribe.html",
            status_code=429,
            form=form,
            errors=["err.throttled"],
            email_on=True,
        )
    now = _now()
    existing: Subscriber | None = await s.db(s.repo.get_subscriber, Channel.EMAIL, address)
    if existing is not None and existing.confirmed and existing.active:
        # Already subscribed: change nothing without proof of the address; mail a manage link.
        msg = _manage_link_mail(s, existing, address, now)
    else:
        if existing is None:
            existing = await s.db(
                s.repo.get_or_create_subscriber,
                Channel.EMAIL,
                address,
                language=lang,
                confirmed=False,
            )
        subscriber = await s.db(
            s.repo.update_subscriber,
            existing.id,
            active=False,
            confirmed=False,
            frequency=choice.frequency,
            language=lang,
        )
        await s.db(s.repo.subscribe, subscriber.id, choice.kind, choice.value)
        follows: list[Subscription] = await s.db(s.repo.subscriptions, subscriber.id)
        t = translator(lang)
        msg = build_confirmation(
            to=address,
            sender=s.settings.smtp_from,
            confirm_url=s.links.confirm(subscriber.id, now),
            what=[describe(f, lang) for f in follows],
            frequency_label=t(f"sub.{choice.frequency.value}"),
            public_url=s.links.public_url,
            lang=lang,
            now=now,
        )
        logger.info("subscription requested by subscriber %d", subscriber.id)
    error = await _send(s, msg)
    if error:
        return page(
            request,
            "subscribe.html",
            status_code=503 if error == "err.send" else 400,
            form=form,
            errors=[error],
            email_on=True,
        )
    return page(request, "message.html", title_key="sub.sent_title", text_key="sub.sent")


async def manage_request(request: Request) -> Response:
    """``POST /abonnement``: mail a manage link to a subscribed address (the same answer always)."""
    s = site(request)
    form = await _form(request)
    address = normalise_email(form.get("email", ""))
    if s.mailer is None:
        return page(
            request, "message.html", status_code=503, title_key="error.title", text_key="sub.off"
        )
    if address is None:
        return page(
            request,
            "subscribe.html",
            status_code=400,
            form=form,
            errors=["err.email"],
            email_on=True,
        )
    existing: Subscriber | None = await s.db(s.repo.get_subscriber, Channel.EMAIL, address)
    if existing is not None and s.may_mail(address.casefold()):
        now = _now()
        msg = _manage_link_mail(s, existing, address, now)
        await _send(s, msg)
    return page(request, "message.html", title_key="sub.sent_title", text_key="sub.sent")


def _read(request: Request, purpose: str) -> int | None:
    token = request.path_params["token"]
    try:
        return read_token(site(request).links.secret, purpose, token, now=_now())
    except InvalidToken as exc:
        logger.info("refused a %s token: %s", purpose, exc)
        return None


def _bad_token(request: Request) -> Response:
    return page(
        request,
        "subscribe.html",
        status_code=400,
        form={},
        errors=[],
        email_on=_email_on(request),
        token_error=True,
    )


def _unknown(request: Request) -> Response:
    return page(
        request, "message.html", status_code=404, title_key="unknown.title", text_key="unknown.text"
    )


async def _token_subscriber(request: Request, purpose: str) -> Subscriber | Response:
    """The subscriber a link's token names, or the page that says why there is none."""
    subscriber_id = _read(request, purpose)
    if subscriber_id is None:
        return _bad_token(request)
    s = site(request)
    subscriber: Subscriber | None = await s.db(s.repo.get_subscriber_by_id, subscriber_id)
    if subscriber is None or subscriber.channel is not Channel.EMAIL:
        return _unknown(request)  # mail links act on email subscribers only
    return subscriber


async def confirm_form(request: Request) -> Response:
    """``GET /bevestigen/{token}``: a page with the Confirm button; changes nothing."""
    s = site(request)
    found = await _token_subscriber(request, CONFIRM)
    if isinstance(found, Response):
        return found
    subscriber, subscriber_id = found, found.id
    follows = await s.db(s.repo.subscriptions, subscriber_id)
    lang = request_lang(request)
    return page(
        request,
        "confirm.html",
        subscriber=subscriber,
        follows=[describe(f, lang) for f in follows],
        done=subscriber.confirmed and subscriber.active,
    )


async def confirm_post(request: Request) -> Response:
    """``POST /bevestigen/{token}``: confirm the address and start the digests."""
    s = site(request)
    found = await _token_subscriber(request, CONFIRM)
    if isinstance(found, Response):
        return found
    subscriber_id = found.id
    await s.db(s.repo.update_subscriber, subscriber_id, confirmed=True, active=True)
    logger.info("subscriber %d confirmed", subscriber_id)
    return page(
        request,
        "message.html",
        title_key="confirm.done_title",
        text_key="confirm.done",
        manage_url=s.links.manage(subscriber_id, _now()),
    )


async def unsubscribe_form(request: Request) -> Response:
    """``GET /afmelden/{token}``: a page with the Unsubscribe button; changes nothing."""
    if _read(request, UNSUBSCRIBE) is None:
        return _bad_token(request)
    return page(request, "unsubscribe.html")


async def _unsubscribe(s: Site, subscriber_id: int) -> None:
    subscriber: Subscriber | None = await s.db(s.repo.get_subscriber_by_id, subscriber_id)
    if subscriber is None or subscriber.channel is not Channel.EMAIL:
        return
    await s.db(s.repo.update_subscriber, subscriber_id, active=False)
    for sub in await s.db(s.repo.subscriptions, subscriber_id):
        await s.db(s.repo.unsubscribe, subscriber_id, sub.kind, sub.value)
    logger.info("subscriber %d unsubscribed", subscriber_id)


async def unsubscribe_post(request: Request) -> Response:
    """``POST /afmelden/{token}``: unsubscribe (the button, or RFC 8058 one-click)."""
    subscriber_id = _read(request, UNSUBSCRIBE)
    if subscriber_id is None:
        return _bad_token(request)
    await _unsubscribe(site(request), subscriber_id)
    return page(request, "message.html", title_key="unsub.done_title", text_key="unsub.done")


async def manage_form(request: Request) -> Response:
    """``GET /abonnement/{token}``: what the subscriber follows, with forms to change it."""
    found = await _token_subscriber(request, MANAGE)
    if isinstance(found, Response):
        return found
    return await _manage_page(request, found, saved=request.query_params.get("saved") == "1")


async def _manage_page(
    request: Request,
    subscriber: Subscriber,
    *,
    saved: bool = False,
    status_code: int = 200,
    errors: list[str] | None = None,
    form: Mapping[str, str] | None = None,
) -> Response:
    """The manage page of ``subscriber``, with its routes per address and per follow."""
    s = site(request)
    follows: list[Subscription] = await s.db(s.repo.subscriptions, subscriber.id)
    lang = request_lang(request)
    described = [(f, describe(f, lang)) for f in follows]
    return page(
        request,
        "manage.html",
        status_code=status_code,
        subscriber=subscriber,
        follows=described,
        saved=saved,
        errors=errors or [],
        form=form or {},
        routes=await s.db(routes_form.routes_context, s.repo, subscriber),  # issue 17
        follow_routes=await s.db(routes_form.follows_context, s.repo, subscriber, described),
    )


def _invalid_manage_value(request: Request, form: Mapping[str, str]) -> Response | None:
    """422 naming the allowed values for a frequency or language the form cannot take."""
    allowed = {"frequency": tuple(FREQUENCIES), "language": ("nl", "en")}
    action = form.get("action", "")
    if action in allowed and form.get(action) not in allowed[action]:
        return page(
            request,
            "message.html",
            status_code=422,
            title_key="error.title",
            text=f"{action}: {', '.join(allowed[action])}",
        )
    return None


async def manage_post(request: Request) -> Response:
    """``POST /abonnement/{token}``: one change (``action``), then back to the page."""
    s = site(request)
    found = await _token_subscriber(request, MANAGE)
    if isinstance(found, Response):
        return found
    subscriber, subscriber_id = found, found.id
    form = await _form(request)
    action = form.get("action", "")
    invalid = _invalid_manage_value(request, form)
    if invalid is not None:
        return invalid
    if action == "frequency" and form.get("frequency") in FREQUENCIES:
        await s.db(s.repo.update_subscriber, subscriber_id, frequency=Frequency(form["frequency"]))
    elif action in ("routes", "follow_routes"):  # issue 17: routing by kind
        refused = await routes_form.save(request, s, subscriber_id, action, form)
        if refused is not None:
            return refused
    elif action == "language" and form.get("language") in ("nl", "en"):
        await s.db(s.repo.update_subscriber, subscriber_id, language=form["language"])
    elif action == "add":
        choice, errors = parse_choice(
            {
                **form,
                "frequency": subscriber.frequency.value
                if subscriber.frequency.value in FREQUENCIES
                else "daily",
            }
        )
        if choice is None:
            return await _manage_page(
                request, subscriber, status_code=400, errors=errors, form=form
            )
        await s.db(s.repo.subscribe, subscriber_id, choice.kind, choice.value)
    elif action == "remove" and form.get("kind") in FOLLOW_KINDS:
        await s.db(
            s.repo.unsubscribe, subscriber_id, SubscriptionKind(form["kind"]), form.get("value", "")
        )
    elif action == "resume":
        # the manage link only ever goes to the address itself: holding it proves the address
        await s.db(s.repo.update_subscriber, subscriber_id, active=True, confirmed=True)
    elif action == "unsubscribe":
        await _unsubscribe(s, subscriber_id)
        return page(request, "message.html", title_key="unsub.done_title", text_key="unsub.done")
    elif action == "delete":
        await s.db(s.repo.delete_subscriber, subscriber_id)
        logger.info("subscriber %d erased", subscriber_id)
        return page(
            request, "message.html", title_key="manage.deleted_title", text_key="manage.deleted"
        )
    return RedirectResponse(f"{request.url.path}?saved=1", status_code=303)
