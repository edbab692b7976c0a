"""The legacy schema (Drizzle's tables plus the merged chatbot's), as DDL for each database.

Frozen here, not derived from the app's models, and written from the real migration files:
fletchervmiles/franko-platform `db/migrations/0000…0012` (commit 603ae2b) for the platform's
tables, vercel-labs/gemini-chatbot `lib/drizzle/0000_absurd_joshua_kane.sql` for the chatbot's.
Column order and constraint names are theirs, so a downgrade gives back what `pg_dump` saw.
The baseline creates this schema on an empty database; the downgrades re-create dropped tables.
"""
import re

# The chatbot's tables come in two spellings: as its ORM created them ("User", "Chat",
# "Reservation"), and the lowercase names of older copies. Keyed by the spelling of the user table.
CHATBOT_NAMES = {
    "User": {"user": "User", "chat": "Chat", "reservations": "Reservation"},
    "user": {"user": "user", "chat": "chat", "reservations": "reservations"},
}
DEFAULT_SPELLING = "User"  # what a new install gets, and what offline SQL assumes
PLATFORM_TABLES = ["profiles", "todos", "interviews", "creator_conversations"]
CHATBOT_TABLES = ["user", "chat", "reservations"]  # logical names, parents first

MEMBERSHIP = "CREATE TYPE membership AS ENUM ('free', 'starter', 'pro')"

PLATFORM = {
    "profiles": """
CREATE TABLE profiles (
  user_id                       text PRIMARY KEY NOT NULL,
  membership                    membership NOT NULL DEFAULT 'free',
  stripe_customer_id            text,
  stripe_subscription_id        text,
  created_at                    timestamp NOT NULL DEFAULT now(),
  updated_at                    timestamp NOT NULL DEFAULT now(),
  first_name                    text,
  second_name                   text,
  company_url                   text,
  company_description           text,
  company_description_completed boolean DEFAULT false,
  minutes_total_used            integer DEFAULT 0,
  minutes_used_this_month       integer DEFAULT 0,
  minutes_available             integer DEFAULT 0,
  email                         text,
  agent_interviewer_name        text,
  voice_id                      text,
  id                            uuid NOT NULL DEFAULT gen_random_uuid(),
  company_name                  text,
  monthly_minutes               integer DEFAULT 0
)""",
    "todos": """
CREATE TABLE todos (
  id         uuid PRIMARY KEY NOT NULL DEFAULT gen_random_uuid(),
  user_id    text NOT NULL,
  content    text NOT NULL,
  completed  boolean NOT NULL DEFAULT false,
  created_at timestamp NOT NULL DEFAULT now(),
  updated_at timestamp NOT NULL DEFAULT now()
)""",
    # 0005 created it; 0006 added the analysis columns, 0007 `status`, 0010 its default.
    "interviews": """
CREATE TABLE interviews (
  id                           uuid PRIMARY KEY NOT NULL DEFAULT gen_random_uuid(),
  user_id                      text NOT NULL,
  client_name                  text NOT NULL,
  unique_customer_identifier   text NOT NULL,
  use_case                     text NOT NULL,
  interviewee_first_name       text NOT NULL,
  interviewee_last_name        text NOT NULL,
  interviewee_email            text NOT NULL,
  interviewee_number           text,
  call_id                      text NOT NULL,
  date_completed               timestamp NOT NULL,
  interview_start_time         timestamp NOT NULL,
  interview_end_time           timestamp NOT NULL,
  total_interview_minutes      integer NOT NULL,
  conversation_history_raw     text,
  conversation_history_cleaned text,
  interview_audio_link         text,
  client_company_description   text,
  agent_name                   text NOT NULL,
  voice_id                     text NOT NULL,
  created_at                   timestamp NOT NULL DEFAULT now(),
  updated_at                   timestamp NOT NULL DEFAULT now(),
  analysis_output              text,
  analysis_part01              text,
  analysis_part02              text,
  analysis_part03              text,
  analysis_part04              text,
  analysis_part05              text,
  analysis_part06              text,
  status                       text NOT NULL DEFAULT 'ready for review'
)""",
    "creator_conversations": """
CREATE TABLE creator_conversations (
  id         uuid PRIMARY KEY NOT NULL DEFAULT gen_random_uuid(),
  user_id    text NOT NULL,
  messages   jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamp NOT NULL DEFAULT now(),
  updated_at timestamp NOT NULL DEFAULT now()
)""",
}

# The column lists, in the tables' order (the archive restores rows by them).
COLUMNS = {
    "profiles": ["user_id", "membership", "stripe_customer_id", "stripe_subscription_id", "created_at",
                 "updated_at", "first_name", "second_name", "company_url", "company_description",
                 "company_description_completed", "minutes_total_used", "minutes_used_this_month",
                 "minutes_available", "email", "agent_interviewer_name", "voice_id", "id", "company_name",
                 "monthly_minutes"],
    "todos": ["id", "user_id", "content", "completed", "created_at", "updated_at"],
    "interviews": ["id", "user_id", "client_name", "unique_customer_identifier", "use_case",
                   "interviewee_first_name", "interviewee_last_name", "interviewee_email", "interviewee_number",
                   "call_id", "date_completed", "interview_start_time", "interview_end_time",
                   "total_interview_minutes", "conversation_history_raw", "conversation_history_cleaned",
                   "interview_audio_link", "client_company_description", "agent_name", "voice_id", "created_at",
                   "updated_at", "analysis_output", "analysis_part01", "analysis_part02", "analysis_part03",
                   "analysis_part04", "analysis_part05", "analysis_part06", "status"],
    "creator_conversations": ["id", "user_id", "messages", "created_at", "updated_at"],
    "user": ["id", "email", "password"],
    "chat": ["id", "createdAt", "messages", "userId"],
    "reservations": ["id", "createdAt", "details", "hasCompletedPayment", "userId"],
}

# The columns each legacy table must have for the upgrade to proceed (D5), by logical name.
REQUIRED_COLUMNS = {
    "profiles": ["user_id", "membership", "created_at", "updated_at", "email", "id",
                 "company_name", "company_url", "company_description", "company_description_completed",
                 "minutes_total_used", "minutes_used_this_month", "minutes_available", "monthly_minutes",
                 "agent_interviewer_name", "voice_id"],
    "todos": ["id"],
    "creator_conversations": ["id"],
    "user": ["id", "email", "password"],
    "chat": ["id", "createdAt", "messages", "userId"],
    "reservations": ["id", "userId"],
    "interviews": ["id", "user_id", "use_case", "interviewee_first_name", "interviewee_last_name",
                   "interviewee_email", "interview_start_time", "interview_end_time",
                   "total_interview_minutes", "conversation_history_raw", "conversation_history_cleaned",
                   "agent_name", "created_at", "updated_at"],
}


def names(spelling: str) -> dict[str, str]:
    """Logical name → the table's name in a database of that spelling (platform tables included)."""
    return {**{t: t for t in PLATFORM_TABLES}, **CHATBOT_NAMES[spelling]}


def tables(spelling: str) -> list[str]:
    """The legacy tables' names, parents first (drop in the reverse order)."""
    n = names(spelling)
    return [n[t] for t in PLATFORM_TABLES + CHATBOT_TABLES]


def _chatbot(spelling: str) -> dict[str, str]:
    """The chatbot's CREATE statements; the foreign keys carry the names its migration gave them."""
    user, chat, reservations = (q(CHATBOT_NAMES[spelling][t]) for t in CHATBOT_TABLES)
    if spelling == "User":  # Drizzle's named constraints, added after the tables
        chat_fk = f', CONSTRAINT "Chat_userId_User_id_fk" FOREIGN KEY ("userId") REFERENCES {user}(id)'
        res_fk = f', CONSTRAINT "Reservation_userId_User_id_fk" FOREIGN KEY ("userId") REFERENCES {user}(id)'
        chat_ref = res_ref = ""
    else:  # inline references, named by PostgreSQL: chat_userId_fkey, reservations_userId_fkey
        chat_fk = res_fk = ""
        chat_ref = res_ref = f" REFERENCES {user}(id)"
    return {
        "user": f"""
CREATE TABLE {user} (
  id       uuid PRIMARY KEY NOT NULL DEFAULT gen_random_uuid(),
  email    varchar(64) NOT NULL,
  password varchar(64)
)""",
        "chat": f"""
CREATE TABLE {chat} (
  id          uuid PRIMARY KEY NOT NULL DEFAULT gen_random_uuid(),
  "createdAt" timestamp NOT NULL,
  messages    json NOT NULL,
  "userId"    uuid NOT NULL{chat_ref}{chat_fk}
)""",
        "reservations": f"""
CREATE TABLE {reservations} (
  id                    uuid PRIMARY KEY NOT NULL DEFAULT gen_random_uuid(),
  "createdAt"           timestamp NOT NULL,
  details               json NOT NULL,
  "hasCompletedPayment" boolean NOT NULL DEFAULT false,
  "userId"              uuid NOT NULL{res_ref}{res_fk}
)""",
    }


def foreign_key_names(spelling: str) -> dict[str, str]:
    """The name PostgreSQL gives each chatbot foreign key, by logical table."""
    if spelling == "User":
        return {"chat": "Chat_userId_User_id_fk", "reservations": "Reservation_userId_User_id_fk"}
    return {"chat": "chat_userId_fkey", "reservations": "reservations_userId_fkey"}


def _sqlite(statement: str) -> str:
    """The PostgreSQL DDL in SQLite's terms: uuid, json and the enum are text there, as the legacy
    SQLite databases have them, and the defaults SQLite cannot compute are left to the writer."""
    statement = statement.replace("DEFAULT gen_random_uuid()", "").replace("DEFAULT now()", "DEFAULT CURRENT_TIMESTAMP")
    statement = statement.replace("'[]'::jsonb", "'[]'")
    return re.sub(r"\b(uuid|jsonb|json|membership)( +(?:PRIMARY KEY )?NOT NULL)", r"text\2", statement)


def ddl(dialect: str, spelling: str = DEFAULT_SPELLING) -> dict[str, str]:
    """The CREATE statements of the legacy schema, keyed by logical name (and 'membership' on PostgreSQL)."""
    statements = {**PLATFORM, **_chatbot(spelling)}
    if dialect == "postgresql":
        return {"membership": MEMBERSHIP, **statements}
    return {table: _sqlite(statement) for table, statement in statements.items()}


def q(name: str) -> str:
    """A quoted identifier ("User", "createdAt")."""
    return '"' + name.replace('"', '""') + '"'


def shape(present: set[str]) -> tuple[str | None, list[str]]:
    """Which chatbot spelling a database's tables are, and what is wrong with them (D5, D9).

    Returns (None, []) when no legacy table is there at all; otherwise the spelling and, when the
    set is not exactly one whole legacy schema, one line per problem naming the tables.
    """
    everything = set(PLATFORM_TABLES) | {n for spelt in CHATBOT_NAMES.values() for n in spelt.values()}
    found = present & everything
    if not found:
        return None, []
    problems = []
    for logical in CHATBOT_TABLES:
        both = [CHATBOT_NAMES[s][logical] for s in CHATBOT_NAMES if CHATBOT_NAMES[s][logical] in found]
        if len(both) > 1:
            problems.append(f"- both spellings of one legacy table: {', '.join(q(n) for n in both)}. "
                            "Keep the one the chatbot used (with its rows) and drop the other.")
    counts = {s: sum(n in found for n in CHATBOT_NAMES[s].values()) for s in CHATBOT_NAMES}
    spelling = max(CHATBOT_NAMES, key=lambda s: (counts[s], s == DEFAULT_SPELLING))
    other = [n for s, spelt in CHATBOT_NAMES.items() if s != spelling for n in spelt.values()
             if n in found and n not in CHATBOT_NAMES[spelling].values()]
    if other and not problems:
        problems.append(f"- legacy tables of two spellings: {', '.join(q(n) for n in sorted(other))} beside "
                        f"{', '.join(q(n) for n in CHATBOT_NAMES[spelling].values() if n in found)}. "
                        "Rename them to one spelling.")
    missing = [n for n in tables(spelling) if n not in found]
    if missing:
        problems.append(f"- some legacy tables but not the others: {', '.join(q(n) for n in missing)} "
                        f"missing beside {', '.join(q(n) for n in tables(spelling) if n in found)}. "
                        "Restore the missing tables (empty ones will do) from the legacy database's backup.")
    return spelling, problems
