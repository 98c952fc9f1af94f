"""Writing and reading the audit log. Every admin use case calls `audit` in its own
transaction, so an action and its entry are committed together or not at all."""

from __future__ import annotations

from collections.abc import Mapping

from caseroom.domain.audit import Actor, AuditEntry, AuditFilter, agent_actor
from caseroom.domain.ids import new_id
from caseroom.domain.model import AgentPrincipal, Principal
from caseroom.services.common import require_admin, utcnow
from caseroom.storage.uow import UnitOfWork


async def audit(
    uow: UnitOfWork,
    org_id: str,
    who: Actor | AgentPrincipal,
    action: str,
    target: tuple[str, str | None] | None = None,
    detail: Mapping[str, object] | None = None,
) -> AuditEntry:
    actor = agent_actor(who) if isinstance(who, AgentPrincipal) else who
    kind, target_id = target if target else (None, None)
    entry = AuditEntry(
        new_id(), org_id, actor, action, kind, target_id, dict(detail or {}), utcnow()
    )
    await uow.audit.add(entry)
    return entry


async def list_audit(
    principal: Principal, uow: UnitOfWork, where: AuditFilter, *, before: str | None, limit: int
) -> list[AuditEntry]:
    admin = require_admin(principal)
    return await uow.audit.list(admin.org_id, where, before=before, limit=limit)
