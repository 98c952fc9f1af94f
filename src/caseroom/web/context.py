"""What the web layer needs, wired once in create_app and reached through the app."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from caseroom.config import Settings
from caseroom.jobs.worker import JobWorker
from caseroom.realtime.hub import Hub
from caseroom.services.file_links import FileLinks
from caseroom.services.sending import Sender
from caseroom.storage.blobs import BlobStore
from caseroom.storage.uow import Database
from caseroom.web.frame_gate import FrameGate
from caseroom.web.principal_cache import PrincipalCache


@dataclass(frozen=True, slots=True)
class AppContext:
    settings: Settings
    db: Database
    hub: Hub
    blobs: BlobStore
    worker: JobWorker
    sender: Sender
    links: FileLinks
    frames: FrameGate
    principals: PrincipalCache


def get_context(connection: HTTPConnection) -> AppContext:
    context: AppContext = connection.app.state.context
    return context
