"""`Chat` becomes `chat_instances`, owned by accounts; the chatbot's other tables are archived (D2, D4).

Revision ID: 0003_chat_instances
Revises: 0002_profiles_accounts
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from migrations import legacy_accounts as accounts
from migrations import legacy_schema
from migrations import legacy_sql as h

revision = "0003_chat_instances"
down_revision = "0002_profiles_accounts"
branch_labels = None
depends_on = None

# Archived whole and dropped here, children before parents; the user table last (chats pointed at it).
ARCHIVED = ["todos", "creator_conversations", "reservations", "user"]
FK_NAME = "fk_chat_instances_user_id_profiles"


def upgrade():
    n, spelling = h.legacy_names(), h.spelling()
    chat = legacy_schema.names(spelling)["chat"]
    h.ensure_is_json_function()
    h.progress(f"archiving the chats that change (double-encoded messages, merged owners)")
    # Whether every string holds JSON is learnt in the archive's own pass; the rewrite below then
    # needs no per-row check.
    strings_hold_json = archive_changed_chats(chat)
    h.progress(f"{chat} becomes chat_instances (rewriting every chat)")
    # Renames, as the spec asks (D2); the old names' only client is the old app.
    h.execute(f"ALTER TABLE {n['chat']} RENAME TO chat_instances", "renaming-table")
    h.execute('ALTER TABLE chat_instances RENAME COLUMN "createdAt" TO created_at', "renaming-column")
    h.execute('ALTER TABLE chat_instances RENAME COLUMN "userId" TO user_id', "renaming-column")
    if h.dialect() == "postgresql":
        postgresql_reshape_chat_instances(spelling, strings_hold_json)
    else:
        sqlite_rebuild_chat_instances()
    # The chats of users merged into another account follow them (D1, D2).
    op.execute(f"UPDATE chat_instances SET user_id = m.account FROM {accounts.merges()} AS m "
               "WHERE chat_instances.user_id = m.uid")
    if h.dialect() == "postgresql":
        # NOT VALID + VALIDATE gains nothing inside the one transaction the upgrade runs in; the
        # preflight already proved every owner exists.
        h.execute(f"ALTER TABLE chat_instances ADD CONSTRAINT {FK_NAME} FOREIGN KEY (user_id) "
                  "REFERENCES profiles (user_id)", "adding-foreign-key-constraint", "constraint-missing-not-valid")
    # CONCURRENTLY cannot run in the upgrade's transaction; nothing else uses the table meanwhile.
    h.execute("CREATE INDEX ix_chat_instances_user_id ON chat_instances (user_id)",
              "require-concurrent-index-creation")
    for logical in ARCHIVED:
        table = legacy_schema.names(spelling)[logical]
        h.progress(f"archiving and dropping {table}")
        h.archive_table(table, "id", legacy_schema.COLUMNS[logical])
        # Deprecated by the spec; every row was archived whole just above (D4).
        h.execute(f"DROP TABLE {h.q(table)}", "ban-drop-table")


def downgrade():
    spelling = h.spelling()
    spelt = legacy_schema.names(spelling)
    refuse_unrepresentable_instances(spelt["chat"], spelt["user"])
    ddl = legacy_schema.ddl(h.dialect(), spelling)
    for logical in reversed(ARCHIVED):  # the user table first: the others point at it
        op.execute(ddl[logical])
        h.restore_table(spelt[logical], legacy_schema.COLUMNS[logical])
    op.drop_index("ix_chat_instances_user_id", table_name="chat_instances")
    if h.dialect() == "postgresql":
        postgresql_restore_chat(spelling)
    else:
        sqlite_restore_chat(spelling)
    op.execute(f"DELETE FROM {h.ARCHIVE} WHERE source_table = '{spelt['chat']}'")


def archive_changed_chats(chat: str) -> bool:
    """The chats the upgrade changes beyond their types, whole: the downgrade gives them back exactly.

    Returns whether every JSON-string value of messages holds JSON (PostgreSQL, online): tried
    first with a plain cast in the archive's one pass (the chatbot stringified every message log),
    which fails as a whole on a string that is not JSON; then, in a savepoint rolled back, the
    pass runs again with the per-row check (a PL/pgSQL exception block, a subtransaction a row).
    """
    merged = f"SELECT source_pk FROM {h.ARCHIVE} WHERE source_table = '{accounts.MERGE_SOURCE}'"
    row = "CAST(row_to_json(c) AS text)" if h.dialect() == "postgresql" else \
        h.json_object_sql("c", legacy_schema.COLUMNS["chat"])
    archive = (
        f"INSERT INTO {h.ARCHIVE} (source_table, source_pk, row_json, archived_at) "
        f"SELECT '{chat}', CAST(c.id AS text), {row}, {h.now_sql()} FROM {h.q(chat)} AS c "
        "WHERE {changed} OR CAST(c.\"userId\" AS text) IN (" + merged + ")"
    )
    if h.dialect() == "postgresql" and not h.offline():
        try:
            with op.get_bind().begin_nested():
                # The cast raises on a string that is not JSON: the savepoint then undoes this pass.
                op.execute(archive.format(changed="(json_typeof(c.messages) = 'string' "
                                                  "AND CAST(c.messages #>> '{}' AS json) IS NOT NULL)"))
            return True
        except sa.exc.DBAPIError:
            pass
    op.execute(archive.format(changed=h.double_encoded_sql("c.messages")))
    return False


def postgresql_reshape_chat_instances(spelling: str, strings_hold_json: bool = False) -> None:
    legacy_fk = legacy_schema.foreign_key_names(spelling)["chat"]
    legacy_pk = f"{legacy_schema.names(spelling)['chat']}_pkey"
    if not h.offline():
        inspector = sa.inspect(op.get_bind())
        fks = inspector.get_foreign_keys("chat_instances")
        user = legacy_schema.names(spelling)["user"]
        legacy_fk = next((fk["name"] for fk in fks if fk["referred_table"] == user), legacy_fk)
        legacy_pk = inspector.get_pk_constraint("chat_instances")["name"] or legacy_pk
    # The key to the legacy user table goes: its table is replaced by profiles (D1, D2).
    h.execute(f"ALTER TABLE chat_instances DROP CONSTRAINT {h.q(legacy_fk)}", "ban-drop-constraint")
    h.execute(f"ALTER TABLE chat_instances RENAME CONSTRAINT {h.q(legacy_pk)} TO pk_chat_instances",
              "renaming-object")
    # updated_at arrives NOT NULL with a constant default (no rewrite, no scan); the rewrite below
    # then gives each row its own value.
    op.execute("ALTER TABLE chat_instances ADD COLUMN interview_guide text, "
               "ADD COLUMN updated_at timestamp NOT NULL DEFAULT now()")
    # One table rewrite does all three: the owner's uuid becomes text, the json messages become
    # text (a double-encoded value unwrapped to the JSON it holds), and updated_at starts equal
    # to created_at (D2). The rewrite is the point of this step (the spec retypes these columns);
    # it runs once, in the upgrade's transaction, during the maintenance window. messages may be
    # null from now on (new instances start without a log), as the target schema says.
    h.execute(
        "ALTER TABLE chat_instances "
        "ALTER COLUMN user_id TYPE text USING CAST(user_id AS text), "
        f"ALTER COLUMN messages TYPE text USING {h.unwrapped_sql('messages', strings_hold_json)}, "
        "ALTER COLUMN messages DROP NOT NULL, "
        "ALTER COLUMN updated_at TYPE timestamp USING created_at, "
        "ALTER COLUMN created_at SET DEFAULT now()",
        "changing-column-type", "ban-drop-not-null",
    )


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
        f"SELECT {h.uuid_hex_sql('id')}, user_id, {h.unwrapped_sql('messages')}, NULL, created_at, created_at "
        "FROM chat_instances"
    )
    op.execute("DROP TABLE chat_instances")
    op.execute("ALTER TABLE _chat_instances_new RENAME TO chat_instances")


def refuse_unrepresentable_instances(chat: str, user: str) -> None:
    """The legacy chat table needs a legacy user as owner: refuse rather than lose other instances."""
    chat_id = "CAST(c.id AS text)" if h.dialect() == "postgresql" else h.uuid_dashed_sql("c.id")
    found = h.scalar(
        f"SELECT count(*) FROM chat_instances AS c WHERE NOT EXISTS (SELECT 1 FROM {h.ARCHIVE} AS a "
        f"WHERE (a.source_table = '{user}' AND a.source_pk = c.user_id) "
        f"OR (a.source_table = '{chat}' AND a.source_pk = {chat_id}))"
    )
    if found:
        raise RuntimeError(
            f"{found} chat instance(s) belong to accounts that were not legacy users; the legacy "
            "schema cannot hold them. Delete or move them before downgrading."
        )


def archived_chat_sql(chat: str, field: str) -> str:
    """SQL: a field of the chat's archived original (NULL when it was not archived), as text."""
    if h.dialect() == "postgresql":  # the json value's own text, byte for byte
        return f"CAST(CAST(a.row_json AS json) -> '{field}' AS text)" if field == "messages" \
            else h.archive_json(field)
    return h.archive_json(field)


def postgresql_restore_chat(spelling: str) -> None:
    spelt = legacy_schema.names(spelling)
    op.drop_constraint(FK_NAME, "chat_instances", type_="foreignkey")
    # The archived originals first: their owner and their messages exactly as they were.
    op.execute(
        f"UPDATE chat_instances SET user_id = {archived_chat_sql(spelt['chat'], 'userId')}, "
        f"messages = {archived_chat_sql(spelt['chat'], 'messages')} FROM {h.ARCHIVE} AS a "
        f"WHERE a.source_table = '{spelt['chat']}' AND a.source_pk = CAST(chat_instances.id AS text)"
    )
    op.execute(
        "ALTER TABLE chat_instances "
        "ALTER COLUMN user_id TYPE uuid USING CAST(user_id AS uuid), "
        "ALTER COLUMN messages TYPE json USING CAST(COALESCE(messages, '[]') AS json), "
        "ALTER COLUMN messages SET NOT NULL, "
        "ALTER COLUMN created_at DROP DEFAULT"
    )
    op.execute("ALTER TABLE chat_instances DROP COLUMN interview_guide, DROP COLUMN updated_at")
    op.execute(f"ALTER TABLE chat_instances RENAME CONSTRAINT pk_chat_instances TO {h.q(spelt['chat'] + '_pkey')}")
    op.execute('ALTER TABLE chat_instances RENAME COLUMN created_at TO "createdAt"')
    op.execute('ALTER TABLE chat_instances RENAME COLUMN user_id TO "userId"')
    op.execute(f"ALTER TABLE chat_instances RENAME TO {h.q(spelt['chat'])}")
    fk = legacy_schema.foreign_key_names(spelling)["chat"]
    op.execute(f'ALTER TABLE {h.q(spelt["chat"])} ADD CONSTRAINT {h.q(fk)} FOREIGN KEY ("userId") '
               f'REFERENCES {h.q(spelt["user"])}(id)')


def sqlite_restore_chat(spelling: str) -> None:
    spelt = legacy_schema.names(spelling)
    op.execute(legacy_schema.ddl("sqlite", spelling)["chat"])
    dashed = h.uuid_dashed_sql("c.id")
    op.execute(
        f'INSERT INTO {h.q(spelt["chat"])} (id, "createdAt", messages, "userId") '
        f"SELECT {dashed}, c.created_at, COALESCE({archived_chat_sql(spelt['chat'], 'messages')}, c.messages, '[]'), "
        f"COALESCE({archived_chat_sql(spelt['chat'], 'userId')}, c.user_id) FROM chat_instances AS c "
        f"LEFT JOIN {h.ARCHIVE} AS a ON a.source_table = '{spelt['chat']}' AND a.source_pk = {dashed}"
    )
    op.execute("DROP TABLE chat_instances")
