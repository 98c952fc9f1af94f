"""Operator commands of `caseroom`: set up a desk, manage agents and API tokens,
let a locked-out admin back in, list organizations. They act as the operator
(someone with a shell on the server) and are written to the audit log as such."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from caseroom.config import Settings
from caseroom.domain.audit import Actor, operator_actor
from caseroom.domain.errors import DomainError, NotFound
from caseroom.domain.model import Agent, Organization, Role
from caseroom.realtime.backends import broker_from_url
from caseroom.realtime.hub import Hub
from caseroom.services import admin_agents, setup
from caseroom.services.audit import audit
from caseroom.services.auth import API, issue_token
from caseroom.services.common import utcnow
from caseroom.storage.database import create_engine
from caseroom.storage.migrate import upgrade_async
from caseroom.storage.uow import Database, UnitOfWork

T = TypeVar("T")
COMMANDS = frozenset({"init", "agent", "token", "admin", "orgs"})
PASSWORD_ENV = "CASEROOM_ADMIN_PASSWORD"


def register(commands: Any) -> None:
    """Add the operator commands to the `caseroom` parser's subcommands."""
    init = commands.add_parser("init", help="set up a desk: organization, first admin, team")
    init.add_argument("--database-url")
    init.add_argument("--org-slug", help="short name used in chat links, e.g. acme")
    init.add_argument("--org-name", help="the name Customers see")
    init.add_argument("--admin-email")
    init.add_argument("--admin-name")
    init.add_argument(
        "--admin-password", help=f"prefer the {PASSWORD_ENV} variable: flags show in `ps`"
    )
    init.add_argument("--team", default=None, help="first team (default Support)")
    init.add_argument("--hours", help="e.g. 'Mon-Fri 09:00-17:00'")
    init.add_argument("--timezone", help="e.g. Europe/Berlin (default UTC)")
    init.add_argument("--no-input", action="store_true", help="never prompt; fail if missing")

    agent = commands.add_parser("agent", help="add, deactivate or reactivate an agent")
    agent_commands = agent.add_subparsers(dest="agent_command", required=True)
    add = agent_commands.add_parser("add", help="add an agent; prints their invitation link")
    _org_and_email(add)
    add.add_argument("--name", required=True)
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.AGENT.value)
    add.add_argument("--team", action="append", default=[], help="team name (repeatable)")
    for verb in ("deactivate", "reactivate"):
        _org_and_email(agent_commands.add_parser(verb, help=f"{verb} an agent"))

    token = commands.add_parser("token", help="create or revoke an API token")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    create = token_commands.add_parser("create", help="a token acting as an admin; shown once")
    _org_and_email(create, email_help="the admin the token acts as")
    create.add_argument("--name", required=True, help="what the token is for")
    revoke = token_commands.add_parser("revoke", help="revoke a token by its id")
    _org(revoke)
    revoke.add_argument("--id", required=True, dest="token_id")
    _org(token_commands.add_parser("list", help="the organization's live tokens"))

    admin = commands.add_parser("admin", help="help an admin back in")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True)
    reset = admin_commands.add_parser(
        "reset-password", help="set an agent's password (asked for); signs them out everywhere"
    )
    _org_and_email(reset)
    reset.add_argument("--password", help=f"or the {PASSWORD_ENV} variable; asked if neither")

    orgs = commands.add_parser("orgs", help="list the organizations on this server")
    orgs.add_argument("--database-url")


def _org(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url")
    parser.add_argument("--org", required=True, help="the organization's short name (slug)")


def _org_and_email(parser: argparse.ArgumentParser, email_help: str = "the agent's email") -> None:
    _org(parser)
    parser.add_argument("--email", required=True, help=email_help)


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        return asyncio.run(_dispatch(args, settings))
    except DomainError as error:
        field = error.extra.get("field")
        print(f"error: {error.detail}" + (f" ({field})" if field else ""), file=sys.stderr)
        return 1
    except _Aborted as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


class _Aborted(Exception):
    pass


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "init":
        plan = _plan(args)
        await upgrade_async(settings.database_url)
        desk = await _run(settings, lambda uow: _init(uow, plan, settings))
        print(f"organization {desk.org.slug!r} ({desk.org.name}) is ready.")
        print(f"  admin:    {desk.admin.email}  (sign in at {settings.public_url}/console)")
        print(f"  team:     {desk.team.name}")
        print(f"  chat:     {settings.public_url}/connect/{desk.org.slug}")
        return 0
    if args.command == "orgs":
        rows = await _read(settings, lambda uow: uow.people.organizations_overview())
        for slug, name, org_id, agents in rows:
            print(f"{slug:<24} {name:<32} {agents:>3} active agents  {org_id}")
        if not rows:
            print("no organizations yet: run `caseroom init`")
        return 0
    handler = {
        "agent": _agent_command,
        "token": _token_command,
        "admin": _admin_command,
    }[args.command]
    return await handler(args, settings)


async def _init(uow: UnitOfWork, plan: setup.DeskPlan, settings: Settings) -> setup.Desk:
    return await setup.do_set_up_desk(
        uow, plan, _operator(), password_min_chars=settings.password_min_chars
    )


def _operator() -> Actor:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return operator_actor(f"operator ({user})")


def _plan(args: argparse.Namespace) -> setup.DeskPlan:
    interactive = not args.no_input and sys.stdin.isatty()

    def value(given: str | None, prompt: str, default: str | None = None) -> str:
        if given:
            return str(given)
        if not interactive:
            if default is not None:
                return default
            raise _Aborted(f"{prompt.lower()} is missing (give it as a flag, or run in a terminal)")
        suffix = f" [{default}]" if default else ""
        answer = input(f"{prompt}{suffix}: ").strip()
        return answer or default or value(None, prompt, default)

    org_name = value(args.org_name, "Organization name")
    suggested = "".join(c if c.isalnum() else "-" for c in org_name.lower()).strip("-")[:64]
    slug = value(args.org_slug, "Short name for chat links", suggested or None)
    email = value(args.admin_email, "Admin email")
    name = value(args.admin_name, "Admin name")
    password = args.admin_password or os.environ.get(PASSWORD_ENV) or ""
    if not password:
        if not interactive:
            raise _Aborted(f"admin password is missing (set {PASSWORD_ENV} or --admin-password)")
        password = _ask_password()
    team = value(args.team, "First team", "Support")
    hours = (
        args.hours
        if args.hours is not None
        else (
            input("Hours of operation (e.g. Mon-Fri 09:00-17:00, empty for none): ").strip()
            if interactive
            else None
        )
    )
    timezone = value(args.timezone, "Time zone", "UTC")
    return setup.DeskPlan(slug, org_name, email, name, password, team, hours or None, timezone)


def _ask_password() -> str:
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise _Aborted("the passwords differ")
    return first


async def _run(settings: Settings, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    engine = create_engine(settings.database_url)
    hub = _hub(settings)
    try:
        if hub:
            await hub.start()
        return await Database(engine, hub.publish if hub else _nobody_listens).run(work)
    finally:
        if hub:
            await hub.stop()
        await engine.dispose()


def _hub(settings: Settings) -> Hub | None:
    """With a shared broker (Redis), what a command does reaches the servers' sockets
    (a deactivated agent's are closed); the in-process broker reaches no server."""
    if settings.broker_url in (None, "memory://"):
        return None
    return Hub(broker_from_url(settings.broker_url, prefix=settings.broker_prefix))


async def _read(settings: Settings, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    engine = create_engine(settings.database_url)
    try:
        return await Database(engine, _nobody_listens).read(work)
    finally:
        await engine.dispose()


async def _nobody_listens(events: object) -> None:
    """No shared broker: the servers' sockets are not told. Sessions end all the same
    (a deactivated agent's next request is refused); an open socket of theirs lasts
    until it reconnects."""


async def _org_of(uow: UnitOfWork, slug: str) -> Organization:
    org = await uow.organizations.by_slug(slug)
    if org is None:
        raise NotFound(f"no organization {slug!r} (see `caseroom orgs`)")
    return org


async def _agent_of(uow: UnitOfWork, slug: str, email: str) -> Agent:
    org = await _org_of(uow, slug)
    wanted = email.strip().lower()
    for agent in await uow.agents.list(org.id):
        if agent.email == wanted:
            return agent
    raise NotFound(f"no agent {wanted} in {slug!r}")


async def _agent_command(args: argparse.Namespace, settings: Settings) -> int:
    actor = _operator()
    if args.agent_command == "add":

        async def add(uow: UnitOfWork) -> admin_agents.Invited:
            org = await _org_of(uow, args.org)
            teams = {t.name.lower(): t.id for t in await uow.teams.list(org.id)}
            missing = [name for name in args.team if name.lower() not in teams]
            if missing:
                raise NotFound(f"no team {missing[0]!r} in {org.slug!r}")
            agent = await admin_agents.do_add_agent(
                uow,
                org.id,
                actor,
                email=args.email,
                name=args.name,
                role=Role(args.role),
                team_ids=tuple(teams[name.lower()] for name in args.team),
            )
            ttl = timedelta(hours=settings.invite_ttl_hours)
            return await admin_agents.do_issue_invite(uow, agent, actor, ttl)

        invited = await _run(settings, add)
        print(f"added {invited.agent.name} <{invited.agent.email}> as {invited.agent.role.value}.")
        print(f"They set their password at (valid {settings.invite_ttl_hours} hours, once):")
        print(f"  {settings.public_url}/invite#token={invited.token}")
        return 0

    async def switch(uow: UnitOfWork) -> str:
        agent = await _agent_of(uow, args.org, args.email)
        if args.agent_command == "deactivate":
            done = await admin_agents.do_deactivate_agent(uow, agent, actor, None)
            return (
                f"deactivated {agent.email}: {len(done.released)} open Issue(s) back in the "
                f"team queue, {done.sessions_revoked} session(s) ended"
            )
        await admin_agents.do_reactivate_agent(uow, agent, actor)
        return f"reactivated {agent.email}; they sign in with their password"

    print(await _run(settings, switch))
    return 0


async def _token_command(args: argparse.Namespace, settings: Settings) -> int:
    actor = _operator()
    if args.token_command == "list":

        async def listed(uow: UnitOfWork) -> list[str]:
            org = await _org_of(uow, args.org)
            return [
                f"{c.id}  {c.name or '':<30} created {c.created_at:%Y-%m-%d %H:%M}"
                for c in await uow.credentials.list(org.id, API)
            ]

        print("\n".join(await _read(settings, listed)) or "no API tokens")
        return 0
    if args.token_command == "create":

        async def create(uow: UnitOfWork) -> tuple[str, str]:
            agent = await _agent_of(uow, args.org, args.email)
            if agent.role is not Role.ADMIN or not agent.active:
                raise NotFound(f"{agent.email} is not an active admin of {args.org!r}")
            issued = await issue_token(
                uow, org_id=agent.org_id, kind=API, subject_id=agent.id, now=utcnow(), ttl=None,
                name=args.name,
            )  # fmt: skip
            target = ("api_token", issued.credential.id)
            await audit(uow, agent.org_id, actor, "api_token.create", target, {"name": args.name})
            return issued.credential.id, issued.token

        token_id, token = await _run(settings, create)
        print(f"token {token_id} (shown once; keep it secret):\n  {token}")
        return 0

    async def revoke(uow: UnitOfWork) -> None:
        org = await _org_of(uow, args.org)
        if not await uow.credentials.revoke(org.id, args.token_id, API, utcnow()):
            raise NotFound("no such live API token")
        await audit(uow, org.id, actor, "api_token.revoke", ("api_token", args.token_id))

    await _run(settings, revoke)
    print(f"revoked {args.token_id}")
    return 0


async def _admin_command(args: argparse.Namespace, settings: Settings) -> int:
    password = args.password or os.environ.get(PASSWORD_ENV) or ""
    if not password:
        if not sys.stdin.isatty():
            raise _Aborted(f"no password given (--password or {PASSWORD_ENV})")
        password = _ask_password()

    async def reset(uow: UnitOfWork) -> Agent:
        agent = await _agent_of(uow, args.org, args.email)
        await admin_agents.do_reset_password(
            uow, agent, _operator(), password, min_chars=settings.password_min_chars
        )
        return agent

    agent = await _run(settings, reset)
    print(f"new password set for {agent.email}; their sessions have ended")
    if not agent.active:
        print("note: the agent is deactivated; `caseroom agent reactivate` lets them in")
    return 0
