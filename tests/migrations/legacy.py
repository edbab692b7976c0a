"""A legacy database (the spec's section 2) full of awkward rows, built without the app."""
import json
import os
import sys
import uuid
from datetime import datetime, timedelta

import bcrypt
import sqlalchemy as sa

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "migrations"))
import legacy_schema  # noqa: E402  (the spec's DDL, verbatim)

T0 = datetime(2025, 3, 1, 9, 30, 0)
AWKWARD = "Zoë’s café 🚀 \"quoted\" 'single' back\\slash <script>alert('x')</script> ünï"
BIG_CHAT = json.dumps([{"role": "user" if i % 2 else "assistant", "content": f"message {i} " + "ä" * 480}
                       for i in range(200)])  # about 100 kB
PASSWORD_2B = "old-secret-2b"
PASSWORD_2A = "old-secret-2a ✓"


def uid() -> str:
    return str(uuid.uuid4())


def hash_2b(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()


def hash_2a(password: str) -> str:
    return "$2a$" + hash_2b(password)[4:]


def create_schema(engine: sa.Engine, with_starter: bool = True) -> None:
    """The legacy tables; `with_starter=False` makes the older enum without 'starter'."""
    ddl = legacy_schema.ddl(engine.dialect.name)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            enum = ddl["membership"] if with_starter else "CREATE TYPE membership AS ENUM ('free', 'pro')"
            conn.exec_driver_sql(enum)
        for table in legacy_schema.TABLES:
            conn.exec_driver_sql(ddl[table])


def insert(conn, table: str, **values) -> None:
    cols = ", ".join(f'"{c}"' for c in values)
    params = ", ".join(f":{c}" for c in values)
    conn.execute(sa.text(f'INSERT INTO "{table}" ({cols}) VALUES ({params})'), values)


def populate(engine: sa.Engine) -> dict:
    """Insert the awkward rows; return the ids a test needs to find them again."""
    ids = {k: uid() for k in ("alice", "bob", "carol", "dave", "erin")}
    ids.update(legacy_profile="user_2abcLegacyProvider", rich_profile="user_2richVoiceAgent",
               orphan_owner="user_2ghostNoProfile")
    chats = {k: uid() for k in ("big", "empty", "awkward", "bob1", "bob2")}
    interviews = {k: uid() for k in ("i1", "i2", "i3", "orphan")}
    with engine.begin() as conn:
        # Profiles of the old auth provider; one already sits under Carol's user uuid, with no email.
        insert(conn, "profiles", user_id=ids["legacy_profile"], id=uid(), membership="pro",
               email="Legacy.Owner@Example.com", company_name=AWKWARD, company_url="https://example.com/ä?q='1'",
               company_description=AWKWARD, company_description_completed=True, minutes_total_used=321,
               minutes_used_this_month=21, minutes_available=979, monthly_minutes=1000,
               created_at=T0, updated_at=T0 + timedelta(days=3))
        insert(conn, "profiles", user_id=ids["rich_profile"], id=uid(), membership="free",
               email=None, agent_interviewer_name="Ava 🎙", voice_id="voice-\"42\"", company_name=None,
               created_at=T0, updated_at=T0)
        insert(conn, "profiles", user_id=ids["carol"], id=uid(), membership="starter", email=None,
               first_name="Carol", agent_interviewer_name=None, voice_id="v-carol",
               minutes_available=5, monthly_minutes=100, created_at=T0, updated_at=T0)
        # The chatbot's users: mixed-case emails, both bcrypt prefixes, a null password, one without chats.
        insert(conn, "user", id=ids["alice"], email="Alice.Mixed@Example.COM", password=hash_2b(PASSWORD_2B))
        insert(conn, "user", id=ids["bob"], email="bob@example.com", password=hash_2a(PASSWORD_2A))
        insert(conn, "user", id=ids["carol"], email="carol@example.com", password=hash_2b("carol-pw"))
        insert(conn, "user", id=ids["dave"], email="dave.nochats@example.com", password=None)
        insert(conn, "user", id=ids["erin"], email="erin+tag@example.com", password=hash_2b("erin-pw"))
        insert(conn, "chat", id=chats["big"], createdAt=T0, messages=BIG_CHAT, userId=ids["alice"])
        insert(conn, "chat", id=chats["empty"], createdAt=T0 + timedelta(hours=1), messages="[]", userId=ids["alice"])
        insert(conn, "chat", id=chats["awkward"], createdAt=T0 + timedelta(hours=2),
               messages=json.dumps([{"role": "user", "content": AWKWARD}], ensure_ascii=False), userId=ids["bob"])
        insert(conn, "chat", id=chats["bob1"], createdAt=T0, messages='[{"role":"assistant","content":"hi"}]',
               userId=ids["bob"])
        insert(conn, "chat", id=chats["bob2"], createdAt=T0, messages="[]", userId=ids["carol"])
        insert(conn, "reservations", id=uid(), createdAt=T0, details=json.dumps({"seat": "4A", "note": AWKWARD}),
               hasCompletedPayment=True, userId=ids["alice"])
        insert(conn, "todos", id=uid(), user_id=ids["legacy_profile"], content=AWKWARD, completed=False,
               created_at=T0, updated_at=T0)
        insert(conn, "todos", id=uid(), user_id="nobody", content="done", completed=True, created_at=T0, updated_at=T0)
        insert(conn, "creator_conversations", id=uid(), user_id=ids["legacy_profile"],
               messages=json.dumps([{"role": "user", "content": AWKWARD}]), created_at=T0, updated_at=T0)
        for key, owner, use_case in (("i1", ids["legacy_profile"], "Churn research"),
                                     ("i2", ids["legacy_profile"], "Churn research"),
                                     ("i3", ids["legacy_profile"], AWKWARD),
                                     ("orphan", ids["orphan_owner"], "Churn research")):
            insert(conn, "interviews", id=interviews[key], user_id=owner, client_name="Acme", unique_customer_identifier="c-1",
                   use_case=use_case, interviewee_first_name="Zoë", interviewee_last_name="O'Brien",
                   interviewee_email="zoe@example.com", interviewee_number=None, status="ready for review",
                   date_completed=T0, interview_start_time=T0, interview_end_time=T0 + timedelta(minutes=17),
                   total_interview_minutes=17, call_id="call-" + key,
                   conversation_history_raw=json.dumps([{"role": "assistant", "content": "Why did you leave?"},
                                                        {"role": "user", "content": AWKWARD}]),
                   conversation_history_cleaned="Agent: Why did you leave?\nZoë: " + AWKWARD,
                   interview_audio_link="https://audio.example.com/" + key, client_company_description=AWKWARD,
                   agent_name="Ava", voice_id="v1", analysis_output="long analysis", analysis_part01="p1",
                   created_at=T0 + timedelta(minutes=1), updated_at=T0 + timedelta(minutes=2))
    return {"ids": ids, "chats": chats, "interviews": interviews}


LEGACY_TABLES = ["profiles", "todos", "interviews", "creator_conversations", "user", "chat", "reservations"]


def snapshot(engine: sa.Engine, tables=LEGACY_TABLES) -> dict:
    """Every row of `tables`, normalised for comparison (json parsed, uuids as text), keyed by table."""
    out = {}
    with engine.connect() as conn:
        for table in tables:
            result = conn.execute(sa.text(f'SELECT * FROM "{table}"')).mappings().all()
            rows = [{k: normalise(v) for k, v in row.items()} for row in result]
            out[table] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return out


def normalise(value):
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return value
