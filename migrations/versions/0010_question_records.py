"""Per-question coverage records (§5b): response_questions, chat_responses.questions_skipped, and their backfill.

Revision ID: 0010_question_records
Revises: 0009_insights
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from migrations import legacy_sql as h

revision = "0010_question_records"
down_revision = "0009_insights"
branch_labels = None
depends_on = None

# The rule of franko/interview/records.py, copied here (migrations never import the app): a
# question is asked by the first assistant message about it whose move is none, "ask", "clarify"
# or "redirect" (a probe never asks); a later user message about it (its own `question`, else
# the question of the assistant message before it) answers it when its kind is none, "answer" or
# "thin", skips it when "refuse" (or a later assistant message's `skipped` names it: given up on)
# and nothing answers it; "clarify" messages, probes and redirects are counted. Indexes count the
# list's objects only, as the app reads the list.
ASKING = "(move IS NULL OR move IN ('ask', 'clarify', 'redirect'))"
ANSWER = "(kind IS NULL OR kind IN ('answer', 'thin'))"


def total_sql() -> str:
    """The response's question count, from completion_status ("answered/total"); NULL when unreadable."""
    if h.dialect() == "postgresql":
        return ("CASE WHEN completion_status ~ '^[0-9]{1,6}/[0-9]{1,6}$' "
                "THEN CAST(split_part(completion_status, '/', 2) AS integer) END")
    return ("CASE WHEN completion_status GLOB '[0-9]*/[0-9]*' AND completion_status NOT GLOB '*[^0-9/]*' "
            "AND length(completion_status) <= 13 "
            "THEN CAST(substr(completion_status, instr(completion_status, '/') + 1) AS INTEGER) END")


def elements_sql(doc: str, alias: str) -> str:
    """A FROM-clause item: each element of the message list in `doc` (`{alias}.m`, position `{alias}.n`).

    The stored text is read as the app reads it: a JSON list, or an object around one under
    "messages"; anything else (invalid JSON, plain text) has no elements.
    """
    if h.dialect() == "postgresql":
        listed = (f"COALESCE(CASE jsonb_typeof({doc}) WHEN 'array' THEN {doc} WHEN 'object' THEN CASE WHEN "
                  f"jsonb_typeof({doc} -> 'messages') = 'array' THEN {doc} -> 'messages' END END, '[]'::jsonb)")
        return f"jsonb_array_elements({listed}) WITH ORDINALITY AS {alias}(m, n)"
    listed = (f"CASE json_type({doc}) WHEN 'array' THEN {doc} WHEN 'object' THEN CASE json_type({doc}, '$.messages') "
              f"WHEN 'array' THEN json_extract({doc}, '$.messages') END END")
    return f"json_each(COALESCE({listed}, '[]')) AS {alias}"


def fields_sql(alias: str) -> dict[str, str]:
    """SQL of one element's fields: is it an object, position, role, question and skipped (whole numbers ≥ 0,
    else NULL), has_question, move, kind."""
    if h.dialect() == "postgresql":
        m = f"{alias}.m"
        return {
            "position": f"{alias}.n",
            "is_object": f"jsonb_typeof({m}) = 'object'",
            "role": f"{m} ->> 'role'",
            "question": (f"CASE WHEN jsonb_typeof({m} -> 'question') = 'number' AND ({m} ->> 'question') ~ '^[0-9]{{1,9}}$' "
                         f"THEN CAST({m} ->> 'question' AS integer) END"),
            "skipped": (f"CASE WHEN jsonb_typeof({m} -> 'skipped') = 'number' AND ({m} ->> 'skipped') ~ '^[0-9]{{1,9}}$' "
                        f"THEN CAST({m} ->> 'skipped' AS integer) END"),
            "has_question": f"{m} ? 'question'",
            "move": f"{m} ->> 'move'",
            "kind": f"{m} ->> 'kind'",
        }
    v = f"{alias}.value"
    return {
        "position": f"{alias}.key",
        "is_object": f"{alias}.type = 'object'",
        "role": f"json_extract({v}, '$.role')",
        "question": (f"CASE WHEN json_type({v}, '$.question') = 'integer' AND json_extract({v}, '$.question') >= 0 "
                     f"THEN json_extract({v}, '$.question') END"),
        "skipped": (f"CASE WHEN json_type({v}, '$.skipped') = 'integer' AND json_extract({v}, '$.skipped') >= 0 "
                    f"THEN json_extract({v}, '$.skipped') END"),
        "has_question": f"json_type({v}, '$.question') IS NOT NULL",
        # Objects and arrays come back as their JSON text: unknown tags, as in the app.
        "move": f"CAST(json_extract({v}, '$.move') AS TEXT)",
        "kind": f"CAST(json_extract({v}, '$.kind') AS TEXT)",
    }


def records_sql() -> str:
    """SELECT of every record (chat_response_id, question, state, asked_message, resolved_message, clarifications, probes, redirects).

    Only conversations that mention "question" are parsed, each once (PostgreSQL: a materialized
    step); the guide's question count is the one completion_status states.
    """
    f = fields_sql("e")
    if h.dialect() == "postgresql":
        doc, materialized = f"CASE WHEN {h.is_json_sql('messages_json')} THEN CAST(messages_json AS jsonb) END", "MATERIALIZED "
    else:
        doc, materialized = "CASE WHEN json_valid(messages_json) THEN messages_json END", ""
    return f"""
WITH docs AS {materialized}(
  SELECT id, total, {doc} AS doc
  FROM (SELECT id, messages_json, {total_sql()} AS total FROM chat_responses
        WHERE messages_json LIKE '%"question"%') AS readable
  WHERE total IS NOT NULL
), listed AS (
  SELECT d.id, d.total, {f['position']} AS position, {f['role']} AS role, {f['question']} AS question,
         {f['skipped']} AS skipped, {f['has_question']} AS has_question, {f['move']} AS move, {f['kind']} AS kind
  FROM docs d CROSS JOIN {elements_sql('d.doc', 'e')}
  WHERE {f['is_object']}
), messages AS (
  -- Indexes count the list's objects only, as the app reads the list.
  SELECT id, total, row_number() OVER (PARTITION BY id ORDER BY position) - 1 AS i, role, question, skipped,
         has_question, move, kind
  FROM listed
), placed AS (
  SELECT id, total, i, role, question, skipped, has_question, move, kind,
         max(CASE WHEN role = 'assistant' THEN i END)
           OVER (PARTITION BY id ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS agent_before
  FROM messages
), about AS (
  -- The question a message is about: a user message without its own tag is about the assistant's before it.
  SELECT p.id, p.total, p.i, p.role, p.move, p.kind, p.skipped,
         CASE WHEN p.role = 'user' AND NOT p.has_question THEN a.question ELSE p.question END AS question
  FROM placed p LEFT JOIN messages a ON a.id = p.id AND a.i = p.agent_before
), asked AS (
  SELECT id, question, min(i) AS asked_message FROM about
  WHERE role = 'assistant' AND question < total AND {ASKING}
  GROUP BY id, question
), tallied AS (
  SELECT q.id, q.question, q.asked_message,
         min(CASE WHEN m.role = 'user' AND m.i > q.asked_message AND {ANSWER.replace('kind', 'm.kind')}
                  AND m.question = q.question THEN m.i END) AS answered_by,
         min(CASE WHEN m.i > q.asked_message AND ((m.role = 'user' AND m.kind = 'refuse' AND m.question = q.question)
                  OR (m.role = 'assistant' AND m.skipped = q.question)) THEN m.i END) AS skipped_by,
         count(CASE WHEN m.role = 'user' AND m.i > q.asked_message AND m.kind = 'clarify'
               AND m.question = q.question THEN 1 END) AS clarifications,
         count(CASE WHEN m.role = 'assistant' AND m.i >= q.asked_message AND m.move = 'probe'
               AND m.question = q.question THEN 1 END) AS probes,
         count(CASE WHEN m.role = 'assistant' AND m.i >= q.asked_message AND m.move = 'redirect'
               AND m.question = q.question THEN 1 END) AS redirects
  FROM asked q JOIN about m
    ON m.id = q.id AND (m.question = q.question OR (m.role = 'assistant' AND m.skipped = q.question))
  GROUP BY q.id, q.question, q.asked_message
)
SELECT id, question,
       CASE WHEN answered_by IS NOT NULL THEN 'answered' WHEN skipped_by IS NOT NULL THEN 'skipped' ELSE 'asked' END,
       asked_message, COALESCE(answered_by, skipped_by), clarifications, probes, redirects
FROM tallied"""


def upgrade():
    op.create_table(
        "response_questions",
        sa.Column("chat_response_id", sa.Uuid(), nullable=False),
        sa.Column("question", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("asked_message", sa.Integer(), nullable=False),
        sa.Column("resolved_message", sa.Integer(), nullable=True),
        sa.Column("clarifications", sa.Integer(), server_default="0", nullable=False),
        sa.Column("probes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("redirects", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("state IN ('asked', 'answered', 'skipped')", name=op.f("ck_response_questions_state")),
        sa.ForeignKeyConstraint(["chat_response_id"], ["chat_responses.id"], ondelete="CASCADE",
                                name="fk_response_questions_chat_response_id_chat_responses"),
        sa.PrimaryKeyConstraint("chat_response_id", "question", name="pk_response_questions"),
    )
    # A nullable column without a default: no table rewrite (PostgreSQL), in place (SQLite).
    op.add_column("chat_responses", sa.Column("questions_skipped", sa.Integer(), nullable=True))
    backfill()


def backfill():
    """The records of the interviews so far, from their conversations; the counts and completion_status from them.

    A conversation in which no question was asked (no question tags: imported, legacy) records
    nothing: its counts become NULL ("not recorded") and its completion_status, the old platform's
    figure, is kept. So does one whose completion_status does not say how many questions its guide had.
    """
    if h.imported_this_run():
        # Every response is an interview the import (0004) wrote without a completion_status (so no
        # question count) and without question tags: no records, no counts to write.
        return
    h.ensure_is_json_function()
    h.progress("response_questions: the records of every tagged conversation")
    op.execute("INSERT INTO response_questions (chat_response_id, question, state, asked_message, resolved_message, "
               "clarifications, probes, redirects)" + records_sql())
    h.progress("chat_responses: reached, answered and skipped from the records")
    counted = "(SELECT count(*) FROM response_questions q WHERE q.chat_response_id = chat_responses.id{})"
    reached, answered, skipped = (counted.format(state) for state in
                                  ("", " AND q.state = 'answered'", " AND q.state = 'skipped'"))
    recorded = f"EXISTS {counted.format('').replace('count(*)', '1')}"
    op.execute(f"UPDATE chat_responses SET questions_reached = {reached}, questions_answered = {answered}, "
               f"questions_skipped = {skipped}, "
               f"completion_status = CAST({answered} AS TEXT) || '/' || CAST({total_sql()} AS TEXT) "
               f"WHERE {recorded}")
    op.execute(f"UPDATE chat_responses SET questions_reached = NULL, questions_answered = NULL "
               f"WHERE (questions_reached IS NOT NULL OR questions_answered IS NOT NULL) AND NOT {recorded}")


def downgrade():
    op.drop_column("chat_responses", "questions_skipped")  # SQLite 3.35+ drops a plain column in place
    op.drop_table("response_questions")
