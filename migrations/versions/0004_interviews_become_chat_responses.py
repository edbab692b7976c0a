"""`chat_responses` created; the legacy voice `interviews` imported into it and archived (D3, D6).

Revision ID: 0004_chat_responses
Revises: 0003_chat_instances
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from migrations import legacy_schema
from migrations import legacy_sql as h
from migrations import legacy_transcript

revision = "0004_chat_responses"
down_revision = "0003_chat_instances"
branch_labels = None
depends_on = None

INTERVIEW_COLUMNS = legacy_schema.COLUMNS["interviews"]
RECONCILED_SOURCE = "interviews:reconciled"  # interviews whose end time or minutes D7 made consistent
FK_INSTANCE = "fk_chat_responses_chat_instance_id_chat_instances"
FK_OWNER = "fk_chat_responses_user_id_profiles"
HAS_OWNER = "EXISTS (SELECT 1 FROM profiles AS p WHERE p.user_id = i.user_id)"


def upgrade():
    # On PostgreSQL the keys and indexes come after the bulk import: one validating join and one
    # sorted index build instead of two key lookups and two index inserts per row. (SQLite gets
    # them inline: it cannot add a key later, and does not check keys during the upgrade.)
    postgresql = h.dialect() == "postgresql"
    create_chat_responses(with_keys=not postgresql)
    h.progress("importing interviews as responses")
    if not postgresql:
        h.register_sqlite_functions()
    import_instances()
    import_interviews()
    if postgresql:
        add_keys_and_indexes()
    else:
        create_indexes()
    h.progress("archiving interviews")
    h.archive_table("interviews", "id", INTERVIEW_COLUMNS)
    # Deprecated by the spec (D6): imported above where it has an owner, archived whole in any case.
    h.execute("DROP TABLE interviews", "ban-drop-table")
    h.progress("counting chat instances per profile")
    set_counters()
    if not h.offline():
        h.progress("checking the data")
        check_integrity()


def downgrade():
    op.execute(legacy_schema.ddl(h.dialect())["interviews"])
    h.restore_table("interviews", INTERVIEW_COLUMNS)
    refuse_new_responses()
    # The instances the import made: those holding imported responses (refused above if any other).
    if h.dialect() == "postgresql":
        op.drop_constraint(FK_INSTANCE, "chat_responses", type_="foreignkey")
    op.execute("DELETE FROM chat_instances WHERE id IN (SELECT chat_instance_id FROM chat_responses)")
    op.drop_table("chat_responses")
    op.execute(f"DELETE FROM {h.ARCHIVE} WHERE source_table = '{RECONCILED_SOURCE}'")


def create_chat_responses(with_keys: bool) -> None:
    op.create_table(
        "chat_responses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("chat_instance_id", sa.Uuid(), nullable=False),
        sa.Column("completion_status", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("interviewee_first_name", sa.Text(), nullable=True),
        sa.Column("interviewee_second_name", sa.Text(), nullable=True),
        sa.Column("interviewee_email", sa.Text(), nullable=True),
        sa.Column("interview_start_time", sa.DateTime(), nullable=True),
        sa.Column("interview_end_time", sa.DateTime(), nullable=True),
        sa.Column("total_interview_minutes", sa.Integer(), nullable=True),
        sa.Column("messages_json", sa.Text(), nullable=True),
        sa.Column("clean_transcript", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chat_responses"),
        *([sa.ForeignKeyConstraint(["chat_instance_id"], ["chat_instances.id"], name=FK_INSTANCE),
           sa.ForeignKeyConstraint(["user_id"], ["profiles.user_id"], name=FK_OWNER)] if with_keys else []),
    )


def create_indexes() -> None:
    # The foreign-key indexes go on with created_at: "newest first" pages read straight off them.
    # The table is new in this transaction: nobody else can be waiting on it.
    h.execute("CREATE INDEX ix_chat_responses_chat_instance_id_created_at "
              "ON chat_responses (chat_instance_id, created_at)", "require-concurrent-index-creation")
    h.execute("CREATE INDEX ix_chat_responses_user_id_created_at ON chat_responses (user_id, created_at)",
              "require-concurrent-index-creation")


def add_keys_and_indexes() -> None:
    # The table is new in this transaction, so NOT VALID + VALIDATE would gain nothing.
    h.execute(f"ALTER TABLE chat_responses ADD CONSTRAINT {FK_INSTANCE} FOREIGN KEY (chat_instance_id) "
              "REFERENCES chat_instances (id)", "adding-foreign-key-constraint", "constraint-missing-not-valid")
    h.execute(f"ALTER TABLE chat_responses ADD CONSTRAINT {FK_OWNER} FOREIGN KEY (user_id) "
              "REFERENCES profiles (user_id)", "adding-foreign-key-constraint", "constraint-missing-not-valid")
    create_indexes()


def use_case_key(alias: str = "i") -> str:
    """SQL: the use case as grouped (D6): trimmed, compared case-insensitively."""
    return f"lower(trim({alias}.use_case))"


def instance_id_sql(alias: str = "i") -> str:
    """The id of the instance that holds an owner's imported interviews of one use case."""
    return h.derived_uuid_sql(f"{alias}.user_id", "'imported'", use_case_key(alias))


def import_instances() -> None:
    """One instance per owner and use case, titled by the use case's most frequent spelling
    (ties to the spelling of the earliest interview), dated by its first interview."""
    spellings = (f"SELECT i.user_id, {use_case_key()} AS use_case, trim(i.use_case) AS spelling, count(*) AS n, "
                 f"min(i.created_at) AS first_at, min(CAST(i.id AS text)) AS first_id "
                 f"FROM interviews AS i WHERE {HAS_OWNER} GROUP BY i.user_id, {use_case_key()}, trim(i.use_case)")
    ranked = (f"SELECT s.*, row_number() OVER (PARTITION BY s.user_id, s.use_case "
              f"ORDER BY s.n DESC, s.first_at, s.first_id) AS r, "
              f"min(s.first_at) OVER (PARTITION BY s.user_id, s.use_case) AS created FROM ({spellings}) AS s")
    insert = (
        "INSERT INTO chat_instances (id, user_id, messages, interview_guide, created_at, updated_at) "
        f"SELECT {h.derived_uuid_sql('t.user_id', chr(39) + 'imported' + chr(39), 't.use_case')}, t.user_id, NULL, "
        "'# ' || t.spelling || ' (imported)', t.created, t.created "
        f"FROM ({ranked}) AS t WHERE t.r = 1"
    )
    if not noting():
        op.execute(insert)
        return
    # The same pass notes the instances it made: their guide becomes version 1 (0007) without a
    # pass over every instance.
    op.execute(f"CREATE TEMP TABLE {h.IMPORTED_INSTANCES} (id uuid PRIMARY KEY) ON COMMIT DROP")
    op.execute(f"WITH made AS ({insert} RETURNING id) INSERT INTO {h.IMPORTED_INSTANCES} SELECT id FROM made")
    op.execute(f"ANALYZE {h.IMPORTED_INSTANCES}")  # its size, for 0007's join to pick the key lookups


def noting() -> bool:
    """PostgreSQL, online: the import notes what later revisions backfill (h.imported_this_run())."""
    return h.dialect() == "postgresql" and not h.offline()


def reconciled_times() -> tuple[str, str]:
    """D7: (end time, minutes) of an imported interview, consistent with each other: an end
    before the start becomes start + minutes; minutes more than one off the times are recomputed."""
    minutes = h.greatest_sql("i.total_interview_minutes", "0")
    if h.dialect() == "postgresql":
        end = (f"CASE WHEN i.interview_end_time < i.interview_start_time THEN i.interview_start_time + "
               f"make_interval(mins => {minutes}) ELSE i.interview_end_time END")
        span = f"(extract(epoch FROM ({end}) - i.interview_start_time) / 60.0)"
    else:
        end = (f"CASE WHEN julianday(i.interview_end_time) < julianday(i.interview_start_time) THEN "
               f"datetime(i.interview_start_time, '+' || {minutes} || ' minutes') ELSE i.interview_end_time END")
        span = f"((julianday({end}) - julianday(i.interview_start_time)) * 1440.0)"
    fixed = (f"CASE WHEN i.total_interview_minutes < 0 OR abs(i.total_interview_minutes - {span}) > 1 "
             f"THEN CAST(round({span}) AS integer) ELSE i.total_interview_minutes END")
    return end, fixed


def import_interviews() -> None:
    """Each interview with an owner becomes a completed response of its instance, keeping its id (D6).

    The conversation: JSON stays JSON; `[mm:ss] Speaker:` lines become messages; other text stays text.
    """
    end, minutes = reconciled_times()
    raw = "i.conversation_history_raw"
    if h.dialect() == "postgresql":
        # Parsed once into a temporary table the planner has statistics for: joined as a
        # subquery, its row estimate is so low that PostgreSQL picks a nested loop over it.
        op.execute("CREATE TEMP TABLE franko_transcripts ON COMMIT DROP AS SELECT * FROM "
                   f"{legacy_transcript.postgresql_messages(HAS_OWNER)} AS t")
        op.execute("ANALYZE franko_transcripts")
        parsed_from = "LEFT JOIN franko_transcripts AS t ON t.id = i.id"
        parsed = "t.messages"
    else:
        parsed_from, parsed = "", f"franko_transcript({raw}, i.interview_start_time, i.agent_name)"
    # JSON never has a line starting `[12:34] Someone:` (not a JSON token), so a text with turns
    # is never JSON: JSON, and text without turns, are kept as they are.
    messages = f"COALESCE({parsed}, {raw})"
    response_id = "i.id" if h.dialect() == "postgresql" else h.uuid_hex_sql("i.id")
    op.execute(
        f"INSERT INTO {h.ARCHIVE} (source_table, source_pk, row_json, archived_at) "
        f"SELECT '{RECONCILED_SOURCE}', CAST(i.id AS text), "
        f"{h.json_build_sql({'interview_end_time': 'i.interview_end_time', 'total_interview_minutes': 'i.total_interview_minutes'})}, "
        f"{h.now_sql()} FROM interviews AS i WHERE {HAS_OWNER} AND "
        f"(i.interview_end_time <> {end} OR i.total_interview_minutes <> {minutes})"
    )
    insert = (
        "INSERT INTO chat_responses (id, user_id, chat_instance_id, completion_status, status, "
        "interviewee_first_name, interviewee_second_name, interviewee_email, interview_start_time, "
        "interview_end_time, total_interview_minutes, messages_json, clean_transcript, created_at, updated_at) "
        f"SELECT {response_id}, i.user_id, {instance_id_sql()}, NULL, 'completed', "
        "i.interviewee_first_name, i.interviewee_last_name, i.interviewee_email, i.interview_start_time, "
        f"{end}, {minutes}, {messages}, COALESCE(i.conversation_history_cleaned, {raw}), i.created_at, i.updated_at "
        f"FROM interviews AS i {parsed_from} WHERE {HAS_OWNER}"
    )
    if not noting():
        op.execute(insert)
    else:
        # The pass that writes the responses also decides their charge (0008's rule, read off each
        # written row): later revisions then apply these notes instead of reading every response.
        # The other backfills have nothing to do for imported rows: they are `completed` (no
        # running guide version, 0007) and have no completion_status (no reach, 0009; no question
        # records, 0010).
        op.execute(f"CREATE TEMP TABLE {h.IMPORTED_CHARGES} (id uuid PRIMARY KEY, charged_at timestamp) "
                   "ON COMMIT DROP")
        op.execute(f"WITH written AS ({insert} RETURNING id, CASE WHEN {h.answered_sql('messages_json')} "
                   "THEN COALESCE(interview_start_time, created_at) END AS charged_at) "
                   f"INSERT INTO {h.IMPORTED_CHARGES} SELECT id, charged_at FROM written")
        op.execute(f"ANALYZE {h.IMPORTED_CHARGES}")
    if h.dialect() == "postgresql":
        # The upgrade's own temporary table, made above; nothing else ever sees it.
        h.execute("DROP TABLE franko_transcripts", "ban-drop-table")


def set_counters() -> None:
    """D3: instances used = instances owned now; the cap is the plan's (responses counters untouched)."""
    # One pass: the counts come from a single grouped join, not a lookup per profile; rows that
    # already hold the right numbers (profiles made from users, counted in 0002) are not rewritten.
    cap = h.plan_case_sql("profiles.membership", "instances")
    op.execute(
        f"UPDATE profiles SET total_chat_instances_used = c.n, total_chat_instances_available = {cap} "
        "FROM (SELECT p.user_id, count(i.id) AS n FROM profiles AS p "
        "LEFT JOIN chat_instances AS i ON i.user_id = p.user_id GROUP BY p.user_id) AS c "
        "WHERE c.user_id = profiles.user_id AND (profiles.total_chat_instances_used IS DISTINCT FROM c.n "
        f"OR profiles.total_chat_instances_available IS DISTINCT FROM {cap})"
    )


def check_integrity() -> None:
    """After the move: no orphan rows anywhere (SQLite's foreign keys are off during the upgrade)."""
    if h.dialect() == "sqlite":
        orphans = h.rows("PRAGMA foreign_key_check")
        if orphans:
            raise RuntimeError(f"the upgrade would leave rows without their parent: {orphans[:20]}")


def refuse_new_responses() -> None:
    """The legacy schema has no place for responses collected after the upgrade: refuse to drop them."""
    response_id = "i.id" if h.dialect() == "postgresql" else h.uuid_hex_sql("i.id")
    found = h.scalar(
        "SELECT count(*) FROM chat_responses AS r WHERE NOT EXISTS "
        f"(SELECT 1 FROM interviews AS i WHERE {response_id} = r.id)"
    )
    if found:
        raise RuntimeError(
            f"{found} response(s) were collected after the upgrade; the legacy schema cannot hold "
            "them. Export them (CSV) and delete them before downgrading."
        )
