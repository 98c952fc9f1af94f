"""Raw mails for the parser's tests, written the way real clients write them."""

from __future__ import annotations

import base64


def crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def mail(
    body: bytes | str,
    *,
    headers: str = "",
    content_type: str = "text/plain; charset=utf-8",
    encoding: str | None = None,
    sender: str = "Ada Lovelace <ada@example.org>",
    subject: str = "Printer on fire",
) -> bytes:
    """A single-part mail; `body` is sent as the given bytes."""
    head = (
        f"From: {sender}\n"
        "To: support@demo.example\n"
        f"Subject: {subject}\n"
        "Date: Tue, 01 Dec 2026 10:00:00 +0100\n"
        "Message-ID: <m1@example.org>\n"
        "MIME-Version: 1.0\n"
        f"Content-Type: {content_type}\n"
        + (f"Content-Transfer-Encoding: {encoding}\n" if encoding else "")
        + headers
    )
    data = body if isinstance(body, bytes) else body.encode("utf-8")
    return crlf(head) + b"\r\n" + data


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PNG_B64 = base64.encodebytes(PNG).decode("ascii")


def outlook_html_with_inline_image() -> bytes:
    """multipart/related inside multipart/alternative, as Outlook sends a signature logo."""
    return crlf(
        f"""From: "Doe, John" <john.doe@example.com>
To: support@demo.example
Subject: RE: [#ABC234] Invoice
Message-ID: <outlook-1@example.com>
In-Reply-To: <ours-1@demo.example>
References: <ours-0@demo.example> <ours-1@demo.example>
Date: Tue, 01 Dec 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/related; boundary="rel"; type="multipart/alternative"
X-Mailer: Microsoft Outlook 16.0

--rel
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

Gr=FC=DFe, the invoice is attached.

--alt
Content-Type: text/html; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

<html><body><p>Gr=FC=DFe, the invoice is attached.</p><img src=3D"cid:logo@01D=
9"><img src=3D"https://tracker.example/open.gif"></body></html>

--alt--

--rel
Content-Type: image/png; name="image001.png"
Content-Transfer-Encoding: base64
Content-ID: <logo@01D9>
Content-Disposition: inline; filename="image001.png"

{PNG_B64}
--rel--
"""
    )


def gmail_alternative_reply() -> bytes:
    return crlf(
        """From: Grace Hopper <grace@gmail.example>
To: support+token@demo.example
Subject: Re: Printer on fire
Message-ID: <CAgmail@mail.gmail.example>
References: <ours-1@demo.example>
Date: Tue, 01 Dec 2026 11:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="000000gm"

--000000gm
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64

VGhhbmtzLCBpdCB3b3JrcyBub3cg8J+RjQoKT24gVHVlLCBEZWMgMSwgMjAyNiBhdCAxMDowMCBB
TSBTdXBwb3J0IDxzdXBwb3J0QGRlbW8uZXhhbXBsZT4gd3JvdGU6Cj4gUGxlYXNlIHJlc3RhcnQg
dGhlIHByaW50ZXIuCg==

--000000gm
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<div dir=3D"ltr">Thanks, it works now =F0=9F=91=8D</div><br><div class=3D"gm=
ail_quote"><blockquote>Please restart the printer.</blockquote></div>

--000000gm--
"""
    )
