"""Every mail of the real-world corpus beside the repository (../shared/mail-corpus:
test data of other mail projects, read in place, never copied here) parses, with
a sender and its body or files; the reports in it are read as reports.
CASEROOM_MAIL_CORPUS points elsewhere (a work tree that is not beside shared/)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from caseroom.channels.email.loops import DeliveryReport, classify, parse_report
from caseroom.channels.email.parsing import Flag, parse_mail
from caseroom.channels.email.quoting import fold_quotes
from caseroom.domain.errors import MalformedMail
from tests.components import missing

REPO = Path(__file__).resolve().parents[4]
CORPUS = Path(os.environ.get("CASEROOM_MAIL_CORPUS", REPO.parent / "shared" / "mail-corpus"))

# Files of the corpus that are not RFC 5322 mail, or have no sender at all.
NOT_MAIL = {"SpamScope_mail-parser__mail_outlook_1.eml"}  # an Outlook .msg (OLE) file
NO_SENDER = {
    "mailgun_flanker__attached-pdf.eml",
    "mikel_mail__error_emails__bad_encoded_subject.eml",
}


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".eml", ".box"))


@pytest.fixture(scope="module")
def files() -> list[Path]:
    found = corpus_files()
    if not found:
        missing("The mail corpus", f"{CORPUS} is absent")
    return found


def raw_body(raw: bytes) -> bytes:
    split = re.search(rb"\r?\n\r?\n", raw)
    return raw[split.end() :] if split else b""


def test_the_corpus_has_its_mails(files: list[Path]) -> None:
    assert len(files) >= 140


def test_every_mail_parses_with_a_sender_and_its_content(files: list[Path]) -> None:
    problems = []
    for path in files:
        raw = path.read_bytes()
        if path.name in NOT_MAIL | NO_SENDER:
            with pytest.raises(MalformedMail):
                parse_mail(raw)
            if path.name in NO_SENDER:
                assert parse_mail(raw, envelope_sender="x@example.org").sender.address
            continue
        parsed = parse_mail(raw)
        if "@" not in parsed.sender.address:
            problems.append(f"{path.name}: sender {parsed.sender}")
        has_content = bool(parsed.text.strip() or parsed.parts)
        if raw_body(raw).strip() and not has_content:
            problems.append(f"{path.name}: no body and no files")
        if not has_content and Flag.NO_BODY not in parsed.flags:
            problems.append(f"{path.name}: empty, not flagged")
        folded = fold_quotes(parsed.text, subject=parsed.subject)
        if parsed.text.strip() and not folded.visible.strip():
            problems.append(f"{path.name}: folded to nothing")
    assert problems == []


def test_declared_charsets_are_read_without_noise(files: list[Path]) -> None:
    """No windows-1252 noise from UTF-8 ("Ã©", "â€"), except where the corpus
    file itself holds such text."""
    noisy = []
    for path in files:
        if path.name in NOT_MAIL | NO_SENDER:
            continue
        raw = path.read_bytes()
        parsed = parse_mail(raw)
        for text in (parsed.subject, parsed.text):
            if re.search("Ã[\x80-\xbf]|â€", text) and b"\xc3\x83" not in raw:
                noisy.append(path.name)
    assert noisy == []


def test_the_reports_in_the_corpus_are_read(files: list[Path]) -> None:
    reports = 0
    for path in files:
        if path.name in NOT_MAIL | NO_SENDER:
            continue
        raw = path.read_bytes()
        parsed = parse_mail(raw)
        if parsed.report_type != "delivery-status":
            continue
        reports += 1
        machine = classify(parsed)
        assert machine is not None, path.name
        report = parse_report(raw)
        assert isinstance(report, DeliveryReport), path.name
        if report.recipients:
            assert all("@" in r.recipient for r in report.recipients), path.name
    assert reports >= 20
