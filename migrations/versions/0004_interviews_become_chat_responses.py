"""`chat_responses` created; the legacy voice `interviews` imported into it and archived (D3, D6).

Revision ID: 0004_chat_responses
Revises: 0003_chat_instances
Create Date: 2026-11-25
"""
import os
import sys

import sqlalchemy as sa
from alembic import op

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import legacy_schema  # noqa: E402
import legacy_sql as h  # noqa: E402

revision = "0004_chat_responses"
down_revision = "0003_chat_instances"
branch_labels = None
depends_on = None

INTERVIEW_COLUMNS = [
    "id", "user_id", "client_name", "unique_customer_identifier", "use_case", "interviewee_first_name",
    "interviewee_last_name", "interviewee_email", "interviewee_number", "status", "date_completed",
    "interview_start_time", "interview_end_time", "total_interview_minutes", "call_id",
    "conversation_history_raw", "conversation_history_cleaned", "interview_audio_link",
    "client_company_description", "agent_name", "voice_id", "analysis_output", "analysis_part01",
    "analysis_part02", "analysis_part03", "analysis_part04", "analysis_part05", "analysis_part06",
    "created_at", "updated_at",
]
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
    op.drop_table("chat_responses")
    # The instances the import made, found again by their derived ids.
    op.execute(
        f"DELETE FROM chat_instances WHERE id IN (SELECT {instance_id_sql()} FROM interviews AS i)"
    )


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


def instance_id_sql() -> str:
    """The id of the instance that holds an owner's imported interviews of one use case."""
    return h.derived_uuid_sql("i.user_id", "'imported'", "i.use_case")


def import_interviews() -> None:
    """One instance per owner and use case; each interview a completed response of it, same id."""
    op.execute(
        "INSERT INTO chat_instances (id, user_id, messages, interview_guide, created_at, updated_at) "
        f"SELECT {instance_id_sql()}, i.user_id, NULL, '# ' || i.use_case || ' (imported)', "
        "min(i.created_at), min(i.created_at) "
        f"FROM interviews AS i WHERE {HAS_OWNER} GROUP BY i.user_id, i.use_case"
    )
    response_id = "i.id" if h.dialect() == "postgresql" else h.uuid_hex_sql("i.id")
    op.execute(
        "INSERT INTO chat_responses (id, user_id, chat_instance_id, completion_status, status, "
        "interviewee_first_name, interviewee_second_name, interviewee_email, interview_start_time, "
        "interview_end_time, total_interview_minutes, messages_json, clean_transcript, created_at, updated_at) "
        f"SELECT {response_id}, i.user_id, {instance_id_sql()}, NULL, 'completed', "
        "i.interviewee_first_name, i.interviewee_last_name, i.interviewee_email, i.interview_start_time, "
        "i.interview_end_time, i.total_interview_minutes, i.conversation_history_raw, "
        "i.conversation_history_cleaned, i.created_at, i.updated_at "
        f"FROM interviews AS i WHERE {HAS_OWNER}"
    )


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
