"""agents' mobile numbers, for texting a colleague from an Issue's private room

Revision ID: 0012_agent_mobiles
Revises: 0011_email_out
Create Date: 2026-12-02 01:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_agent_mobiles"
down_revision = "0011_email_out"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agent_mobiles",
        sa.Column("agent_id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_agent_mobiles_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_agent_mobiles_agent_id_agents")
        ),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_agent_mobiles")),
        sa.UniqueConstraint("org_id", "number", name=op.f("uq_agent_mobiles_org_id_number")),
    )


def downgrade() -> None:
    op.drop_table("agent_mobiles")
