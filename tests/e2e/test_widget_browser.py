"""The customer side in a real browser: the widget on a company's site, the in-app
embed (microConnect) with a signed identity, and the Connect page on a phone.
Agents act through the API; the Customer only through the page."""

from __future__ import annotations

import asyncio
import json
import re
import struct
import uuid
import zlib
from pathlib import Path

import httpx
import websockets
from playwright.async_api import (
    Browser,
    FrameLocator,
    Page,
    WebSocket,
    WebSocketRoute,
    expect,
)

from caseroom.storage.uow import Database
from tests.builders import (
    Org,
    identity_secret,
    identity_token,
    make_org,
    row_counts,
    send,
    start_chat,
)
from tests.e2e.conftest import Server, open_database, start_server
from tests.e2e.site import shop_site

BRAND = {
    "color": "#0f766e",
    "title": "Questions? Ask us.",
    "greeting": "Hi there! We're online and usually reply within a few minutes.",
}
NOTE = "NOTE-customer-seems-upset-offer-voucher"
PRIVATE = "PRIVATE-ben-can-you-check-the-warehouse"


def record_frames(page: Page) -> list[str]:
    """Every websocket frame the page (its frames included) receives."""
    received: list[str] = []

    def on_socket(socket: WebSocket) -> None:
        socket.on(
            "framereceived",
            lambda payload: received.append(
                payload if isinstance(payload, str) else payload.decode()
            ),
        )

    page.on("websocket", on_socket)
    return received


async def branded_org(db: Database, http: httpx.AsyncClient) -> Org:
    org = await make_org(db, name="Northwind Outfitters")
    response = await http.patch("/api/v1/settings/widget", json=BRAND, headers=org.auth(org.admin))
    assert response.status_code == 200, response.text
    return org


async def only_issue(http: httpx.AsyncClient, org: Org) -> str:
    listed = await http.get(
        "/api/v1/issues", params={"queue": "unclaimed"}, headers=org.auth(org.ana)
    )
    (issue,) = listed.json()["items"]
    return str(issue["id"])


async def agent_types(server: Server, org: Org, issue_id: str) -> None:
    async with websockets.connect(server.ws_url) as socket:
        await socket.send(json.dumps({"type": "hello", "token": org.tokens[org.ana.id]}))
        while json.loads(await socket.recv())["type"] != "ready":
            pass
        await socket.send(json.dumps({"type": "typing", "issue_id": issue_id, "room": "public"}))
        await socket.send(json.dumps({"type": "ping", "ref": "done"}))
        while json.loads(await socket.recv())["type"] != "pong":
            pass


async def say(chat: FrameLocator | Page, text: str) -> None:
    box = chat.get_by_role("textbox", name="Message")
    await box.fill(text)
    await box.press("Enter")
    await expect(chat.locator(".msg[data-id]").filter(has_text=text)).to_be_visible()


async def test_a_visitor_chats_through_the_widget_and_comes_back_to_their_history(
    browser: Browser, web_server: Server, web_db: Database, web_http: httpx.AsyncClient,
    screenshots: Path,
) -> None:  # fmt: skip
    org = await branded_org(web_db, web_http)
    ana = org.auth(org.ana)
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    frames = record_frames(page)
    with shop_site(web_server.url, org.slug) as shop:
        await page.goto(shop)
        launcher = page.get_by_role("button", name="Open chat with Northwind Outfitters")
        await expect(launcher).to_be_visible()
        await page.screenshot(path=screenshots / "widget-launcher.png")

        await launcher.click()
        panel = page.locator("iframe[title*='Northwind Outfitters']")
        await expect(panel).to_have_css("opacity", "1")
        chat = page.frame_locator("iframe[title*='Northwind Outfitters']")
        await chat.get_by_label("Your name").fill("Jane Doe")
        await chat.get_by_label("Email or phone").fill("jane@example.com")
        await page.screenshot(path=screenshots / "widget-form.png")
        await chat.get_by_role("button", name="Start chat").click()
        await say(chat, "Hi! My Ridge 38 pack arrived with a broken zip. Can you help?")

        issue_id = await only_issue(web_http, org)
        assert (await web_http.post(f"/api/v1/issues/{issue_id}/claim", headers=ana)).is_success
        await agent_types(web_server, org, issue_id)
        await expect(chat.locator("#timeline").get_by_text("Ana Agent is typing…")).to_be_visible()
        reply = "So sorry about that, Jane! A replacement zip kit ships today, free of charge."
        assert (await send(web_http, ana, issue_id, body=reply)).status_code == 201
        await expect(chat.locator("#timeline").get_by_text(reply)).to_be_visible()
        await expect(chat.locator("#timeline").get_by_text("Ana Agent is typing…")).to_be_hidden()

        # What agents say among themselves never reaches the Customer.
        await send(web_http, ana, issue_id, body=NOTE, kind="note")
        await send(web_http, ana, issue_id, room="private", body=PRIVATE)
        await send(
            web_http, ana, issue_id, body="Here's the tracking link: https://track.example/NW5521"
        )
        await expect(chat.get_by_role("link", name="https://track.example/NW5521")).to_be_visible()
        await say(chat, "That's perfect, thank you so much!")
        await page.screenshot(path=screenshots / "widget-chat.png")

        public = [
            "Hi! My Ridge 38 pack arrived with a broken zip. Can you help?",
            reply,
            "Here's the tracking link: https://track.example/NW5521",
            "That's perfect, thank you so much!",
        ]
        page_text = await chat.locator("body").inner_html() + await page.content()
        assert any(reply in frame for frame in frames), "the page's frames were not recorded"
        for secret in (NOTE, PRIVATE):
            assert secret not in page_text
            assert not [frame for frame in frames if secret in frame]

        # Back on the site later: the same conversation, each message once, still live.
        await page.reload()
        await page.get_by_role("button", name="Open chat with Northwind Outfitters").click()
        for text in public:
            await expect(chat.locator(".msg").filter(has_text=text)).to_have_count(1)
        await expect(chat.get_by_label("Your name")).to_be_hidden()
        await send(web_http, ana, issue_id, body="Glad to help. Enjoy the trail!")
        await expect(chat.locator(".msg").filter(has_text="Enjoy the trail")).to_have_count(1)
        await say(chat, "Will do!")
        await expect(chat.locator(".msg").filter(has_text="Will do!")).to_have_count(1)
        await expect(chat.locator(".msg")).to_have_count(len(public) + 2)
    await context.close()


async def test_the_widget_takes_the_organizations_side_and_colour(
    browser: Browser, web_server: Server, web_db: Database, web_http: httpx.AsyncClient
) -> None:
    org = await branded_org(web_db, web_http)
    change = {"position": "left", "color": "#facc15"}
    assert (
        await web_http.patch("/api/v1/settings/widget", json=change, headers=org.auth(org.admin))
    ).is_success
    page = await browser.new_page(viewport={"width": 1280, "height": 800})
    with shop_site(web_server.url, org.slug) as shop:
        await page.goto(shop)
        launcher = page.get_by_role("button", name="Open chat with Northwind Outfitters")
        await expect(launcher).to_be_visible()
        box = await launcher.bounding_box()
        assert box is not None and box["x"] < 100
        colours = await launcher.evaluate(
            "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]"
        )
        # Yellow is light: the icon is drawn in ink, not white.
        assert colours == ["rgb(250, 204, 21)", "rgb(17, 24, 39)"]
    await page.close()


async def test_an_app_passes_a_signed_identity_and_a_tampered_one_is_refused(
    browser: Browser, web_server: Server, web_db: Database, web_http: httpx.AsyncClient
) -> None:
    org = await branded_org(web_db, web_http)
    secret = await identity_secret(web_http, org)
    earlier = await start_chat(web_http, org, email="kim@example.com", message="Where is #5521?")
    await send(web_http, org.auth(org.ana), earlier.issue_id, body="It ships tomorrow morning.")
    token = identity_token(secret, external_id="app-42", name="Kim Lee", email="kim@example.com")

    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    frames = record_frames(page)
    await page.goto(f"{web_server.url}/embed/{org.slug}#identity_token={token}")
    await expect(
        page.locator("#timeline").get_by_text("It ships tomorrow morning.")
    ).to_be_visible()
    await expect(page.get_by_label("Your name")).to_be_hidden()
    assert "identity_token" not in page.url
    await say(page, "Great, thanks! Can I still change the delivery address?")
    page_view = await web_http.get(
        f"/api/v1/issues/{earlier.issue_id}/rooms/public/messages", headers=org.auth(org.ana)
    )
    assert page_view.json()["items"][-1]["body"].startswith("Great, thanks!")
    # A verified Customer sees all their Issues, and still nothing agents keep to themselves.
    ana = org.auth(org.ana)
    await send(web_http, ana, earlier.issue_id, body=NOTE, kind="note")
    await send(web_http, ana, earlier.issue_id, room="private", body=PRIVATE)
    await send(web_http, ana, earlier.issue_id, body="Yes, until it ships.")
    await expect(page.locator("#timeline").get_by_text("Yes, until it ships.")).to_be_visible()
    for secret in (NOTE, PRIVATE):
        assert secret not in await page.content()
        assert not [frame for frame in frames if secret in frame]

    # The open chat reports reading that reply on its own; let it land before counting.
    await customer_has_read_last(web_http, ana, earlier.issue_id)
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload[:-3]}AAA.{signature}"
    before = await row_counts(web_db)
    refused = await context.new_page()
    await refused.goto(f"{web_server.url}/embed/{org.slug}#identity_token={tampered}")
    await expect(
        refused.get_by_role("heading", name="We couldn't confirm who you are")
    ).to_be_visible()
    await expect(refused.get_by_text("signature")).to_be_visible()
    await expect(refused.get_by_label("Your name")).to_be_hidden()
    await expect(refused.get_by_role("textbox", name="Message")).to_be_hidden()
    assert await row_counts(web_db) == before
    await context.close()


async def customer_has_read_last(
    http: httpx.AsyncClient, agent: dict[str, str], issue_id: str
) -> None:
    for _ in range(100):
        room = (
            await http.get(f"/api/v1/issues/{issue_id}/rooms/public/messages", headers=agent)
        ).json()
        last = room["items"][-1]["seq"]
        marks = [r["read_seq"] for r in room["receipts"] if r["reader"]["kind"] == "customer"]
        if marks and max(marks) >= last:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the Customer's chat never reported reading the last reply")


async def test_connect_fits_a_phone(
    browser: Browser, web_server: Server, web_db: Database, web_http: httpx.AsyncClient,
    screenshots: Path,
) -> None:  # fmt: skip
    org = await branded_org(web_db, web_http)
    context = await browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
        has_touch=True,
    )  # fmt: skip
    page = await context.new_page()
    await page.goto(f"{web_server.url}/connect/{org.slug}")
    await page.get_by_label("Your name").fill("Sam Rivera")
    await page.get_by_label("Email or phone").fill("+1 415 555 0134")
    await page.get_by_role("button", name="Start chat").click()
    await say(page, "Hi, do the Trailhead boots run true to size?")
    issue_id = await only_issue(web_http, org)
    ana = org.auth(org.ana)
    await web_http.post(f"/api/v1/issues/{issue_id}/claim", headers=ana)
    answer = "Hi Sam! They run about half a size small, so most people size up."
    await send(web_http, ana, issue_id, body=answer)
    await expect(page.locator("#timeline").get_by_text(answer)).to_be_visible()
    await say(page, "Thanks, I'll order a 10.5 then.")

    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    composer = await page.get_by_role("textbox", name="Message").bounding_box()
    assert composer is not None and composer["y"] + composer["height"] <= 844
    await page.screenshot(path=screenshots / "connect-mobile.png")

    # Resolved while the page is open: the Customer is told, and writing reopens it.
    assert (await web_http.post(f"/api/v1/issues/{issue_id}/resolve", headers=ana)).is_success
    banner = page.get_by_role("status").filter(has_text="marked as resolved")
    await expect(banner).to_be_visible()
    await say(page, "One more thing: do you have them in brown?")
    await expect(banner).to_be_hidden()
    reopened = await web_http.get(f"/api/v1/issues/{issue_id}", headers=ana)
    assert reopened.json()["status"] == "claimed"
    await context.close()


class FlakyLink:
    """Stands between the page and the server's websocket: it can cut the link,
    keep it down, and lose what the server says about a stored message (its ack
    and its event: the page never hears it arrived), as a phone in a tunnel would."""

    def __init__(self) -> None:
        self.down = False
        self.lose_acks = False
        self.open: list[WebSocketRoute] = []
        self.cutting: set[asyncio.Task[None]] = set()

    async def route(self, socket: WebSocketRoute) -> None:
        if self.down:
            await socket.close(code=4000, reason="link down")
            return
        server = socket.connect_to_server()

        def from_server(message: str | bytes) -> None:
            text = str(message)
            if self.lose_acks and ('"type":"ack"' in text or '"type":"message.created"' in text):
                task = asyncio.ensure_future(self.cut())
                self.cutting.add(task)
                task.add_done_callback(self.cutting.discard)
                return
            socket.send(message)

        server.on_message(from_server)
        self.open.append(socket)

    async def cut(self) -> None:
        self.down = True
        self.lose_acks = False
        open_now, self.open = self.open, []
        for socket in open_now:
            await socket.close(code=4000, reason="link cut")


async def test_nothing_is_lost_or_doubled_when_the_connection_drops(
    browser: Browser, web_server: Server, web_db: Database, web_http: httpx.AsyncClient
) -> None:
    org = await branded_org(web_db, web_http)
    ana = org.auth(org.ana)
    link = FlakyLink()
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    await page.route_web_socket("**/api/v1/stream", link.route)
    await page.goto(f"{web_server.url}/connect/{org.slug}")
    await page.get_by_label("Your name").fill("Lee Park")
    await page.get_by_label("Email or phone").fill("lee@example.com")
    await page.get_by_role("button", name="Start chat").click()
    await say(page, "Hello, one question about my order")
    issue_id = await only_issue(web_http, org)
    await send(web_http, ana, issue_id, body="Hi Lee, go ahead!")
    await expect(page.locator("#timeline").get_by_text("Hi Lee, go ahead!")).to_be_visible()

    # The message is stored, but its ack never reaches the page: the link drops.
    link.lose_acks = True
    box = page.get_by_role("textbox", name="Message")
    await box.fill("It was stored but I never heard back")
    await box.press("Enter")
    await expect(page.get_by_text("Connection lost. Reconnecting…")).to_be_visible()
    # While the link is down the Customer keeps writing and the agent answers.
    await box.fill("And this one was written offline")
    await box.press("Enter")
    await expect(page.locator(".msg.pending").filter(has_text="written offline")).to_be_visible()
    await send(web_http, ana, issue_id, body="Sent while you were away")

    link.down = False
    for text in (
        "It was stored but I never heard back",
        "And this one was written offline",
        "Sent while you were away",
    ):
        await expect(page.locator(".msg[data-id]").filter(has_text=text)).to_have_count(1)
    await expect(page.locator(".msg.pending")).to_have_count(0)
    await expect(page.get_by_text("Connection lost. Reconnecting…")).to_be_hidden()

    stored = await web_http.get(f"/api/v1/issues/{issue_id}/rooms/public/messages", headers=ana)
    bodies = [m["body"] for m in stored.json()["items"]]
    assert bodies.count("It was stored but I never heard back") == 1
    assert bodies.count("And this one was written offline") == 1
    seqs = [int(s) for s in await page.locator(".msg[data-seq]").evaluate_all(
        "rows => rows.map(r => r.dataset.seq)"
    )]  # fmt: skip
    assert seqs == list(range(1, len(bodies) + 1))
    await page.close()


async def test_the_widget_works_from_the_keyboard_and_counts_unread_replies(
    browser: Browser, web_server: Server, web_db: Database, web_http: httpx.AsyncClient
) -> None:
    org = await branded_org(web_db, web_http)
    page = await browser.new_page(viewport={"width": 1280, "height": 800})
    with shop_site(web_server.url, org.slug) as shop:
        await page.goto(shop)
        launcher = page.get_by_role("button", name="Open chat with Northwind Outfitters")
        await expect(launcher).to_be_visible()
        await launcher.focus()
        await page.keyboard.press("Enter")
        chat = page.frame_locator("iframe[title*='Northwind Outfitters']")
        await expect(chat.get_by_label("Your name")).to_be_focused()
        await page.keyboard.type("Rae Kim")
        await page.keyboard.press("Tab")
        await page.keyboard.type("rae@example.com")
        await page.keyboard.press("Enter")
        await expect(chat.get_by_role("textbox", name="Message")).to_be_focused()
        await page.keyboard.type("Do you ship to Canada?")
        await page.keyboard.press("Enter")
        await expect(chat.locator(".msg[data-id]").filter(has_text="Canada")).to_be_visible()

        await page.keyboard.press("Escape")  # closes the panel, back on the launcher
        await expect(launcher).to_be_focused()
        await expect(launcher).to_have_attribute("aria-expanded", "false")
        issue_id = await only_issue(web_http, org)
        await send(web_http, org.auth(org.ana), issue_id, body="We do! 5-7 business days.")
        badge = page.locator("[data-caseroom-widget] .badge")
        await expect(badge).to_have_text("1")
        await expect(launcher).to_have_accessible_name(re.compile(r"\(1 new\)"))
        await page.keyboard.press("Enter")
        await expect(
            chat.locator("#timeline").get_by_text("We do! 5-7 business days.")
        ).to_be_visible()
        await expect(badge).to_be_hidden()
    await page.close()


def png_bytes(width: int = 48, height: int = 32) -> bytes:
    """A small, real PNG (a gradient), made here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + b"".join(bytes([x * 5 % 256, y * 7 % 256, 160]) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + (chunk(b"IEND", b""))
    )


async def test_files_go_both_ways_and_private_files_stay_private(
    browser: Browser, web_server: Server, web_db: Database, web_http: httpx.AsyncClient
) -> None:
    org = await branded_org(web_db, web_http)
    ana = org.auth(org.ana)
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    frames = record_frames(page)
    await page.goto(f"{web_server.url}/connect/{org.slug}")
    await page.get_by_label("Your name").fill("Noor Haddad")
    await page.get_by_label("Email or phone").fill("noor@example.com")
    await page.get_by_role("button", name="Start chat").click()
    attach = page.get_by_role("button", name=re.compile(r"^Attach files \(up to 10 files"))
    await expect(attach).to_be_disabled()  # there is no Issue to attach to yet
    await say(page, "The jacket's seam tore on the first hike.")
    await expect(attach).to_be_enabled()

    # The limits are checked before anything is sent.
    many = [{"name": f"{n}.txt", "mimeType": "text/plain", "buffer": b"x"} for n in range(11)]
    async with page.expect_file_chooser() as chooser:
        await attach.click()
    await (await chooser.value).set_files(many)
    await expect(page.get_by_text("You can send up to 10 files at once.")).to_be_visible()

    await page.get_by_role("textbox", name="Message").fill("Photo and receipt attached")
    async with page.expect_file_chooser() as chooser:
        await attach.click()
    await (await chooser.value).set_files(
        [
            {"name": "seam.png", "mimeType": "image/png", "buffer": png_bytes()},
            {"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"},
        ]
    )
    sent = page.locator(".msg[data-id]").filter(has_text="Photo and receipt attached")
    await expect(sent.get_by_role("img", name="seam.png")).to_have_attribute(
        "src", re.compile("^blob:")
    )
    await expect(sent.get_by_role("link", name=re.compile("^receipt.pdf"))).to_be_visible()

    issue_id = await only_issue(web_http, org)
    listed = await web_http.get(f"/api/v1/issues/{issue_id}/attachments", headers=ana)
    assert [(a["filename"], a["sender"]["kind"]) for a in listed.json()["items"]] == [
        ("seam.png", "customer"),
        ("receipt.pdf", "customer"),
    ]

    async def agent_sends(room: str, name: str, body: str) -> None:
        response = await web_http.post(
            f"/api/v1/issues/{issue_id}/rooms/{room}/attachments",
            headers=ana,
            data={"body": body, "idempotency_key": uuid.uuid4().hex},
            files=[("files", (name, b"internal: refund approved", "text/plain"))],
        )
        assert response.status_code == 201, response.text

    await agent_sends("private", "PRIVATE-refund-approval.txt", "for the team")
    await agent_sends("public", "return-label.txt", "Here is your return label.")
    label = page.locator(".msg[data-id]").filter(has_text="Here is your return label.")
    await expect(label.get_by_role("link", name=re.compile("^return-label.txt"))).to_be_visible()
    assert "PRIVATE-refund-approval" not in await page.content()
    assert not [f for f in frames if "PRIVATE-refund-approval" in f]
    await page.close()


async def test_a_site_the_organization_has_not_allowed_cannot_show_its_chat(
    browser: Browser, web_server: Server, web_db: Database, web_http: httpx.AsyncClient
) -> None:
    org = await branded_org(web_db, web_http)
    admin = org.auth(org.admin)
    context = await browser.new_context()
    page = await context.new_page()
    with shop_site(web_server.url, org.slug) as shop:
        origin = shop.rstrip("/")
        for sites, shown in ((["https://elsewhere.example"], False), ([origin], True)):
            changed = await web_http.patch(
                "/api/v1/settings/widget", json={"allowed_sites": sites}, headers=admin
            )
            assert changed.status_code == 200
            await page.goto(shop)
            await page.get_by_role("button", name="Open chat with Northwind Outfitters").click()
            chat = page.frame_locator("iframe[title*='Northwind Outfitters']")
            if shown:
                await expect(chat.get_by_label("Your name")).to_be_visible()
            else:
                # The browser refuses the frame: it shows its error page instead.
                element = await page.wait_for_selector("iframe[title*='Northwind Outfitters']")
                frame = await element.content_frame()
                assert frame is not None
                await frame.wait_for_url("chrome-error://**")
                assert await chat.get_by_label("Your name").count() == 0
    await context.close()


async def test_sends_the_server_turns_away_for_a_moment_are_sent_again_and_stored_once(
    browser: Browser, sqlite_url: str, tmp_path: Path
) -> None:
    server = start_server(
        sqlite_url,
        tmp_path / "server.log",
        limits_enabled="true",
        limit_websocket_frames="2/second",
        job_poll_seconds="86400",
    )
    try:
        async with open_database(sqlite_url) as db:
            org = await make_org(db)
        page = await browser.new_page()
        await page.goto(f"{server.url}/connect/{org.slug}")
        await page.get_by_label("Your name").fill("Sam Rivera")
        await page.get_by_label("Email or phone").fill("sam@example.com")
        await page.get_by_role("button", name="Start chat").click()
        box = page.get_by_role("textbox", name="Message")
        await box.fill("Hello!")
        await box.press("Enter")
        await expect(page.locator(".msg[data-id]")).to_have_count(1)
        burst = [f"part {n} of my order question" for n in range(5)]
        for text in burst:  # far faster than the socket may send: most are refused at first
            await box.fill(text)
            await box.press("Enter")
        for text in burst:
            await expect(page.locator(".msg[data-id]").filter(has_text=text)).to_have_count(1)
        async with httpx.AsyncClient(base_url=server.url) as http:
            issue_id = await only_issue(http, org)
            room = await http.get(
                f"/api/v1/issues/{issue_id}/rooms/public/messages", headers=org.auth(org.ana)
            )
        bodies = [m["body"] for m in room.json()["items"]]
        assert sorted(bodies[1:]) == sorted(burst)  # each once
        await page.close()
    finally:
        server.stop()
