"""The frames a client sends, one model per `type`, and what each one does.

`parse_frame` turns a text frame into one of the models or an `InvalidInput`
that says what is wrong ("subscribe needs issue_id and room"); `HANDLERS` maps
each model to its handler. A new kind of frame is a model, a handler and one
line in the table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from caseroom.domain.errors import Forbidden, InvalidInput, LimitReached
from caseroom.domain.model import AgentPrincipal, Channel, Message, MessageKind, Principal, Room
from caseroom.services import messages, presence, receipts
from caseroom.storage.uow import UnitOfWork
from caseroom.web.context import AppContext
from caseroom.web.stream.calls import CALL_FRAMES, CALL_HANDLERS

if TYPE_CHECKING:
    from caseroom.web.stream.session import StreamSession

Ref = Annotated[str | None, Field(default=None, max_length=128)]
IssueId = Annotated[str, Field(max_length=32)]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    ref: Ref = None


class Hello(_Frame):
    type: Literal["hello"]
    token: str = Field(max_length=200)


class Ping(_Frame):
    type: Literal["ping"]


class Subscribe(_Frame):
    type: Literal["subscribe"]
    issue_id: IssueId
    room: Room
    after: int | None = Field(default=None, ge=0)


class Unsubscribe(_Frame):
    type: Literal["unsubscribe"]
    issue_id: IssueId


class SubscribeInbox(_Frame):
    type: Literal["subscribe_inbox"]


class Send(_Frame):
    type: Literal["send"]
    issue_id: IssueId
    room: Room
    body: str
    kind: MessageKind = MessageKind.MESSAGE
    # How the message reaches the Customer; None: the Issue's reply channel
    # (agents), chat (Customers). Only the channels a sender may choose.
    channel: Literal["chat", "sms", "email"] | None = None
    idempotency_key: str = Field(min_length=8, max_length=128)


class Typing(_Frame):
    type: Literal["typing"]
    issue_id: IssueId
    room: Room


class ReceiptFrame(_Frame):
    """How far this reader has received and read the room (marks only move forward)."""

    type: Literal["receipt"]
    issue_id: IssueId
    room: Room
    delivered_seq: int | None = Field(default=None, ge=0)
    read_seq: int | None = Field(default=None, ge=0)


class Presence(_Frame):
    """The Customer's page shows the conversation (`online`) or is hidden (`away`)."""

    type: Literal["presence"]
    issue_id: IssueId
    state: Literal["online", "away"]


ClientFrame = Annotated[
    Hello
    | Ping
    | Subscribe
    | Unsubscribe
    | SubscribeInbox
    | Send
    | Typing
    | ReceiptFrame
    | Presence
    | CALL_FRAMES,
    Field(discriminator="type"),
]
_ADAPTER: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)


class BadFrame(InvalidInput):
    """A frame that is none of the models; `ref` is its ref when it had a usable one."""

    def __init__(self, detail: str, ref: str | None) -> None:
        super().__init__(detail)
        self.ref = ref


def parse_frame(raw: str) -> ClientFrame:
    try:
        return _ADAPTER.validate_json(raw)
    except ValidationError as error:
        raise BadFrame(_explain(error), _ref_of(raw)) from None


def _ref_of(raw: str) -> str | None:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    ref = data.get("ref") if isinstance(data, dict) else None
    return ref if isinstance(ref, str) and len(ref) <= 128 else None


def _explain(error: ValidationError) -> str:
    problems = error.errors()
    first = problems[0]
    if first["type"] == "union_tag_invalid":
        return f"unknown frame type {first['input'].get('type')!r}"
    if first["type"] == "union_tag_not_found":
        return "bad frame: it needs a type"
    if not first["loc"]:  # not JSON, or not an object
        return f"bad frame: {first['msg']}"
    frame_type = str(first["loc"][0])
    missing = [str(p["loc"][-1]) for p in problems if p["type"] == "missing"]
    if missing:
        fields = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} and {missing[-1]}"
        return f"{frame_type} needs {fields}"
    field = ".".join(str(part) for part in first["loc"][1:])
    if first["type"] == "extra_forbidden":
        return f"bad frame: {frame_type} has no field {field!r}"
    return f"bad frame: {frame_type}.{field}: {first['msg']}"


# -- what each frame does ---------------------------------------------------------


async def _hello(session: StreamSession, frame: Hello) -> None:
    raise InvalidInput("already authenticated: hello is only ever the first frame")


async def _ping(session: StreamSession, frame: Ping) -> None:
    session.reply({"type": "pong", "ref": frame.ref})


async def _subscribe(session: StreamSession, frame: Subscribe) -> None:
    session.subscribe(frame.issue_id, frame.room, after=frame.after, ref=frame.ref)


async def _unsubscribe(session: StreamSession, frame: Unsubscribe) -> None:
    session.unsubscribe(frame.issue_id)


async def _subscribe_inbox(session: StreamSession, frame: SubscribeInbox) -> None:
    if not isinstance(session.principal, AgentPrincipal):
        raise Forbidden("only agents have an inbox")
    session.follow_inbox()
    session.reply({"type": "subscribed_inbox", "ref": frame.ref})


async def _send(session: StreamSession, frame: Send) -> None:
    limit = session.context.settings.ws_max_sends_in_flight
    if session.sends_in_flight >= limit:
        raise LimitReached(
            f"{limit} sends are already waiting for their ack; retry this one later "
            "with the same idempotency_key",
            limit=limit,
        )
    session.start_send(frame.ref, lambda: post_message(session.context, session.principal, frame))


async def _typing(session: StreamSession, frame: Typing) -> None:
    principal = session.principal

    async def work(uow: UnitOfWork) -> None:
        await messages.announce_typing(principal, uow, frame.issue_id, frame.room)

    await session.context.db.announce(work)  # published at once, nothing committed


async def _receipt(session: StreamSession, frame: ReceiptFrame) -> None:
    principal = session.principal

    async def work(uow: UnitOfWork) -> None:
        await receipts.mark_receipt(
            principal,
            uow,
            frame.issue_id,
            frame.room,
            delivered_seq=frame.delivered_seq,
            read_seq=frame.read_seq,
        )

    await session.context.db.run(work)


async def _presence(session: StreamSession, frame: Presence) -> None:
    session.set_presence(frame.issue_id, frame.state)
    await announce(session.context, session.principal, frame.issue_id, frame.state)


async def announce(context: AppContext, principal: Principal, issue_id: str, state: str) -> None:
    """Announce the Customer's presence on an Issue (nothing for other principals)."""

    async def work(uow: UnitOfWork) -> None:
        await presence.announce_presence(principal, uow, issue_id, state)

    await context.db.announce(work)


async def post_message(context: AppContext, principal: Principal, frame: Send) -> Message:
    """The one call into the send path: stores the message, returns it committed."""
    new = messages.NewMessage(
        frame.room,
        frame.body,
        frame.kind,
        Channel(frame.channel) if frame.channel else None,
        frame.idempotency_key,
    )
    sent = await context.sender.post(principal, frame.issue_id, new)
    return sent.message


Handler = Callable[["StreamSession", Any], Awaitable[None]]

HANDLERS: dict[type[BaseModel], Handler] = {
    **CALL_HANDLERS,
    Hello: _hello,
    Ping: _ping,
    Subscribe: _subscribe,
    Unsubscribe: _unsubscribe,
    SubscribeInbox: _subscribe_inbox,
    Send: _send,
    Typing: _typing,
    ReceiptFrame: _receipt,
    Presence: _presence,
}
