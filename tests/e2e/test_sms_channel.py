"""The SMS channel against a real server (uvicorn on a free port) and a local
server speaking the provider's Messages API: webhooks signed by the SDK's own
logic are taken once and anything forged, unsigned, altered or signed for
another URL is refused with nothing written; replies are retried after a 500,
sent once, failed with the provider's code on a 400 and moved to delivered by
status callbacks; STOP, START and HELP; one Customer across spellings of a
number; MMS over the size limit; notes and private messages never leave."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, expect

from caseroom.storage.migrate import upgrade
from caseroom.storage.uow import Database
from tests.builders import Org, key, make_org
from tests.components import free_port
from tests.e2e.conftest import Server, open_database, start_server
from tests.e2e.console import card, console_page, no_page_errors, sign_in
from tests.e2e.servers import GUARD
from tests.sms_provider import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FakeProvider,
    fake_provider,
    inbound_form,
    sign,
)

NUMBER = "+14155550000"
BEN_MOBILE = "+14155550177"
MAX_FILE_BYTES = 50_000
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeProvider]:
    with fake_provider() as running:
        yield running


@pytest.fixture(scope="module")
def sms_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own (its own database, so its job poll takes nobody
    else's jobs), whose public URL is where it listens, retrying quickly."""
    folder = tmp_path_factory.mktemp("sms")
    url = f"sqlite+aiosqlite:///{folder / 'sms.db'}"
    upgrade(url)
    port = free_port()
    running = start_server(
        url,
        folder / "server.log",
        port=port,
        public_url=f"http://127.0.0.1:{port}",
        data_dir=str(folder / "data"),
        job_poll_seconds="0.1",
        job_retry_base_seconds="0.1",
        job_retry_max_seconds="0.2",
        max_file_bytes=str(MAX_FILE_BYTES),
        sms_demo_provider="true",
    )
    yield running
    running.stop()


@pytest.fixture
async def sms_db(sms_server: Server) -> AsyncIterator[Database]:
    async with open_database(sms_server.database_url) as db:
        yield db


@pytest.fixture
async def http(sms_server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sms_server.url, timeout=30) as client:
        yield client


async def texting_org(db: Database, http: httpx.AsyncClient, provider: FakeProvider) -> Org:
    org = await make_org(db)
    response = await http.put(
        "/api/v1/settings/channels/sms",
        json={
            "config": {
                "account_sid": ACCOUNT_SID,
                "from_number": NUMBER,
                "api_base": provider.url,
                "default_region": "US",
                "help_text": "Northwind support: reply here, or call 0800 555 0100.",
            },
            "secrets": {"auth_token": AUTH_TOKEN},
        },
        headers=org.auth(org.admin),
    )
    assert response.status_code == 200, response.text
    return org


def inbound_url(server: Server, org: Org) -> str:
    return f"{server.url}/api/v1/channels/sms/{org.slug}/inbound"


async def text_in(
    http: httpx.AsyncClient,
    server: Server,
    org: Org,
    form: dict[str, str],
    *,
    signature: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    url = inbound_url(server, org)
    sig = sign(url, form) if signature is None else signature
    return await http.post(url, data=form, headers={"X-Twilio-Signature": sig, **(headers or {})})


async def status_in(
    http: httpx.AsyncClient, server: Server, org: Org, sid: str, state: str, **extra: str
) -> None:
    url = f"{server.url}/api/v1/channels/sms/{org.slug}/status"
    form = {"MessageSid": sid, "MessageStatus": state, "AccountSid": ACCOUNT_SID, **extra}
    answer = await http.post(url, data=form, headers={"X-Twilio-Signature": sign(url, form)})
    assert answer.status_code == 204, answer.text


async def issues_of(http: httpx.AsyncClient, org: Org) -> list[dict[str, Any]]:
    listed = await http.get(
        "/api/v1/issues", params={"queue": "unclaimed"}, headers=org.auth(org.ana)
    )
    assert listed.status_code == 200, listed.text
    return list(listed.json()["items"])


async def public_messages(http: httpx.AsyncClient, org: Org, issue_id: str) -> list[dict[str, Any]]:
    page = await http.get(
        f"/api/v1/issues/{issue_id}/rooms/public/messages", headers=org.auth(org.ana)
    )
    assert page.status_code == 200, page.text
    return list(page.json()["items"])


async def delivery_of(
    http: httpx.AsyncClient, org: Org, issue_id: str, message_id: str, wanted: set[str]
) -> dict[str, Any]:
    """The message's delivery once it reaches one of the `wanted` states."""

    async def wait() -> dict[str, Any]:
        while True:
            for message in await public_messages(http, org, issue_id):
                if message["id"] == message_id and message["deliveries"]:
                    (delivery,) = message["deliveries"]
                    if delivery["state"] in wanted:
                        return dict(delivery)
            await asyncio.sleep(0.05)

    return await asyncio.wait_for(wait(), GUARD)


async def delivery_of_private(
    http: httpx.AsyncClient, org: Org, issue_id: str, message_id: str
) -> dict[str, Any]:
    """A private-room text's delivery, once the provider has taken it."""

    async def wait() -> dict[str, Any]:
        while True:
            page = await http.get(
                f"/api/v1/issues/{issue_id}/rooms/private/messages", headers=org.auth(org.ana)
            )
            for message in page.json()["items"]:
                if message["id"] == message_id and message["deliveries"]:
                    (delivery,) = message["deliveries"]
                    if delivery["state"] != "queued":
                        return dict(delivery)
            await asyncio.sleep(0.05)

    return await asyncio.wait_for(wait(), GUARD)


async def reply(
    http: httpx.AsyncClient, org: Org, issue_id: str, body: str, **fields: str
) -> httpx.Response:
    return await http.post(
        f"/api/v1/issues/{issue_id}/rooms/{fields.pop('room', 'public')}/messages",
        json={"body": body, "idempotency_key": key(), **fields},
        headers=org.auth(org.ana),
    )


async def test_a_signed_text_lands_once_and_forged_ones_are_refused_with_nothing_written(
    sms_server: Server, sms_db: Database, http: httpx.AsyncClient, provider: FakeProvider
) -> None:
    org = await texting_org(sms_db, http, provider)
    other = await texting_org(sms_db, http, provider)
    sender = "+14155550101"
    form = inbound_form(sender, "Hi, my order #4411 has not arrived.")

    refused = [
        await text_in(http, sms_server, org, form, signature=""),  # unsigned
        await text_in(
            http,
            sms_server,
            org,
            form,
            signature=sign(inbound_url(sms_server, org), form, "wrong-token"),
        ),
        await text_in(
            http, sms_server, org, form, signature=sign(inbound_url(sms_server, other), form)
        ),
        await text_in(
            http,
            sms_server,
            org,
            {**form, "Body": "Send the refund to me instead."},
            signature=sign(inbound_url(sms_server, org), form),
        ),
        # A forwarded host is believed only from a trusted proxy (none is configured).
        await text_in(
            http,
            sms_server,
            org,
            form,
            signature=sign(f"https://desk.example/api/v1/channels/sms/{org.slug}/inbound", form),
            headers={"X-Forwarded-Host": "desk.example", "X-Forwarded-Proto": "https"},
        ),
    ]
    status_url = f"{sms_server.url}/api/v1/channels/sms/{org.slug}/status"
    forged_status = {"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered"}
    refused.append(
        await http.post(status_url, data=forged_status, headers={"X-Twilio-Signature": "x"})
    )
    for answer in refused:
        assert answer.status_code == 403, answer.text
        assert answer.json()["type"].endswith("/forbidden")
    assert await issues_of(http, org) == []

    first = await text_in(http, sms_server, org, form)
    again = await text_in(http, sms_server, org, form)  # the provider's retry
    assert first.status_code == again.status_code == 200, first.text
    assert "<Response" in first.text
    (issue,) = await issues_of(http, org)
    (message,) = await public_messages(http, org, issue["id"])
    assert message["body"] == "Hi, my order #4411 has not arrived."
    assert message["channel"] == "sms" and message["author"]["kind"] == "customer"
    assert await issues_of(http, other) == []


async def test_a_reply_is_retried_after_a_500_sent_once_and_moved_to_delivered(
    sms_server: Server, sms_db: Database, http: httpx.AsyncClient, provider: FakeProvider
) -> None:
    org = await texting_org(sms_db, http, provider)
    await text_in(http, sms_server, org, inbound_form("+14155550102", "Where is my parcel?"))
    (issue,) = await issues_of(http, org)
    before = len(provider.sent)
    provider.fail_next(500, None, "Internal Server Error")
    sent = await reply(http, org, issue["id"], "It left our warehouse today.")
    assert sent.status_code == 201, sent.text
    message_id = sent.json()["id"]

    delivery = await delivery_of(http, org, issue["id"], message_id, {"sent"})
    (form,) = provider.sent[before:]
    assert form["To"] == "+14155550102" and form["From"] == NUMBER
    assert form["Body"] == "It left our warehouse today."
    assert form["StatusCallback"] == f"{sms_server.url}/api/v1/channels/sms/{org.slug}/status"
    assert delivery["provider_id"].startswith("SM")

    await status_in(http, sms_server, org, delivery["provider_id"], "delivered")
    await status_in(http, sms_server, org, delivery["provider_id"], "sent")  # late: no step back
    done = await delivery_of(http, org, issue["id"], message_id, {"delivered", "sent"})
    assert done["state"] == "delivered"
    assert len(provider.sent[before:]) == 1


async def test_a_refusal_fails_the_text_with_the_providers_code(
    sms_server: Server, sms_db: Database, http: httpx.AsyncClient, provider: FakeProvider
) -> None:
    org = await texting_org(sms_db, http, provider)
    await text_in(http, sms_server, org, inbound_form("+14155550103", "Hello?"))
    (issue,) = await issues_of(http, org)
    provider.fail_next(400, 21610, "Attempt to send to unsubscribed recipient")
    sent = await reply(http, org, issue["id"], "Hi! How can I help?")
    failed = await delivery_of(http, org, issue["id"], sent.json()["id"], {"failed"})
    assert failed["error_code"] == "21610"
    assert failed["error"] == "Attempt to send to unsubscribed recipient"

    # A text the carrier could not deliver says so, with the provider's code.
    provider.sent.clear()
    second = await reply(http, org, issue["id"], "Are you there?")
    accepted = await delivery_of(http, org, issue["id"], second.json()["id"], {"sent"})
    await status_in(
        http, sms_server, org, accepted["provider_id"], "undelivered", ErrorCode="30003"
    )
    bounced = await delivery_of(http, org, issue["id"], second.json()["id"], {"bounced"})
    assert bounced["error_code"] == "30003" and "unreachable" in bounced["error"]


async def test_stop_opts_out_start_opts_back_in_and_help_answers_with_the_help_text(
    sms_server: Server, sms_db: Database, http: httpx.AsyncClient, provider: FakeProvider
) -> None:
    org = await texting_org(sms_db, http, provider)
    sender = "+14155550104"
    await text_in(http, sms_server, org, inbound_form(sender, "Is my order late?"))
    (issue,) = await issues_of(http, org)

    async def sms_option() -> dict[str, Any]:
        found = await http.get(f"/api/v1/issues/{issue['id']}/channels", headers=org.auth(org.ana))
        return next(c for c in found.json()["channels"] if c["channel"] == "sms")

    assert (await sms_option())["enabled"]
    stop = await text_in(http, sms_server, org, inbound_form(sender, "Stop."))
    assert stop.status_code == 200
    option = await sms_option()
    assert not option["enabled"] and "opted out" in option["reason"]
    refused = await reply(http, org, issue["id"], "One more thing…", channel="sms")
    assert refused.status_code == 422 and "opted out" in refused.json()["detail"]

    helped = await text_in(http, sms_server, org, inbound_form(sender, "HELP"))
    assert "<Message>Northwind support: reply here, or call 0800 555 0100.</Message>" in helped.text
    await text_in(http, sms_server, org, inbound_form(sender, "START"))
    assert (await sms_option())["enabled"]
    bodies = [m["body"] for m in await public_messages(http, org, issue["id"])]
    assert bodies == ["Is my order late?", "Stop.", "HELP", "START"]  # agents see why


async def test_spellings_of_one_number_reach_one_customer_and_one_issue(
    sms_server: Server, sms_db: Database, http: httpx.AsyncClient, provider: FakeProvider
) -> None:
    org = await texting_org(sms_db, http, provider)
    started = await http.post(
        f"/api/v1/organizations/{org.slug}/conversations",
        json={"name": "Robin Hale", "phone": "(415) 555-0105", "message": "Hi from the web"},
    )
    assert started.status_code == 201, started.text  # a national number, read in US
    typo = await http.post(
        f"/api/v1/organizations/{org.slug}/conversations",
        json={"name": "Robin Hale", "phone": "415 555 01", "message": "Hi again"},
    )
    assert typo.status_code == 422 and "not a valid phone number in region US" in typo.text
    for spelling in ("+1 (415) 555-0105", "415.555.0105", "+14155550105"):
        answer = await text_in(http, sms_server, org, inbound_form(spelling, f"via {spelling}"))
        assert answer.status_code == 200, answer.text
    (issue,) = await issues_of(http, org)
    assert issue["id"] == started.json()["issue"]["id"]
    bodies = [m["body"] for m in await public_messages(http, org, issue["id"])]
    assert bodies[1:] == ["via +1 (415) 555-0105", "via 415.555.0105", "via +14155550105"]
    bad = await text_in(http, sms_server, org, inbound_form("555-01", "who am I"))
    assert bad.status_code == 422 and bad.json()["type"].endswith("/invalid-phone-number")


async def test_mms_pictures_arrive_as_files_and_one_over_the_limit_is_listed_not_retrieved(
    sms_server: Server, sms_db: Database, http: httpx.AsyncClient, provider: FakeProvider
) -> None:
    org = await texting_org(sms_db, http, provider)
    small, big = f"/media/{key()}", f"/media/{key()}"
    provider.media[small] = PNG
    provider.media[big] = PNG + b"\x00" * MAX_FILE_BYTES
    form = inbound_form(
        "+14155550106",
        "The zip is broken, see pictures",
        NumMedia="2",
        MediaUrl0=provider.url + small,
        MediaContentType0="image/png",
        MediaUrl1=provider.url + big,
        MediaContentType1="image/png",
    )
    answer = await text_in(http, sms_server, org, form)
    assert answer.status_code == 200, answer.text
    (issue,) = await issues_of(http, org)
    (message,) = await public_messages(http, org, issue["id"])
    assert message["body"].startswith("The zip is broken, see pictures")
    assert "MMS 2.png: larger than the limit" in message["body"]
    (picture,) = message["attachments"]
    assert picture["content_type"] == "image/png" and picture["size"] == len(PNG)


async def test_notes_and_private_messages_never_go_out_by_sms(
    sms_server: Server, sms_db: Database, http: httpx.AsyncClient, provider: FakeProvider
) -> None:
    org = await texting_org(sms_db, http, provider)
    await text_in(http, sms_server, org, inbound_form("+14155550107", "Hello"))
    (issue,) = await issues_of(http, org)
    before = len(provider.sent)
    # The Customer last wrote by SMS; a note and a private message still stay inside.
    note = await reply(http, org, issue["id"], "Customer is a VIP", kind="note")
    private = await reply(http, org, issue["id"], "Ben, can you check?", room="private")
    assert note.status_code == 201 and private.status_code == 201, (note.text, private.text)
    asked = await reply(http, org, issue["id"], "VIP, careful", kind="note", channel="sms")
    assert asked.status_code == 422, asked.text
    # A public reply after them goes out, and only it.
    sent = await reply(http, org, issue["id"], "Checking now.")
    await delivery_of(http, org, issue["id"], sent.json()["id"], {"sent"})
    assert provider.bodies()[before:] == ["Checking now."]
    (noted,) = [m for m in await public_messages(http, org, issue["id"]) if m["kind"] == "note"]
    assert noted["deliveries"] == []


async def test_an_agent_texts_a_colleague_from_the_private_room_and_the_answer_lands_there(
    sms_server: Server, sms_db: Database, http: httpx.AsyncClient, provider: FakeProvider
) -> None:
    org = await texting_org(sms_db, http, provider)
    customer = "+14155550108"
    await text_in(http, sms_server, org, inbound_form(customer, "My tent pole snapped."))
    (issue,) = await issues_of(http, org)
    bad = await http.put("/api/v1/me/mobile", json={"number": "555-12"}, headers=org.auth(org.ben))
    assert bad.status_code == 422 and bad.json()["type"].endswith("/invalid-phone-number")
    ben_mobile = await http.put(
        "/api/v1/me/mobile", json={"number": "(415) 555-0190"}, headers=org.auth(org.ben)
    )
    assert ben_mobile.json() == {"number": "+14155550190"}  # read in the organization's region
    listed = await http.get(
        f"/api/v1/issues/{issue['id']}/sms-colleagues", headers=org.auth(org.ana)
    )
    assert listed.json() == [{"agent_id": org.ben.id, "name": org.ben.name}]

    before = len(provider.sent)
    texted = await http.post(
        f"/api/v1/issues/{issue['id']}/rooms/private/sms",
        json={"to": org.ben.id, "body": "Ben, do we have spare poles?", "idempotency_key": key()},
        headers=org.auth(org.ana),
    )
    assert texted.status_code == 201, texted.text
    assert texted.json()["room"] == "private" and texted.json()["channel"] == "sms"

    # Never the Customer from the private room: not by their id, not by the channel.
    customer_id = issue["customer_id"]
    to_customer = await http.post(
        f"/api/v1/issues/{issue['id']}/rooms/private/sms",
        json={"to": customer_id, "body": "Hello from the back office", "idempotency_key": key()},
        headers=org.auth(org.ana),
    )
    assert to_customer.status_code == 404, to_customer.text
    by_channel = await reply(http, org, issue["id"], "psst", room="private", channel="sms")
    assert by_channel.status_code == 422, by_channel.text

    await delivery_of_private(http, org, issue["id"], texted.json()["id"])
    assert [(f["To"], f["Body"]) for f in provider.sent[before:]] == [
        ("+14155550190", "Ben, do we have spare poles?")
    ]

    answer = await text_in(
        http, sms_server, org, inbound_form("+14155550190", "Yes, two in stock.")
    )
    assert answer.status_code == 200, answer.text
    private = await http.get(
        f"/api/v1/issues/{issue['id']}/rooms/private/messages", headers=org.auth(org.ana)
    )
    last = private.json()["items"][-1]
    assert last["body"] == "Yes, two in stock." and last["channel"] == "sms"
    assert last["author"]["kind"] == "agent" and last["author"]["id"] == org.ben.id
    public_bodies = [m["body"] for m in await public_messages(http, org, issue["id"])]
    assert public_bodies == ["My tent pole snapped."]


@pytest.mark.browser
async def test_an_agent_answers_a_text_in_the_console_watching_the_segment_counter(
    browser: Browser, sms_server: Server, sms_db: Database, http: httpx.AsyncClient,
    screenshots: Path,
) -> None:  # fmt: skip
    """Against the built-in demo provider, as in `make run`: it takes the text and
    reports it delivered through the signed status webhook."""
    names = ("Alex Admin", "Ana Ruiz", "Ben Okafor")
    org = await make_org(sms_db, name="Northwind Outfitters", people_names=names)
    set_up = await http.put(
        "/api/v1/settings/channels/sms",
        json={
            "config": {
                "account_sid": ACCOUNT_SID,
                "from_number": NUMBER,
                "api_base": f"{sms_server.url}/demo-sms",
                "default_region": "US",
            },
            "secrets": {"auth_token": AUTH_TOKEN},
        },
        headers=org.auth(org.admin),
    )
    assert set_up.status_code == 200, set_up.text
    mobile = await http.put(
        "/api/v1/me/mobile", json={"number": BEN_MOBILE}, headers=org.auth(org.ben)
    )
    assert mobile.status_code == 200, mobile.text
    sender = "+14155550188"
    for text in ("Hi! Do you ship to Canada?", "It's for a Ridge 38 pack, size M."):
        assert (await text_in(http, sms_server, org, inbound_form(sender, text))).status_code == 200
    (issue,) = await issues_of(http, org)

    _, console = await console_page(browser, sms_server.url)
    await sign_in(console, org.ana)
    await card(console, issue["reference"]).click()
    await console.locator(".issue-head [data-action=claim]").click()
    channel = console.locator(".composer-public .channel-select")
    await expect(channel).to_have_value("sms")  # the Customer wrote by SMS
    meter = console.locator(".composer-public .sms-meter")
    box = console.get_by_label("Reply to the Customer")
    await box.fill("Yes, we ship to Canada: 3-5 working days, free over $80.")
    await expect(meter.locator(".sms-segments")).to_have_text("1 SMS segment")
    await expect(meter.locator(".sms-encoding")).to_have_text("GSM-7")
    await expect(meter).to_contain_text("Files go by SMS as links")
    await box.press("Enter")
    public = console.locator(".timeline-public")
    texted = public.locator(".msg-mine[data-seq]").filter(has_text="we ship to Canada")
    mark = texted.locator(".mark-item[data-channel=sms]")
    await expect(mark).to_have_attribute("data-state", "delivered")
    await expect(mark).to_contain_text("Delivered · SMS")

    # A typographic apostrophe is outside GSM-7: the whole text goes as UCS-2.
    await box.fill(
        "It\u2019ll leave our warehouse tomorrow, and we\u2019ll text you the tracking link."
    )
    await expect(meter.locator(".sms-segments")).to_have_text("2 SMS segments")
    await expect(meter.locator(".sms-encoding")).to_have_text("UCS-2")
    await expect(console.locator(".toast")).to_have_count(0)  # nothing hides the counter
    await console.screenshot(path=screenshots / "console-sms.png")
    await channel.select_option("chat")
    await expect(meter).to_be_hidden()

    # From the private room Ana texts Ben, who gave his mobile number; he answers by SMS.
    await console.get_by_role("tab", name="Private").click()
    private_channel = console.locator(".composer-private .channel-select")
    await expect(private_channel.locator("option")).to_have_text(
        ["Chat", "Email — not set up for this organization", "SMS to Ben Okafor"]
    )
    await private_channel.select_option(f"sms:{org.ben.id}")
    await expect(console.locator(".composer-private .sms-meter")).to_be_visible()
    private_box = console.get_by_label("Message your colleagues (private)")
    await private_box.fill("Ben, can you check stock of the Ridge 38 in M?")
    await private_box.press("Enter")
    timeline = console.locator(".timeline-private")
    await expect(timeline.locator(".msg-mine").filter(has_text="Ridge 38 in M")).to_be_visible()
    answered = await text_in(
        http, sms_server, org, inbound_form(BEN_MOBILE, "Two left, I'll hold one.")
    )
    assert answered.status_code == 200, answered.text
    await expect(timeline.get_by_text("Two left, I'll hold one.")).to_be_visible()
    await expect(console.locator(".timeline-public").get_by_text("Two left")).to_have_count(0)

    # Ana gives her own mobile number in her profile (a national number, read as US).
    await console.get_by_role("button", name="Your mobile number").click()
    dialog = console.get_by_role("dialog", name="Your mobile number")
    await dialog.get_by_label("Mobile number").fill("555-12")
    await dialog.get_by_role("button", name="Save").click()
    await expect(dialog.get_by_role("alert")).to_contain_text("not a valid phone number")
    await dialog.get_by_label("Mobile number").fill("(415) 555-0166")
    await dialog.get_by_role("button", name="Save").click()
    await expect(console.locator(".toast")).to_contain_text("+14155550166")
    mine = await http.get("/api/v1/me/mobile", headers=org.auth(org.ana))
    assert mine.json() == {"number": "+14155550166"}
    no_page_errors(console)
