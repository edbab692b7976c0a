"""The legacy voice transcripts (`interviews.conversation_history_raw`) as messages (D6).

The old platform stored one line per turn, `[mm:ss] Speaker: text` (its transcript component
split on exactly that). A line without the prefix continues the previous message; `mm:ss` is the
offset from the interview's start; the speaker is the agent when it is `Agent`, `Assistant`,
`Interviewer` or the row's `agent_name` (case-insensitively), the interviewee otherwise. Text
with no such line at all is not a transcript of turns and is kept as text.

One rule, two spellings: SQL for PostgreSQL (set-based, in the import's INSERT … SELECT) and
Python for SQLite (registered as a SQL function there). tests/migrations/test_transcripts.py
runs the same transcripts through both and expects the same messages.
"""
import json
import re
from datetime import datetime, timedelta

LINE = re.compile(r"^[ \t]*\[([0-9]+):([0-9]{2})\][ \t]*([^:]*[^: \t])[ \t]*:[ \t]?(.*)$")
AGENT_NAMES = ("agent", "assistant", "interviewer")
TRIM = " \t\r\n"


def messages_json(raw: str | None, start: str | datetime | None, agent_name: str | None) -> str | None:
    """The transcript as a JSON list of {role, content, at}; None when no line is a turn."""
    if raw is None:
        return None
    groups: list[list] = []  # [speaker, minutes, seconds, [lines]]
    leading: list[str] = []
    for line in re.split(r"\r?\n", raw):
        turn = LINE.match(line)
        if turn:
            groups.append([turn[3], int(turn[1]), int(turn[2]), [turn[4]]])
        elif groups:
            groups[-1][3].append(line)
        else:
            leading.append(line)
    if not groups:
        return None
    groups[0][3][:0] = leading  # text before the first turn opens it
    t0 = start if isinstance(start, datetime) or start is None else datetime.fromisoformat(start)
    agent = (agent_name or "").strip(" ").lower()  # as PostgreSQL's btrim(): spaces only
    messages = []
    for speaker, minutes, seconds, lines in groups:
        who = speaker.strip(" ").lower()
        at = None if t0 is None else (t0 + timedelta(minutes=minutes, seconds=seconds))
        messages.append({
            "role": "assistant" if who in AGENT_NAMES or who == agent else "user",
            "content": "\n".join(lines).strip(TRIM),
            "at": None if at is None else at.isoformat(timespec="seconds") + "Z",
        })
    return json.dumps(messages, ensure_ascii=False)


def postgresql_messages(interviews_where: str) -> str:
    """SQL: (id, messages) for each interview matching `interviews_where` (alias i) whose raw
    transcript has at least one `[mm:ss] Speaker:` line — the same rule as messages_json()."""
    line = r"^[ \t]*\[([0-9]+):([0-9]{2})\][ \t]*([^:]*[^: \t])[ \t]*:[ \t]?(.*)$"
    any_line = r"(^|\n)[ \t]*\[[0-9]+:[0-9]{2}\][ \t]*[^:\n]*[^: \t\n][ \t]*:"
    agents = ", ".join(f"'{a}'" for a in AGENT_NAMES)
    return f"""(SELECT id, CAST(json_agg(json_build_object('role', role, 'content', content, 'at', at)
                                  ORDER BY k) AS text) AS messages
  FROM (SELECT id, k,
          CASE WHEN max(speaker) IN ({agents}) OR max(speaker) = max(agent) THEN 'assistant' ELSE 'user' END AS role,
          btrim(string_agg(COALESCE(said, line), E'\\n' ORDER BY n), E' \\t\\r\\n') AS content,
          to_char(max(t0) + make_interval(mins => max(mm), secs => max(ss)),
                  'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at
        FROM (SELECT id, t0, agent, n, line, CAST(m[1] AS integer) AS mm, CAST(m[2] AS integer) AS ss,
                     lower(btrim(m[3])) AS speaker, m[4] AS said,
                     greatest(count(m) OVER (PARTITION BY id ORDER BY n), 1) AS k
              FROM (SELECT i.id, i.interview_start_time AS t0, lower(btrim(i.agent_name)) AS agent, l.n, l.line,
                           regexp_match(l.line, '{line}') AS m
                    FROM interviews AS i,
                         regexp_split_to_table(i.conversation_history_raw, E'\\r?\\n') WITH ORDINALITY AS l(line, n)
                    WHERE {interviews_where} AND i.conversation_history_raw ~ E'{any_line.replace(chr(92), chr(92) * 2)}'
                   ) AS lines
             ) AS numbered
        GROUP BY id, k) AS turns
  GROUP BY id)"""
