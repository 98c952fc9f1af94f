"""each Issue's tags a row each, for the tag views

Revision ID: 0020_issue_tags
Revises: 0019_issue_activity_index
Create Date: 2026-12-03 16:10:00.000000
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0020_issue_tags"
down_revision = "0019_issue_activity_index"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    tags = op.create_table(
        "issue_tags",
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.Column("issue_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_issue_tags_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name=op.f("fk_issue_tags_issue_id_issues")
        ),
        sa.PrimaryKeyConstraint("org_id", "tag", "issue_id", name=op.f("pk_issue_tags")),
    )
    op.create_index("ix_issue_tags_issue", "issue_tags", ["issue_id"])
    issues = sa.table("issues", sa.column("id"), sa.column("org_id"), sa.column("tags"))
    conn = op.get_bind()
    rows = conn.execute(sa.select(issues.c.id, issues.c.org_id, issues.c.tags)).all()
    pending: list[dict[str, str]] = []
    for issue_id, org_id, stored in rows:
        listed = json.loads(stored) if isinstance(stored, str) else (stored or [])
        pending.extend({"org_id": org_id, "tag": tag, "issue_id": issue_id} for tag in listed)
        if len(pending) >= _BATCH:
            op.bulk_insert(tags, pending)
            pending = []
    if pending:
        op.bulk_insert(tags, pending)


def downgrade() -> None:
    op.drop_index("ix_issue_tags_issue", table_name="issue_tags")
    op.drop_table("issue_tags")
