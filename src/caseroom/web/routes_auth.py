"""Sign-in for the console, the current principal, and API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import assert_never

from fastapi import APIRouter, Request, Response, status

from caseroom.domain.errors import NotAuthenticated
from caseroom.domain.model import AgentPrincipal, BotPrincipal, CustomerPrincipal
from caseroom.services import auth, directory, preferences
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Context,
    CurrentPrincipal,
    check_csrf,
    client_address,
)
from caseroom.web.schemas import (
    AgentOut,
    LocaleIn,
    LocaleOut,
    LoginOut,
    LoginRequest,
    MeOut,
    TokenCreate,
    TokenOut,
)

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.post("/auth/login", response_model=LoginOut)
async def login(
    body: LoginRequest, request: Request, response: Response, context: Context
) -> LoginOut:
    settings = context.settings
    address = client_address(request)
    ttl = timedelta(hours=settings.session_ttl_hours)

    async def work(uow: UnitOfWork) -> tuple[AgentPrincipal, auth.IssuedToken]:
        return await auth.sign_in(
            uow,
            body.email,
            body.password,
            organization=body.organization,
            session_ttl=ttl,
            client_address=address,
        )

    earlier = request.cookies.get(SESSION_COOKIE)

    async def rotate(uow: UnitOfWork) -> tuple[AgentPrincipal, auth.IssuedToken]:
        signed_in = await work(uow)
        if earlier:  # a session already in this browser ends: one session per sign-in
            await auth.sign_out(uow, earlier)
        return signed_in

    async def failed(uow: UnitOfWork) -> None:
        await auth.record_failed_sign_in(
            uow, body.email, organization=body.organization, client_address=address
        )

    try:
        principal, issued = await context.db.run(rotate)
    except NotAuthenticated:
        await context.db.run(failed)
        raise
    csrf = secrets.token_urlsafe(24)
    age, secure = int(ttl.total_seconds()), settings.cookie_secure
    response.set_cookie(
        SESSION_COOKIE, issued.token, max_age=age, secure=secure, httponly=True, samesite="lax"
    )
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=age, secure=secure, httponly=False, samesite="strict"
    )
    return LoginOut(agent=AgentOut.of(principal.agent), csrf_token=csrf)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(request: Request, response: Response, context: Context) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        check_csrf(request)

        async def work(uow: UnitOfWork) -> None:
            await auth.sign_out(uow, token)

        await context.db.run(work)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)


@router.post("/auth/logout-everywhere", status_code=status.HTTP_204_NO_CONTENT)
async def logout_everywhere(
    request: Request, response: Response, principal: CurrentPrincipal, context: Context
) -> None:
    """End every session of the signed-in agent, on every device (this one too)."""

    async def work(uow: UnitOfWork) -> None:
        await auth.sign_out_everywhere(principal, uow)

    await context.db.run(work)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)


@router.get("/me", response_model=MeOut)
async def me(principal: CurrentPrincipal) -> MeOut:
    match principal:
        case AgentPrincipal():
            return MeOut(
                kind="agent",
                org_id=principal.org_id,
                agent=AgentOut.of(principal.agent),
                locale=principal.agent.locale,
            )
        case CustomerPrincipal(customer=customer):
            return MeOut(
                kind="customer",
                org_id=principal.org_id,
                customer={"id": customer.id, "name": customer.name},
            )
        case BotPrincipal(bot=bot):
            return MeOut(
                kind="bot",
                org_id=principal.org_id,
                bot={"id": bot.id, "nickname": bot.nickname, "kind": bot.kind.value},
            )
        case _:
            assert_never(principal)


@router.put("/me/locale", response_model=LocaleOut)
async def put_my_locale(body: LocaleIn, principal: CurrentPrincipal, context: Context) -> LocaleOut:
    """Agents only: the console's language on every device (null: the browser's)."""

    async def work(uow: UnitOfWork) -> str | None:
        return await preferences.set_my_locale(principal, uow, body.locale)

    return LocaleOut(locale=await context.db.run(work))


@router.get("/agents", response_model=list[AgentOut], tags=["directory"])
async def list_agents(principal: CurrentPrincipal, context: Context) -> list[AgentOut]:
    async def work(uow: UnitOfWork) -> list[AgentOut]:
        return [AgentOut.of(a) for a in await directory.list_agents(principal, uow)]

    return await context.db.read(work)


@router.post("/tokens", response_model=TokenOut, status_code=status.HTTP_201_CREATED)
async def create_token(
    body: TokenCreate, principal: CurrentPrincipal, context: Context
) -> TokenOut:
    async def work(uow: UnitOfWork) -> auth.IssuedToken:
        return await auth.create_api_token(principal, uow, body.name)

    issued = await context.db.run(work)
    credential = issued.credential
    return TokenOut(
        id=credential.id, name=credential.name, created_at=credential.created_at, token=issued.token
    )


@router.get("/tokens", response_model=list[TokenOut])
async def list_tokens(principal: CurrentPrincipal, context: Context) -> list[TokenOut]:
    async def work(uow: UnitOfWork) -> list[TokenOut]:
        found = await auth.list_api_tokens(principal, uow)
        return [TokenOut(id=c.id, name=c.name, created_at=c.created_at) for c in found]

    return await context.db.read(work)


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_token(token_id: str, principal: CurrentPrincipal, context: Context) -> None:
    async def work(uow: UnitOfWork) -> None:
        await auth.revoke_api_token(principal, uow, token_id)

    await context.db.run(work)
