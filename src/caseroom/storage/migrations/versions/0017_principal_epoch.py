"""the principal epoch: what tells processes that a credential changed

Revision ID: 0017_principal_epoch
Revises: 0016_agent_locale
Create Date: 2026-12-02 17:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_principal_epoch"
down_revision = "0016_agent_locale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "principal_epoch",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "epoch": 0}])


def downgrade() -> None:
    op.drop_table("principal_epoch")
