"""Quoted history and signatures fold away; what was written now stays."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseroom.channels.email.quoting import fold_quotes, is_forwarded

REPLY = "Thanks, that fixed it.\nSee you."

QUOTES = {
    "gmail": "On Tue, Dec 1, 2026 at 10:00 AM Support <support@demo.example> wrote:\n"
    "> Please restart the printer.\n>\n> Support",
    "gmail-wrapped": "On Tue, Dec 1, 2026 at 10:00 AM Support Team of Demo Company\n"
    "<support@demo.example> wrote:\n\n> Please restart the printer.",
    "apple": "On 1 Dec 2026, at 10:00, Support <support@demo.example> wrote:\n\n"
    "> Please restart the printer.",
    "thunderbird": "On 01.12.26 10:00, Support wrote:\n> Please restart the printer.",
    "outlook": "-----Original Message-----\nFrom: Support <support@demo.example>\n"
    "Sent: Tuesday, December 1, 2026 10:00 AM\nTo: Ada <ada@example.org>\n"
    "Subject: [#ABC234] Printer\n\nPlease restart the printer.",
    "outlook-rule": "________________________________\nFrom: Support <support@demo.example>\n"
    "Sent: Tuesday, December 1, 2026 10:00\nTo: Ada\nSubject: Printer\n\nPlease restart.",
    "outlook-bold": "*From:* Support <support@demo.example>\n*Sent:* Tuesday, 1 December\n"
    "*To:* Ada\n*Subject:* Printer\n\nPlease restart.",
    "german": "Am 01.12.2026 um 10:00 schrieb Support <support@demo.example>:\n"
    "> Bitte neu starten.",
    "german-outlook": "-----Ursprüngliche Nachricht-----\nVon: Support <support@demo.example>\n"
    "Gesendet: Dienstag, 1. Dezember 2026 10:00\nAn: Ada\nBetreff: Drucker\n\nBitte neu starten.",
    "german-outlook-block": "Von: Support <support@demo.example>\nGesendet: Dienstag, 1. Dezember\n"
    "An: Ada\nBetreff: Drucker\n\nBitte neu starten.",
    "french": "Le mar. 1 déc. 2026 à 10:00, Support <support@demo.example> a écrit :\n"
    "> Merci de redémarrer.",
    "french-outlook": "-----Message d'origine-----\nDe : Support\nEnvoyé : mardi 1 décembre 2026\n"
    "À : Ada\nObjet : Imprimante\n\nMerci de redémarrer.",
    "spanish": "El mar, 1 dic 2026 a las 10:00, Support (<support@demo.example>) escribió:\n"
    "> Reinicie la impresora.",
    "dutch": "Op di 1 dec. 2026 om 10:00 schreef Support <support@demo.example>:\n> Herstart.",
    "yahoo": "support@demo.example wrote:\n> Please restart.",
    "quote-only": "> Please restart the printer.\n> Thanks",
}


@pytest.mark.parametrize("client", sorted(QUOTES))
def test_quote_headers_fold_to_the_end(client: str) -> None:
    text = f"{REPLY}\n\n{QUOTES[client]}\n"
    folded = fold_quotes(text)
    assert folded.visible == REPLY
    assert folded.folded == QUOTES[client]


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nAda Lovelace\nAnalytical Engines Ltd",
        "--\nAda",
        "Sent from my iPhone",
        "Von meinem iPhone gesendet",
        "Envoyé de mon iPad",
        "Get Outlook for Android",
    ],
)
def test_signatures_fold(signature: str) -> None:
    folded = fold_quotes(f"{REPLY}\n\n{signature}")
    assert (folded.visible, folded.folded) == (REPLY, signature)


def test_a_signature_then_the_quote_fold_together() -> None:
    quote = QUOTES["gmail"]
    folded = fold_quotes(f"{REPLY}\n-- \nAda\n\n{quote}")
    assert folded.visible == REPLY
    assert folded.folded == f"-- \nAda\n\n{quote}"


def test_inline_answers_between_quotes_stay_visible() -> None:
    text = "> Is it plugged in?\nYes.\n> Is it on?\nNo, it was off.\n"
    assert fold_quotes(text).folded == ""


def test_a_bottom_posted_reply_is_not_folded_to_nothing() -> None:
    text = f"{QUOTES['gmail']}\n\n{REPLY}"
    folded = fold_quotes(text)
    assert folded.visible == text and folded.folded == ""


@pytest.mark.parametrize("text", [QUOTES["gmail"], QUOTES["outlook"], "-- \nAda", "> only"])
def test_never_folded_to_empty(text: str) -> None:
    assert fold_quotes(text).visible == text


@pytest.mark.parametrize(
    "marker",
    [
        "---------- Forwarded message ---------",
        "-------- Forwarded Message --------",
        "Begin forwarded message:",
        "---------- Weitergeleitete Nachricht ----------",
        "Anfang der weitergeleiteten Nachricht:",
        "-------- Message transféré --------",
        "Début du message réexpédié :",
    ],
)
def test_forwarded_mail_is_never_folded(marker: str) -> None:
    text = f"FYI, see below.\n\n{marker}\n{QUOTES['outlook']}\n-- \nSig"
    assert is_forwarded(text)
    folded = fold_quotes(text)
    assert (folded.visible, folded.folded) == (text, "")


@pytest.mark.parametrize(
    "subject", ["Fwd: Printer", "FW: Printer", "WG: Drucker", "TR: Imprimante"]
)
def test_a_forward_subject_is_never_folded(subject: str) -> None:
    text = f"{REPLY}\n\n{QUOTES['outlook']}"
    assert fold_quotes(text, subject=subject).folded == ""
    assert fold_quotes(text, subject="Re: " + subject).folded != ""


def test_sentences_that_only_look_like_headers_stay() -> None:
    text = "Here is what my colleague wrote:\nThe printer needs toner.\nOn Monday we tried again."
    assert fold_quotes(text).folded == ""
    text = "From: the start it failed.\nIt sent nothing.\nTo: be honest, I gave up."
    assert fold_quotes(text).folded == ""


def test_windows_line_endings() -> None:
    text = f"{REPLY}\r\n\r\n{QUOTES['gmail']}".replace("\n", "\r\n").replace("\r\r", "\r")
    assert fold_quotes(text).visible == REPLY


lines = st.lists(
    st.sampled_from(
        [
            "Hello",
            "",
            "> quoted",
            "-- ",
            "On Tue, 1 Dec 2026 Ada wrote:",
            "Sent from my iPhone",
            "-----Original Message-----",
            "From: a@b.example",
            "Sent: today",
            "To: me",
            "text",
        ]
    )
    | st.text(max_size=30),
    max_size=25,
)


@given(lines)
def test_folding_keeps_every_line_and_never_empties(parts: list[str]) -> None:
    text = "\n".join(parts)
    folded = fold_quotes(text)
    lines_of = text.replace("\r\n", "\n").replace("\r", "\n")
    if folded.folded:
        assert folded.visible.strip()
        assert lines_of.startswith(folded.visible)
        assert lines_of.rstrip("\n").endswith(folded.folded.rstrip("\n"))
    else:
        assert folded.visible == text
