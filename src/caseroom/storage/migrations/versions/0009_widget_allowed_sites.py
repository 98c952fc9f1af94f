"""the sites that may frame an organization's chat

Revision ID: 0009_widget_allowed_sites
Revises: 0008_audit_log
Create Date: 2026-12-02 01:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_widget_allowed_sites"
down_revision = "0008_audit_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("widget_settings") as batch:
        batch.add_column(sa.Column("allowed_sites", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("widget_settings") as batch:
        batch.drop_column("allowed_sites")
