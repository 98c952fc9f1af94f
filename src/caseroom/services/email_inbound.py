"""An inbound email, from the bytes the SMTP listener took to a message in the
right Issue and room, stored in one transaction before the listener answers 250.

Matching, in this order: a signed reply token in any recipient (the envelope's,
To, Cc, Delivered-To); any In-Reply-To/References id sent or received for the
organization; the `[#REF]` subject tag when the sender is already that Issue's
Customer; else a new Issue. A reference never joins different senders.

Who wrote it decides the room:
- machine mail (auto-replies, lists, bounces, complaints) goes to the private
  room as machine mail: it never reopens the Issue, never notifies anyone and is
  never answered; a delivery report marks the original email bounced and the
  address as bouncing, a complaint suppresses the address;
- a private-room token (a collaborator's or a mentioned agent's reply) lands in
  the private room, unless the sender is the Issue's Customer: a Customer's mail
  only ever lands in the public room;
- an agent of the organization answering a Customer's mail from another mail
  client lands in the public room as that agent, already delivered (never sent
  again);
- anyone else writes as a Customer through `receive_inbound`.

The text shown is the text part (or a rendering of the HTML) with the quoted
history folded away; the sanitized HTML and the fold are kept in
`inbound_mails` for the console. Files (attachments and inline `cid:` images)
become files of the message, named and sniffed as chat uploads are, and the
original `.eml` is kept as an agents-only file in the private room.

This module takes the mail from the listener (recipients, parsing, the files
staged in the blob store, the one transaction); `email_landing` stores it."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from caseroom.channels.email.mailboxes import Recipient, mailbox_index, resolve
from caseroom.channels.email.parsing import ParsedMail, parse_mail
from caseroom.channels.email.threading import base_subject
from caseroom.domain.errors import InvalidInput, MalformedMail
from caseroom.domain.files import SNIFF_BYTES, StoredFile, clean_filename, sniff_content_type
from caseroom.domain.model import Channel
from caseroom.services.email_landing import (
    IntakeLimits,
    StagedFiles,
    StoredMail,
    store_mail,
    token_secret,
)
from caseroom.storage.blobs import BlobStore, StagedBlob
from caseroom.storage.uow import Database, UnitOfWork


class MailRefused(Exception):
    """The mail is not taken: the SMTP reply says why (nothing was stored)."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(text)
        self.code = code
        self.text = text

    @property
    def reply(self) -> str:
        return f"{self.code} {self.text}"


class MailIntake:
    """What the SMTP listener calls: who a recipient is, and storing a mail."""

    def __init__(
        self, db: Database, store: BlobStore, limits: IntakeLimits, installation_key: str
    ) -> None:
        self.db = db
        self.store = store
        self.limits = limits
        self.installation_key = installation_key

    async def recipient(self, address: str) -> Recipient | None:
        """The organization an RCPT address reaches, or None (answered 550)."""

        async def work(uow: UnitOfWork) -> Recipient | None:
            return await _resolve(uow, address, self.installation_key)

        return await self.db.read(work)

    async def receive(
        self, mail_from: str | None, rcpt_tos: Sequence[str], raw: bytes
    ) -> list[StoredMail]:
        """Parse the mail and store it for every organization it was sent to, all
        in one transaction; raises MailRefused (nothing stored) when it cannot be."""
        try:
            parsed = await asyncio.to_thread(parse_mail, raw, envelope_sender=mail_from)
        except MalformedMail as error:
            raise MailRefused(550, f"5.6.0 {error}") from error
        recipients = [r for r in [await self.recipient(a) for a in rcpt_tos] if r is not None]
        orgs = list(dict.fromkeys(r.org_id for r in recipients))
        if not orgs:
            raise MailRefused(550, "5.1.1 no mailbox here for any recipient")
        staged = {org_id: await self._stage(org_id, parsed, raw) for org_id in orgs}
        kept: list[StagedBlob] = []
        try:
            for part in staged.values():
                for blob in part.blobs:
                    if await self.store.keep(blob):
                        kept.append(blob)

            async def work(uow: UnitOfWork) -> list[StoredMail]:
                return [
                    await store_mail(
                        uow,
                        org_id,
                        parsed,
                        raw,
                        tuple(rcpt_tos),
                        staged[org_id],
                        self.limits,
                        self.installation_key,
                    )
                    for org_id in orgs
                ]

            try:
                stored = await self.db.run(work)
            except InvalidInput as error:
                raise MailRefused(550, f"5.6.0 {error}") from error
        except BaseException:
            await self._forget(kept)
            raise
        finally:
            for part in staged.values():
                for blob in part.blobs:
                    await self.store.discard(blob)
        if not any(s.created for s in stored):
            await self._forget(kept)  # a copy: the original keeps its files
        return stored

    async def _stage(self, org_id: str, parsed: ParsedMail, raw: bytes) -> StagedFiles:
        staged = StagedFiles()
        try:
            for part in parsed.parts:
                name = clean_filename(part.filename, max_chars=self.limits.max_filename_chars)
                if len(part.data) > self.limits.max_file_bytes:
                    staged.left_out.append(f"{name} (larger than {self.limits.max_file_bytes} B)")
                    continue
                if len(staged.files) >= self.limits.max_files:
                    staged.left_out.append(f"{name} (more than {self.limits.max_files} files)")
                    continue
                blob = await self._write(org_id, part.data)
                stored = StoredFile(name, sniff_content_type(blob.head), blob.size, blob.sha256)
                staged.files.append((blob, stored, part.content_id))
            blob = await self._write(org_id, raw)
            eml_name = clean_filename(
                f"{base_subject(parsed.subject) or 'mail'}.eml",
                max_chars=self.limits.max_filename_chars,
            )
            staged.eml = (blob, StoredFile(eml_name, "message/rfc822", blob.size, blob.sha256))
        except BaseException:
            for blob in staged.blobs:
                await self.store.discard(blob)
            raise
        return staged

    async def _write(self, org_id: str, data: bytes) -> StagedBlob:
        writer = self.store.writer(org_id, SNIFF_BYTES)
        try:
            await writer.write(data)
            return await writer.finish()
        except BaseException:
            await writer.abort()
            raise

    async def _forget(self, blobs: Sequence[StagedBlob]) -> None:
        for blob in blobs:

            async def in_use(uow: UnitOfWork, blob: StagedBlob = blob) -> bool:
                return await uow.attachments.blob_in_use(blob.org_id, blob.sha256)

            if not await self.db.read(in_use):
                await self.store.delete(blob.org_id, blob.sha256)


async def _resolve(uow: UnitOfWork, address: str, installation_key: str) -> Recipient | None:
    mailboxes = mailbox_index(await uow.channels.enabled_configs(Channel.EMAIL))
    direct = resolve(address, mailboxes)
    if direct is not None:
        return direct
    local, _, domain = address.strip().strip("<>").lower().rpartition("@")
    org_id = mailboxes.get(f"{local.split('+', 1)[0]}@{domain}")
    if org_id is None:
        return None
    secret = await token_secret(uow, org_id, installation_key)
    return resolve(address, mailboxes, {org_id: secret})
