"""Sign-in, sessions, API tokens and customer tokens: turning a secret into a principal."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from caseroom.domain.audit import Actor, ActorKind
from caseroom.domain.errors import InvalidInput, NotAuthenticated, NotFound
from caseroom.domain.ids import new_id
from caseroom.domain.model import (
    AgentPrincipal,
    Bot,
    BotGrant,
    BotKind,
    BotPrincipal,
    Customer,
    CustomerPrincipal,
    Principal,
)
from caseroom.domain.records import Credential
from caseroom.services.audit import audit
from caseroom.services.common import require_admin, require_agent, utcnow
from caseroom.storage.uow import UnitOfWork

_hasher = PasswordHasher()
# Verified against when no agent matches, so a wrong email costs the same time.
_DUMMY_HASH = _hasher.hash("caseroom-timing-equalizer")


def use_password_cost(time_cost: int, memory_kib: int) -> None:
    """Hash new passwords with these Argon2id parameters (process-wide; a stored
    hash names its own, so passwords hashed before still verify)."""
    global _hasher, _DUMMY_HASH
    if (_hasher.time_cost, _hasher.memory_cost) == (time_cost, memory_kib):
        return
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
    _DUMMY_HASH = _hasher.hash("caseroom-timing-equalizer")


SESSION, API, CUSTOMER, BOT = "session", "api", "customer", "bot"
_PREFIX = {SESSION: "crs", API: "cra", CUSTOMER: "crc", BOT: "crb", "invite": "cri"}
# Credentials that stand for a principal (an invitation only sets a password).
_SIGNED_IN = frozenset({SESSION, API, CUSTOMER, BOT})


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    credential: Credential


async def issue_token(
    uow: UnitOfWork,
    *,
    org_id: str,
    kind: str,
    subject_id: str,
    now: datetime,
    ttl: timedelta | None,
    name: str | None = None,
    all_issues: bool = False,
) -> IssuedToken:
    """Mint a secret; only its hash is stored."""
    token = f"{_PREFIX[kind]}_{secrets.token_urlsafe(32)}"
    credential = Credential(
        new_id(), org_id, kind, subject_id, all_issues, name, now, now + ttl if ttl else None, None
    )
    await uow.credentials.add(credential, token_hash(token))
    return IssuedToken(token, credential)


async def sign_in(
    uow: UnitOfWork,
    email: str,
    password: str,
    *,
    organization: str | None,
    session_ttl: timedelta,
    client_address: str | None = None,
) -> tuple[AgentPrincipal, IssuedToken]:
    candidates = await uow.agents.with_password_by_email(email.strip().lower())
    if organization:
        org = await uow.organizations.by_slug(organization)
        candidates = [c for c in candidates if org and c[0].org_id == org.id]
    if len(candidates) > 1:
        raise InvalidInput(
            "this email belongs to several organizations; give `organization`",
            field="organization",
        )
    agent, password_hash = candidates[0] if candidates else (None, None)
    if not await asyncio.to_thread(_verify, password_hash, password) or agent is None:
        raise NotAuthenticated("wrong email or password")
    now = utcnow()
    issued = await issue_token(
        uow, org_id=agent.org_id, kind=SESSION, subject_id=agent.id, now=now, ttl=session_ttl
    )
    principal = AgentPrincipal(agent.org_id, agent, client_address)
    await audit(uow, agent.org_id, principal, "auth.sign_in", ("agent", agent.id))
    return principal, issued


async def record_failed_sign_in(
    uow: UnitOfWork, email: str, *, organization: str | None, client_address: str | None
) -> None:
    """A wrong password for an existing account goes into that organization's
    audit log (an unknown email has no organization to tell)."""
    candidates = await uow.agents.with_password_by_email(email.strip().lower())
    org = await uow.organizations.by_slug(organization) if organization else None
    for agent, _ in candidates:
        if organization and (org is None or agent.org_id != org.id):
            continue
        who = Actor(ActorKind.ANONYMOUS, None, "someone signing in", client_address)
        await audit(uow, agent.org_id, who, "auth.sign_in_failed", ("agent", agent.id))


async def sign_out_everywhere(principal: Principal, uow: UnitOfWork) -> int:
    """Every session of the signed-in agent ends (API tokens stay)."""
    agent = require_agent(principal)
    revoked = await uow.people.revoke_credentials(
        agent.org_id, agent.agent.id, (SESSION,), utcnow()
    )
    await audit(uow, agent.org_id, agent, "auth.sign_out_everywhere", ("agent", agent.agent.id))
    return revoked


async def authenticate(uow: UnitOfWork, token: str) -> tuple[Principal, Credential]:
    """The principal a bearer token or session cookie stands for."""
    credential = await uow.credentials.active_by_hash(token_hash(token), utcnow())
    if credential is None or credential.kind not in _SIGNED_IN:
        raise NotAuthenticated("the token is unknown, expired or revoked")
    if credential.kind == CUSTOMER:
        customer = await uow.customers.get(credential.org_id, credential.subject_id)
        if customer is None:
            raise NotAuthenticated("the token is unknown, expired or revoked")
        grants = (
            None
            if credential.all_issues
            else await uow.credentials.granted_issues(credential.org_id, credential.id)
        )
        return CustomerPrincipal(credential.org_id, customer, grants, credential.id), credential
    if credential.kind == BOT:
        return await _bot_principal(uow, credential), credential
    agent = await uow.agents.get(credential.org_id, credential.subject_id)
    if agent is None or not agent.active:
        raise NotAuthenticated("the token is unknown, expired or revoked")
    return AgentPrincipal(agent.org_id, agent), credential


async def _bot_principal(uow: UnitOfWork, credential: Credential) -> BotPrincipal:
    """A bot's reply token: its grant on the one Issue it was called on."""
    bot = await uow.bots.get(credential.org_id, credential.subject_id)
    issues = await uow.credentials.granted_issues(credential.org_id, credential.id)
    if bot is None or not bot.active or len(issues) != 1:
        raise NotAuthenticated("the token is unknown, expired or revoked")
    (issue_id,) = issues
    grant = BotGrant.welcome(issue_id) if bot.kind is BotKind.WELCOME else BotGrant.assist(issue_id)
    return BotPrincipal(credential.org_id, bot, grant)


async def issue_bot_token(
    uow: UnitOfWork, bot: Bot, issue_id: str, *, ttl: timedelta
) -> IssuedToken:
    """A token the bot answers a call with later, through the API: it may do on
    `issue_id` what its kind grants, until it expires."""
    issued = await issue_token(
        uow,
        org_id=bot.org_id,
        kind=BOT,
        subject_id=bot.id,
        now=utcnow(),
        ttl=ttl,
        name=bot.nickname,
    )
    await uow.credentials.grant_issue(bot.org_id, issued.credential.id, issue_id)
    return issued


async def sign_out(uow: UnitOfWork, token: str) -> None:
    await uow.credentials.revoke_by_hash(token_hash(token), utcnow())


async def create_api_token(principal: Principal, uow: UnitOfWork, name: str) -> IssuedToken:
    admin = require_admin(principal)
    issued = await issue_token(
        uow,
        org_id=admin.org_id,
        kind=API,
        subject_id=admin.agent.id,
        now=utcnow(),
        ttl=None,
        name=name,
    )
    target = ("api_token", issued.credential.id)
    await audit(uow, admin.org_id, admin, "api_token.create", target, {"name": name})
    return issued


async def list_api_tokens(principal: Principal, uow: UnitOfWork) -> list[Credential]:
    admin = require_admin(principal)
    return await uow.credentials.list(admin.org_id, API)


async def revoke_api_token(principal: Principal, uow: UnitOfWork, credential_id: str) -> None:
    admin = require_admin(principal)
    if not await uow.credentials.revoke(admin.org_id, credential_id, API, utcnow()):
        raise NotFound("no such API token")
    await audit(uow, admin.org_id, admin, "api_token.revoke", ("api_token", credential_id))


async def issue_customer_token(
    uow: UnitOfWork, customer: Customer, issue_id: str, ttl: timedelta
) -> IssuedToken:
    """A token for a customer whose identity nobody vouched for: it grants only
    `issue_id` (and Issues later started through it), never their older history."""
    issued = await issue_token(
        uow, org_id=customer.org_id, kind=CUSTOMER, subject_id=customer.id, now=utcnow(), ttl=ttl
    )
    await uow.credentials.grant_issue(customer.org_id, issued.credential.id, issue_id)
    return issued
