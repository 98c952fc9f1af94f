"""widget settings

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-25 14:41:03.104451
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "widget_settings",
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.String(length=8), nullable=False),
        sa.Column("color", sa.String(length=7), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("greeting", sa.String(length=300), nullable=False),
        sa.Column("identity_secret", sa.String(length=128), nullable=True),
        sa.Column("secret_rotated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_widget_settings_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_widget_settings")),
    )


def downgrade() -> None:

    op.drop_table("widget_settings")
