"""Parsing mail as clients really send it: charsets, transfer encodings, header
encodings, MIME shapes; malformed mail is read, never refused, unless it is no
mail at all."""

from __future__ import annotations

import base64
import binascii
from email.message import EmailMessage
from email.policy import SMTP

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from caseroom.channels.email.parsing import Flag, parse_mail
from caseroom.domain.errors import InvalidInput, MalformedMail
from tests.unit.channels.email.mails import (
    PNG,
    PNG_B64,
    crlf,
    gmail_alternative_reply,
    mail,
    outlook_html_with_inline_image,
)

# -- headers ----------------------------------------------------------------------------


def test_ids_addresses_subject_and_date() -> None:
    raw = mail(
        "hello",
        headers=(
            "Cc: =?utf-8?q?Doe=2C_J=C3=BCrgen?= <J.Doe@Example.COM>, bob@example.net\n"
            "In-Reply-To: <ours-2@demo.example> (sent by caseroom)\n"
            "References: <ours-1@demo.example>\n <ours-2@demo.example>\n"
            "Delivered-To: support+abc@demo.example\n"
            "Reply-To: Ada at home <ada@home.example>\n"
        ),
    )
    parsed = parse_mail(raw)
    assert parsed.message_id == "m1@example.org"
    assert parsed.in_reply_to == "ours-2@demo.example"
    assert parsed.references == ("ours-1@demo.example", "ours-2@demo.example")
    assert (parsed.sender.address, parsed.sender.name) == ("ada@example.org", "Ada Lovelace")
    assert [(a.address, a.name) for a in parsed.cc] == [
        ("j.doe@example.com", "Doe, Jürgen"),
        ("bob@example.net", ""),
    ]
    assert [a.address for a in parsed.to] == ["support@demo.example"]
    assert parsed.delivered_to == ("support+abc@demo.example",)
    assert parsed.reply_to[0].address == "ada@home.example"
    assert parsed.recipients == (
        "support@demo.example",
        "j.doe@example.com",
        "bob@example.net",
        "support+abc@demo.example",
    )
    assert parsed.subject == "Printer on fire"
    assert parsed.date is not None and parsed.date.isoformat() == "2026-12-01T10:00:00+01:00"
    assert parsed.header("X-Missing") is None
    assert parsed.header("delivered-to") == "support+abc@demo.example"


def test_encoded_words_in_subject_and_name_even_with_a_wrong_charset() -> None:
    raw = mail(
        "x",
        sender="=?iso-8859-1?q?J=FCrgen_M=FCller?= <jm@example.de>",
        subject="=?utf-8?B?w5xiZXIgZGVuIERydWNrZXI=?= =?utf-8?q?_=E2=80=93_dringend?=",
    )
    parsed = parse_mail(raw)
    assert parsed.sender.name == "Jürgen Müller"
    assert parsed.subject == "Über den Drucker \u2013 dringend"
    # A word declared latin-1 that is really UTF-8 is still read right.
    wrong = parse_mail(mail("x", subject="=?iso-8859-1?q?Gr=C3=BC=C3=9Fe?="))
    assert wrong.subject == "Grüße"


def test_raw_utf8_and_raw_latin1_headers() -> None:
    utf8 = mail("x").replace(b"Printer on fire", "Drücker kaputt".encode())
    assert parse_mail(utf8).subject == "Drücker kaputt"
    latin = mail("x").replace(b"Printer on fire", "Drücker kaputt".encode("latin-1"))
    assert parse_mail(latin).subject == "Drücker kaputt"
    assert parse_mail(mail("x", sender="Jürgen <j@example.de>")).sender.name == "Jürgen"
    latin_name = mail("x").replace(b"Ada Lovelace", "Jürgen Groß".encode("cp1252"))
    assert parse_mail(latin_name).sender.name == "Jürgen Groß"


def test_a_broken_from_still_yields_the_address() -> None:
    parsed = parse_mail(mail("x", sender="tim@example.com concierge@example.com"))
    assert parsed.sender.address == "tim@example.com"
    unquoted = parse_mail(mail("x", sender="Doe, John <john@example.com>"))
    assert unquoted.sender.address == "john@example.com"


def test_missing_from_falls_back_to_sender_then_envelope() -> None:
    raw = mail("x").replace(b"From: Ada Lovelace <ada@example.org>\r\n", b"")
    with pytest.raises(MalformedMail) as raised:
        parse_mail(raw)
    assert isinstance(raised.value, InvalidInput)
    assert "From" in raised.value.detail
    assert parse_mail(raw, envelope_sender="<bounce@example.org>").sender.address == (
        "bounce@example.org"
    )
    with_sender = raw.replace(b"To:", b"Sender: list@example.org\r\nTo:")
    assert parse_mail(with_sender).sender.address == "list@example.org"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \r\n\r\n",
        b"just some text without any headers\nand more\n",
        b'{"json": true}',
        bytes(range(256)) * 4,
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500,  # an Outlook .msg file
    ],
)
def test_what_is_no_mail_at_all_is_refused_clearly(raw: bytes) -> None:
    with pytest.raises(MalformedMail, match=r"not a mail|no From"):
        parse_mail(raw)


def test_a_stray_line_among_the_headers_does_not_end_them() -> None:
    raw = mail("body").replace(b"To: support", b"oops Delivered-To: x\r\nTo: support")
    parsed = parse_mail(raw)
    assert parsed.subject == "Printer on fire"
    assert parsed.text == "body"


def test_leading_blank_lines_and_an_mbox_from_line() -> None:
    parsed = parse_mail(b"\r\n\r\nFrom ada@example.org Tue Dec  1 10:00:00 2026\r\n" + mail("hi"))
    assert parsed.sender.address == "ada@example.org"
    assert parsed.text == "hi"


# -- charsets and transfer encodings ----------------------------------------------------

TEXT = "Grüße aus Köln \u2013 ça coûte 5 €"


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("utf-8", TEXT),
        ("iso-8859-1", "Grüße aus Köln, ça coûte 5"),
        ("windows-1252", TEXT),
        ("iso-8859-15", "Grüße aus Köln, ça coûte 5 €"),
        ("windows-1251", "Привет, как дела?"),
        ("koi8-r", "Привет, как дела?"),
        ("iso-2022-jp", "お問い合わせありがとうございます"),
        ("shift_jis", "お問い合わせありがとうございます"),
        ("euc-kr", "안녕하세요"),
        ("gb2312", "你好\uff0c我的打印机坏了"),
        ("big5", "你好\uff0c我的印表機壞了"),
    ],
)
@pytest.mark.parametrize("encoding", ["8bit", "quoted-printable", "base64"])
def test_declared_charsets(charset: str, text: str, encoding: str) -> None:
    message = EmailMessage()
    message["From"] = "ada@example.org"
    message["Subject"] = "x"
    message.set_content(text, charset=charset, cte=encoding if encoding != "8bit" else "8bit")
    if charset in ("iso-2022-jp",) and encoding == "8bit":
        del message["Content-Transfer-Encoding"]
        message["Content-Transfer-Encoding"] = "7bit"
    parsed = parse_mail(message.as_bytes(policy=SMTP))
    assert parsed.text.strip() == text
    assert Flag.CHARSET_FALLBACK not in parsed.flags


def test_missing_charset_with_utf8_bytes() -> None:
    parsed = parse_mail(mail(TEXT.encode(), content_type="text/plain", encoding="8bit"))
    assert parsed.text == TEXT


def test_missing_charset_with_windows_1252_bytes() -> None:
    parsed = parse_mail(mail(TEXT.encode("cp1252"), content_type="text/plain"))
    assert parsed.text == TEXT
    assert Flag.CHARSET_FALLBACK in parsed.flags


def test_declared_latin1_but_sent_utf8() -> None:
    parsed = parse_mail(mail(TEXT.encode(), content_type="text/plain; charset=iso-8859-1"))
    assert parsed.text == TEXT


def test_declared_utf8_but_sent_windows_1252() -> None:
    parsed = parse_mail(mail(TEXT.encode("cp1252"), content_type="text/plain; charset=utf-8"))
    assert parsed.text == TEXT
    assert Flag.CHARSET_FALLBACK in parsed.flags


def test_unknown_charset_label() -> None:
    parsed = parse_mail(mail(TEXT.encode(), content_type="text/plain; charset=x-unknown"))
    assert parsed.text == TEXT


def test_utf8_with_one_damaged_byte_stays_utf8() -> None:
    damaged = ("Привет " * 20).encode().replace(b"\xd0\xb8", b"\xd0", 1)
    parsed = parse_mail(mail(damaged, content_type="text/plain; charset=utf-8"))
    assert parsed.text.count("Привет") == 19
    assert "Ð" not in parsed.text


@pytest.mark.parametrize("spelled", ["quoted printable", "Quoted-Printable ", "quoted_printable"])
def test_misspelled_quoted_printable(spelled: str) -> None:
    parsed = parse_mail(mail("Gr=C3=BC=C3=9Fe=\r\n aus K=C3=B6ln", encoding=spelled))
    assert parsed.text == "Grüße aus Köln"


@pytest.mark.parametrize("spelled", ["7-bit", "plain", "8 bit", "none", "binary"])
def test_bogus_identity_encodings(spelled: str) -> None:
    assert parse_mail(mail(TEXT, encoding=spelled)).text == TEXT


def test_base64_with_junk_and_without_padding() -> None:
    encoded = base64.b64encode(TEXT.encode()).decode().rstrip("=")
    broken = encoded[:10] + "!*\r\n" + encoded[10:] + "\r\n\r\n"
    assert parse_mail(mail(broken, encoding="base64")).text.startswith("Grüße aus Köln")


def test_invalid_base64_does_not_raise() -> None:
    parsed = parse_mail(mail("@@@@ not base64 at all ####", encoding="base64"))
    assert parsed.sender.address == "ada@example.org"


def test_nul_bytes_are_dropped_from_text() -> None:
    parsed = parse_mail(mail(b"be\x00fore\x00 after"))
    assert parsed.text == "before after"


# -- MIME structure ---------------------------------------------------------------------


def test_outlook_related_alternative_with_inline_logo_and_tracker() -> None:
    parsed = parse_mail(outlook_html_with_inline_image())
    assert parsed.text == "Grüße, the invoice is attached."
    assert parsed.html is not None
    assert 'src="cid:logo@01D9"' in parsed.html
    assert 'data-remote-src="https://tracker.example/open.gif"' in parsed.html
    assert ' src="https://' not in parsed.html
    assert Flag.REMOTE_IMAGES in parsed.flags
    (logo,) = parsed.parts
    assert (logo.filename, logo.content_type, logo.content_id, logo.inline) == (
        "image001.png",
        "image/png",
        "logo@01D9",
        True,
    )
    assert logo.data == PNG
    assert parsed.part_for_cid("<logo@01D9>") == logo
    assert parsed.sender.name == "Doe, John"


def test_gmail_alternative_prefers_the_text_part() -> None:
    parsed = parse_mail(gmail_alternative_reply())
    assert parsed.text.startswith("Thanks, it works now 👍\n\nOn Tue, Dec 1, 2026")
    assert parsed.html is not None and "<blockquote>" in parsed.html
    assert parsed.references == ("ours-1@demo.example",)
    assert parsed.in_reply_to is None


def test_html_only_mail_gets_a_text_rendering() -> None:
    html = (
        "<html><head><style>p{color:red}</style><title>t</title></head><body>"
        "<p>Hello&nbsp;<b>there</b></p><ul><li>one</li><li>two</li></ul>"
        "<p>See <a href='https://example.com/faq'>the FAQ</a></p>"
        "<script>alert(1)</script><blockquote>older<br>mail</blockquote></body></html>"
    )
    parsed = parse_mail(mail(html, content_type="text/html; charset=utf-8"))
    assert parsed.text == (
        "Hello there\n\n- one\n- two\n\nSee the FAQ (https://example.com/faq)\n\n> older\n> mail"
    )
    assert Flag.HTML_ONLY in parsed.flags
    assert parsed.html is not None and "alert" not in parsed.html


def test_html_charset_from_its_meta_tag() -> None:
    html = '<meta charset="windows-1251"><p>Привет</p>'.encode("cp1251")
    parsed = parse_mail(mail(html, content_type="text/html"))
    assert parsed.text == "Привет"


def _multipart(parts: list[str], subtype: str = "mixed", boundary: str = "b1") -> str:
    inner = "".join(f"--{boundary}\n{p}\n" for p in parts)
    return f"Content-Type: multipart/{subtype}; boundary={boundary}\n\n{inner}--{boundary}--\n"


def _with_body(structure: str) -> bytes:
    head, _, body = structure.partition("\n\n")
    return crlf(
        "From: ada@example.org\nTo: support@demo.example\nSubject: files\n"
        f"MIME-Version: 1.0\n{head}\n\n{body}"
    )


def test_attachments_with_rfc2231_and_rfc2047_names() -> None:
    raw = _with_body(
        _multipart(
            [
                "Content-Type: text/plain; charset=utf-8\n\nSee attached.",
                "Content-Type: application/pdf\n"
                "Content-Disposition: attachment; filename*=utf-8''Rechnung%20M%C3%A4rz.pdf\n"
                "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK",
                "Content-Type: application/octet-stream;\n"
                ' name="=?utf-8?b?0L/RgNC40LzQtdGALnR4dA==?="\n'
                "Content-Transfer-Encoding: base64\n\naGVsbG8=",
                "Content-Type: text/csv\n"
                'Content-Disposition: attachment; filename="C:\\\\Users\\\\ada\\\\data.csv"\n\na,b',
            ]
        )
    )
    parsed = parse_mail(raw)
    assert parsed.text == "See attached."
    assert [(p.filename, p.content_type, p.data) for p in parsed.parts] == [
        ("Rechnung März.pdf", "application/pdf", b"%PDF-1.4\n"),
        ("пример.txt", "application/octet-stream", b"hello"),
        ("data.csv", "text/csv", b"a,b"),
    ]
    assert not any(p.inline for p in parsed.parts)


def test_forwarded_message_rfc822_becomes_an_eml_file() -> None:
    inner = "From: carol@example.net\nSubject: Original question\n\nThe original body."
    raw = _with_body(
        _multipart(
            [
                "Content-Type: text/plain\n\nForwarding this.",
                f"Content-Type: message/rfc822\nContent-Disposition: attachment\n\n{inner}",
            ]
        )
    )
    parsed = parse_mail(raw)
    assert parsed.text == "Forwarding this."
    (eml,) = parsed.parts
    assert eml.filename == "Original question.eml"
    assert eml.content_type == "message/rfc822"
    assert b"The original body." in eml.data
    assert parse_mail(eml.data).subject == "Original question"


UU = "begin 644 notes.txt\n" + binascii.b2a_uu(b"uuencoded notes\n").decode() + "`\nend\n"


def test_uuencoded_file_inside_a_text_body() -> None:
    parsed = parse_mail(mail(f"Here it is:\n\n{UU}\nBye", content_type="text/plain"))
    assert "begin 644" not in parsed.text
    assert parsed.text.startswith("Here it is:") and parsed.text.endswith("Bye")
    (file,) = parsed.parts
    assert (file.filename, file.data) == ("notes.txt", b"uuencoded notes\n")
    assert Flag.UUENCODED in parsed.flags


def test_x_uuencode_transfer_encoding() -> None:
    raw = _with_body(
        _multipart(
            [
                "Content-Type: text/plain\n\nAttached.",
                "Content-Type: application/octet-stream\n"
                f"Content-Transfer-Encoding: x-uuencode\n\n{UU}",
            ]
        )
    )
    (file,) = parse_mail(raw).parts
    assert (file.filename, file.data) == ("notes.txt", b"uuencoded notes\n")


def test_signed_mail_keeps_the_signature_as_a_file() -> None:
    raw = _with_body(
        _multipart(
            [
                "Content-Type: text/plain\n\nSigned words.",
                "Content-Type: application/pgp-signature; name=signature.asc\n\n-----BEGIN PGP",
            ],
            subtype='signed; protocol="application/pgp-signature"',
        )
    )
    parsed = parse_mail(raw)
    assert parsed.text == "Signed words."
    assert [p.filename for p in parsed.parts] == ["signature.asc"]


def test_a_boundary_that_never_comes_is_read_as_text() -> None:
    raw = crlf(
        "From: ada@example.org\nSubject: x\nContent-Type: multipart/mixed; boundary=nope\n\n"
        "The body is here anyway."
    )
    assert parse_mail(raw).text == "The body is here anyway."


def test_missing_final_boundary() -> None:
    raw = _with_body(_multipart(["Content-Type: text/plain\n\nStill here."]).rsplit("--b1--", 1)[0])
    parsed = parse_mail(raw)
    assert parsed.text == "Still here."


def test_multipart_nested_100_deep_is_cut_off_not_crashed() -> None:
    structure = "Content-Type: text/plain\n\nthe core"
    for depth in range(100):
        structure = _multipart([structure], boundary=f"d{depth}")
    parsed = parse_mail(_with_body(structure))
    assert Flag.TOO_DEEP in parsed.flags
    assert parsed.sender.address == "ada@example.org"


def test_too_many_parts_are_left_out() -> None:
    parts = [f"Content-Type: application/octet-stream; name=f{i}.bin\n\nx" for i in range(30)]
    parsed = parse_mail(_with_body(_multipart(parts)), max_parts=10)
    assert Flag.TOO_MANY_PARTS in parsed.flags
    assert len(parsed.parts) < 10


def test_ten_thousand_header_lines() -> None:
    headers = "".join(f"X-Filler-{i}: value {i}\n" for i in range(10_000))
    parsed = parse_mail(mail("body", headers=headers))
    assert parsed.text == "body"
    assert len(parsed.headers) > 10_000


def test_copies_of_one_mail_hash_alike() -> None:
    first = mail("same body", headers="Received: from a by b\n")
    second = mail("same body", headers="Received: from c by d\nX-Copy: 2\n")
    other = mail("another body")
    assert parse_mail(first).content_hash == parse_mail(second).content_hash
    assert parse_mail(first).content_hash != parse_mail(other).content_hash


# -- properties -------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_parse_or_are_refused_as_malformed(raw: bytes) -> None:
    try:
        parsed = parse_mail(raw)
    except MalformedMail:
        return
    assert "@" in parsed.sender.address
    assert "\x00" not in parsed.text


header_chunk = st.sampled_from(
    [
        "From: a@example.org\n",
        "Subject: =?utf-8?q?x?=\n",
        "Content-Type: multipart/mixed; boundary=zz\n",
        "Content-Type: text/html; charset=koi8-r\n",
        "Content-Transfer-Encoding: base64\n",
        "Content-Transfer-Encoding: x-uuencode\n",
        "Content-Disposition: attachment; filename*=utf-8''%E2%82%AC.txt\n",
        "\n",
        "--zz\n",
        "--zz--\n",
        "begin 644 a.bin\n",
        "end\n",
        "<img src=http://x/y><script>x</script>\n",
        "=?bogus?B?@@?=\n",
        "\x00\xff\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(header_chunk | st.text(max_size=40), max_size=40))
def test_mime_shaped_garbage_never_raises_anything_but_malformed(chunks: list[str]) -> None:
    raw = "".join(chunks).encode("utf-8", "surrogateescape")
    try:
        parsed = parse_mail(raw)
    except MalformedMail:
        return
    if parsed.html is not None:
        assert "<script" not in parsed.html.lower()


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r"),
        min_size=1,
        max_size=300,
    ).filter(lambda t: t.strip()),
    st.sampled_from(["utf-8", "windows-1252", "iso-8859-1"]),
    st.sampled_from(["8bit", "quoted-printable", "base64"]),
)
def test_any_text_in_a_charset_that_holds_it_comes_back(text: str, charset: str, cte: str) -> None:
    try:
        encoded = text.encode(charset)
    except UnicodeEncodeError:
        charset, encoded = "utf-8", text.encode()
    # Legacy bytes that happen to be valid UTF-8 ("Â\xa0") are read as UTF-8, by design.
    assume(charset == "utf-8" or not _valid_utf8(encoded) or encoded.isascii())
    message = EmailMessage()
    message["From"] = "ada@example.org"
    message.set_content(text, charset=charset, cte=cte)
    parsed = parse_mail(message.as_bytes(policy=SMTP))
    assert parsed.text.strip() == text.replace("\r", "").strip()


def test_unnamed_files_get_names_and_an_attached_single_part_stays_a_file() -> None:
    raw = _with_body(
        _multipart(
            [
                "Content-Type: text/plain\n\nPhoto below.",
                f"Content-Type: image/png\nContent-Transfer-Encoding: base64\n\n{PNG_B64}",
                "Content-Type: application/x-unknown\n\nxyz",
            ]
        )
    )
    assert [p.filename for p in parse_mail(raw).parts] == ["image-1.png", "part-2.bin"]
    single = mail(
        "a,b\n1,2",
        content_type="text/csv",
        headers="Content-Disposition: attachment; filename=report.csv\n",
    )
    parsed = parse_mail(single)
    assert [p.filename for p in parsed.parts] == ["report.csv"]
    assert parsed.text == ""
    attached_text = mail("notes", headers="Content-Disposition: attachment; filename=n.txt\n")
    assert [p.data for p in parse_mail(attached_text).parts] == [b"notes"]


def test_related_images_count_toward_the_part_limit() -> None:
    images = [
        f"Content-Type: image/png\nContent-ID: <i{i}>\n"
        f"Content-Transfer-Encoding: base64\n\n{PNG_B64}"
        for i in range(40)
    ]
    raw = _with_body(_multipart(["Content-Type: text/html\n\n<p>hi</p>", *images], "related"))
    parsed = parse_mail(raw, max_parts=15)
    assert len(parsed.parts) == 15
    assert Flag.TOO_MANY_PARTS in parsed.flags


def test_thunderbird_format_flowed_reply_is_unwrapped() -> None:
    body = (
        "Thanks, the new cartridge works and the pages come out \n"
        "clean again.\n"
        "\n"
        "On 01.12.26 10:00, Support wrote:\n"
        "> Please replace the cartridge and tell us whether the \n"
        "> pages are clean.\n"
        ">> older \n"
        ">> quote\n"
        " From here on, space-stuffed.\n"
        "-- \n"
        "Ada\n"
    )
    parsed = parse_mail(mail(body, content_type="text/plain; charset=utf-8; format=flowed"))
    assert parsed.text.split("\n") == [
        "Thanks, the new cartridge works and the pages come out clean again.",
        "",
        "On 01.12.26 10:00, Support wrote:",
        "> Please replace the cartridge and tell us whether the pages are clean.",
        ">> older quote",
        "From here on, space-stuffed.",
        "-- ",
        "Ada",
    ]
    delsp = parse_mail(mail("split wo \nrd", content_type="text/plain; format=flowed; delsp=yes"))
    assert delsp.text == "split word"


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
