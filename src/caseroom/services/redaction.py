"""Redaction: an organization's patterns, and an agent removing a secret from a
message everywhere it is kept (the message, the earlier texts of a note in the
activity log, an Issue subject taken from it, and, through a job, the filed
transcripts that show it). The log records who redacted what and when, never
the secret."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from caseroom.domain import events
from caseroom.domain.errors import Conflict, InvalidInput, LimitReached, NotFound
from caseroom.domain.ids import new_id
from caseroom.domain.model import Message, MessageKind, Principal
from caseroom.domain.redaction import (
    CARD_NUMBERS,
    REDACTION_ACTION,
    PatternKind,
    RedactionPattern,
    check_pattern,
    find_secrets,
    redact_text,
)
from caseroom.domain.text import clean_text
from caseroom.services.audit import audit
from caseroom.services.common import record, require_admin, require_agent, utcnow
from caseroom.services.notes import QUOTED_FIELDS, access_message, do_change_message
from caseroom.services.transcript_filing import schedule_rerender, versions_showing
from caseroom.storage.uow import UnitOfWork


async def list_patterns(principal: Principal, uow: UnitOfWork) -> list[RedactionPattern]:
    require_agent(principal)
    return await uow.redaction_patterns.list_redaction_patterns(principal.org_id)


async def add_pattern(
    principal: Principal,
    uow: UnitOfWork,
    name: str,
    pattern: str,
    *,
    max_chars: int,
    max_count: int,
) -> RedactionPattern:
    admin = require_admin(principal)
    label = clean_text(name, field="name", max_chars=100, multiline=False)
    checked = check_pattern(pattern, max_chars=max_chars)
    defined = await uow.redaction_patterns.defined(admin.org_id)
    if any(p.name.casefold() == label.casefold() for p in [CARD_NUMBERS, *defined]):
        raise Conflict(f"a pattern named {label!r} exists already", field="name")
    if len(defined) >= max_count:
        raise LimitReached(f"at most {max_count} redaction patterns", limit=max_count)
    created = RedactionPattern(new_id(), label, PatternKind.REGEX, checked)
    await uow.redaction_patterns.add(admin.org_id, created, admin.agent.id, utcnow())
    detail = {"name": label, "pattern": checked}
    await audit(
        uow, admin.org_id, admin, "redaction_pattern.add", ("redaction_pattern", created.id), detail
    )
    return created


def try_pattern(
    principal: Principal, pattern: str, sample: str, *, max_chars: int
) -> tuple[str, list[tuple[int, int]]]:
    """What a pattern would hide in `sample` (and the sample with it hidden), checked
    as saving it would check it; nothing is stored."""
    require_admin(principal)
    checked = check_pattern(pattern, max_chars=max_chars)
    trial = RedactionPattern("trial", "trial", PatternKind.REGEX, checked)
    return redact_text(sample, [trial]), find_secrets(sample, [trial])


async def remove_pattern(principal: Principal, uow: UnitOfWork, pattern_id: str) -> None:
    admin = require_admin(principal)
    if pattern_id == CARD_NUMBERS.id:
        raise Conflict("the built-in card number check cannot be removed")
    if not await uow.redaction_patterns.remove(admin.org_id, pattern_id):
        raise NotFound("no such redaction pattern")
    target = ("redaction_pattern", pattern_id)
    await audit(uow, admin.org_id, admin, "redaction_pattern.remove", target)


@dataclass(frozen=True, slots=True)
class _Plan:
    patterns: list[RedactionPattern]

    def secrets_in(self, text: str) -> int:
        return len(find_secrets(text, self.patterns))

    def matched(self, texts: Sequence[str]) -> list[str]:
        """Names of the patterns that found something (for the log; not the text)."""
        return [p.name for p in self.patterns if any(find_secrets(text, [p]) for text in texts)]

    def redact_detail(self, detail: dict[str, Any]) -> dict[str, Any]:
        return {
            key: redact_text(value, self.patterns) if key in QUOTED_FIELDS else value
            for key, value in detail.items()
        }


def _plan(defined: list[RedactionPattern], selected: Sequence[str], max_secrets: int) -> _Plan:
    if len(selected) > max_secrets:
        raise InvalidInput(f"at most {max_secrets} texts at a time", field="secrets")
    literals = []
    for text in selected:
        if not text.strip():
            raise InvalidInput("a text to redact must not be blank", field="secrets")
        literals.append(RedactionPattern("selected", "selected text", PatternKind.LITERAL, text))
    return _Plan([*defined, *literals])


async def redact_message(
    principal: Principal,
    uow: UnitOfWork,
    issue_id: str,
    message_id: str,
    selected: Sequence[str],
    *,
    max_secrets: int,
) -> Message:
    """Replace the secrets in a message (the organization's patterns, plus the
    texts the agent selected) wherever the message's text is kept."""
    require_agent(principal)
    issue, message = await access_message(principal, uow, issue_id, message_id)
    if message.kind is MessageKind.EVENT:
        raise Conflict("system events cannot be redacted", kind=message.kind.value)
    plan = _plan(
        await uow.redaction_patterns.list_redaction_patterns(issue.org_id), selected, max_secrets
    )
    history = await uow.activity.for_message(issue.org_id, issue.id, message.id)
    texts = [
        message.body,
        *(str(e.detail[k]) for e in history for k in QUOTED_FIELDS if k in e.detail),
    ]
    count = sum(plan.secrets_in(text) for text in texts)
    if count == 0:
        raise InvalidInput(
            "nothing to redact: no pattern or selected text occurs in this message",
            field="secrets",
        )
    now = utcnow()
    for entry in history:
        redacted_detail = plan.redact_detail(entry.detail)
        if redacted_detail != entry.detail:
            await uow.activity.replace_detail(dataclasses.replace(entry, detail=redacted_detail))
    subject = redact_text(issue.subject, plan.patterns)
    subject_changed = subject != issue.subject
    if subject_changed:
        issue = dataclasses.replace(issue, subject=subject)
        await uow.issues.save(issue, now)
        uow.emit(events.issue_changed("issue.updated", issue, ["subject"]))
    await record(
        uow,
        issue,
        principal,
        REDACTION_ACTION,
        {
            "message_id": message.id,
            "room": message.room.value,
            "seq": message.seq,
            "patterns": plan.matched(texts),
            "secrets": count,
        },
        now=now,
    )
    # Filed transcripts that show the message (or the subject) are rendered again.
    filed = await versions_showing(uow, issue, message, subject_changed=subject_changed)
    await schedule_rerender(uow, issue, filed, message_id=message.id, now=now)
    # The mail it came as: its folded quote redacted too, its HTML dropped.
    await uow.inbound_mails.redact(
        issue.org_id, message.id, lambda text: redact_text(text, plan.patterns)
    )
    changed = dataclasses.replace(
        message, body=redact_text(message.body, plan.patterns), redacted_at=now
    )
    return await do_change_message(uow, issue, changed, "message.redacted")
