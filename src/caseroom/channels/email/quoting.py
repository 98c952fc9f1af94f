"""Quoted history and signatures folded away from a mail's text, so the
timeline shows what was written now and one click shows the rest.

Rules, in this order: a forwarded mail is never folded (what it forwards is
its content); the earliest quote header ("On ... wrote:", Outlook's
"-----Original Message-----" or From/Sent/To block, their German, French,
Spanish, Dutch, Italian and Portuguese forms), a trailing block of "> " lines,
a "-- " signature or a mobile client's "Sent from my ..." line starts the
fold, which runs to the end; a fold that would leave nothing visible is not
made."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The line a client writes above the quote: "On <date>, <name> wrote:" and its
# translations (a date has a digit; clients wrap it over up to three lines), or
# "<address> wrote:" on one line.
_WROTE = re.compile(
    r"^(?=.*\d)(?:On\s.{1,300}\swrote"  # English (Gmail, Apple Mail, Thunderbird)
    r"|Am\s.{1,300}\sschrieb.{0,200}"  # German
    r"|Le\s.{1,300}\sa\s[ée]crit"  # French
    r"|El\s.{1,300}\sescribi[óo]"  # Spanish
    r"|Op\s.{1,300}\sschreef.{0,200}"  # Dutch
    r"|Il\s.{1,300}\sha\sscritto"  # Italian
    r"|Em\s.{1,300}\sescreveu)"  # Portuguese
    r"\s?:\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ADDRESS_WROTE = re.compile(
    r"^.{0,200}@.{1,200}\s(?:wrote|schrieb|a\s[ée]crit)\s?:\s*$", re.IGNORECASE
)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine"
    r"|Mensaje original|Oorspronkelijk bericht|Messaggio originale|Mensagem original"
    r"|Originalmeddelande|Alkuperäinen viesti)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_FORWARD = re.compile(
    r"^\s*(?:-{2,}\s*(?:Forwarded message|Forwarded Message|Weitergeleitete Nachricht"
    r"|Message transféré|Mensaje reenviado|Doorgestuurd bericht|Messaggio inoltrato"
    r"|Mensagem encaminhada)\s*-{2,}"
    r"|Begin forwarded message:|Anfang der weitergeleiteten Nachricht:"
    r"|Début du message réexpédié\s?:|Inicio del mensaje reenviado:)\s*$",
    re.IGNORECASE,
)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|wg|tr|rv|i|pd|vb|doorst|enc)\s*:", re.IGNORECASE)
# An Outlook header block: "From:" and, within a few lines, "Sent:"/"Date:" and "To:"/"Subject:".
_FROM = re.compile(r"^\s*\*?(?:From|Von|De|Van|Da|Fra|Från|Od)\s?:\*?\s+\S", re.IGNORECASE)
_SENT = re.compile(
    r"^\s*\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado|Verzonden|Inviato|Data|Skickat|Sendt)"
    r"\s?:",
    re.IGNORECASE,
)
_TO = re.compile(
    r"^\s*\*?(?:To|An|À|A|Para|Aan|Til|Till|Subject|Betreff|Objet|Asunto|Onderwerp|Oggetto"
    r"|Assunto|Ämne|Emne)\s?:",
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*_{10,}\s*$")
_SIGNATURE = re.compile(r"^--\s?$")
_MOBILE = re.compile(
    r"^\s*(?:Sent from my \w+|Sent from (?:Mail|Outlook) for \w+|Get Outlook for \w+"
    r"|Von meinem \w+ gesendet|Envoyé de mon \w+|Enviado desde mi \w+|Verstuurd vanaf mijn \w+"
    r"|Inviato da(?:l mio)? \w+)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Folded:
    visible: str
    folded: str  # empty when nothing was folded


def fold_quotes(text: str, *, subject: str = "") -> Folded:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = _fold_start(lines, subject)
    if start is None:
        return Folded(text, "")
    visible = "\n".join(lines[:start]).rstrip()
    if not visible.strip():
        return Folded(text, "")
    return Folded(visible, "\n".join(lines[start:]).strip("\n"))


def is_forwarded(text: str, subject: str = "") -> bool:
    lines = text.replace("\r\n", "\n").split("\n")
    return bool(_FORWARD_SUBJECT.match(subject)) or any(_FORWARD.match(line) for line in lines)


def _fold_start(lines: list[str], subject: str) -> int | None:
    if _FORWARD_SUBJECT.match(subject):
        return None
    for index, line in enumerate(lines):
        if _FORWARD.match(line):
            return None
        header = _quote_header(lines, index)
        if header is not None:
            return header
        if _SIGNATURE.match(line) or (_MOBILE.match(line) and _only_quotes_after(lines, index + 1)):
            return index
        if line.lstrip().startswith(">") and _only_quotes_after(lines, index):
            return index
    return None


def _quote_header(lines: list[str], index: int) -> int | None:
    """Where a quote header starting at this line begins (a rule line above an
    Outlook block belongs to it), or None."""
    line = lines[index]
    if _ORIGINAL.match(line):
        return index
    if _FROM.match(line):
        following = lines[index + 1 : index + 6]
        if any(_SENT.match(f) for f in following) and any(_TO.match(f) for f in following):
            above = index - 1
            while above >= 0 and not lines[above].strip():
                above -= 1
            return above if above >= 0 and _RULE.match(lines[above]) else index
    if _ADDRESS_WROTE.match(line):
        return index
    for span in (1, 2, 3):
        window = " ".join(part.strip() for part in lines[index : index + span])
        later = " ".join(lines[index + 1 : index + span])
        if len(window) < 500 and _WROTE.match(window) and (span == 1 or not _WROTE.match(later)):
            return index
    return None


def _only_quotes_after(lines: list[str], start: int) -> bool:
    """Nothing but "> " lines, blank lines and quote headers from `start` on."""
    rest = [line for line in lines[start:] if line.strip()]
    return all(line.lstrip().startswith(">") for line in rest)
