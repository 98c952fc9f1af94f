"""The outbox step: reactions to what a transaction did, written as jobs in that
same transaction (so they happen once it commits, and never if it rolls back).
`Database` runs `plan_outbox` just before each commit with the events the
transaction staged; each reactor reads them and enqueues what must follow."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from caseroom.domain.events import Event
from caseroom.services.deliveries import plan_deliveries
from caseroom.services.mention_mail import plan_mention_mail
from caseroom.storage.uow import UnitOfWork

Reactor = Callable[[UnitOfWork, Sequence[Event]], Awaitable[None]]

# Deliveries through channels now; bot reactions and webhook deliveries join here.
REACTORS: tuple[Reactor, ...] = (plan_deliveries, plan_mention_mail)


async def plan_outbox(uow: UnitOfWork, staged: Sequence[Event]) -> None:
    for react in REACTORS:
        await react(uow, staged)
