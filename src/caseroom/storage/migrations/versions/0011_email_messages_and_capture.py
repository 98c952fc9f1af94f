"""email details of sent messages; captured outbound mail

Revision ID: 0011_email_out
Revises: 0010_calls
Create Date: 2026-12-02 01:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_email_out"
down_revision = "0010_calls"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_emails",
        sa.Column("message_id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("issue_id", sa.String(length=32), nullable=False),
        sa.Column("room", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=998), nullable=True),
        sa.Column("sender", sa.String(length=320), nullable=True),
        sa.Column("to_addresses", sa.JSON(), nullable=False),
        sa.Column("cc_addresses", sa.JSON(), nullable=False),
        sa.Column("header_id", sa.String(length=512), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_emails_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_message_emails_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name=op.f("fk_message_emails_issue_id_issues")
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_message_emails")),
    )
    op.create_index(
        "ix_message_emails_issue", "message_emails", ["org_id", "issue_id"], unique=False
    )
    op.create_table(
        "captured_mail",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("header_id", sa.String(length=512), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("subject", sa.String(length=998), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_captured_mail_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_captured_mail")),
        sa.UniqueConstraint("org_id", "header_id", name=op.f("uq_captured_mail_org_id_header_id")),
    )
    op.create_index("ix_captured_mail_org", "captured_mail", ["org_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_captured_mail_org", table_name="captured_mail")
    op.drop_table("captured_mail")
    op.drop_index("ix_message_emails_issue", table_name="message_emails")
    op.drop_table("message_emails")
