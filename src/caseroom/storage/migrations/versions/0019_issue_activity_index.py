"""an index in last-activity order per status, for the views of the whole history

Revision ID: 0019_issue_activity_index
Revises: 0018_issue_surface
Create Date: 2026-12-03 15:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_issue_activity_index"
down_revision = "0018_issue_surface"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The views (all, open, resolved, closed) page through the organization's
    # Issues by last activity, one status at a time (storage/search.py): read in
    # that order, a page stops after its rows instead of sorting the whole view.
    op.create_index(
        "ix_issues_activity",
        "issues",
        ["org_id", "status", sa.text("coalesce(last_message_at, created_at)"), "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_issues_activity", table_name="issues")
