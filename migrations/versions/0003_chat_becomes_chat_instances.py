"""`chat` becomes `chat_instances`, owned by profiles; the chatbot's other tables are archived (D2, D4).

Revision ID: 0003_chat_instances
Revises: 0002_profiles_accounts
Create Date: 2026-11-25
"""
import os
import sys

import sqlalchemy as sa
from alembic import op

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import legacy_schema  # noqa: E402
import legacy_sql as h  # noqa: E402

revision = "0003_chat_instances"
down_revision = "0002_profiles_accounts"
branch_labels = None
depends_on = None

# Archived whole and dropped here, children before parents; `user` last (chat pointed at it).
ARCHIVED = [("todos", "id"), ("creator_conversations", "id"), ("reservations", "id"), ("user", "id")]
LEGACY_COLUMNS = {
    "todos": ["id", "user_id", "content", "completed", "created_at", "updated_at"],
    "creator_conversations": ["id", "user_id", "messages", "created_at", "updated_at"],
    "reservations": ["id", "createdAt", "details", "hasCompletedPayment", "userId"],
    "user": ["id", "email", "password"],
}
FK_NAME = "fk_chat_instances_user_id_profiles"
LEGACY_FK_NAME = "chat_userId_fkey"  # what PostgreSQL named the inline REFERENCES of the legacy DDL


def upgrade():
    h.progress("chat becomes chat_instances (rewriting every chat)")
    # Renames, as the spec asks (D2); the old names' only client is the old app.
    h.execute("ALTER TABLE chat RENAME TO chat_instances", "renaming-table")
    h.execute('ALTER TABLE chat_instances RENAME COLUMN "createdAt" TO created_at', "renaming-column")
    h.execute('ALTER TABLE chat_instances RENAME COLUMN "userId" TO user_id', "renaming-column")
    if h.dialect() == "postgresql":
        postgresql_reshape_chat_instances()
    else:
        sqlite_rebuild_chat_instances()
    # CONCURRENTLY cannot run in the upgrade's transaction; nothing else uses the table meanwhile.
    h.execute("CREATE INDEX ix_chat_instances_user_id ON chat_instances (user_id)",
              "require-concurrent-index-creation")
    for table, pk in ARCHIVED:
        h.progress(f"archiving and dropping {table}")
        h.archive_table(table, pk, LEGACY_COLUMNS[table])
        # Deprecated by the spec; every row was archived whole just above (D4).
        h.execute(f"DROP TABLE {h.q(table)}", "ban-drop-table")


def downgrade():
    refuse_unrepresentable_instances()
    ddl = legacy_schema.ddl(h.dialect())
    for table, _ in reversed(ARCHIVED):
        op.execute(ddl[table])
        h.restore_table(table, LEGACY_COLUMNS[table])
    op.drop_index("ix_chat_instances_user_id", table_name="chat_instances")
    if h.dialect() == "postgresql":
        postgresql_restore_chat()
    else:
        sqlite_restore_chat()


def postgresql_reshape_chat_instances() -> None:
    legacy_fk = LEGACY_FK_NAME
    if not h.offline():
        fks = sa.inspect(op.get_bind()).get_foreign_keys("chat_instances")
        legacy_fk = next((fk["name"] for fk in fks if fk["referred_table"] == "user"), legacy_fk)
    # The key to the legacy `user` goes: its table is replaced by profiles (D1, D2).
    h.execute(f"ALTER TABLE chat_instances DROP CONSTRAINT {h.q(legacy_fk)}", "ban-drop-constraint")
    legacy_pk = "chat_pkey"
    if not h.offline():
        legacy_pk = sa.inspect(op.get_bind()).get_pk_constraint("chat_instances")["name"] or legacy_pk
    h.execute(f"ALTER TABLE chat_instances RENAME CONSTRAINT {h.q(legacy_pk)} TO pk_chat_instances",
              "renaming-object")
    # updated_at arrives NOT NULL with a constant default (no rewrite, no scan); the rewrite below
    # then gives each row its own value.
    op.execute("ALTER TABLE chat_instances ADD COLUMN interview_guide text, "
               "ADD COLUMN updated_at timestamp NOT NULL DEFAULT now()")
    # One table rewrite does all three: the owner's uuid becomes text, the json messages become
    # their own text unchanged, and updated_at starts equal to created_at (D2).
    # The rewrite is the point of this step (the spec retypes these columns); it runs once, in
    # the upgrade's transaction, during the maintenance window. messages may be null from now on
    # (new instances start without a log), as the target schema says.
    h.execute(
        "ALTER TABLE chat_instances "
        "ALTER COLUMN user_id TYPE text USING CAST(user_id AS text), "
        "ALTER COLUMN messages TYPE text USING CAST(messages AS text), "
        "ALTER COLUMN messages DROP NOT NULL, "
        "ALTER COLUMN updated_at TYPE timestamp USING created_at, "
        "ALTER COLUMN created_at SET DEFAULT now()",
        "changing-column-type", "ban-drop-not-null",
    )
    # NOT VALID + VALIDATE gains nothing inside the one transaction the upgrade runs in; the
    # preflight already proved every owner exists.
    h.execute(f"ALTER TABLE chat_instances ADD CONSTRAINT {FK_NAME} FOREIGN KEY (user_id) "
              "REFERENCES profiles (user_id)", "adding-foreign-key-constraint", "constraint-missing-not-valid")


def sqlite_rebuild_chat_instances() -> None:
    """SQLite cannot re-point a foreign key in place: rebuild the table (SQLite's documented way)."""
    op.create_table(
        "_chat_instances_new",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("messages", sa.Text(), nullable=True),
        sa.Column("interview_guide", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["profiles.user_id"], name=FK_NAME),
        sa.PrimaryKeyConstraint("id", name="pk_chat_instances"),
    )
    op.execute(
        "INSERT INTO _chat_instances_new (id, user_id, messages, interview_guide, created_at, updated_at) "
        f"SELECT {h.uuid_hex_sql('id')}, user_id, messages, NULL, created_at, created_at FROM chat_instances"
    )
    op.execute("DROP TABLE chat_instances")
    op.execute("ALTER TABLE _chat_instances_new RENAME TO chat_instances")


def refuse_unrepresentable_instances() -> None:
    """The legacy `chat` needs a legacy user as owner: refuse rather than lose other instances."""
    uid = "a.source_pk"
    found = h.scalar(
        f"SELECT count(*) FROM chat_instances AS c WHERE NOT EXISTS (SELECT 1 FROM {h.ARCHIVE} AS a "
        f"WHERE a.source_table = 'user' AND {uid} = c.user_id)"
    )
    if found:
        raise RuntimeError(
            f"{found} chat instance(s) belong to accounts that were not legacy users; the legacy "
            "schema cannot hold them. Delete or move them before downgrading."
        )


def postgresql_restore_chat() -> None:
    op.drop_constraint(FK_NAME, "chat_instances", type_="foreignkey")
    op.execute(
        "ALTER TABLE chat_instances "
        "ALTER COLUMN user_id TYPE uuid USING CAST(user_id AS uuid), "
        "ALTER COLUMN messages TYPE json USING CAST(COALESCE(messages, '[]') AS json), "
        "ALTER COLUMN messages SET NOT NULL, "
        "ALTER COLUMN created_at DROP DEFAULT"
    )
    op.execute("ALTER TABLE chat_instances DROP COLUMN interview_guide, DROP COLUMN updated_at")
    op.execute("ALTER TABLE chat_instances RENAME CONSTRAINT pk_chat_instances TO chat_pkey")
    op.execute('ALTER TABLE chat_instances RENAME COLUMN created_at TO "createdAt"')
    op.execute('ALTER TABLE chat_instances RENAME COLUMN user_id TO "userId"')
    op.execute("ALTER TABLE chat_instances RENAME TO chat")
    op.execute(f'ALTER TABLE chat ADD CONSTRAINT {h.q(LEGACY_FK_NAME)} FOREIGN KEY ("userId") REFERENCES "user"(id)')


def sqlite_restore_chat() -> None:
    op.execute(legacy_schema.ddl("sqlite")["chat"])
    op.execute(
        'INSERT INTO chat (id, "createdAt", messages, "userId") '
        f"SELECT {h.uuid_dashed_sql('id')}, created_at, COALESCE(messages, '[]'), user_id FROM chat_instances"
    )
    op.execute("DROP TABLE chat_instances")
