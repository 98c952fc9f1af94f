"""video calls

Revision ID: 0010_calls
Revises: 0009_widget_allowed_sites
Create Date: 2026-12-02 01:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_calls"
down_revision = "0009_widget_allowed_sites"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("issue_id", sa.String(length=32), nullable=False),
        sa.Column("room", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_by", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ring_until", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_reason", sa.String(length=16), nullable=True),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("declined_by", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_calls_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(["issue_id"], ["issues.id"], name=op.f("fk_calls_issue_id_issues")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
    )
    op.create_index("ix_calls_issue", "calls", ["org_id", "issue_id", "started_at"], unique=False)
    op.create_index("ix_calls_state", "calls", ["org_id", "state"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_calls_state", table_name="calls")
    op.drop_index("ix_calls_issue", table_name="calls")
    op.drop_table("calls")
