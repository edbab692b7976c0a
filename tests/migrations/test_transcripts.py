"""The legacy transcript rule (D6), in SQL on PostgreSQL and in Python on SQLite, gives the same messages."""
import json
import sqlite3
import uuid
from datetime import datetime

import pytest
from sqlalchemy.engine import make_url

from migrations import legacy_transcript
from tests.migrations import legacy

START = datetime(2025, 3, 1, 9, 30, 0)
CASES = {
    "plain": legacy.PLAIN_TRANSCRIPT,
    "crlf": "[00:01] Agent: Hello\r\n[00:05] User: Hi\r\nthere",
    "leading text": "Recording started.\n\n[00:03] Interviewer: First question?\n[00:09] Sam: Fine: good.",
    "speakers": "[00:00] ASSISTANT: a\n[00:01]\tava : b\n[00:02] Customer: c\n[00:03] interviewer: d",
    "long call": "[75:03] Agent: still here?\n[120:59] User: yes",
    "no speaker": "[00:00] Agent: Tell me.\n[00:04] well it was fine\n[00:09] User: ok",
    "blank tails": "[00:00] Agent: one\n\n\n[00:02] User:   two  \n\n",
    "no turns": legacy.NO_TURNS_TRANSCRIPT,
    "bracket text": "[note] nothing here is a turn\nAgent: neither is this",
    "crlf lead-in": "intro\r\n\r\n[00:01] Agent: hi\r\nmore\r\r\n[00:02] User: x\ry\r\n",
}
EXPECTED = {
    "crlf": [("assistant", "Hello", "2025-03-01T09:30:01Z"), ("user", "Hi\nthere", "2025-03-01T09:30:05Z")],
    "leading text": [("assistant", "Recording started.\n\nFirst question?", "2025-03-01T09:30:03Z"),
                     ("user", "Fine: good.", "2025-03-01T09:30:09Z")],
    "speakers": [("assistant", "a", "2025-03-01T09:30:00Z"), ("assistant", "b", "2025-03-01T09:30:01Z"),
                 ("user", "c", "2025-03-01T09:30:02Z"), ("assistant", "d", "2025-03-01T09:30:03Z")],
    "long call": [("assistant", "still here?", "2025-03-01T10:45:03Z"), ("user", "yes", "2025-03-01T11:30:59Z")],
    "no speaker": [("assistant", "Tell me.\n[00:04] well it was fine", "2025-03-01T09:30:00Z"),
                   ("user", "ok", "2025-03-01T09:30:09Z")],
    "blank tails": [("assistant", "one", "2025-03-01T09:30:00Z"), ("user", "two", "2025-03-01T09:30:02Z")],
    "crlf lead-in": [("assistant", "intro\n\nhi\nmore", "2025-03-01T09:30:01Z"),
                     ("user", "x\ry", "2025-03-01T09:30:02Z")],
}


def python(raw):
    found = legacy_transcript.messages_json(raw, START, "Ava")
    return None if found is None else [(m["role"], m["content"], m["at"]) for m in json.loads(found)]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_python_rule(name):
    assert python(CASES[name]) == EXPECTED[name]


def test_text_without_turns_is_not_a_transcript():
    assert python(CASES["no turns"]) is None and python(CASES["bracket text"]) is None


def database_rule(database) -> dict:
    """Each case through the SQL the upgrade runs on this backend."""
    if database.backend == "sqlite":
        conn = sqlite3.connect(make_url(database.url).database)
        conn.create_function("franko_transcript", 3, legacy_transcript.messages_json, deterministic=True)
        found = {name: conn.execute("SELECT franko_transcript(?, ?, 'Ava')", (raw, START.isoformat(" "))).fetchone()[0]
                 for name, raw in CASES.items()}
        conn.close()
        return found
    database.execute(legacy.legacy_schema.PLATFORM["interviews"])
    ids = {name: str(uuid.uuid4()) for name in CASES}
    with database.engine.begin() as conn:
        for name, raw in CASES.items():
            legacy.insert(conn, "interviews", id=ids[name], user_id="u", client_name="c", unique_customer_identifier="c",
                          use_case="x", interviewee_first_name="f", interviewee_last_name="l", interviewee_email="e",
                          call_id="c", date_completed=START, interview_start_time=START, interview_end_time=START,
                          total_interview_minutes=0, conversation_history_raw=raw, agent_name=" Ava ", voice_id="v")
    rows = database.rows(f"SELECT CAST(t.id AS text) AS id, t.messages FROM "
                         f"{legacy_transcript.postgresql_messages('true')} AS t")
    by_id = {r["id"]: r["messages"] for r in rows}
    return {name: by_id.get(ids[name]) for name in CASES}


def test_the_database_runs_the_same_rule(database):
    found = database_rule(database)
    for name, raw in CASES.items():
        messages = found[name]
        got = None if messages is None else [(m["role"], m["content"], m["at"]) for m in json.loads(messages)]
        assert got == python(raw), name
