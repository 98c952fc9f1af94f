"""Password hashing cost: RFC 9106's recommended Argon2id parameters unless the
operator sets others, and a change of cost never locks anyone out."""

from __future__ import annotations

from caseroom.config import Settings
from caseroom.services import auth


def test_passwords_are_hashed_with_rfc_9106_parameters_by_default() -> None:
    fields = Settings.model_fields
    assert fields["password_hash_time_cost"].default == 3
    assert fields["password_hash_memory_kib"].default == 64 * 1024


def test_a_password_hashed_at_one_cost_still_verifies_at_another() -> None:
    before = (auth._hasher.time_cost, auth._hasher.memory_cost)
    try:
        auth.use_password_cost(2, 256)
        stored = auth.hash_password("correct horse battery")
        assert stored.startswith("$argon2id$v=19$m=256,t=2,")
        auth.use_password_cost(1, 64)
        assert auth._verify(stored, "correct horse battery")
        assert not auth._verify(stored, "wrong horse battery")
        assert auth.hash_password("x" * 12).startswith("$argon2id$v=19$m=64,t=1,")
    finally:
        auth.use_password_cost(*before)
