"""The one send path. Every sender (REST, multipart upload, the websocket, each
inbound channel and every bot) posts a message through `Sender.post`, which
owns what a send needs besides the use case itself:

- the transaction strategy: group commit, so sends that arrive together share
  one commit and each is answered only after it (durable before acknowledged);
- the files: blobs staged by the caller are kept in the store before the
  message that names them is written, and those this send stored first are
  forgotten again if it fails or turns out to be a retry;
- idempotency: a retried key returns the original message (`Sent.created` is
  False), decided in `send_message` within the transaction.

The web layer and the channel adapters only parse and answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from caseroom.domain.model import Principal
from caseroom.services.messages import NewMessage, Sent, send_message
from caseroom.storage.blobs import BlobStore, StagedBlob
from caseroom.storage.uow import Database, UnitOfWork


@dataclass(frozen=True, slots=True)
class Sender:
    db: Database
    store: BlobStore
    max_chars: int

    async def post(
        self,
        principal: Principal,
        issue_id: str,
        new: NewMessage,
        staged: Sequence[StagedBlob] = (),
        *,
        also: Callable[[UnitOfWork, Sent], Awaitable[None]] | None = None,
    ) -> Sent:
        """Store `new` in the Issue's room as `principal`, with the files staged in
        `staged` (whose temporary copies are always discarded). `also` runs in the
        same transaction after the send (what the message must change with it)."""
        stored_first: list[StagedBlob] = []
        try:
            for blob in staged:
                if await self.store.keep(blob):
                    stored_first.append(blob)

            async def work(uow: UnitOfWork) -> Sent:
                done = await send_message(principal, uow, issue_id, new, max_chars=self.max_chars)
                if also is not None:
                    await also(uow, done)
                return done

            sent: Sent = await self.db.run_grouped(work, key=issue_id)
        except BaseException:
            await self.forget_unused(stored_first)
            raise
        finally:
            for blob in staged:
                await self.store.discard(blob)
        if not sent.created:
            await self.forget_unused(stored_first)  # a retry keeps the original's files
        return sent

    async def forget_unused(self, blobs: Sequence[StagedBlob]) -> None:
        """Delete blobs a send stored first if no row refers to them."""
        for blob in blobs:

            async def in_use(uow: UnitOfWork, blob: StagedBlob = blob) -> bool:
                return await uow.attachments.blob_in_use(blob.org_id, blob.sha256)

            if not await self.db.read(in_use):
                await self.store.delete(blob.org_id, blob.sha256)
