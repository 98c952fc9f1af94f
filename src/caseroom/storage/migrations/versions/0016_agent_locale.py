"""the console language an agent chose

Revision ID: 0016_agent_locale
Revises: 0015_search_and_workspace
Create Date: 2026-12-02 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_agent_locale"
down_revision = "0015_search_and_workspace"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("agents", sa.Column("locale", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("locale")
