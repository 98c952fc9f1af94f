"""merge heads; transcripts keep their cut-off

Revision ID: 0005
Revises: 0002, 0003, 0004
Create Date: 2026-11-25 16:08:15.050073
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = ("0002", "0003", "0004")
branch_labels = None
depends_on = None

_transcripts = sa.table(
    "transcripts",
    sa.column("id", sa.String),
    sa.column("issue_id", sa.String),
    sa.column("resolution_id", sa.String),
    sa.column("room", sa.String),
    sa.column("resolved_at", sa.DateTime),
    sa.column("upto_seq", sa.Integer),
)
_jobs = sa.table("jobs", sa.column("dedupe_key", sa.String), sa.column("payload", sa.JSON))
_messages = sa.table(
    "messages",
    sa.column("issue_id", sa.String),
    sa.column("room", sa.String),
    sa.column("seq", sa.Integer),
    sa.column("created_at", sa.DateTime),
)


def upgrade() -> None:
    with op.batch_alter_table("transcripts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("upto_seq", sa.Integer(), nullable=True))
    _backfill_upto_seq()
    with op.batch_alter_table("transcripts", schema=None) as batch_op:
        batch_op.alter_column("upto_seq", existing_type=sa.Integer(), nullable=False)


def _backfill_upto_seq() -> None:
    """Each filed transcript's cut-off, from its resolution's job (which recorded
    the rooms' last sequence numbers); without one, the room's last message
    written by the time of the resolution."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_transcripts.c.id, _transcripts.c.resolution_id, _transcripts.c.room)
    ).all()
    for row in rows:
        payload = bind.execute(
            sa.select(_jobs.c.payload).where(
                _jobs.c.dedupe_key == f"transcripts:{row.resolution_id}"
            )
        ).scalar()
        if payload is None:
            continue
        upto = int(payload["last_seq"][row.room])
        bind.execute(
            sa.update(_transcripts).where(_transcripts.c.id == row.id).values(upto_seq=upto)
        )
    latest = (
        sa.select(sa.func.coalesce(sa.func.max(_messages.c.seq), 0))
        .where(
            _messages.c.issue_id == _transcripts.c.issue_id,
            _messages.c.room == _transcripts.c.room,
            _messages.c.created_at <= _transcripts.c.resolved_at,
        )
        .scalar_subquery()
    )
    bind.execute(
        sa.update(_transcripts).where(_transcripts.c.upto_seq.is_(None)).values(upto_seq=latest)
    )


def downgrade() -> None:
    with op.batch_alter_table("transcripts", schema=None) as batch_op:
        batch_op.drop_column("upto_seq")
