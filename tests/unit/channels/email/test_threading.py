"""Message-IDs, reply chains, tagged subjects and signed reply tokens."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseroom.channels.email.threading import (
    MAX_REFERENCES,
    TokenAddress,
    angle,
    base_subject,
    find_reply_target,
    make_message_id,
    make_reply_token,
    references_header,
    reply_address,
    reply_chain,
    strip_prefixes,
    subject_reference,
    thread_subject,
    token_addresses,
    verify_reply_token,
)
from caseroom.domain.ids import new_id
from caseroom.domain.reference import new_reference

SECRET = b"a secret of the installation"


def test_message_ids_are_unique_and_on_our_domain() -> None:
    ids = {make_message_id("Demo.Example") for _ in range(500)}
    assert len(ids) == 500
    assert all(i.endswith("@demo.example") and "<" not in i for i in ids)
    assert make_message_id("demo.example", unique="fixed").startswith("fixed.")
    assert angle("abc@demo.example") == "<abc@demo.example>" == angle("<abc@demo.example>")


def test_reply_chain() -> None:
    assert reply_chain(None) == (None, [])
    assert reply_chain("c@x", ["<a@x>", "b@x"]) == ("c@x", ["a@x", "b@x", "c@x"])
    assert reply_chain("b@x", ["a@x", "b@x"]) == ("b@x", ["a@x", "b@x"])
    assert references_header(["a@x", "b@x"]) == "<a@x> <b@x>"


def test_a_long_chain_keeps_its_first_and_latest_ids() -> None:
    chain = [f"m{i}@x" for i in range(50)]
    _, refs = reply_chain("new@x", chain)
    assert len(refs) == MAX_REFERENCES
    assert refs[0] == "m0@x" and refs[-1] == "new@x" and refs[-2] == "m49@x"


@pytest.mark.parametrize(
    ("subject", "base"),
    [
        ("Re: Printer", "Printer"),
        ("RE: RE: Fwd: Printer", "Printer"),
        ("AW: WG: Drucker", "Drucker"),
        ("Re[2]: Printer", "Printer"),
        ("SV: VS: Skrivare", "Skrivare"),
        ("TR: RE : Imprimante", "Imprimante"),
        ("Antwort: Probleme", "Probleme"),
        ("Re: [#ABC234] Printer", "Printer"),
        ("AW: Re: [#ABC234] Printer [#ABC234]", "Printer"),
        ("Renewal: contract", "Renewal: contract"),
        ("Fwdx: a", "Fwdx: a"),
        ("", ""),
    ],
)
def test_base_subject(subject: str, base: str) -> None:
    assert base_subject(subject) == base


@pytest.mark.parametrize(
    ("subject", "reference"),
    [
        ("Re: [#ABC234] Printer", "ABC234"),
        ("AW: WG: [#abc234] Drucker", "ABC234"),
        ("Printer [# ABC234 ]", "ABC234"),
        ("Printer [#ABC23]", None),  # too short
        ("Printer [#ABC2341]", None),  # too long
        ("Printer [#ABCOIL]", None),  # O, I and L are never in a reference
        ("Printer #ABC234", None),
        ("[Ticket#111079] Antwort", None),
    ],
)
def test_subject_reference(subject: str, reference: str | None) -> None:
    assert subject_reference(subject) == reference


def test_thread_subject_is_stable() -> None:
    assert thread_subject("Printer on fire", "ABC234") == "Re: [#ABC234] Printer on fire"
    assert thread_subject("AW: Re: [#ABC234] Printer on fire", "ABC234") == (
        "Re: [#ABC234] Printer on fire"
    )
    assert thread_subject("Printer", "ABC234", reply=False) == "[#ABC234] Printer"
    assert thread_subject("", "ABC234") == "Re: [#ABC234]"


prefixes = st.lists(st.sampled_from(["Re: ", "RE:", "Fwd: ", "AW: ", "WG: ", "Re[3]: "]))


@given(prefixes, st.text(max_size=60))
def test_prefixes_never_change_the_thread_subject(added: list[str], subject: str) -> None:
    reference = new_reference()
    once = thread_subject(subject, reference)
    again = thread_subject("".join(added) + once, reference)
    assert again == once
    assert subject_reference("".join(added) + once) == reference
    assert strip_prefixes("".join(added) + "x") == "x"


def test_reply_tokens_round_trip() -> None:
    issue_id = new_id()
    token = make_reply_token(SECRET, "org-1", issue_id)
    assert len(token) == 42 and token == token.lower()
    assert verify_reply_token(SECRET, "org-1", token) == issue_id
    assert verify_reply_token(SECRET, "org-1", token.upper()) == issue_id  # servers that fold case


def test_a_token_is_worth_nothing_elsewhere() -> None:
    issue_id = new_id()
    token = make_reply_token(SECRET, "org-1", issue_id)
    assert verify_reply_token(SECRET, "org-2", token) is None
    assert verify_reply_token(b"another secret", "org-1", token) is None
    other = new_id()
    assert verify_reply_token(SECRET, "org-1", other + token[26:]) is None
    assert verify_reply_token(SECRET, "org-1", token[:-1]) is None
    assert verify_reply_token(SECRET, "org-1", "") is None
    with pytest.raises(ValueError):
        make_reply_token(SECRET, "org-1", "not an id")


@given(st.integers(min_value=0, max_value=41), st.sampled_from("0123456789abcdefghjkmnpqrstvwxyz"))
def test_any_changed_character_breaks_a_token(position: int, replacement: str) -> None:
    issue_id = "01hzyx0000000000000000000a"
    token = make_reply_token(SECRET, "org-1", issue_id)
    changed = token[:position] + replacement + token[position + 1 :]
    if changed != token:
        assert verify_reply_token(SECRET, "org-1", changed) is None


def test_tokens_in_recipient_addresses() -> None:
    token = make_reply_token(SECRET, "org-1", new_id())
    address = reply_address("support@demo.example", token)
    assert address == f"support+{token}@demo.example"
    found = token_addresses(
        [
            "support@demo.example",
            "someone+newsletter@example.net",
            f"<Support+{token.upper()}@Demo.Example>",
            address,
        ]
    )
    assert found == [TokenAddress("support@demo.example", token)]


def test_find_reply_target_checks_the_mailbox_organization() -> None:
    issue_id = new_id()
    token = make_reply_token(SECRET, "org-1", issue_id)
    mailboxes = {"support@demo.example": "org-1", "help@other.example": "org-2"}
    to = ["ada@example.org", f"support+{token}@demo.example"]
    assert find_reply_target(to, SECRET, mailboxes.get) == ("org-1", issue_id)
    # The same token on another organization's mailbox is not valid there.
    moved = [f"help+{token}@other.example"]
    assert find_reply_target(moved, SECRET, mailboxes.get) is None
    assert find_reply_target([f"nobody+{token}@x.example"], SECRET, mailboxes.get) is None
    assert find_reply_target([], SECRET, mailboxes.get) is None


def test_a_private_room_token_names_the_private_room_and_cannot_be_made_public() -> None:
    from caseroom.channels.email.threading import ReplyTarget, read_reply_token
    from caseroom.domain.model import Room

    issue_id = new_id()
    public = make_reply_token(SECRET, "org-1", issue_id)
    private = make_reply_token(SECRET, "org-1", issue_id, room=Room.PRIVATE)
    assert public != private and len(public) == len(private)
    assert read_reply_token(SECRET, "org-1", public) == ReplyTarget(issue_id, Room.PUBLIC)
    assert read_reply_token(SECRET, "org-1", private) == ReplyTarget(issue_id, Room.PRIVATE)
    assert read_reply_token(SECRET, "org-2", private) is None


def test_recipients_resolve_to_a_mailbox_or_a_reply_address_it_signed() -> None:
    from caseroom.channels.email.mailboxes import mailbox_index, reply_token_secret, resolve

    mailboxes = mailbox_index([("org-1", {"address": "Support@Shop.example"}), ("org-2", {})])
    secret = reply_token_secret("org-1", {}, "installation key")
    assert secret == reply_token_secret("org-1", {}, "installation key")
    assert secret != reply_token_secret("org-2", {}, "installation key")
    assert reply_token_secret("org-1", {"reply_token_key": "own"}, "installation key") == b"own"
    issue_id = new_id()
    address = reply_address("support@shop.example", make_reply_token(secret, "org-1", issue_id))
    assert resolve("support@shop.example", mailboxes) is not None
    found = resolve(address.upper(), mailboxes, {"org-1": secret})
    assert found is not None and found.target is not None and found.target.issue_id == issue_id
    assert resolve(address, mailboxes, {"org-1": b"another key"}) is None
    assert resolve("sales@shop.example", mailboxes) is None
