"""The SMS provider's webhooks, one pair per organization (set them on the
organization's number at the provider):

- `POST /api/v1/channels/sms/{org_slug}/inbound`: a text to the number;
- `POST /api/v1/channels/sms/{org_slug}/status`: a report on a text sent from it
  (the adapter names this URL as each message's StatusCallback).

Each request must carry the provider's signature over the public URL it called
and the form it posted, made with the organization's auth token; anything else
is refused with 403 before a thing is read or written. A provider's retry of
one MessageSid stores one message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response, status
from twilio.twiml.messaging_response import MessagingResponse

from caseroom.channels.sms.media import MediaLimits, fetch_media
from caseroom.channels.sms.signature import (
    SIGNATURE_HEADER,
    MultiForm,
    public_request_url,
    signed_by_provider,
)
from caseroom.channels.sms.text import normalize_phone
from caseroom.domain.errors import Forbidden, InvalidInput, NotFound
from caseroom.domain.model import Channel, Organization
from caseroom.services import sms
from caseroom.services.conversations import Contact
from caseroom.services.inbound import InboundMessage
from caseroom.storage.blobs import StagedBlob
from caseroom.storage.uow import UnitOfWork
from caseroom.web.client_address import ClientAddress
from caseroom.web.context import AppContext, get_context

router = APIRouter(prefix="/api/v1/channels/sms", tags=["sms"])
INBOUND_PATH = "/api/v1/channels/sms/{org_slug}/inbound"
STATUS_PATH = "/api/v1/channels/sms/{org_slug}/status"
MAX_FORM_FIELDS = 200


def status_callback_url(public_url: str, org_slug: str) -> str:
    return public_url.rstrip("/") + STATUS_PATH.format(org_slug=org_slug)


@dataclass(frozen=True, slots=True)
class Verified:
    org: Organization
    config: dict[str, Any]
    token: str
    form: MultiForm


async def _verified(request: Request, context: AppContext, org_slug: str) -> Verified:
    """The organization whose provider signed this request, and what it posted."""

    async def load(uow: UnitOfWork) -> tuple[Organization, dict[str, Any], str] | None:
        org = await uow.organizations.by_slug(org_slug)
        setup = await uow.channels.get(org.id, Channel.SMS) if org else None
        if org is None or setup is None or not setup.enabled:
            return None
        secrets = await uow.channels.secrets(org.id, Channel.SMS)
        return org, setup.config, secrets.get("auth_token", "")

    found = await context.db.read(load)
    if found is None:
        raise NotFound("no SMS number is set up here")
    org, config, token = found
    try:
        pairs = parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        pairs = []
    form = MultiForm(pairs[:MAX_FORM_FIELDS])
    settings = context.settings
    url = public_request_url(
        public_url=settings.public_url,
        path=request.url.path,
        query=request.url.query,
        headers=request.headers,
        peer=request.client.host if request.client else None,
        proxies=ClientAddress(settings.trusted_proxies),
    )
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signed_by_provider(token, url, form, signature):
        raise Forbidden("this request is not signed by the organization's SMS provider")
    expected_account = str(config.get("account_sid") or "")
    if expected_account and form.get("AccountSid", "") != expected_account:
        raise Forbidden("this request is for another SMS account")
    return Verified(org, dict(config), token, form)


def _twiml(reply: str | None) -> Response:
    answer = MessagingResponse()
    if reply:
        answer.message(reply)
    return Response(str(answer), media_type="application/xml")


@router.post(
    "/{org_slug}/inbound",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}, "description": "TwiML"}},
)
async def inbound_text(org_slug: str, request: Request) -> Response:
    """A text to the organization's number (the provider's form fields: MessageSid,
    AccountSid, From, To, Body, NumMedia, MediaUrlN, MediaContentTypeN). It lands in
    the sender's open Issue, or opens one; STOP, START and HELP are acted on. The
    answer is TwiML: the help text for HELP, else nothing to send."""
    context = get_context(request)
    verified = await _verified(request, context, org_slug)
    form, config = verified.form, verified.config
    message_sid = form.get("MessageSid") or form.get("SmsSid") or ""
    if not message_sid:
        raise InvalidInput("MessageSid is missing", field="MessageSid")
    region = str(config.get("default_region") or "")
    number = normalize_phone(form.get("From", ""), region)
    settings = context.settings
    declared = form.get("NumMedia", "0")
    count = int(declared) if declared.isdigit() else 0
    media = [
        (form.get(f"MediaUrl{i}", ""), form.get(f"MediaContentType{i}", ""))
        for i in range(min(count, MAX_FORM_FIELDS))
        if form.get(f"MediaUrl{i}")
    ]
    fetched = await fetch_media(
        context.blobs,
        verified.org.id,
        media,
        auth=(str(config.get("account_sid") or ""), verified.token),
        limits=MediaLimits(
            max_file_bytes=settings.max_file_bytes,
            max_files=settings.max_files_per_message,
            max_filename_chars=settings.max_filename_chars,
            timeout=settings.sms_timeout_seconds,
        ),
    )
    body = form.get("Body", "")
    if fetched.not_retrieved:
        listed = "\n".join(f"- {line}" for line in fetched.not_retrieved)
        body = f"{body}\n\n[Not retrieved]\n{listed}".strip()
    inbound = InboundMessage(
        channel=Channel.SMS,
        org_id=verified.org.id,
        contact=Contact(name=number, phone=number),
        address=number,
        provider_id=message_sid,
        body=body,
        continue_open=True,
        files=tuple(fetched.files),
    )
    stored_first: list[StagedBlob] = []
    try:
        for blob in fetched.staged:
            if await context.blobs.keep(blob):
                stored_first.append(blob)

        async def work(uow: UnitOfWork) -> sms.Received:
            return await sms.receive_text(
                uow,
                inbound,
                help_text=str(config.get("help_text") or "") or None,
                max_chars=settings.max_message_chars,
            )

        # Texts that arrive together share a commit, as chat sends do.
        received = await context.db.run_grouped(work, key=f"sms:{verified.org.id}:{number}")
    except BaseException:
        await context.sender.forget_unused(stored_first)
        raise
    finally:
        for blob in fetched.staged:
            await context.blobs.discard(blob)
    if not received.sent.created:
        await context.sender.forget_unused(stored_first)  # a retry keeps the first files
    return _twiml(received.reply)


@router.post("/{org_slug}/status", status_code=status.HTTP_204_NO_CONTENT)
async def delivery_status(org_slug: str, request: Request) -> Response:
    """The provider's report on a text sent from the organization's number
    (MessageSid, MessageStatus, ErrorCode): its delivery moves forward, never back."""
    context = get_context(request)
    verified = await _verified(request, context, org_slug)
    form, org_id = verified.form, verified.org.id
    message_sid = form.get("MessageSid") or form.get("SmsSid") or ""
    message_status = form.get("MessageStatus") or form.get("SmsStatus") or ""
    if message_sid and message_status:

        async def work(uow: UnitOfWork) -> None:
            await sms.report_status(
                uow, org_id, message_sid, message_status, form.get("ErrorCode") or None
            )

        await context.db.run(work)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
