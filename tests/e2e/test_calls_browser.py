"""Video calls in real Chromium with fake camera and microphone: an agent calls a
Customer from the console, the Customer's chat page rings, a declined call and
an answered one land in the timeline, and media flows both ways; through a real
TURN relay (coturn) with credentials caseroom mints, expired ones refused, and
across a cut of the media path (ICE restart); three agents in a private-room mesh."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, WebSocketRoute, async_playwright, expect

from caseroom.domain.ice import turn_credential
from caseroom.storage.uow import Database
from tests.builders import Org, make_org, start_chat
from tests.components import require_chromium
from tests.e2e.conftest import CHROMIUM_ARGS, Server
from tests.e2e.console import console_page, no_page_errors, sign_in
from tests.e2e.test_call_signaling import video_on
from tests.e2e.turn import running_turn

MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
GUARD_MS = 45_000  # a guard against hanging (the machine may be busy), never what a test asserts


@pytest.fixture
async def media_browser() -> AsyncIterator[Browser]:
    """Chromium whose camera and microphone are a test pattern and a tone."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=require_chromium(), args=[*CHROMIUM_ARGS, *MEDIA_ARGS]
        )
        yield launched
        await launched.close()


async def stats(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = await page.evaluate("window.caseroomCall.stats()")
    return result


async def receives_media(page: Page) -> None:
    """The call is connected and inbound audio and video bytes keep rising."""
    await page.wait_for_function(
        "() => window.caseroomCall && window.caseroomCall.state === 'connected'", timeout=GUARD_MS
    )
    await page.wait_for_function(
        "() => window.caseroomCall.stats().then(s => s.inbound.audio > 0 && s.inbound.video > 0)",
        timeout=GUARD_MS,
        polling=200,
    )
    first = (await stats(page))["inbound"]
    await page.wait_for_function(
        """([audio, video]) => window.caseroomCall.stats().then(
            s => s.inbound.audio > audio && s.inbound.video > video)""",
        arg=[first["audio"], first["video"]],
        timeout=GUARD_MS,
        polling=200,
    )


async def an_answered_call(agent: Page, customer: Page) -> None:
    """The agent calls from the public room, the Customer accepts, and each receives
    the other's media."""
    await agent.get_by_role("button", name="Video call").click()
    await (
        customer.get_by_role("dialog", name="Video call")
        .get_by_role("button", name="Accept")
        .click()
    )
    await receives_media(agent)
    await receives_media(customer)


class Link:
    """Stands between a page and the server's websocket, and can cut it."""

    def __init__(self) -> None:
        self.open: list[WebSocketRoute] = []

    async def route(self, socket: WebSocketRoute) -> None:
        socket.connect_to_server()
        self.open.append(socket)

    async def cut(self) -> None:
        open_now, self.open = self.open, []
        for socket in open_now:
            await socket.close(code=4000, reason="link cut")


async def customer_writes(page: Page, base_url: str, org: Org, text: str) -> None:
    await page.goto(f"{base_url}/widget/{org.slug}")
    await page.get_by_label("Your name").fill("Casey Customer")
    await page.get_by_label("Email or phone").fill("casey@customer.example")
    await page.get_by_role("button", name="Start chat").click()
    box = page.get_by_role("textbox", name="Message")
    await box.fill(text)
    await box.press("Enter")
    await expect(page.locator(".msg[data-id]")).to_have_count(1)


async def only_issue(http: httpx.AsyncClient, org: Org) -> str:
    listed = await http.get(
        "/api/v1/issues", params={"queue": "unclaimed"}, headers=org.auth(org.ana)
    )
    (issue,) = listed.json()["items"]
    return str(issue["id"])


async def test_an_agent_calls_the_customer_who_declines_then_answers_and_reconnects(
    media_browser: Browser,
    web_server: Server,
    web_db: Database,
    web_http: httpx.AsyncClient,
    screenshots: Path,
) -> None:
    org = await make_org(web_db, name="Northwind Outfitters")
    await video_on(web_http, org)
    customer_context = await media_browser.new_context(viewport={"width": 420, "height": 760})
    customer = await customer_context.new_page()
    link = Link()
    await customer.route_web_socket("**/api/v1/stream", link.route)
    await customer_writes(customer, web_server.url, org, "Can you show me how to fit the strap?")
    issue_id = await only_issue(web_http, org)

    context, agent = await console_page(media_browser, web_server.url)
    await sign_in(agent, org.ana)
    await agent.goto(f"{web_server.url}/console#/unclaimed/{issue_id}")
    public = agent.locator("#panel-public")
    await expect(public).to_have_attribute("data-live", "true")

    # The first call: the Customer's page rings, and they decline.
    await agent.get_by_role("button", name="Video call").click()
    prompt = customer.get_by_role("dialog", name="Video call")
    await expect(prompt).to_contain_text("Ana Agent is calling")
    await prompt.get_by_role("button", name="Decline").click()
    await expect(public.get_by_text("Casey Customer declined the video call")).to_be_visible()
    await expect(agent.locator(".call-panel")).to_have_count(0)

    # The second: they answer, and each sees and hears the other.
    await agent.get_by_role("button", name="Video call").click()
    await expect(prompt).to_contain_text("Ana Agent is calling")
    await prompt.get_by_role("button", name="Accept").click()
    await receives_media(agent)
    await receives_media(customer)
    assert (await stats(agent))["peers"] == ["connected"]
    await agent.screenshot(path=screenshots / "call-agent.png")
    await customer.screenshot(path=screenshots / "call-customer.png")

    # The Customer's connection to the server drops: their page reconnects and
    # rejoins the same call from its new socket, and media flows again.
    call_id = await customer.evaluate("window.caseroomCall.call.id")
    first = await customer.evaluate("window.caseroomCall.connectionId")
    await link.cut()
    await customer.wait_for_function(
        "first => window.caseroomCall.connectionId !== first", arg=first, timeout=GUARD_MS
    )
    await receives_media(customer)
    await receives_media(agent)
    assert await customer.evaluate("window.caseroomCall.call.id") == call_id
    record = await web_http.get(f"/api/v1/issues/{issue_id}/calls", headers=org.auth(org.ana))
    (call,) = [c for c in record.json() if c["id"] == call_id]
    assert call["state"] == "active"
    assert [p["left_at"] is None for p in call["participants"]] == [True, False, True]

    # Mute and camera off are the local tracks' switches.
    panel = agent.locator(".call-panel")
    await panel.get_by_role("button", name="Mute").click()
    await expect(panel.get_by_role("button", name="Unmute")).to_have_attribute(
        "aria-pressed", "true"
    )
    muted = await agent.evaluate("window.caseroomCall.local.getAudioTracks()[0].enabled")
    assert muted is False

    await panel.get_by_role("button", name="Hang up").click()
    await expect(public.get_by_text("Video call ended ·")).to_be_visible()
    await expect(customer.locator(".call-panel")).to_have_count(0)
    await expect(customer.get_by_text("Video call ended ·")).to_be_visible()
    await public.get_by_text("Video call ended ·").scroll_into_view_if_needed()
    await agent.screenshot(path=screenshots / "call-timeline.png")
    no_page_errors(agent)
    await context.close()
    await customer_context.close()


GATHER = """async ([urls, username, credential]) => {
  const pc = new RTCPeerConnection({
    iceServers: [{ urls, username, credential }], iceTransportPolicy: "relay" });
  const errors = [], candidates = [];
  pc.onicecandidateerror = (e) => errors.push(e.errorCode);
  pc.onicecandidate = (e) => e.candidate && candidates.push(e.candidate.type);
  pc.createDataChannel("probe");
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((done) => {
    if (pc.iceGatheringState === "complete") done();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && done();
  });
  pc.close();
  return { errors, candidates };
}"""


SLOW_CAMERA = """
const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = (constraints) =>
  new Promise((done) => setTimeout(done, 3000)).then(() => open(constraints));
"""


async def test_a_customer_who_answers_while_the_agents_camera_opens_is_seen_and_heard(
    media_browser: Browser, web_server: Server, web_db: Database, web_http: httpx.AsyncClient
) -> None:
    """The Customer joins while the agent's camera is still opening: only the one
    who joined offers (two offers to each other deadlock the pair), and the agent
    answers with its camera, not without it."""
    org = await make_org(web_db)
    await video_on(web_http, org)
    customer_context = await media_browser.new_context()
    customer = await customer_context.new_page()
    await customer_writes(customer, web_server.url, org, "A quick call?")
    issue_id = await only_issue(web_http, org)
    context, agent = await console_page(media_browser, web_server.url)
    await agent.add_init_script(SLOW_CAMERA)
    await sign_in(agent, org.ana)
    await agent.goto(f"{web_server.url}/console#/unclaimed/{issue_id}")
    await expect(agent.locator("#panel-public")).to_have_attribute("data-live", "true")

    await an_answered_call(agent, customer)
    for page in (agent, customer):
        offerers = await page.evaluate(
            "[...window.caseroomCall.peers.values()].map((p) => p.offerer)"
        )
        assert offerers == [page is customer]
    await context.close()
    await customer_context.close()


async def test_media_flows_through_turn_with_minted_credentials_and_survives_a_cut(
    media_browser: Browser,
    web_server: Server,
    web_db: Database,
    web_http: httpx.AsyncClient,
    tmp_path: Path,
) -> None:
    org = await make_org(web_db)
    with running_turn(tmp_path / "turn.log") as relay:
        turn = relay.turn
        response = await web_http.put(
            "/api/v1/settings/channels/video",
            json={"config": {"turn_urls": turn.url}, "secrets": {"turn_secret": turn.secret}},
            headers=org.auth(org.admin),
        )
        assert response.status_code == 200, response.text
        customer_context = await media_browser.new_context()
        customer = await customer_context.new_page()
        await customer_writes(customer, web_server.url, org, "Can we talk on video?")
        issue_id = await only_issue(web_http, org)
        context, agent = await console_page(media_browser, web_server.url)
        await sign_in(agent, org.ana)
        await agent.goto(f"{web_server.url}/console#/unclaimed/{issue_id}")
        await expect(agent.locator("#panel-public")).to_have_attribute("data-live", "true")
        for page in (agent, customer):  # no host candidates: only the relay
            await page.evaluate("window.caseroomCall.iceTransportPolicy = 'relay'")

        await an_answered_call(agent, customer)
        assert (await stats(agent))["relayed"] == [True]
        assert (await stats(customer))["relayed"] == [True]

        # What the page was given is a credential minted for this call, not a password.
        (server,) = await agent.evaluate("window.caseroomCall.iceServers")
        expiry, name = server["username"].split(":")
        assert name == (await agent.evaluate("window.caseroomCall.call.id"))
        assert int(expiry) > datetime.now(UTC).timestamp()
        assert server["credential"] != turn.secret
        fresh = await customer.evaluate(
            GATHER, [server["urls"], server["username"], server["credential"]]
        )
        assert fresh["candidates"] and set(fresh["candidates"]) == {"relay"}
        # The same call's credential, expired a minute ago: coturn refuses it.
        expired = turn_credential(
            turn.secret, name, expires_at=datetime.now(UTC) - timedelta(minutes=1)
        )
        refused = await customer.evaluate(
            GATHER, [server["urls"], expired.username, expired.password]
        )
        assert refused["candidates"] == [] and 401 in refused["errors"], refused

        # The network under the call goes away and comes back: the call recovers
        # by itself (an ICE restart), with no new invitation.
        call_id = await agent.evaluate("window.caseroomCall.call.id")
        relay.stop()
        for page in (agent, customer):
            await page.wait_for_function(
                "() => window.caseroomCall.state === 'reconnecting'", timeout=GUARD_MS
            )
        relay.start()
        await receives_media(agent)
        await receives_media(customer)
        assert await agent.evaluate("window.caseroomCall.call.id") == call_id
        await context.close()
        await customer_context.close()


async def test_three_agents_in_a_private_room_call_all_receive_each_other(
    media_browser: Browser, web_server: Server, web_db: Database, web_http: httpx.AsyncClient
) -> None:
    org = await make_org(web_db)
    await video_on(web_http, org)
    chat = await start_chat(web_http, org)
    for watcher in (org.ben, org.admin):  # the watchers are the ones invited
        watched = await web_http.put(
            f"/api/v1/issues/{chat.issue_id}/watch", headers=org.auth(watcher)
        )
        assert watched.status_code == 200, watched.text
    pages = []
    for person in (org.ana, org.ben, org.admin):
        context, page = await console_page(media_browser, web_server.url)
        await sign_in(page, person)
        pages.append((context, page))
    ana, ben, admin = (page for _, page in pages)
    await ana.goto(f"{web_server.url}/console#/unclaimed/{chat.issue_id}")
    await ana.get_by_role("tab", name="Private").click()
    await expect(ana.locator("#panel-private")).to_have_attribute("data-live", "true")
    await ana.locator("#panel-private").get_by_role("button", name="Start a video call").click()
    for invited in (ben, admin):
        prompt = invited.get_by_role("dialog", name="Video call")
        await expect(prompt).to_contain_text("Ana Agent is calling")
        await prompt.get_by_role("button", name="Accept").click()
    for page in (ana, ben, admin):
        await page.wait_for_function(
            "() => window.caseroomCall.stats().then(s => s.peers.length === 2"
            " && s.peers.every(p => p === 'connected'))",
            timeout=GUARD_MS,
            polling=200,
        )
        await receives_media(page)
    for context, _ in pages:
        await context.close()


async def test_a_customer_whose_browser_denies_camera_and_microphone_is_told_and_still_sees(
    media_browser: Browser, web_server: Server, web_db: Database, web_http: httpx.AsyncClient
) -> None:
    org = await make_org(web_db)
    await video_on(web_http, org)
    async with async_playwright() as playwright:
        # No fake permission prompt: this browser refuses the page its camera and microphone.
        strict = await playwright.chromium.launch(
            executable_path=require_chromium(),
            args=[*CHROMIUM_ARGS, "--use-fake-device-for-media-stream"],
        )
        customer = await (await strict.new_context()).new_page()
        await customer_writes(customer, web_server.url, org, "My camera is broken, can you call?")
        issue_id = await only_issue(web_http, org)
        context, agent = await console_page(media_browser, web_server.url)
        await sign_in(agent, org.ana)
        await agent.goto(f"{web_server.url}/console#/unclaimed/{issue_id}")
        await expect(agent.locator("#panel-public")).to_have_attribute("data-live", "true")
        await agent.get_by_role("button", name="Video call").click()
        prompt = customer.get_by_role("dialog", name="Video call")
        await prompt.get_by_role("button", name="Accept").click()
        await expect(prompt.get_by_role("alert")).to_contain_text(
            "blocked the camera and microphone"
        )
        await receives_media(customer)  # they still see and hear the agent
        await context.close()
        await strict.close()
