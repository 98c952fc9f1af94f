"""Custom bots against a bot server the test starts on loopback: calls are signed
by the Standard Webhooks convention (checked with its reference library), a bot
answers in its response or later with its reply token, within its grant only;
failures are retried, then the endpoint's breaker opens and the Customer goes to
a person; a bot's message never calls a bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import standardwebhooks.webhooks
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from caseroom.app import create_app
from caseroom.config import Settings
from caseroom.domain.webhooks import new_secret
from caseroom.storage.uow import Database
from tests.bot_server import BotServer, bot_server, empty, reply, status
from tests.builders import Org, make_org, open_database, send, settle, start_chat


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=sqlite_url,
        data_dir=tmp_path / "data",
        limits_enabled=False,
        webhook_allow_private_urls=True,  # the bot server listens on loopback
        job_retry_base_seconds=0.0,
        # The bots' stand-in answers on the test's own event loop: a busy machine
        # must not make an answer late.
        webhook_timeout_seconds=2.0,
        webhook_max_attempts=2,
        webhook_breaker_failures=2,
    )


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    async with open_database(sqlite_url) as opened:
        yield opened


@pytest.fixture
async def bot() -> AsyncIterator[BotServer]:
    async with bot_server() as server:
        yield server


async def register(
    client: httpx.AsyncClient, org: Org, bot: BotServer, nickname: str, kind: str = "assist",
    secret: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    body = {"nickname": nickname, "name": f"{nickname.title()} bot", "kind": kind, "url": bot.url}
    if secret:
        body["secret"] = secret
    made = await client.post("/api/v1/admin/bots", json=body, headers=org.auth(org.admin))
    assert made.status_code == 201, made.text
    data: dict[str, Any] = made.json()
    return data


async def room(client: httpx.AsyncClient, headers: dict[str, str], issue: str, name: str) -> Any:
    got = await client.get(f"/api/v1/issues/{issue}/rooms/{name}/messages", headers=headers)
    assert got.status_code == 200, got.text
    return got.json()["items"]


async def deliveries(client: httpx.AsyncClient, org: Org) -> list[dict[str, Any]]:
    got = await client.get("/api/v1/admin/webhook-deliveries", headers=org.auth(org.admin))
    assert got.status_code == 200
    data: list[dict[str, Any]] = got.json()
    return data


class SixMinutesLater(datetime):
    """The reference library's clock, moved past its five-minute window."""

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        return datetime.now(tz) + timedelta(minutes=6)


async def test_a_called_bot_gets_a_signed_call_and_answers_in_the_private_room(
    client: httpx.AsyncClient, db: Database, bot: BotServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = await make_org(db)
    secret = new_secret()
    await register(client, org, bot, "helper", secret=secret)
    bot.answer(reply("The order left the warehouse on Monday."))
    chat = await start_chat(client, org, message="Where is my order 1234?")
    await send(client, org.auth(org.ana), chat.issue_id, "private", "internal: carrier is late")
    called = await send(client, org.auth(org.ana), chat.issue_id, "private", "#helper status?")
    assert called.status_code == 201
    await settle(client)

    assert len(bot.received) == 1
    call = bot.received[0]
    payload = Webhook(secret).verify(call.body, call.headers)  # the reference accepts it
    assert payload["type"] == "bot.called" and payload["arguments"] == "status?"
    bodies = [m["body"] for m in payload["conversation"]]
    assert "Where is my order 1234?" in bodies and "internal: carrier is late" in bodies
    assert payload["reply"]["token"].startswith("crb_")
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(call.body.replace(b"status?", b"refund!"), call.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(call.body, call.headers)
    later = dict(
        call.headers, **{"webhook-timestamp": str(int(call.headers["webhook-timestamp"]) - 400)}
    )
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(call.body, later)
    monkeypatch.setattr(standardwebhooks.webhooks, "datetime", SixMinutesLater)
    with pytest.raises(WebhookVerificationError, match="too old"):  # a replay, later
        Webhook(secret).verify(call.body, call.headers)
    monkeypatch.undo()

    private = await room(client, org.auth(org.ana), chat.issue_id, "private")
    answer = private[-1]
    assert answer["body"] == "The order left the warehouse on Monday."
    assert answer["author"]["kind"] == "bot" and answer["author"]["name"] == "Helper bot"
    public = await room(client, chat.auth, chat.issue_id, "public")
    assert all(m["author"]["kind"] != "bot" for m in public)
    hidden = await client.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/private/messages", headers=chat.auth
    )
    assert hidden.status_code == 404
    assert [d["state"] for d in await deliveries(client, org)] == ["delivered"]


async def test_a_bot_answering_later_may_post_only_where_its_grant_lets_it(
    client: httpx.AsyncClient, db: Database, bot: BotServer
) -> None:
    org = await make_org(db)
    await register(client, org, bot, "later")
    bot.answer(empty())
    chat = await start_chat(client, org)
    other = await start_chat(client, org)
    await send(client, org.auth(org.ana), chat.issue_id, "private", "#later look it up")
    await settle(client)
    token = bot.received[0].json["reply"]["token"]
    as_bot = {"Authorization": f"Bearer {token}"}

    posted = await send(client, as_bot, chat.issue_id, "private", "Found it: parcel 77.")
    assert posted.status_code == 201 and posted.json()["author"]["kind"] == "bot"
    public = await send(client, as_bot, chat.issue_id, "public", "Hello Customer")
    assert public.status_code == 403
    elsewhere = await send(client, as_bot, other.issue_id, "private", "Hi")
    assert elsewhere.status_code == 404
    peek = await client.get(f"/api/v1/issues/{other.issue_id}", headers=as_bot)
    assert peek.status_code == 404
    assert all(
        m["author"]["kind"] != "bot" for m in await room(client, chat.auth, chat.issue_id, "public")
    )


async def test_a_bots_message_never_calls_a_bot(
    client: httpx.AsyncClient, db: Database, bot: BotServer
) -> None:
    org = await make_org(db)
    await register(client, org, bot, "echo")
    bot.answer(reply("#echo #summary again"))
    chat = await start_chat(client, org)
    await send(client, org.auth(org.ana), chat.issue_id, "private", "#echo hi")
    await settle(client)
    assert len(bot.received) == 1
    private = await room(client, org.auth(org.ana), chat.issue_id, "private")
    assert [m["author"]["kind"] for m in private] == ["agent", "bot"]


async def test_a_failing_welcome_bot_is_retried_then_broken_and_the_customer_handed_over(
    client: httpx.AsyncClient, db: Database, bot: BotServer
) -> None:
    org = await make_org(db)
    await register(client, org, bot, "greeter", kind="welcome")
    bot.answer(status(503))
    chat = await start_chat(client, org, message="Can I change my address?")
    await settle(client)

    assert len(bot.received) == 2  # webhook_max_attempts
    assert bot.received[0].headers["webhook-id"] == bot.received[1].headers["webhook-id"]
    [failed] = await deliveries(client, org)
    assert failed["state"] == "failed" and failed["response_status"] == 503
    public = await room(client, chat.auth, chat.issue_id, "public")
    assert "connected with a person" in public[-1]["body"]
    private = await room(client, org.auth(org.ana), chat.issue_id, "private")
    assert "handed this Issue to a person" in private[-1]["body"]
    assert "Can I change my address?" in private[-1]["body"]

    # The breaker is open: the next Customer is handed over without a request.
    second = await start_chat(client, org, message="Hello?")
    await settle(client)
    assert len(bot.received) == 2
    listed = await client.get("/api/v1/admin/bots", headers=org.auth(org.admin))
    assert listed.json()[0]["breaker"]["open_until"] is not None
    private = await room(client, org.auth(org.ana), second.issue_id, "private")
    assert "circuit breaker is open" in private[-1]["body"]


async def test_a_slow_assist_bot_times_out_and_the_agent_is_told(
    client: httpx.AsyncClient, db: Database, bot: BotServer
) -> None:
    org = await make_org(db)
    await register(client, org, bot, "sloth")
    bot.slow_seconds = 4.0
    chat = await start_chat(client, org)
    await send(client, org.auth(org.ana), chat.issue_id, "private", "#sloth think")
    await settle(client)
    assert len(bot.received) == 2
    private = await room(client, org.auth(org.ana), chat.issue_id, "private")
    assert private[-1]["body"].startswith("#sloth did not answer: no answer within 2 seconds")
    assert private[-1]["kind"] == "event"


async def test_an_answer_over_the_size_limit_is_a_failure(
    client: httpx.AsyncClient, db: Database, bot: BotServer
) -> None:
    org = await make_org(db)
    await register(client, org, bot, "chatty")
    bot.answer(reply("x" * 70_000))
    chat = await start_chat(client, org)
    await send(client, org.auth(org.ana), chat.issue_id, "private", "#chatty")
    await settle(client)
    [log] = await deliveries(client, org)
    assert log["state"] == "failed" and "longer than" in log["last_error"]
    private = await room(client, org.auth(org.ana), chat.issue_id, "private")
    assert all(m["author"]["kind"] != "bot" for m in private)


async def test_both_secrets_sign_while_one_is_rotated(
    client: httpx.AsyncClient, db: Database, bot: BotServer
) -> None:
    org = await make_org(db)
    old = new_secret()
    made = await register(client, org, bot, "rotor", secret=old)
    assert made["secret"] is None  # given by the admin, so not echoed
    rotated = await client.post(
        f"/api/v1/admin/bots/{made['id']}/secret",
        json={"keep_previous": True},
        headers=org.auth(org.admin),
    )
    new = rotated.json()["secret"]
    assert rotated.status_code == 200 and new.startswith("whsec_")
    chat = await start_chat(client, org)
    await send(client, org.auth(org.ana), chat.issue_id, "private", "#rotor")
    await settle(client)
    call = bot.received[0]
    assert len(call.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(call.body, call.headers)
    Webhook(new).verify(call.body, call.headers)


async def test_calls_beyond_the_rate_limit_are_refused_with_a_notice(
    settings: Settings, db: Database, bot: BotServer
) -> None:
    app = create_app(settings.model_copy(update={"bot_calls_per_minute": 1}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            client.app = app  # type: ignore[attr-defined]
            org = await make_org(db)
            await register(client, org, bot, "busy")
            chat = await start_chat(client, org)
            for text in ("#busy one", "#busy two"):
                await send(client, org.auth(org.ana), chat.issue_id, "private", text)
            await settle(client)
            assert len(bot.received) == 1
            private = await room(client, org.auth(org.ana), chat.issue_id, "private")
            assert "called too often" in private[-1]["body"]


async def test_private_addresses_are_refused_unless_the_operator_allows_them(
    settings: Settings, db: Database, bot: BotServer
) -> None:
    strict = settings.model_copy(update={"webhook_allow_private_urls": False})
    app = create_app(strict)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            client.app = app  # type: ignore[attr-defined]
            org = await make_org(db)
            literal = await client.post(
                "/api/v1/admin/bots",
                json={"nickname": "lan", "name": "L", "kind": "assist", "url": bot.url},
                headers=org.auth(org.admin),
            )
            assert literal.status_code == 422 and literal.json()["field"] == "url"
            by_name = bot.url.replace("127.0.0.1", "localhost")
            named = await client.post(
                "/api/v1/admin/bots",
                json={"nickname": "lan", "name": "L", "kind": "assist", "url": by_name},
                headers=org.auth(org.admin),
            )
            assert named.status_code == 201  # where a name resolves is checked at delivery
            chat = await start_chat(client, org)
            await send(client, org.auth(org.ana), chat.issue_id, "private", "#lan hi")
            await settle(client)
            assert bot.received == []
            [log] = await deliveries(client, org)
            assert log["state"] == "failed" and "loopback" in log["last_error"]


async def test_only_admins_register_bots_and_nicknames_are_checked(
    client: httpx.AsyncClient, db: Database, bot: BotServer
) -> None:
    org = await make_org(db)
    body = {"nickname": "ok", "name": "Ok", "kind": "assist", "url": bot.url}
    agent = await client.post("/api/v1/admin/bots", json=body, headers=org.auth(org.ana))
    assert agent.status_code == 403
    for nickname, code in (("summary", 409), ("9lives", 422), ("has space", 422)):
        refused = await client.post(
            "/api/v1/admin/bots", json=dict(body, nickname=nickname), headers=org.auth(org.admin)
        )
        assert refused.status_code == code, (nickname, refused.text)
    bad_url = await client.post(
        "/api/v1/admin/bots", json=dict(body, url="ftp://x.example/h"), headers=org.auth(org.admin)
    )
    assert bad_url.status_code == 422
    offered = await client.get("/api/v1/bots", headers=org.auth(org.ana))
    assert [b["nickname"] for b in offered.json()][:4] == ["summary", "history", "kb", "canned"]


async def test_a_custom_welcome_bot_talks_in_public_until_the_claim_mutes_it(
    client: httpx.AsyncClient, db: Database, bot: BotServer
) -> None:
    org = await make_org(db)
    await register(client, org, bot, "concierge", kind="welcome")
    bot.answer(reply("Hello! Which order is it about?"))
    chat = await start_chat(client, org, message="Hi, my order is late.")
    await settle(client)
    call = bot.received[0].json
    assert call["type"] == "customer.wrote" and "change_seq" not in call["trigger"]
    assert [m["room"] for m in call["conversation"]] == ["public"]  # as the Customer sees it
    seen = await room(client, chat.auth, chat.issue_id, "public")
    assert seen[-1]["body"] == "Hello! Which order is it about?"
    assert seen[-1]["author"]["kind"] == "bot"
    token = {"Authorization": f"Bearer {call['reply']['token']}"}
    private = await send(client, token, chat.issue_id, "private", "psst")
    assert private.status_code == 404  # a welcome bot never reads the private room

    claimed = await client.post(f"/api/v1/issues/{chat.issue_id}/claim", headers=org.auth(org.ana))
    assert claimed.status_code == 200
    muted = await send(client, token, chat.issue_id, "public", "Still here!")
    assert muted.status_code == 403
    await send(client, chat.auth, chat.issue_id, body="Order 1234")
    await settle(client)
    assert len(bot.received) == 1  # no call after the claim
    notes = await room(client, org.auth(org.ana), chat.issue_id, "private")
    assert (
        "Concierge bot handed this Issue to a person: an agent claimed the Issue."
        in (notes[-1]["body"])
    )


async def test_a_welcome_bot_that_says_it_cannot_help_hands_off(
    client: httpx.AsyncClient, db: Database, bot: BotServer
) -> None:
    org = await make_org(db)
    await register(client, org, bot, "helpdesk", kind="welcome")
    bot.answer(reply("Let me find someone for you.", hand_off=True))
    chat = await start_chat(client, org, message="Complicated question")
    await settle(client)
    said = [m["body"] for m in await room(client, chat.auth, chat.issue_id, "public")]
    assert said[-2:] == [
        "Let me find someone for you.",
        "You are being connected with a person; they will answer here.",
    ]
