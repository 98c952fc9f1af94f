"""webhook endpoints and deliveries, bot suggestions, knowledge articles

Revision ID: 0013_bots
Revises: 0012_agent_mobiles
Create Date: 2026-12-02 01:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_bots"
down_revision = "0012_agent_mobiles"
branch_labels = None
depends_on = None


def _org() -> sa.Column[str]:
    return sa.Column(
        "org_id", sa.String(length=32), sa.ForeignKey("organizations.id"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.String(length=32), primary_key=True),
        _org(),
        sa.Column("bot_id", sa.String(length=32), sa.ForeignKey("bots.id"), unique=True),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secrets", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("open_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(length=32), primary_key=True),
        _org(),
        sa.Column(
            "endpoint_id",
            sa.String(length=32),
            sa.ForeignKey("webhook_endpoints.id"),
            nullable=False,
        ),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("issue_id", sa.String(length=32), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_webhook_deliveries_endpoint", "webhook_deliveries", ["endpoint_id", "id"])
    op.create_table(
        "bot_suggestions",
        sa.Column(
            "message_id", sa.String(length=32), sa.ForeignKey("messages.id"), primary_key=True
        ),
        _org(),
        sa.Column("issue_id", sa.String(length=32), sa.ForeignKey("issues.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sent_message_id", sa.String(length=32), nullable=True),
    )
    op.create_table(
        "bot_sessions",
        sa.Column("issue_id", sa.String(length=32), sa.ForeignKey("issues.id"), primary_key=True),
        _org(),
        sa.Column("bot_id", sa.String(length=32), sa.ForeignKey("bots.id"), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("handed_off_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "welcome_settings",
        sa.Column(
            "org_id", sa.String(length=32), sa.ForeignKey("organizations.id"), primary_key=True
        ),
        sa.Column("bot_id", sa.String(length=32), sa.ForeignKey("bots.id"), nullable=False),
        sa.Column("greeting", sa.Text(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "llm_settings",
        sa.Column(
            "org_id", sa.String(length=32), sa.ForeignKey("organizations.id"), primary_key=True
        ),
        sa.Column("bot_id", sa.String(length=32), sa.ForeignKey("bots.id"), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("secrets", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "knowledge_articles",
        sa.Column("id", sa.String(length=32), primary_key=True),
        _org(),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("team_id", sa.String(length=32), sa.ForeignKey("teams.id"), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_knowledge_articles_org", "knowledge_articles", ["org_id", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE knowledge_articles ADD COLUMN search tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('english', title), 'A') || "
            "setweight(to_tsvector('english', body), 'B')) STORED"
        )
        op.execute(
            "CREATE INDEX ix_knowledge_articles_search ON knowledge_articles USING gin (search)"
        )
    else:
        op.execute(
            "CREATE VIRTUAL TABLE knowledge_fts USING fts5("
            "article_id UNINDEXED, org_id UNINDEXED, title, body, tags, "
            "tokenize = 'porter unicode61')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE IF EXISTS knowledge_fts")
    op.drop_index("ix_knowledge_articles_org", table_name="knowledge_articles")
    op.drop_table("knowledge_articles")
    op.drop_table("llm_settings")
    op.drop_table("welcome_settings")
    op.drop_table("bot_sessions")
    op.drop_table("bot_suggestions")
    op.drop_index("ix_webhook_deliveries_endpoint", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
