"""An agent's own console preferences, kept with the agent so they follow them
from device to device."""

from __future__ import annotations

from caseroom.domain.locales import console_locale
from caseroom.domain.model import Principal
from caseroom.services.common import require_agent
from caseroom.storage.uow import UnitOfWork


async def set_my_locale(principal: Principal, uow: UnitOfWork, locale: str | None) -> str | None:
    """Set the console language (None: follow the browser); an unknown one is refused."""
    agent = require_agent(principal)
    chosen = console_locale(locale)
    await uow.agents.set_locale(agent.org_id, agent.agent.id, chosen)
    return chosen
