"""The agent console in a real browser against a real server: sign-in, the live
inbox, claiming, replying, notes, private messages with mentions, and a network
drop that loses and doubles nothing."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Browser, expect

from caseroom.storage.uow import Database
from tests.builders import key, make_org, send, start_chat
from tests.e2e.conftest import Server
from tests.e2e.console import card, console_page, no_page_errors, sign_in
from tests.e2e.wsclient import StreamClient

pytestmark = [pytest.mark.browser]


async def public_bodies(
    http: httpx.AsyncClient, issue_id: str, headers: dict[str, str]
) -> list[str]:
    response = await http.get(
        f"/api/v1/issues/{issue_id}/rooms/public/messages", params={"limit": 200}, headers=headers
    )
    assert response.status_code == 200, response.text
    return [m["body"] for m in response.json()["items"]]


async def test_agent_signs_in_and_out(
    web_server: Server, web_db: Database, browser: Browser
) -> None:
    org = await make_org(web_db)
    _, page = await console_page(browser, web_server.url)
    await page.get_by_label("Work email").fill(org.ana.email)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")

    await sign_in(page, org.ana)
    await expect(page.locator(".org")).to_have_text(org.org.name)
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    await page.reload()
    await expect(page.get_by_label("Work email")).to_be_visible()
    no_page_errors(page)


async def test_a_new_issue_appears_live_and_the_agent_claims_and_replies_with_a_canned_one(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient, browser: Browser
) -> None:
    org = await make_org(web_db)
    created = await web_http.post(
        "/api/v1/canned-responses",
        headers=org.auth(org.admin),
        json={
            "title": "On it",
            "shortcut": "onit",
            "body": "Hi {{customer.first_name|there}}, this is {{agent.first_name}}. "
            "I am on it ({{issue.reference}}).",
        },
    )
    assert created.status_code == 201, created.text
    _, page = await console_page(browser, web_server.url)
    await sign_in(page, org.ana)
    await expect(page.locator("#queue-title")).to_have_text("Unclaimed")

    chat = await start_chat(web_http, org, name="Maria Rossi", message="My parcel never came")
    issue = (
        await web_http.get(f"/api/v1/issues/{chat.issue_id}", headers=org.auth(org.ana))
    ).json()
    new_card = card(page, issue["reference"])
    await expect(new_card).to_contain_text("Maria Rossi")  # no reload: it arrived live
    await expect(new_card).to_contain_text("My parcel never came")
    await expect(new_card.locator(".waiting")).to_be_visible()
    await expect(page.locator("#queue-unclaimed .count")).to_have_text("1")

    await new_card.get_by_role("button", name=f"Claim {issue['reference']}").click()
    await expect(new_card).to_have_count(0)
    await expect(page.locator("#queue-mine .count")).to_have_text("1")
    await page.locator("#queue-mine").click()
    await (
        card(page, issue["reference"])
        .get_by_role("button", name=f"Open {issue['reference']}")
        .click()
    )
    await expect(page.locator("#issue-status")).to_have_text("Claimed")
    await expect(page.locator("#issue-owner")).to_contain_text(org.ana.name)
    await expect(
        page.locator(".timeline-public .sys", has_text="claimed the Issue")
    ).to_be_visible()

    await expect(page.locator("#panel-public[data-live=true]")).to_be_attached()
    customer = await StreamClient.open(web_server.ws_url, chat.token)
    await customer.subscribe(chat.issue_id, "public")
    await customer.send({"type": "typing", "issue_id": chat.issue_id, "room": "public"})
    await expect(page.locator(".timeline-public .typing")).to_have_text("Maria is typing…")

    # Reply with a canned response: "/" opens the picker, the preview is filled in.
    composer = page.get_by_label("Reply to the Customer")
    await composer.press("/")
    search = page.get_by_label("Search canned responses by title, shortcut or tag")
    await expect(search).to_be_focused()
    await search.fill("/onit")
    filled = f"Hi Maria, this is {org.ana.name.split()[0]}. I am on it ({issue['reference']})."
    await expect(page.locator(".canned-filled")).to_have_text(filled)
    await expect(page.locator(".canned-template .variable").first).to_have_text(
        "{{customer.first_name|there}}"
    )
    await search.press("Enter")
    await expect(composer).to_be_focused()
    await expect(composer).to_have_value(filled)
    await composer.press("End")
    await composer.press_sequentially(" Tracking next.")
    await composer.press("Enter")
    reply_text = f"{filled} Tracking next."
    await expect(page.locator(".timeline-public .msg-mine[data-seq] .bubble")).to_have_text(
        reply_text
    )
    (reply,) = await customer.messages(1)
    assert reply["body"] == reply_text and reply["author"]["name"] == org.ana.name
    await customer.close()
    assert await public_bodies(web_http, chat.issue_id, chat.auth) == [
        "My parcel never came",
        reply_text,
    ]
    no_page_errors(page)


async def test_log_notes_are_yellow_and_private_messages_mention_colleagues(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient, browser: Browser
) -> None:
    org = await make_org(web_db)
    chat = await start_chat(web_http, org, name="Tom Becker", message="Billing address?")
    customer = await StreamClient.open(web_server.ws_url, chat.token)
    await customer.subscribe(chat.issue_id, "public")
    _, page = await console_page(browser, web_server.url)
    await sign_in(page, org.ana)
    await page.goto(f"{web_server.url}/console#/unclaimed/{chat.issue_id}")

    await page.get_by_role("button", name="Log note").first.click()
    note_box = page.get_by_label("Log note (agents only)")
    await note_box.fill("Customer moved last month; check the old invoice.")
    await note_box.press("Enter")
    note = page.locator(".timeline-public .msg[data-seq] .note", has_text="check the old invoice")
    await expect(note).to_contain_text("Log note")
    await expect(note).to_have_css("background-color", "rgb(254, 247, 195)")  # yellow

    # A colleague writes in the private room while Ana is in the public one.
    await expect(page.locator("#panel-private[data-live=true]")).to_be_attached()
    await send(web_http, org.auth(org.ben), chat.issue_id, room="private", body="Want me to look?")
    await expect(
        page.get_by_role("tab", name=re.compile(r"^Private\b.*, 1 unread$"))
    ).to_be_visible()
    await page.get_by_role("tab", name=re.compile(r"^Private\b.*, 1 unread$")).click()
    await expect(page.locator("#tab-private .badge")).to_be_hidden()

    private_box = page.get_by_label("Message your colleagues (private)")
    await private_box.press_sequentially("Yes please @Be")
    await expect(page.get_by_role("option", name=org.ben.name)).to_be_visible()
    await private_box.press("Enter")  # picks the suggestion
    await private_box.press_sequentially("thanks!")
    await expect(private_box).to_have_value(f"Yes please @[{org.ben.name}] thanks!")
    await private_box.press("Enter")
    sent = page.locator(".timeline-private .msg-mine .bubble", has_text="thanks!")
    await expect(sent.locator(".mention")).to_have_text(f"@{org.ben.name}")

    # The Customer received neither the note nor the private message, on any path.
    await send(web_http, org.auth(org.ana), chat.issue_id, body="Checking your invoice now.")
    (visible,) = await customer.messages(1)
    assert visible["body"] == "Checking your invoice now."
    frames = repr(customer.frames)
    assert "old invoice" not in frames and "thanks!" not in frames and "look?" not in frames
    await customer.close()
    assert await public_bodies(web_http, chat.issue_id, chat.auth) == [
        "Billing address?",
        "Checking your invoice now.",
    ]
    no_page_errors(page)


async def test_a_network_drop_loses_and_doubles_nothing(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient, browser: Browser
) -> None:
    org = await make_org(web_db)
    chat = await start_chat(web_http, org, message="opening")
    context, page = await console_page(browser, web_server.url)
    await sign_in(page, org.ana)
    await page.goto(f"{web_server.url}/console#/unclaimed/{chat.issue_id}")
    timeline = page.locator(".timeline-public")
    await expect(timeline.locator(".bubble")).to_have_text(["opening"])
    await expect(page.locator("#panel-public[data-live=true]")).to_be_attached()

    await context.set_offline(True)
    await expect(page.locator("#connection")).to_have_text("Offline")
    for n in range(5):
        response = await send(web_http, chat.auth, chat.issue_id, body=f"while you were away {n}")
        assert response.status_code == 201
    box = page.get_by_label("Reply to the Customer")
    await box.fill("Sent from a train")
    await box.press("Enter")
    await expect(page.locator(".msg-pending .pending-status")).to_contain_text("Offline")

    await context.set_offline(False)
    await expect(page.locator("#connection")).to_have_text("Live")
    expected = ["opening", *[f"while you were away {n}" for n in range(5)], "Sent from a train"]
    await expect(timeline.locator(".bubble")).to_have_text(expected)
    await expect(page.locator(".msg-pending")).to_have_count(0)
    assert await public_bodies(web_http, chat.issue_id, chat.auth) == expected

    # And live delivery carries on after the drop, still exactly once.
    await send(web_http, chat.auth, chat.issue_id, body="back again")
    await expect(timeline.locator(".bubble")).to_have_text([*expected, "back again"])
    seqs = await timeline.locator(".msg[data-seq]").evaluate_all(
        "els => els.map(e => e.dataset.seq)"
    )
    assert seqs == [str(n) for n in range(1, 9)]
    no_page_errors(page)


async def test_history_scrolls_back_to_the_first_message(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient, browser: Browser
) -> None:
    org = await make_org(web_db)
    chat = await start_chat(web_http, org, message="message 0")
    for n in range(1, 130):
        await send(web_http, chat.auth, chat.issue_id, body=f"message {n}", idempotency_key=key())
    _, page = await console_page(browser, web_server.url)
    await sign_in(page, org.ana)
    await page.goto(f"{web_server.url}/console#/unclaimed/{chat.issue_id}")
    timeline = page.locator(".timeline-public")
    await expect(timeline.locator(".bubble").last).to_have_text("message 129")
    assert await timeline.locator(".bubble").count() < 130  # only the newest page at first

    scroller = timeline.locator(".timeline-scroll")
    beginning = timeline.get_by_text("Beginning of the conversation")
    for _ in range(20):  # three pages back at most; the bound only guards a hang
        if await beginning.is_visible():
            break
        await scroller.evaluate("el => { el.scrollTop = 0; }")
        await page.wait_for_timeout(100)
    await expect(timeline.locator(".bubble")).to_have_text([f"message {n}" for n in range(130)])
    no_page_errors(page)


async def test_a_mention_reaches_the_colleague_live_and_notes_can_be_edited(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient, browser: Browser
) -> None:
    org = await make_org(web_db)
    chat = await start_chat(web_http, org, name="Lee Chen", message="Invoice for March?")
    reference = (
        await web_http.get(f"/api/v1/issues/{chat.issue_id}", headers=org.auth(org.ana))
    ).json()["reference"]
    _, ben = await console_page(browser, web_server.url)
    await sign_in(ben, org.ben)
    _, ana = await console_page(browser, web_server.url)
    await sign_in(ana, org.ana)
    await ana.goto(f"{web_server.url}/console#/unclaimed/{chat.issue_id}")

    await ana.get_by_role("tab", name="Private").click()
    box = ana.get_by_label("Message your colleagues (private)")
    await box.fill(f"@[{org.ben.name}] can you send Lee the March invoice?")
    await box.press("Enter")
    await expect(ben.locator("#queue-mentions .count")).to_have_text("1")  # live, no reload
    await expect(ben.locator(".toast")).to_contain_text(f"mentioned you in #{reference}")
    await ben.locator("#queue-mentions").click()
    mentioned = card(ben, reference)
    await expect(mentioned.locator(".mention-chip")).to_have_text("Mentioned")
    await mentioned.click()
    await expect(ben.locator(".timeline-private .mention")).to_have_text(f"@{org.ben.name}")
    await expect(ben.locator("#queue-mentions .count")).not_to_have_class("count count-hot")
    unread = await web_http.get(
        "/api/v1/notifications", params={"unread": "true"}, headers=org.auth(org.ben)
    )
    assert unread.json()["unread"] == 0

    # Ana edits her log note, then deletes it; Ben, who has the Issue open, follows.
    await ana.get_by_role("tab", name="Public").click()
    await ana.locator(".composer-public").get_by_role("button", name="Log note").click()
    note_box = ana.get_by_label("Log note (agents only)")
    await note_box.fill("Invoice 2024-03 is in the billing tool.")
    await note_box.press("Enter")
    note = ana.locator(".timeline-public .msg[data-seq] .note")
    await note.get_by_role("button", name="Edit this log note").click()
    editor = ana.get_by_label("Edit the log note")
    await editor.fill("Invoice 2024-03 is in the billing tool, folder March.")
    await editor.press("Enter")
    await expect(note.locator(".note-body")).to_have_text(
        "Invoice 2024-03 is in the billing tool, folder March."
    )
    await expect(note.locator(".edited")).to_have_text("(edited)")
    ben_note = ben.locator(".timeline-public .note")
    await expect(ben_note.locator(".note-body")).to_have_text(
        "Invoice 2024-03 is in the billing tool, folder March."
    )

    ana.once("dialog", lambda dialog: dialog.accept())
    await note.get_by_role("button", name="Delete this log note").click()
    await expect(ana.locator(".note-deleted")).to_contain_text("You deleted a log note")
    await expect(ben.locator(".note-deleted")).to_contain_text(f"{org.ana.name} deleted a log note")
    no_page_errors(ana)
    no_page_errors(ben)
