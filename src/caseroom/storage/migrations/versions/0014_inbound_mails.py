"""inbound mails: what an email carried besides its message text

Revision ID: 0014_inbound_mails
Revises: 0013_bots
Create Date: 2026-12-02 01:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_inbound_mails"
down_revision = "0013_bots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_mails",
        sa.Column("message_id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("issue_id", sa.String(length=32), nullable=False),
        sa.Column("mail_id", sa.String(length=512), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("subject", sa.String(length=1000), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("quoted", sa.Text(), nullable=True),
        sa.Column("machine", sa.JSON(), nullable=True),
        sa.Column("original_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_inbound_mails_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_inbound_mails_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name=op.f("fk_inbound_mails_issue_id_issues")
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_inbound_mails")),
        sa.UniqueConstraint(
            "org_id",
            "mail_id",
            "content_hash",
            name=op.f("uq_inbound_mails_org_id_mail_id_content_hash"),
        ),
    )


def downgrade() -> None:
    op.drop_table("inbound_mails")
