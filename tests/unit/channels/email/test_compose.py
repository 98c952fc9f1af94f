"""Our outgoing mail as a receiver reads it: threading headers, the signed
reply address, a text and an HTML part that escape the message, files as links
and never attachments, the marks of automatic mail, and a DKIM signature that
verifies."""

from __future__ import annotations

import base64
import dataclasses
import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from caseroom.channels.base import Outgoing
from caseroom.channels.email.outbound import draft_for, signed_bytes
from caseroom.channels.email.threading import read_reply_token, token_addresses
from caseroom.domain.model import Channel, Issue, IssueStatus, Room
from caseroom.services.mail import thread_subject_for

ISSUE = "01hzy3k2m4n5p6q7r8s9t0v1w2"
KEY = "reply-token-key"


def outgoing(**changes: object) -> Outgoing:
    made = Outgoing(
        delivery_id="01HZY3K2M4N5P6Q7R8S9T0V1ZZ",
        org_id="org-1",
        channel=Channel.EMAIL,
        recipient="maria@example.com",
        body="Hi Maria,\n\nsee https://track.example/p?id=1&x=<2> & <b>thanks</b>.",
        author_name="Ana Lopez",
        issue_reference="K7M2QP",
        subject="Re: Where is my parcel?",
        file_links=("https://desk.example/f/abc/invoice%20march.pdf?sig=xyz",),
        config={"address": "Support@Desk.Example"},
        secrets={"reply_token_key": KEY},
        issue_id=ISSUE,
        organization_name="Acme",
        thread=("first@mail.example", "second@desk.example"),
    )
    return Outgoing(**{**{f: getattr(made, f) for f in made.__slots__}, **changes})  # type: ignore[arg-type]


def parsed(raw: bytes) -> EmailMessage:
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(mail, EmailMessage)
    return mail


def test_headers_thread_the_mail_and_name_the_agent_on_the_organizations_address() -> None:
    mail = parsed(signed_bytes(outgoing(), draft_for(outgoing())))
    assert mail["From"] == "Ana Lopez via Acme <support@desk.example>"
    assert mail["To"] == "maria@example.com"
    assert mail["Subject"] == "Re: [#K7M2QP] Where is my parcel?"
    assert mail["Message-ID"] == "<01hzy3k2m4n5p6q7r8s9t0v1zz@desk.example>"
    assert mail["In-Reply-To"] == "<second@desk.example>"
    assert mail["References"] == "<first@mail.example> <second@desk.example>"
    assert "Auto-Submitted" not in mail
    (reply_to,) = token_addresses([mail["Reply-To"].addresses[0].addr_spec])
    assert reply_to.mailbox == "support@desk.example"
    target = read_reply_token(KEY.encode(), "org-1", reply_to.token)
    assert target is not None and target.issue_id == ISSUE and target.room is Room.PUBLIC
    # The same delivery sent again is the same mail, not a second one.
    assert (
        parsed(signed_bytes(outgoing(), draft_for(outgoing())))["Message-ID"] == mail["Message-ID"]
    )


def test_a_private_room_mail_carries_a_private_token_and_its_copies() -> None:
    private = outgoing(private=True, to_also=("vendor2@supplier.example",), cc=("boss@x.example",))
    mail = parsed(signed_bytes(private, draft_for(private)))
    assert mail["To"] == "maria@example.com, vendor2@supplier.example"
    assert mail["Cc"] == "boss@x.example"
    (reply_to,) = token_addresses([mail["Reply-To"].addresses[0].addr_spec])
    target = read_reply_token(KEY.encode(), "org-1", reply_to.token)
    assert target is not None and target.room is Room.PRIVATE


def test_parts_escape_the_message_and_list_files_as_links_never_attachments() -> None:
    mail = parsed(signed_bytes(outgoing(), draft_for(outgoing())))
    assert mail.get_content_type() == "multipart/alternative"
    assert not list(mail.iter_attachments())
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None and html is not None
    plain = text.get_content()
    assert "<b>thanks</b>" in plain and "invoice march.pdf: https://desk.example/f/abc/" in plain
    markup = html.get_content()
    assert "<b>" not in markup and "&lt;b&gt;thanks&lt;/b&gt;" in markup
    assert '<a href="https://track.example/p?id=1&amp;x=">https://track' in markup  # link ends at <
    assert (
        'href="https://desk.example/f/abc/invoice%20march.pdf?sig=xyz">invoice march.pdf</a>'
        in markup
    )


def test_automatic_mail_says_so_and_carries_our_loop_mark() -> None:
    notice = outgoing(automatic=True, thread=())
    mail = parsed(signed_bytes(notice, draft_for(notice)))
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["X-Loop"] == "support@desk.example"
    assert mail["Subject"] == "[#K7M2QP] Where is my parcel?"
    assert "In-Reply-To" not in mail and "References" not in mail


def test_a_dkim_signature_verifies_against_the_published_key() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def dns(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"mail2026._domainkey.desk.example."
        return record

    signing = outgoing(
        secrets={"reply_token_key": KEY, "dkim_private_key": pem},
        config={"address": "support@desk.example", "dkim_selector": "mail2026"},
    )
    raw = signed_bytes(signing, draft_for(signing, now=datetime(2026, 12, 2, tzinfo=UTC)))
    assert raw.startswith(b"DKIM-Signature:")
    assert dkim.verify(raw, dnsfunc=dns)
    tampered = raw.replace(b"Where is my parcel?", b"Where is my money?")
    assert not dkim.verify(tampered, dnsfunc=dns)


def test_the_public_room_is_one_thread_and_each_private_subject_its_own() -> None:
    by_chat = Issue(
        id="i", org_id="o", reference="K7M2QP", subject="Where is my parcel?",
        status=IssueStatus.UNCLAIMED, customer_id="c", source_channel=Channel.CHAT,
        created_at=datetime(2026, 12, 2, tzinfo=UTC),
    )  # fmt: skip
    by_mail = dataclasses.replace(by_chat, source_channel=Channel.EMAIL)
    assert thread_subject_for(by_chat, Room.PUBLIC, "Your parcel", []) == "Your parcel"
    assert thread_subject_for(by_chat, Room.PUBLIC, None, []) == "Where is my parcel?"
    assert thread_subject_for(by_mail, Room.PUBLIC, "Other", []) == "Where is my parcel?"
    assert thread_subject_for(by_chat, Room.PUBLIC, "Other", [None, "Your parcel"]) == "Your parcel"
    assert thread_subject_for(by_chat, Room.PRIVATE, "Zip kit", ["Carrier"]) == "Zip kit"
    assert thread_subject_for(by_chat, Room.PRIVATE, None, ["Carrier", "Zip kit"]) == "Zip kit"
    assert thread_subject_for(by_chat, Room.PRIVATE, None, []) == "Where is my parcel?"
