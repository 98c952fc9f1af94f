"""Two `caseroom serve` processes on one PostgreSQL database and one Redis: people
connected to different processes talk in real time, and neither a killed process
nor a restarted Redis loses or doubles a message."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.builders import Chat, Org, make_org, open_database, start_chat
from tests.components import redis_outage, start_redis
from tests.e2e.servers import GUARD, Server, StreamClient, running_pair, scale_out_env

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

MESSAGES_PER_SIDE = 40
PACE = 0.005  # seconds between sends, so that a fault lands mid-stream


@pytest.fixture
def servers(postgres_url: str, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    with running_pair(scale_out_env(postgres_url, tmp_path), tmp_path) as pair:
        yield pair


@pytest.fixture
async def org(postgres_url: str) -> AsyncIterator[Org]:
    async with open_database(postgres_url) as db:
        yield await make_org(db)


async def _chat(server: Server, org: Org) -> Chat:
    async with httpx.AsyncClient(base_url=server.url, timeout=GUARD) as http:
        return await start_chat(http, org)


def _assert_exactly_once(messages: list[dict[str, object]], expected: set[str]) -> None:
    """Every expected body once, in sequence order with no gap."""
    bodies = [str(m["body"]) for m in messages]
    assert len(bodies) == len(set(bodies)), "a message arrived twice"
    assert set(bodies) == expected
    assert [m["seq"] for m in messages] == list(range(1, len(messages) + 1))


async def test_customer_and_agent_on_different_processes_talk(
    servers: tuple[Server, Server], org: Org
) -> None:
    a, b = servers
    chat = await _chat(a, org)
    customer = await StreamClient.connect(a, chat.token)
    agent = await StreamClient.connect(b, org.tokens[org.ana.id])
    try:
        assert await customer.subscribe(chat.issue_id) == 1
        assert await agent.subscribe(chat.issue_id) == 1
        await customer.send(chat.issue_id, "my parcel never came")
        await agent.wait_for_bodies(chat.issue_id, {"my parcel never came"})
        await agent.send(chat.issue_id, "sorry, a new one is on its way")
        await customer.wait_for_bodies(chat.issue_id, {"sorry, a new one is on its way"})
        everything = {chat.first_message["body"], "my parcel never came"}
        everything.add("sorry, a new one is on its way")
        _assert_exactly_once(customer.seen[(chat.issue_id, "public")], everything)
        _assert_exactly_once(agent.seen[(chat.issue_id, "public")], everything)
    finally:
        await customer.close()
        await agent.close()


async def test_inbox_on_one_process_sees_a_claim_made_on_the_other(
    servers: tuple[Server, Server], org: Org
) -> None:
    a, b = servers
    inbox = await StreamClient.connect(a, org.tokens[org.ana.id])
    try:
        await inbox.ws.send('{"type": "subscribe_inbox"}')
        await inbox.next_frame("subscribed_inbox")
        chat = await _chat(b, org)
        async with httpx.AsyncClient(base_url=b.url, timeout=GUARD) as http:
            claimed = await http.post(
                f"/api/v1/issues/{chat.issue_id}/claim", headers=org.auth(org.ben)
            )
        assert claimed.status_code == 200, claimed.text
        while True:
            update = await inbox.next_frame("issue.updated")
            issue = update["payload"]["issue"]
            if issue["id"] == chat.issue_id and issue["status"] == "claimed":
                break
        assert issue["owner_agent_id"] == org.ben.id
    finally:
        await inbox.close()


class Talker:
    """One side of a conversation that sends a numbered stream of messages and,
    when its server dies, reconnects to another and goes on where it was."""

    def __init__(self, name: str, token: str, issue_id: str, server: Server) -> None:
        self.name, self.token, self.issue_id, self.server = name, token, issue_id, server
        self.client: StreamClient | None = None
        self.received: list[dict[str, object]] = []  # over every connection, in order
        self.acked = 0
        self.progress = asyncio.Event()  # set on every ack
        self.reconnects = 0

    async def connect(self, server: Server) -> None:
        self.server = server
        if self.client is not None:
            self.received += self.client.seen.get((self.issue_id, "public"), [])
            await self.client.close()
        self.client = await StreamClient.connect(server, self.token)
        last = int(self.received[-1]["seq"]) if self.received else 0  # type: ignore[call-overload]
        await self.client.subscribe(self.issue_id, after=last)

    async def talk(self, count: int, fallback: Server) -> set[str]:
        sent = set()
        for number in range(count):
            body = f"{self.name} {number}"
            key = f"{self.name}-{number}-{uuid.uuid4().hex}"
            while True:
                assert self.client is not None
                try:
                    await self.client.send(self.issue_id, body, key)
                    break
                except (ConnectionError, websockets.ConnectionClosed):
                    # Retried with the same key: stored once whatever the dead
                    # server did with the first attempt.
                    self.reconnects += 1
                    await self.connect(fallback)
            sent.add(body)
            self.acked += 1
            self.progress.set()
            await asyncio.sleep(PACE)
        return sent

    def everything(self) -> list[dict[str, object]]:
        assert self.client is not None
        return self.received + self.client.seen.get((self.issue_id, "public"), [])

    async def wait_for(self, bodies: set[str]) -> None:
        assert self.client is not None
        await self.client.wait_for_bodies(self.issue_id, bodies - self._bodies(self.received))

    @staticmethod
    def _bodies(messages: list[dict[str, object]]) -> set[str]:
        return {str(m["body"]) for m in messages}


async def _when_acked(talker: Talker, count: int) -> None:
    while talker.acked < count:
        talker.progress.clear()
        await talker.progress.wait()


async def test_killing_a_process_mid_stream_loses_and_doubles_nothing(
    servers: tuple[Server, Server], org: Org
) -> None:
    a, b = servers
    chat = await _chat(a, org)
    customer = Talker("customer", chat.token, chat.issue_id, a)
    agent = Talker("agent", org.tokens[org.ana.id], chat.issue_id, b)
    await customer.connect(a)
    await agent.connect(b)

    async def kill_a() -> None:
        await _when_acked(customer, MESSAGES_PER_SIDE // 3)
        a.kill()

    try:
        sent_by_customer, sent_by_agent, _ = await asyncio.gather(
            customer.talk(MESSAGES_PER_SIDE, fallback=b),
            agent.talk(MESSAGES_PER_SIDE, fallback=b),
            kill_a(),
        )
        assert customer.reconnects >= 1 and customer.server is b
        expected = {chat.first_message["body"], *sent_by_customer, *sent_by_agent}
        for talker in (customer, agent):
            await talker.wait_for(expected)
            _assert_exactly_once(talker.everything(), expected)
    finally:
        for talker in (customer, agent):
            if talker.client:
                await talker.client.close()


@pytest.fixture
def redis_comes_back() -> Iterator[None]:
    yield
    start_redis()  # even if the test failed between stopping and starting it


@pytest.mark.serial
async def test_restarting_redis_mid_stream_loses_nothing(
    servers: tuple[Server, Server], org: Org, redis_comes_back: None
) -> None:
    a, b = servers
    chat = await _chat(a, org)
    customer = Talker("customer", chat.token, chat.issue_id, a)
    agent = Talker("agent", org.tokens[org.ana.id], chat.issue_id, b)
    await customer.connect(a)
    await agent.connect(b)
    inbox = await StreamClient.connect(a, org.tokens[org.ben.id])
    await inbox.ws.send('{"type": "subscribe_inbox"}')
    await inbox.next_frame("subscribed_inbox")

    async def restart_redis() -> None:
        await _when_acked(agent, MESSAGES_PER_SIDE // 3)
        with redis_outage():
            # Messages keep flowing into the database while Redis is away.
            await _when_acked(agent, MESSAGES_PER_SIDE // 2)

    try:
        sent_by_customer, sent_by_agent, _ = await asyncio.gather(
            customer.talk(MESSAGES_PER_SIDE, fallback=a),
            agent.talk(MESSAGES_PER_SIDE, fallback=b),
            restart_redis(),
        )
        expected = {chat.first_message["body"], *sent_by_customer, *sent_by_agent}
        for talker in (customer, agent):
            await talker.wait_for(expected)
            _assert_exactly_once(talker.everything(), expected)
            assert talker.reconnects == 0  # recovered through resync, not by reconnecting
        # Inbox events have no sequence number: the client is told to reload.
        await inbox.next_frame("inbox.resync")
    finally:
        await inbox.close()
        for talker in (customer, agent):
            if talker.client:
                await talker.client.close()


async def test_presence_and_read_marks_cross_processes(
    servers: tuple[Server, Server], org: Org
) -> None:
    """The Customer on one process, the agent on the other: the agent's inbox and
    Issue learn that the Customer is online, away and gone, and the Customer's
    read mark reaches the agent, as the Customer's own page reports them."""
    a, b = servers
    chat = await _chat(a, org)
    agent = await StreamClient.connect(b, org.tokens[org.ana.id])
    await agent.ws.send(json.dumps({"type": "subscribe_inbox"}))
    await agent.next_frame("subscribed_inbox")
    assert await agent.subscribe(chat.issue_id) == 1
    customer = await StreamClient.connect(a, chat.token)
    try:

        async def presence() -> str:
            frame = await agent.next_frame("presence.updated")
            assert frame["issue_id"] == chat.issue_id
            assert frame["payload"]["presence"]["customer_id"] == chat.customer_id
            return str(frame["payload"]["presence"]["state"])

        assert await customer.subscribe(chat.issue_id) == 1
        assert await presence() == "online"
        frame = {"issue_id": chat.issue_id}
        await customer.ws.send(json.dumps({"type": "presence", "state": "away", **frame}))
        assert await presence() == "away"

        reply = await agent.send(chat.issue_id, "we found it")
        await customer.wait_for_bodies(chat.issue_id, {"we found it"})
        mark = {"type": "receipt", "room": "public", "read_seq": reply["seq"], **frame}
        await customer.ws.send(json.dumps(mark))
        receipt = (await agent.next_frame("receipt.updated"))["payload"]["receipt"]
        assert receipt["reader"] == {"kind": "customer", "id": chat.customer_id}
        assert receipt["read_seq"] == receipt["delivered_seq"] == reply["seq"]
    finally:
        await customer.close()
    try:
        assert await presence() == "left"
    finally:
        await agent.close()
