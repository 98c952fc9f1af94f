"""The one-time code that guards the first-run page.

A server that starts with no organization prints a fresh code; whoever can read
the server's output can set up the desk at /setup. The code works once, and a
run of wrong guesses closes the page until the next start."""

from __future__ import annotations

import asyncio
import hmac
import secrets
import sys

from caseroom.domain.errors import Forbidden

_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # nothing that reads like another character
WRONG_GUESSES_MAX = 10


class SetupGate:
    def __init__(self) -> None:
        self._code: str | None = None
        self._wrong = 0
        # Held from checking the code until the desk is made: a second request
        # with the same code waits, then finds the page closed.
        self.in_use = asyncio.Lock()

    @property
    def code(self) -> str | None:
        return self._code

    def open(self, public_url: str) -> str:
        """Make a code and print where to use it."""
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
        self._code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        print(
            f"caseroom: no organization yet. Set one up at {public_url}/setup "
            f"with the code {self._code} (or run `caseroom init`).",
            file=sys.stderr,
            flush=True,
        )
        return self._code

    def check(self, given: str) -> None:
        if self._code is None:
            raise Forbidden("the first-run page is closed (restart the server for a new code)")
        if not hmac.compare_digest(given.strip().lower().encode(), self._code.encode()):
            self._wrong += 1
            if self._wrong >= WRONG_GUESSES_MAX:
                self._code = None
            raise Forbidden("wrong setup code (the server printed it when it started)")

    def close(self) -> None:
        self._code = None
