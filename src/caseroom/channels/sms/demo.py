"""SMS in the demo, without a provider account: the demo organization's number
is set up against the built-in demo provider (`demo_provider.py`, served when
`sms_demo_provider` is on), and `caseroom sms-demo` plays the provider's other
part: it signs and posts a Customer's text to the inbound webhook exactly as
the provider would, and lists the texts the demo organization sent."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from typing import Any
from xml.etree import ElementTree

import httpx
from twilio.base.exceptions import TwilioException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from caseroom.channels.sms.demo_provider import PREFIX
from caseroom.channels.sms.signature import SIGNATURE_HEADER
from caseroom.channels.sms.webhooks import INBOUND_PATH
from caseroom.config import Settings
from caseroom.domain.model import Channel
from caseroom.services.common import utcnow
from caseroom.storage.database import create_engine
from caseroom.storage.secrets import SecretBox, load_or_create_key
from caseroom.storage.uow import Database, UnitOfWork

DEMO_SLUG = "demo"
DEMO_ACCOUNT_SID = "AC" + "d" * 32
DEMO_NUMBER = "+15005550006"
DEMO_HELP = "Demo Outfitters support: reply here any time. Reply STOP to opt out."


def secret_box(settings: Settings) -> SecretBox:
    first = settings.secret_key or load_or_create_key(settings.data_dir / "secret.key")
    return SecretBox([first, *filter(None, [settings.secret_key_previous])])


async def set_up_demo_sms(uow: UnitOfWork, org_id: str, public_url: str) -> None:
    """Give the organization a number at the demo provider (once)."""
    if await uow.channels.get(org_id, Channel.SMS) is not None:
        return
    await uow.channels.put(
        org_id,
        Channel.SMS,
        enabled=True,
        config={
            "account_sid": DEMO_ACCOUNT_SID,
            "from_number": DEMO_NUMBER,
            "api_base": public_url.rstrip("/") + PREFIX,
            "default_region": "US",
            "help_text": DEMO_HELP,
        },
        secrets={"auth_token": secrets.token_urlsafe(24)},
        now=utcnow(),
    )


async def _account(settings: Settings) -> tuple[dict[str, Any], str]:
    engine = create_engine(settings.database_url)

    async def _nothing(events: object) -> None:
        return None

    db = Database(engine, _nothing, secret_box=secret_box(settings))
    try:

        async def load(uow: UnitOfWork) -> tuple[dict[str, Any], str] | None:
            org = await uow.organizations.by_slug(DEMO_SLUG)
            setup = await uow.channels.get(org.id, Channel.SMS) if org else None
            if org is None or setup is None:
                return None
            token = (await uow.channels.secrets(org.id, Channel.SMS)).get("auth_token", "")
            return setup.config, token

        found = await db.read(load)
    finally:
        await engine.dispose()
    if found is None:
        raise SystemExit("the demo organization has no SMS number: run `caseroom demo` first")
    return found


def register(commands: Any) -> None:
    demo = commands.add_parser(
        "sms-demo", help="play the SMS provider for the demo organization (no account needed)"
    )
    demo.add_argument("--database-url")
    actions = demo.add_subparsers(dest="sms_action", required=True)
    text = actions.add_parser("text", help="text the demo organization's number as a Customer")
    text.add_argument("sender", help="the Customer's number, e.g. +14155550123")
    text.add_argument("body", help="what the Customer writes")
    text.add_argument("--media", action="append", default=[], help="an MMS picture's URL")
    actions.add_parser("outbox", help="the texts the demo organization sent")


def run(args: argparse.Namespace, settings: Settings) -> int:
    config, token = asyncio.run(_account(settings))
    if args.sms_action == "text":
        return _text(settings, config, token, args.sender, args.body, args.media)
    return _outbox(config, token)


def _text(
    settings: Settings,
    config: dict[str, Any],
    token: str,
    sender: str,
    body: str,
    media: list[str],
) -> int:
    """Post the text as the provider does: its form fields, signed over the public URL."""
    url = settings.public_url.rstrip("/") + INBOUND_PATH.format(org_slug=DEMO_SLUG)
    sid = "SM" + secrets.token_hex(16)
    form = {
        "MessageSid": sid,
        "SmsSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": str(config.get("account_sid", "")),
        "From": sender,
        "To": str(config.get("from_number", "")),
        "Body": body,
        "NumSegments": "1",
        "NumMedia": str(len(media)),
        "ApiVersion": "2010-04-01",
    }
    for index, link in enumerate(media):
        form[f"MediaUrl{index}"] = link
        form[f"MediaContentType{index}"] = "image/jpeg"
    signature = RequestValidator(token).compute_signature(url, form)
    try:
        answer = httpx.post(url, data=form, headers={SIGNATURE_HEADER: signature}, timeout=30)
    except httpx.HTTPError as error:
        print(f"could not reach {url}: {error} (is `make run` serving?)", file=sys.stderr)
        return 1
    if answer.status_code != 200:
        print(f"the server refused the text ({answer.status_code}): {answer.text}", file=sys.stderr)
        return 1
    print(f"texted {form['To']} from {sender}: {body!r} ({sid})")
    for reply in ElementTree.fromstring(answer.text).iter("Message"):
        print(f"the organization answered at once: {reply.text!r}")
    return 0


def _outbox(config: dict[str, Any], token: str) -> int:
    """The texts the demo provider took from the demo organization, newest first,
    read with the provider's SDK as from a real account."""
    client = Client(str(config.get("account_sid", "")), token)
    client.api.base_url = str(config.get("api_base", "")).rstrip("/")
    try:
        texts = client.api.v2010.accounts(str(config.get("account_sid", ""))).messages.list()
    except (TwilioException, OSError) as error:  # requests' errors are OSErrors
        print(f"could not read the demo provider: {error} (is `make run` serving?)")
        return 1
    if not texts:
        print("the demo organization has sent no texts yet (since the server started)")
    for text in texts:
        print(f"{text.date_created:%H:%M:%S}  to {text.to}  [{text.status}]  {text.body}")
    return 0
