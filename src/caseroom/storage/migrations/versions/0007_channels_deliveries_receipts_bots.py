"""channels, deliveries, receipts, thread references, bots

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:10:37.565043
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("nickname", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_bots_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bots")),
        sa.UniqueConstraint("org_id", "nickname", name=op.f("uq_bots_org_id_nickname")),
    )
    op.create_table(
        "channel_settings",
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("secrets", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_channel_settings_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("org_id", "channel", name=op.f("pk_channel_settings")),
    )
    op.create_table(
        "contact_blocks",
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_contact_blocks_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("org_id", "channel", "address", name=op.f("pk_contact_blocks")),
    )
    op.create_table(
        "receipts",
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("issue_id", sa.String(length=32), nullable=False),
        sa.Column("room", sa.String(length=16), nullable=False),
        sa.Column("reader_kind", sa.String(length=16), nullable=False),
        sa.Column("reader_id", sa.String(length=32), nullable=False),
        sa.Column("delivered_seq", sa.Integer(), nullable=False),
        sa.Column("read_seq", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name=op.f("fk_receipts_issue_id_issues")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_receipts_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint(
            "issue_id", "room", "reader_kind", "reader_id", name=op.f("pk_receipts")
        ),
    )
    op.create_table(
        "thread_refs",
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=512), nullable=False),
        sa.Column("issue_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name=op.f("fk_thread_refs_issue_id_issues")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_thread_refs_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("org_id", "channel", "ref", name=op.f("pk_thread_refs")),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("issue_id", sa.String(length=32), nullable=False),
        sa.Column("message_id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("provider_id", sa.String(length=255), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name=op.f("fk_deliveries_issue_id_issues")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_deliveries_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_deliveries_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "message_id",
            "channel",
            "recipient",
            name=op.f("uq_deliveries_message_id_channel_recipient"),
        ),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_deliveries_message", ["org_id", "message_id"], unique=False)
        batch_op.create_index(
            "ix_deliveries_provider", ["org_id", "channel", "provider_id"], unique=False
        )

    with op.batch_alter_table("issues", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reply_channel", sa.String(length=16), server_default="chat", nullable=False)
        )
        batch_op.add_column(sa.Column("reply_address", sa.String(length=320), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("issues", schema=None) as batch_op:
        batch_op.drop_column("reply_address")
        batch_op.drop_column("reply_channel")

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_provider")
        batch_op.drop_index("ix_deliveries_message")

    op.drop_table("deliveries")
    op.drop_table("thread_refs")
    op.drop_table("receipts")
    op.drop_table("contact_blocks")
    op.drop_table("channel_settings")
    op.drop_table("bots")
