"""A whole email conversation through real SMTP both ways: a Customer mails the
organization's mailbox (our listener, inside the app), the agent answers by
email (through the relay, an aiosmtpd sink), the Customer replies from a client
that keeps only In-Reply-To, and the agent answers again. One Issue; every mail
we send answers the mail before it and carries the whole thread."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from caseroom.app import create_app
from caseroom.config import Settings
from caseroom.storage.uow import Database
from tests.builders import claim_and_resolve, make_org, settle
from tests.components import free_port
from tests.integration.email_world import person_mail, smtp_send
from tests.smtp_sink import Sink, smtp_sink

ROBIN = "robin@mail.example"


@pytest.fixture
def sink() -> Iterator[Sink]:
    with smtp_sink() as running:
        yield running


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, int]]:
    port = free_port()
    app = create_app(settings.model_copy(update={"job_retry_base_seconds": 0.0, "smtp_port": port}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            http.app = app  # type: ignore[attr-defined]
            yield http, port


def ids(header: str | None) -> list[str]:
    return [part.strip("<>") for part in (header or "").split()]


async def test_customer_and_agent_write_back_and_forth_in_one_threaded_issue(
    desk: tuple[httpx.AsyncClient, int], sink: Sink, db: Database
) -> None:
    client, port = desk
    org = await make_org(db)
    mailbox = f"help@{org.slug}.example"  # one mailbox reaches one organization
    config = {"address": mailbox, "relay_host": sink.host, "relay_port": sink.port}
    setup = await client.put(
        "/api/v1/settings/channels/email",
        json={"config": {**config, "relay_tls": "none"}},
        headers=org.auth(org.admin),
    )
    assert setup.status_code == 200, setup.text
    ana = org.auth(org.ana)

    first = person_mail(ROBIN, mailbox, "Broken zipper", "The zipper broke after a week.")
    assert (await smtp_send(port, first, to=[mailbox]))[0] == 250
    listed = await client.get("/api/v1/issues", params={"queue": "unclaimed"}, headers=ana)
    (issue,) = [i for i in listed.json()["items"] if i["subject"] == "Broken zipper"]

    async def answer(body: str) -> None:
        sent = await client.post(
            f"/api/v1/issues/{issue['id']}/rooms/public/messages",
            json={"body": body, "channel": "email", "idempotency_key": body[:20] + "-key"},
            headers=ana,
        )
        assert sent.status_code == 201, sent.text
        await settle(client)

    await answer("Sorry to hear that! Which zipper is it?")
    (reply,) = [r.mail for r in sink.received]
    assert ids(reply["In-Reply-To"]) == [str(first["Message-ID"]).strip("<>")]
    assert f"[#{issue['reference']}]" in str(reply["Subject"])

    # Robin's client keeps only In-Reply-To, and writes to the plain mailbox.
    second = person_mail(ROBIN, mailbox, "Re: Broken zipper", "The front one.",
                         in_reply_to=str(reply["Message-ID"]))  # fmt: skip
    assert (await smtp_send(port, second, to=[mailbox]))[0] == 250
    await answer("A new front zipper is on its way.")
    last = sink.received[-1].mail
    thread = [str(m["Message-ID"]).strip("<>") for m in (first, reply, second)]
    assert ids(last["In-Reply-To"]) == thread[-1:]
    assert ids(last["References"]) == thread

    room = await client.get(f"/api/v1/issues/{issue['id']}/rooms/public/messages", headers=ana)
    bodies = [m["body"] for m in room.json()["items"]]
    assert bodies == [
        "The zipper broke after a week.",
        "Sorry to hear that! Which zipper is it?",
        "The front one.",
        "A new front zipper is on its way.",
    ]
    again = await client.get("/api/v1/issues", params={"queue": "all"}, headers=ana)
    assert [i["id"] for i in again.json()["items"] if "zipper" in i["subject"]] == [issue["id"]]

    # The transcript says who each email was from and to, both ways.
    await claim_and_resolve(client, org, issue["id"])
    filed = await client.get(f"/api/v1/issues/{issue['id']}/transcripts", headers=ana)
    (html,) = [f for f in filed.json()["items"] if (f["room"], f["format"]) == ("public", "html")]
    text = (await client.get(html["download_path"], headers=ana)).text
    assert text.count(f"from {ROBIN} to {mailbox}") == 2
    assert text.count(f"from {mailbox} to {ROBIN}") == 2
