"""Machine mail is recognized by its headers and sender; delivery status and
complaint reports say which of our mails they are about and what happened."""

from __future__ import annotations

import pytest

from caseroom.channels.email.loops import (
    ComplaintReport,
    DeliveryReport,
    MachineKind,
    classify,
    parse_complaint,
    parse_delivery_report,
    parse_report,
)
from caseroom.channels.email.parsing import parse_mail
from tests.unit.channels.email.mails import crlf, mail

LOOP = "support@demo.example"


def kinds(raw: bytes) -> set[MachineKind]:
    machine = classify(parse_mail(raw), own_loop=LOOP)
    return set(machine.kinds) if machine else set()


def test_a_person_s_mail_is_no_machine_mail() -> None:
    assert classify(parse_mail(mail("Hello")), own_loop=LOOP) is None
    assert kinds(mail("x", headers="Auto-Submitted: no\nPrecedence: first-class\n")) == set()
    assert kinds(mail("x", headers="X-Loop: someone-else@example.net\n")) == set()
    assert kinds(mail("x", headers="Return-Path: <ada@example.org>\n")) == set()


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        ("Auto-Submitted: auto-replied\n", MachineKind.AUTO_REPLY),
        ("Auto-Submitted: auto-generated (failure)\n", MachineKind.AUTO_REPLY),
        ("Auto-Submitted: Auto-Notified\n", MachineKind.AUTO_REPLY),
        ("Precedence: bulk\n", MachineKind.BULK),
        ("Precedence: junk\n", MachineKind.BULK),
        ("Precedence: list\n", MachineKind.LIST),
        ("Precedence: auto_reply\n", MachineKind.AUTO_REPLY),
        ("List-Id: Announcements <announce.lists.example.org>\n", MachineKind.LIST),
        ("List-Unsubscribe: <mailto:leave@lists.example.org>\n", MachineKind.LIST),
        ("X-Autoreply: yes\n", MachineKind.AUTO_REPLY),
        ("X-Autorespond: Out of office\n", MachineKind.AUTO_REPLY),
        ("X-Auto-Response-Suppress: All\n", MachineKind.AUTO_REPLY),
        (f"X-Loop: {LOOP}\n", MachineKind.LOOP),
        (f"X-Loop: <{LOOP.upper()}>\n", MachineKind.LOOP),
        ("Return-Path: <>\n", MachineKind.DAEMON),
    ],
)
def test_machine_headers(headers: str, kind: MachineKind) -> None:
    machine = classify(parse_mail(mail("x", headers=headers)), own_loop=LOOP)
    assert machine is not None and kind in machine.kinds
    assert machine.reasons and all(":" in r for r in machine.reasons)


@pytest.mark.parametrize(
    "sender",
    [
        "MAILER-DAEMON@mx.example.net",
        "Mail Delivery System <mailer-daemon@mx.example>",
        "postmaster@example.org",
        "Postmaster <POSTMASTER@example.org>",
    ],
)
def test_mailer_daemons_and_postmasters(sender: str) -> None:
    assert MachineKind.DAEMON in kinds(mail("x", sender=sender))


def dsn(action: str = "failed", status: str = "5.1.1", *, headers_only: bool = False) -> bytes:
    original = (
        "Content-Type: text/rfc822-headers\n\n"
        "From: Support <support@demo.example>\nTo: gone@example.net\n"
        "Message-ID: <ours-7@demo.example>\nSubject: [#ABC234] Your request\n"
        if headers_only
        else "Content-Type: message/rfc822\n\n"
        "From: Support <support@demo.example>\nTo: gone@example.net\n"
        "Message-ID: <ours-7@demo.example>\nSubject: [#ABC234] Your request\n\nHello\n"
    )
    return crlf(
        f"""From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: support@demo.example
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"

--dsn
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.

--dsn
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
Arrival-Date: Tue, 1 Dec 2026 10:00:00 +0000

Final-Recipient: rfc822; Gone@Example.NET
Original-Recipient: rfc822;gone@example.net
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 {status} <gone@example.net>: Recipient address
    rejected: User unknown

Final-Recipient: rfc822; other@example.net
Action: delivered
Status: 2.0.0

--dsn
{original}
--dsn--
"""
    )


def test_a_delivery_status_report() -> None:
    parsed = parse_mail(dsn())
    assert parsed.report_type == "delivery-status"
    machine = classify(parsed)
    assert machine is not None
    assert {
        MachineKind.DELIVERY_REPORT,
        MachineKind.DAEMON,
        MachineKind.AUTO_REPLY,
    } <= machine.kinds
    report = parse_delivery_report(dsn())
    assert report is not None and report.structured
    assert report.original_message_id == "ours-7@demo.example"
    assert report.reporting_mta == "mx.example.net"
    gone, other = report.recipients
    assert (gone.recipient, gone.action, gone.status) == ("gone@example.net", "failed", "5.1.1")
    assert gone.diagnostic == (
        "550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown"
    )
    assert gone.permanent
    assert (other.action, other.permanent) == ("delivered", False)
    assert report.failed == (gone,)


def test_a_delay_report_with_only_the_original_headers() -> None:
    report = parse_report(dsn("delayed", "4.4.7", headers_only=True))
    assert isinstance(report, DeliveryReport)
    assert report.original_message_id == "ours-7@demo.example"
    assert report.recipients[0].action == "delayed"
    assert not report.recipients[0].permanent
    assert report.failed == ()


def test_a_bounce_without_a_report_part_is_read_from_its_text() -> None:
    raw = crlf(
        """From: MAILER-DAEMON@mx.example.net
To: support@demo.example
Subject: failure notice

Hi. This is the qmail-send program at mx.example.net.
I'm afraid I wasn't able to deliver your message to the following addresses.

<gone@example.net>:
192.0.2.1 does not like recipient.
Remote host said: 550 5.1.1 <gone@example.net>... User Unknown

--- Below this line is a copy of the message.

Return-Path: <support@demo.example>
From: support@demo.example
Message-ID: <ours-9@demo.example>
Subject: hello
"""
    )
    report = parse_report(raw)
    assert isinstance(report, DeliveryReport) and not report.structured
    assert report.original_message_id == "ours-9@demo.example"
    (gone,) = report.recipients
    assert (gone.recipient, gone.action, gone.status) == ("gone@example.net", "failed", "5.1.1")
    assert gone.diagnostic == "Remote host said: 550 5.1.1 <gone@example.net>... User Unknown"


def test_a_person_s_mail_is_no_report() -> None:
    assert parse_report(mail("Mailer daemons are fun. 550 5.1.1")) is None


ARF = crlf(
    """From: Feedback Loop <fbl@isp.example>
To: abuse@demo.example
Subject: Email Feedback Report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="arf"

--arf
Content-Type: text/plain

This is an email abuse report for an email message received from IP 192.0.2.10.

--arf
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: ISP-FBL/1.0
Version: 1
Original-Mail-From: <support@demo.example>
Original-Rcpt-To: <annoyed@isp.example>
Original-Rcpt-To: <Also.Annoyed@isp.example>
Source-IP: 192.0.2.10
Reported-Domain: demo.example

--arf
Content-Type: message/rfc822

From: support@demo.example
To: annoyed@isp.example
Message-ID: <ours-11@demo.example>
Subject: Your request

Hello
--arf--
"""
)


def test_a_complaint_report() -> None:
    assert MachineKind.COMPLAINT in kinds(ARF)
    report = parse_report(ARF)
    assert isinstance(report, ComplaintReport)
    assert report.feedback_type == "abuse"
    assert report.original_message_id == "ours-11@demo.example"
    assert report.complainants == ("annoyed@isp.example", "also.annoyed@isp.example")
    assert (report.user_agent, report.source_ip, report.reported_domain) == (
        "ISP-FBL/1.0",
        "192.0.2.10",
        "demo.example",
    )


def test_a_redacted_complaint_names_the_original_recipient() -> None:
    redacted = ARF.replace(b"Original-Rcpt-To: <annoyed@isp.example>\r\n", b"").replace(
        b"Original-Rcpt-To: <Also.Annoyed@isp.example>\r\n", b""
    )
    report = parse_complaint(redacted)
    assert report is not None and report.complainants == ("annoyed@isp.example",)
    assert parse_complaint(dsn()) is None
