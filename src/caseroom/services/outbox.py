"""The outbox step: reactions to what a transaction did, written as jobs in that
same transaction (so they happen once it commits, and never if it rolls back).
`Database` runs `plan_outbox` just before each commit with the events the
transaction staged; each reactor reads them and enqueues what must follow."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from caseroom.domain.events import Event
from caseroom.services.bot_calls import BotPolicy, bot_reactor
from caseroom.services.deliveries import plan_deliveries
from caseroom.services.mention_mail import plan_mention_mail
from caseroom.services.webhooks import plan_webhooks
from caseroom.storage.uow import PlanOutbox, UnitOfWork

Reactor = Callable[[UnitOfWork, Sequence[Event]], Awaitable[None]]

# Deliveries through channels, mail to mentioned agents, and integrators'
# webhooks; bot calls are added by `outbox_planner` with the operator's limits.
REACTORS: tuple[Reactor, ...] = (plan_deliveries, plan_mention_mail, plan_webhooks)


def outbox_planner(policy: BotPolicy) -> PlanOutbox:
    reactors = (*REACTORS, bot_reactor(policy))

    async def plan(uow: UnitOfWork, staged: Sequence[Event]) -> None:
        for react in reactors:
            await react(uow, staged)

    return plan


plan_outbox = outbox_planner(BotPolicy())  # the default limits
