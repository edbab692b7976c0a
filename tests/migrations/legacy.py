"""A legacy database as production has them (SPEC §2), built from the real DDL without the app.

Both spellings of the chatbot's tables ("User"/"Chat"/"Reservation" and the older lowercase
ones), Drizzle's own `drizzle` schema, a table nobody told us about, and rows of every awkward
shape real data has: emails differing only in case, a chatbot user who also has a platform
profile, double-encoded messages, plain-text voice transcripts with no cleaned copy, `churn` and
`Churn`, a 100-byte passphrase hashed by bcrypt-ts, counters that contradict each other.
"""
import json
import uuid
from datetime import datetime, timedelta

import bcrypt
import sqlalchemy as sa

from migrations import legacy_schema  # the frozen legacy DDL

T0 = datetime(2025, 3, 1, 9, 30, 0)
AWKWARD = "Zoë’s café 🚀 \"quoted\" 'single' back\\slash <script>alert('x')</script> ünï"
BIG_CHAT = [{"role": "user" if i % 2 else "assistant", "content": f"message {i} " + "ä" * 480}
            for i in range(200)]  # about 100 kB
PASSWORD_2B = "old-secret-2b"
# Hashes made by the chatbot's own library (bcrypt-ts 5.0.3, `hashSync(pw, genSaltSync(10))`).
PASSWORD_2A = "old-secret-2a ✓"
HASH_2A = "$2a$10$Jgsrrc179ZtA18C6guQS5.25gBenw/I9XO1wNwzNZydFYSAAfcTI."
# 100 bytes in UTF-8; byte 72 falls inside the ✓, and bcrypt-ts used only the first 72 bytes.
PASSPHRASE_100 = "correct horse battery staple and a long tail so that the 72-byte cut: ✓ falls mid-character Zo🔐"
HASH_100 = "$2a$10$xhnef6fmyzI/Lt5BccDnHucCcq4A4gE5U9LrSPcg2nSYM9nyWuDK2"
UNKNOWN_TABLE = "office_notes"
PLAIN_TRANSCRIPT = (
    "[00:00] Agent: Hi Zoë, thanks for joining. Why did you cancel?\n"
    "[00:07] User: Mostly the price.\n"
    "It went up twice last year.\n"
    "\n"
    "[01:15] Ava: What would have kept you?\n"
    "[01:40] Zoë: A cheaper plan: fewer seats."
)
NO_TURNS_TRANSCRIPT = "Call dropped before the interview started; the client asked to be called back."


def uid() -> str:
    return str(uuid.uuid4())


def hash_2b(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()


def double_encoded(value) -> str:
    """What the chatbot stored: its messages stringified, then stringified again by the ORM."""
    return json.dumps(json.dumps(value, ensure_ascii=False, separators=(",", ":")), ensure_ascii=False,
                      separators=(",", ":"))


def tables(spelling: str = "User") -> list[str]:
    return legacy_schema.tables(spelling)


def create_schema(engine: sa.Engine, with_starter: bool = True, spelling: str = "User",
                  drizzle: bool = True, unknown_table: bool = True) -> None:
    """The legacy tables; `with_starter=False` makes the older enum without 'starter'."""
    ddl = legacy_schema.ddl(engine.dialect.name, spelling)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            enum = ddl["membership"] if with_starter else "CREATE TYPE membership AS ENUM ('free', 'pro')"
            conn.exec_driver_sql(enum)
            if drizzle:  # both codebases' Drizzle logs, in Drizzle's own schema
                conn.exec_driver_sql("CREATE SCHEMA drizzle")
                conn.exec_driver_sql("CREATE TABLE drizzle.__drizzle_migrations "
                                     "(id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)")
                conn.exec_driver_sql("INSERT INTO drizzle.__drizzle_migrations (hash, created_at) "
                                     "SELECT md5(g::text), 1730816589111 + g FROM generate_series(0, 13) AS g")
        for table in legacy_schema.PLATFORM_TABLES + legacy_schema.CHATBOT_TABLES:
            conn.exec_driver_sql(ddl[table])
        if unknown_table:
            conn.exec_driver_sql(f"CREATE TABLE {UNKNOWN_TABLE} (id integer PRIMARY KEY, body text)")
            conn.exec_driver_sql(f"INSERT INTO {UNKNOWN_TABLE} VALUES (1, 'kept as it is')")


def insert(conn, table: str, **values) -> None:
    cols = ", ".join(f'"{c}"' for c in values)
    params = ", ".join(f":{c}" for c in values)
    conn.execute(sa.text(f'INSERT INTO "{table}" ({cols}) VALUES ({params})'), values)


def populate(engine: sa.Engine, spelling: str = "User", carol_plan: str = "starter") -> dict:
    """Insert the awkward rows; return the ids a test needs to find them again."""
    n = legacy_schema.names(spelling)
    ids = {k: uid() for k in ("alice", "alice2", "bob", "carol", "dave", "erin", "frank", "gina")}
    ids.update(legacy_profile="user_2abcLegacyProvider", rich_profile="user_2richVoiceAgent",
               orphan_owner="user_2ghostNoProfile", frank_profile="user_2frankPlatform",
               contradictory="user_2counterMess")
    chats = {k: uid() for k in ("big", "empty", "alice2", "awkward", "bob1", "bob2", "frank", "single")}
    interviews = {k: uid() for k in ("i1", "i2", "i3", "orphan", "plain", "no_turns", "skewed")}
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
        insert(conn, "profiles", user_id=ids["carol"], id=uid(), membership=carol_plan, email=None,
               first_name="Carol", agent_interviewer_name=None, voice_id="v-carol",
               minutes_available=5, monthly_minutes=100, created_at=T0, updated_at=T0)
        # Frank signed up on the platform too: the chatbot's frank@… merges into this profile (D1 rule 2).
        insert(conn, "profiles", user_id=ids["frank_profile"], id=uid(), membership="free",
               email="Frank@Example.com", company_name="Frank & Co", created_at=T0, updated_at=T0)
        # Counters that contradict each other (D7): more used this month than ever, and a NULL.
        insert(conn, "profiles", user_id=ids["contradictory"], id=uid(), membership="free",
               email="counters@example.com", minutes_total_used=7, minutes_used_this_month=50,
               minutes_available=None, monthly_minutes=10, created_at=T0, updated_at=T0)
        # The chatbot's users: emails differing only in case, both bcrypt prefixes, no password, long passphrase.
        insert(conn, n["user"], id=ids["alice"], email="Alice.Mixed@Example.COM", password=hash_2b(PASSWORD_2B))
        insert(conn, n["user"], id=ids["alice2"], email="alice.mixed@example.com", password=None)
        insert(conn, n["user"], id=ids["bob"], email="bob@example.com", password=HASH_2A)
        insert(conn, n["user"], id=ids["carol"], email="carol@example.com", password=hash_2b("carol-pw"))
        insert(conn, n["user"], id=ids["dave"], email="dave.nochats@example.com", password=None)
        insert(conn, n["user"], id=ids["erin"], email="erin+tag@example.com", password=hash_2b("erin-pw"))
        insert(conn, n["user"], id=ids["frank"], email="frank@example.com", password=hash_2b("frank-pw"))
        insert(conn, n["user"], id=ids["gina"], email="gina@example.com", password=HASH_100)
        chat_rows = [
            ("big", T0, double_encoded(BIG_CHAT), "alice"),
            ("empty", T0 + timedelta(hours=1), double_encoded([]), "alice"),
            ("alice2", T0 + timedelta(hours=5), double_encoded([{"role": "user", "content": "second me"}]), "alice2"),
            ("awkward", T0 + timedelta(hours=2), double_encoded([{"role": "user", "content": AWKWARD}]), "bob"),
            ("bob1", T0, double_encoded([{"role": "assistant", "content": "hi", "toolInvocations": []}]), "bob"),
            ("bob2", T0, double_encoded([]), "carol"),
            ("frank", T0 + timedelta(days=1), double_encoded([{"role": "user", "content": "Frank here"}]), "frank"),
            # Written before the chatbot stringified: plain JSON, kept as it is.
            ("single", T0 + timedelta(days=2), '[{"role":"user","content":"plain json"}]', "gina"),
        ]
        for key, created, messages, owner in chat_rows:
            insert(conn, n["chat"], id=chats[key], createdAt=created, messages=messages, userId=ids[owner])
        insert(conn, n["reservations"], id=uid(), createdAt=T0, details=double_encoded({"seat": "4A", "note": AWKWARD}),
               hasCompletedPayment=True, userId=ids["alice"])
        insert(conn, n["reservations"], id=uid(), createdAt=T0, details=double_encoded({"seat": "9C"}),
               hasCompletedPayment=False, userId=ids["frank"])
        insert(conn, "todos", id=uid(), user_id=ids["legacy_profile"], content=AWKWARD, completed=False,
               created_at=T0, updated_at=T0)
        insert(conn, "todos", id=uid(), user_id="nobody", content="done", completed=True, created_at=T0, updated_at=T0)
        insert(conn, "creator_conversations", id=uid(), user_id=ids["legacy_profile"],
               messages=json.dumps([{"role": "user", "content": AWKWARD}]), created_at=T0, updated_at=T0)
        json_transcript = json.dumps([{"role": "assistant", "content": "Why did you leave?"},
                                      {"role": "user", "content": AWKWARD}])
        rows = [  # key, owner, use_case, raw, cleaned, start offset, minutes, end offset
            ("i1", "legacy_profile", "churn", json_transcript, "Agent: Why did you leave?\nZoë: " + AWKWARD, 0, 17, 17),
            ("i2", "legacy_profile", "Churn ", PLAIN_TRANSCRIPT, None, 60, 2, 62),
            ("i3", "legacy_profile", AWKWARD, json_transcript, "cleaned", 120, 17, 137),
            ("plain", "legacy_profile", "churn", PLAIN_TRANSCRIPT, None, 180, 2, 182),
            ("no_turns", "frank_profile", "Onboarding", NO_TURNS_TRANSCRIPT, None, 0, 0, 0),
            ("skewed", "frank_profile", "onboarding", None, None, 240, 30, 230),  # ends before it starts
            ("orphan", "orphan_owner", "Churn research", json_transcript, "cleaned", 0, 17, 17),
        ]
        for key, owner, use_case, raw, cleaned, start, minutes, end in rows:
            started = T0 + timedelta(minutes=start)
            insert(conn, "interviews", id=interviews[key], user_id=ids[owner], client_name="Acme",
                   unique_customer_identifier="c-1", use_case=use_case, interviewee_first_name="Zoë",
                   interviewee_last_name="O'Brien", interviewee_email="zoe@example.com", interviewee_number=None,
                   status="ready for review", date_completed=started, interview_start_time=started,
                   interview_end_time=T0 + timedelta(minutes=end), total_interview_minutes=minutes,
                   call_id="call-" + key, conversation_history_raw=raw, conversation_history_cleaned=cleaned,
                   interview_audio_link="https://audio.example.com/" + key, client_company_description=AWKWARD,
                   agent_name="Ava", voice_id="v1", analysis_output="long analysis", analysis_part01="p1",
                   created_at=started + timedelta(minutes=1), updated_at=started + timedelta(minutes=2))
    return {"ids": ids, "chats": chats, "interviews": interviews, "spelling": spelling}


def snapshot(engine: sa.Engine, tables_=None) -> dict:
    """Every row of `tables_` (default: every table but Alembic's), normalised for comparison."""
    with engine.connect() as conn:
        names = tables_ or [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"]
        out = {}
        for table in names:
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
