"""search index over Issues and messages; the agent's workspace

Revision ID: 0015_search_and_workspace
Revises: 0014_inbound_mails
Create Date: 2026-12-02 01:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from caseroom.domain.search import index_terms, phone_digits

revision = "0015_search_and_workspace"
down_revision = "0014_inbound_mails"
branch_labels = None
depends_on = None

_BATCH = 1000

# SQLite: an FTS5 index over search_entries.terms, kept in step by triggers in
# the writing transaction. The words are already folded by domain/search.py.
_SQLITE_FTS = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(terms, content='search_entries', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0', prefix='2 3')",
    "CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END",
    "CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); END",
    "CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); "
    "INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END",
]
# PostgreSQL: a stored tsvector of the same words ('simple': no stemming, so
# both databases match the same words) under a GIN index.
_POSTGRES_FTS = [
    "ALTER TABLE search_entries ADD COLUMN tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED",
    "CREATE INDEX ix_search_entries_tsv ON search_entries USING gin (tsv)",
]


def upgrade() -> None:
    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("issue_id", sa.String(length=32), nullable=False),
        sa.Column("message_id", sa.String(length=32), nullable=True),
        sa.Column("room", sa.String(length=8), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=True),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_search_entries_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name=op.f("fk_search_entries_issue_id_issues")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entries")),
    )
    op.create_index("ix_search_entries_issue", "search_entries", ["org_id", "issue_id"])
    op.create_index("ix_search_entries_message", "search_entries", ["message_id"])
    op.create_table(
        "customer_notes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_customer_notes_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_customer_notes_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["agents.id"], name=op.f("fk_customer_notes_author_id_agents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_notes")),
    )
    op.create_index("ix_customer_notes_customer", "customer_notes", ["org_id", "customer_id", "id"])
    op.create_table(
        "ratings",
        sa.Column("issue_id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_ratings_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name=op.f("fk_ratings_issue_id_issues")
        ),
        sa.PrimaryKeyConstraint("issue_id", name=op.f("pk_ratings")),
    )
    op.create_index("ix_ratings_org", "ratings", ["org_id", "created_at"])
    # Plain ADD COLUMN (no table rebuild: other tables' foreign keys point here).
    op.add_column("issues", sa.Column("priority", sa.String(length=8), nullable=True))
    op.add_column("agents", sa.Column("last_seen_at", sa.DateTime(), nullable=True))
    op.add_column(
        "organizations",
        sa.Column("claim_on_reply", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    bind = op.get_bind()
    for statement in _SQLITE_FTS if bind.dialect.name == "sqlite" else _POSTGRES_FTS:
        op.execute(statement)
    _backfill(bind)


def _backfill(bind: sa.engine.Connection) -> None:
    entries = sa.table(
        "search_entries",
        sa.column("org_id"),
        sa.column("issue_id"),
        sa.column("message_id"),
        sa.column("room"),
        sa.column("kind"),
        sa.column("terms"),
    )
    headers = bind.execute(
        sa.text(
            "SELECT i.org_id, i.id, i.reference, i.subject, c.name, c.email, c.phone "
            "FROM issues i JOIN customers c ON c.id = i.customer_id"
        )
    )
    rows = [
        {
            "org_id": r[0],
            "issue_id": r[1],
            "message_id": None,
            "room": None,
            "kind": None,
            "terms": index_terms(r[2], r[3], r[4], r[5], r[6], phone_digits(r[6])),
        }
        for r in headers
    ]
    for start in range(0, len(rows), _BATCH):
        bind.execute(sa.insert(entries), rows[start : start + _BATCH])
    found = bind.execute(
        sa.text(
            "SELECT org_id, issue_id, id, room, kind, body FROM messages "
            "WHERE deleted_at IS NULL ORDER BY id"
        )
    )
    while batch := found.fetchmany(_BATCH):
        bind.execute(
            sa.insert(entries),
            [
                {
                    "org_id": r[0],
                    "issue_id": r[1],
                    "message_id": r[2],
                    "room": r[3],
                    "kind": r[4],
                    "terms": index_terms(r[5]),
                }
                for r in batch
            ],
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("search_entries_ai", "search_entries_ad", "search_entries_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("claim_on_reply")
    with op.batch_alter_table("issues") as batch:
        batch.drop_column("priority")
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("last_seen_at")
    op.drop_index("ix_ratings_org", table_name="ratings")
    op.drop_table("ratings")
    op.drop_index("ix_customer_notes_customer", table_name="customer_notes")
    op.drop_table("customer_notes")
    op.drop_index("ix_search_entries_message", table_name="search_entries")
    op.drop_index("ix_search_entries_issue", table_name="search_entries")
    op.drop_table("search_entries")
