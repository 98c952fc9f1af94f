"""`python -m bench.send_cpu [SENDS] [sqlite|postgres]`: the send path's own CPU
cost, in one process: SENDS messages (Customer and agent in turn, 50 at a time
so group commit shares transactions) through `send_message` on a fresh SQLite
file or PostgreSQL database (the server's own CPU is not counted), timed with
process CPU time after a warm-up. It isolates what a change to the use case,
the unit of work or the outbox step costs per message, where `make bench` also
counts frames, JSON and delivery, and varies with the machine's load."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from bench.scratch import scratch_database
from bench.seed import _nowhere, _staff
from caseroom.domain.model import AgentPrincipal, CustomerPrincipal, Room
from caseroom.services import conversations, messages
from caseroom.services.outbox import plan_outbox
from caseroom.storage.database import create_engine
from caseroom.storage.driver_path import DriverStatement
from caseroom.storage.uow import Database, UnitOfWork

BATCH = 50


async def measure(sends: int, kind: str = "sqlite") -> tuple[float, float]:
    """CPU milliseconds per send, and statements per send (BEGIN and COMMIT included)."""
    async with scratch_database(kind) as url:
        engine = create_engine(url)
        statements = 0

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def count(*_: object) -> None:
            nonlocal statements
            statements += 1

        # The send's own statements skip SQLAlchemy's cursor events.
        run_on_driver = DriverStatement.execute

        async def counted(self: DriverStatement, *args: Any, **kwargs: Any) -> list[Any]:
            nonlocal statements
            statements += 1
            return await run_on_driver(self, *args, **kwargs)

        DriverStatement.execute = counted  # type: ignore[method-assign]
        db = Database(engine, _nowhere, plan_outbox=plan_outbox)
        staff = await _staff(db, f"cpu-{uuid.uuid4().hex[:8]}", 1)

        async def start(uow: UnitOfWork) -> conversations.Started:
            contact = conversations.Contact(name="Casey", email="casey@bench.example")
            return await conversations.start_conversation(
                uow, staff.org.slug, contact, subject=None, message="hello",
                idempotency_key=None, token_ttl=timedelta(days=1), max_chars=20_000,
            )  # fmt: skip

        started = await db.run(start)
        grants = frozenset({started.issue.id})
        customer = CustomerPrincipal(
            staff.org.id, started.customer, grants, started.token.credential.id
        )
        agent = AgentPrincipal(staff.org.id, staff.agents[0])

        async def one(n: int) -> None:
            sender = customer if n % 2 else agent
            new = messages.NewMessage(Room.PUBLIC, "x" * 80, idempotency_key=uuid.uuid4().hex)

            async def work(uow: UnitOfWork) -> messages.Sent:
                return await messages.send_message(
                    sender, uow, started.issue.id, new, max_chars=20_000
                )

            await db.run_grouped(work, key=started.issue.id)

        await asyncio.gather(*(one(n) for n in range(4 * BATCH)))  # warm up
        began, statements = time.process_time(), 0
        for first in range(0, sends, BATCH):
            await asyncio.gather(*(one(n) for n in range(first, first + BATCH)))
        spent, executed = time.process_time() - began, statements
        await engine.dispose()
        DriverStatement.execute = run_on_driver  # type: ignore[method-assign]
        # COMMIT goes through the driver, not a cursor, and so does BEGIN on
        # PostgreSQL (SQLite's BEGIN IMMEDIATE is a cursor statement): counted
        # here per group of BATCH.
        per_group = 1 if kind == "sqlite" else 2
        return spent / sends * 1000, (executed + per_group * sends / BATCH) / sends


def main() -> None:
    sends = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    kind = sys.argv[2] if len(sys.argv) > 2 else "sqlite"
    cpu, statements = asyncio.run(measure(sends, kind))
    print(
        f"send path, in process, {kind}: {cpu:.3f} ms CPU per message, "
        f"{statements:.2f} statements per message ({sends} sends)"
    )


if __name__ == "__main__":
    main()
