"""Secrets at rest: channel credentials (SMTP passwords, SMS auth tokens) are
stored encrypted with a key from the settings, so a copy of the database alone
does not hand them out. Fernet (AES-128-CBC with HMAC-SHA256) from
`cryptography` does the cryptography; several keys may be given, the first
encrypting and all decrypting, so a key can be rotated."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretBox:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    def seal(self, values: dict[str, str]) -> str:
        return self._fernet.encrypt(orjson.dumps(values)).decode()

    def open(self, sealed: str | None) -> dict[str, str]:
        if not sealed:
            return {}
        try:
            data = orjson.loads(self._fernet.decrypt(sealed.encode()))
        except InvalidToken as error:
            raise ValueError("stored secrets cannot be read with the configured keys") from error
        return {str(k): str(v) for k, v in data.items()}


def load_or_create_key(path: Path) -> str:
    """The key kept in `path`, made on first use (readable by its owner only): a
    single-machine install works without configuring one."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as file:
        file.write(key + "\n")
    return key
