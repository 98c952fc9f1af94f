"""Files for channels that cannot carry them: the delivery job puts signed,
expiring links to a message's files into the email or text, and a link opens
exactly that file, for whoever holds it, until it expires."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from caseroom.domain import file_links
from caseroom.domain.errors import Gone, NotFound
from caseroom.domain.file_links import FileLinkKeys
from caseroom.domain.model import Attachment
from caseroom.storage.uow import UnitOfWork

LINK_PATH = "/f/"


@dataclass(frozen=True, slots=True)
class FileLinks:
    public_url: str
    keys: FileLinkKeys
    ttl: timedelta

    def url_for(self, attachment: Attachment, now: datetime) -> str:
        token = file_links.sign_link(self.keys, attachment.id, now + self.ttl)
        return f"{self.public_url.rstrip('/')}{LINK_PATH}{quote(token, safe='.')}"

    async def open(self, uow: UnitOfWork, token: str, now: datetime) -> Attachment:
        """The file a link names. Forged links and files that are gone look the
        same (404); a genuine link past its time says so (410)."""
        try:
            attachment_id = file_links.read_link(self.keys, token, now)
        except file_links.LinkExpired as error:
            raise Gone("this link has expired: ask for the file again") from error
        except file_links.LinkInvalid as error:
            raise NotFound("no such file") from error
        found = await uow.attachments.find(attachment_id)
        if found is None:
            raise NotFound("no such file")
        return found
