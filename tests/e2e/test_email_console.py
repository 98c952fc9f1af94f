"""Email in the console: an agent answers a Customer by email from the public
room (with a subject), mails a vendor from the private room with To and Cc, sees
each email's delivery state, and an admin reads what left in Sent mail (the
local capture, as in `make run`). Run with CASEROOM_SCREENSHOTS=docs/screenshots
to (re)write the picture."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect

from caseroom.domain.model import Channel
from caseroom.services.conversations import Contact
from caseroom.services.inbound import InboundMessage, receive_inbound
from caseroom.services.messages import Sent
from caseroom.storage.uow import Database, UnitOfWork
from tests.builders import key, make_org
from tests.e2e.conftest import Server
from tests.e2e.console import card, console_page, no_page_errors, sign_in

pytestmark = [pytest.mark.browser]

ASKED = "Hello, my Ridge 38 pack arrived with a broken zip. Can you help?"
ANSWER = "So sorry, Maria! A replacement zip kit ships today, free of charge."
TO_VENDOR = "Could you send a zip kit for order 4411 to Maria today?"


async def test_an_agent_answers_by_email_and_mails_a_vendor_from_the_private_room(
    browser: Browser, web_server: Server, web_db: Database, web_http: httpx.AsyncClient,
    screenshots: Path,
) -> None:  # fmt: skip
    org = await make_org(web_db, name="Northwind Outfitters")
    set_up = await web_http.put(
        "/api/v1/settings/channels/email",
        json={"config": {"address": "help@northwind.example"}, "secrets": {"reply_token_key": "k"}},
        headers=org.auth(org.admin),
    )
    assert set_up.status_code == 200, set_up.text
    inbound = InboundMessage(
        channel=Channel.EMAIL,
        org_id=org.org.id,
        contact=Contact(name="Maria Rossi", email="maria@example.com"),
        address="maria@example.com",
        provider_id=f"<{key()}@mail.example>",
        body=ASKED,
        subject="Broken zip on my Ridge 38",
    )

    async def receive(uow: UnitOfWork) -> Sent:
        return await receive_inbound(uow, inbound, max_chars=10_000)

    received = await web_db.run(receive)
    issue_id = received.message.issue_id
    reference = (
        await web_http.get(f"/api/v1/issues/{issue_id}", headers=org.auth(org.ana))
    ).json()["reference"]

    context, page = await console_page(browser, web_server.url)
    await sign_in(page, org.ana)
    await card(page, reference).click()
    composer = page.locator(".composer-public")
    # The Customer wrote by email: the composer starts on Email.
    await expect(composer.locator(".channel-select")).to_have_value("email")
    await expect(composer.get_by_label("Email subject")).to_have_count(0)  # the Customer's thread
    await composer.get_by_label("Reply to the Customer").fill(ANSWER)
    await composer.get_by_label("Reply to the Customer").press("Enter")
    public = page.locator(".timeline-public")
    sent = public.locator(".msg[data-seq]").filter(has_text=ANSWER)
    await expect(sent).to_be_visible()
    await expect(sent.locator(".tag-channel")).to_have_text("Email")
    await expect(sent).to_contain_text("Sent")
    await expect(sent.locator(".email-head")).to_contain_text("Broken zip on my Ridge 38")

    # A colleague's email arrives live, with its subject and recipient.
    by_ben = await web_http.post(
        f"/api/v1/issues/{issue_id}/rooms/public/messages",
        json={"body": "Ben here: it is packed.", "channel": "email", "idempotency_key": key()},
        headers=org.auth(org.ben),
    )
    assert by_ben.status_code == 201, by_ben.text
    live = public.locator(".msg[data-seq]").filter(has_text="Ben here")
    await expect(live.locator(".email-head")).to_contain_text("maria@example.com")

    await page.get_by_role("tab", name="Private").click()
    private = page.locator(".composer-private")
    await private.locator(".channel-select").select_option("email")
    await private.get_by_label("Email to").fill("orders@zipco.example")
    await private.get_by_label("Email subject").fill("Zip kit for order 4411")
    await private.get_by_label("Message your colleagues (private)").fill(TO_VENDOR)
    await private.get_by_label("Message your colleagues (private)").press("Enter")
    mailed = page.locator(".timeline-private .msg[data-seq]").filter(has_text=TO_VENDOR)
    await expect(mailed).to_contain_text("Sent")
    await expect(mailed.locator(".email-head")).to_contain_text("orders@zipco.example")
    await page.screenshot(path=str(screenshots / "console-email-private.png"))
    await page.reload()
    await page.get_by_role("tab", name="Public").click()
    await expect(public.locator(".email-head").first).to_contain_text("maria@example.com")
    await page.screenshot(path=str(screenshots / "console-email.png"))
    no_page_errors(page)

    await context.close()
    admin_context, admin = await console_page(browser, web_server.url)
    await sign_in(admin, org.admin)
    await admin.evaluate("location.hash = '#/admin/sent-mail'")
    rows = admin.locator("#admin-sent-mail tbody tr")
    await expect(rows).to_have_count(3)
    subject = f"Re: [#{reference}] Broken zip on my Ridge 38"
    await rows.get_by_role("button", name=subject).last.click()  # the oldest: Ana's answer
    await expect(admin.locator(".sent-mail-detail")).to_contain_text(ANSWER)
    await expect(admin.locator(".sent-mail-detail")).to_contain_text("Reply-To")
    html = admin.frame_locator(".sent-mail-detail iframe.email-html")
    await expect(html.locator("body")).to_contain_text(ANSWER)
    await admin.screenshot(path=str(screenshots / "admin-sent-mail.png"))
    no_page_errors(admin)
    await admin_context.close()
