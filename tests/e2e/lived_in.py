"""A lived-in organization for the browser tests that show the console as an
agent sees it on a busy day: Customers waiting, canned responses, a conversation
with files, private talk with a mention, a log note and a filed transcript."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from playwright.async_api import Browser
from sqlalchemy import update

from caseroom.storage import tables as t
from caseroom.storage.database import create_engine
from caseroom.storage.uow import Database
from tests.builders import Chat, Org, key, make_org, send, start_chat
from tests.e2e.conftest import Server

# (name, first message, minutes the Customer has been waiting)
WAITING = [
    ("Priya Shah", "The app crashes when I upload a photo from my gallery.", 14),
    ("Tom Becker", "How do I change the billing address on my account?", 7),
    ("Sofia Alvarez", "I was charged twice for order #5521. Can you refund one?", 3),
    ("Jonas Weber", "The password reset email never arrives.", 1),
]

CANNED = [
    (
        "Delivery delayed",
        "delay",
        "Hi {{customer.first_name|there}}, I'm sorry your order is late. I've checked with the "
        "carrier and it is on its way; I'll keep an eye on {{issue.reference}} for you.\n\n"
        "{{agent.first_name}}, {{organization.name}}",
    ),
    (
        "Greeting",
        "hi",
        "Hi {{customer.first_name|there}}, thanks for reaching out! How can I help?",
    ),
    (
        "Refund issued",
        "refund",
        "Good news {{customer.first_name|there}}: your refund is on its way and should reach "
        "you within 5 business days.",
    ),
    ("Closing", "bye", "Is there anything else I can do for you today?"),
]


async def wait_since(server: Server, issue_id: str, minutes: int) -> None:
    """Stage a Customer who has waited `minutes` already (only the clock differs)."""
    engine = create_engine(server.database_url)
    since = datetime.now(UTC) - timedelta(minutes=minutes)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                update(t.issues)
                .where(t.issues.c.id == issue_id)
                .values(waiting_since=since, created_at=since)
            )
    finally:
        await engine.dispose()


LABEL = """<body style="margin:0;background:#d9c7a7;font:16px sans-serif">
<div style="margin:18px;padding:16px 20px;background:#fff;border-radius:6px;width:300px;
 box-shadow:0 2px 6px rgba(0,0,0,.25)"><b style="font-size:20px">PRIORITY</b>
<div style="margin:8px 0;letter-spacing:3px;font:28px monospace">||| |||| || |||</div>
<div>Order #4411 · Maria Rossi</div><div>Via Roma 12, Milano</div>
<div style="margin-top:8px;color:#555">Tracking DX 4411 9921 IT</div></div></body>"""


async def label_photo(browser: Browser) -> bytes:
    """A photo of a parcel label, as a Customer would send one."""
    page = await browser.new_page(viewport={"width": 360, "height": 220})
    await page.set_content(LABEL)
    shot = await page.screenshot()
    await page.close()
    return shot


async def lived_in(
    server: Server, db: Database, http: httpx.AsyncClient, browser: Browser
) -> tuple[Org, Chat]:
    org = await make_org(
        db, name="Demo Outfitters", people_names=("Alex Morgan", "Ana Lopez", "Ben Okafor")
    )
    ana, ben = org.auth(org.ana), org.auth(org.ben)
    for title, shortcut, body in CANNED:
        created = await http.post(
            "/api/v1/canned-responses",
            headers=org.auth(org.admin),
            json={"title": title, "shortcut": shortcut, "body": body},
        )
        assert created.status_code == 201, created.text
    for name, message, minutes in WAITING:
        chat = await start_chat(http, org, name=name, message=message)
        await wait_since(server, chat.issue_id, minutes)
    maria = await start_chat(
        http,
        org,
        name="Maria Rossi",
        email="maria.rossi@example.com",
        message="Hi! My order #4411 has not arrived yet.",
    )
    await send(http, maria.auth, maria.issue_id, body="It was due last Friday.")
    photo = await http.post(
        f"/api/v1/issues/{maria.issue_id}/rooms/public/attachments",
        headers=maria.auth,
        data={"body": "Here is the label from the box.", "idempotency_key": key()},
        files=[("files", ("parcel-label.png", await label_photo(browser), "image/png"))],
    )
    assert photo.status_code == 201, photo.text
    await http.post(f"/api/v1/issues/{maria.issue_id}/claim", headers=ana)
    await send(http, ana, maria.issue_id, body="Hi Maria, I'm sorry about that. Let me check.")
    await send(
        http,
        ana,
        maria.issue_id,
        body="Ben, is the carrier still delayed in Milan?",
        room="private",
    )
    report = await http.post(
        f"/api/v1/issues/{maria.issue_id}/rooms/private/attachments",
        headers=ben,
        data={"body": "Yes, two more days. Offer a voucher?", "idempotency_key": key()},
        files=[("files", ("carrier-report.pdf", b"%PDF-1.4\n% carrier delays", "application/pdf"))],
    )
    assert report.status_code == 201, report.text
    await send(
        http,
        ana,
        maria.issue_id,
        room="private",
        body="@[Ben Okafor] good idea, I'll offer 10%. Can you watch this one while I'm out?",
    )
    await send(http, ana, maria.issue_id, kind="note", body="Customer prefers updates by email.")
    await send(
        http,
        ana,
        maria.issue_id,
        body="The carrier says two more days. As a thank-you for waiting, here is 10% off "
        "your next order: THANKS10. Tracking: https://track.example/4411",
    )
    resolved = await http.post(f"/api/v1/issues/{maria.issue_id}/resolve", headers=ana)
    assert resolved.status_code == 200, resolved.text
    await send(http, maria.auth, maria.issue_id, body="Thank you, that is kind!")
    return org, maria
