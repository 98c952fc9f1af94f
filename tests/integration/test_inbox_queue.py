"""The unclaimed queue: the agent's teams and Issues of no team, oldest first,
paged by cursor. On both databases."""

from __future__ import annotations

from caseroom.domain.model import Queue
from caseroom.services import issues, organizations
from caseroom.storage.uow import Database, UnitOfWork
from tests.builders import make_org
from tests.integration.test_messages import start


async def test_unclaimed_lists_my_teams_and_no_team_oldest_first_in_pages(db: Database) -> None:
    org = await make_org(db)

    async def billing_team(uow: UnitOfWork) -> str:
        team = await organizations.add_team(uow, org.org, "Billing", members=[org.admin])
        return team.id

    billing = await db.run(billing_team)
    opened = [
        (await start(db, org, email=f"customer{n}@customer.example")).issue.id for n in range(6)
    ]

    async def assign(issue_id: str, team_id: str) -> None:
        async def work(uow: UnitOfWork) -> None:
            await issues.assign_issue(
                org.principal(org.admin), uow, issue_id, agent_id=None, team_id=team_id
            )

        await db.run(work)

    await assign(opened[1], billing)
    await assign(opened[4], billing)
    await assign(opened[2], org.team.id)

    async def page(cursor: str | None) -> list[str]:
        async def work(uow: UnitOfWork) -> list[str]:
            found = await issues.list_queue(org.principal(org.ana), uow, Queue.UNCLAIMED, cursor, 2)
            return [i.id for i in found]

        return await db.read(work)

    first = await page(None)
    second = await page(first[-1])
    third = await page(second[-1])
    assert first + second + third == [opened[0], opened[2], opened[3], opened[5]]
    assert third == []
