"""where the Customer started an Issue (widget, embed, connect, sms, email, api)

Revision ID: 0018_issue_surface
Revises: 0017_principal_epoch
Create Date: 2026-12-02 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_issue_surface"
down_revision = "0017_principal_epoch"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("issues", sa.Column("surface", sa.String(length=16), nullable=True))
    # A text or a mail says where it came from; which chat page a web chat
    # started on was never recorded, so those stay unknown.
    issues = sa.table("issues", sa.column("source_channel"), sa.column("surface"))
    for channel in ("sms", "email"):
        op.execute(
            issues.update().where(issues.c.source_channel == channel).values(surface=channel)
        )


def downgrade() -> None:
    with op.batch_alter_table("issues") as batch:
        batch.drop_column("surface")
