"""The legacy schema (Drizzle's tables plus the merged chatbot's), as DDL for each database.

Frozen here, not derived from the app's models: the baseline revision creates it on an empty
database and the downgrades re-create dropped tables from it.
"""
import re

POSTGRESQL = {
    "membership": "CREATE TYPE membership AS ENUM ('free', 'starter', 'pro')",
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
  status                       text NOT NULL DEFAULT 'ready for review',
  date_completed               timestamp NOT NULL,
  interview_start_time         timestamp NOT NULL,
  interview_end_time           timestamp NOT NULL,
  total_interview_minutes      integer NOT NULL,
  call_id                      text NOT NULL,
  conversation_history_raw     text,
  conversation_history_cleaned text,
  interview_audio_link         text,
  client_company_description   text,
  agent_name                   text NOT NULL,
  voice_id                     text NOT NULL,
  analysis_output              text,
  analysis_part01 text, analysis_part02 text, analysis_part03 text,
  analysis_part04 text, analysis_part05 text, analysis_part06 text,
  created_at                   timestamp NOT NULL DEFAULT now(),
  updated_at                   timestamp NOT NULL DEFAULT now()
)""",
    "creator_conversations": """
CREATE TABLE creator_conversations (
  id         uuid PRIMARY KEY NOT NULL DEFAULT gen_random_uuid(),
  user_id    text NOT NULL,
  messages   jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamp NOT NULL DEFAULT now(),
  updated_at timestamp NOT NULL DEFAULT now()
)""",
    "user": """
CREATE TABLE "user" (
  id       uuid PRIMARY KEY NOT NULL DEFAULT gen_random_uuid(),
  email    varchar(64) NOT NULL,
  password varchar(64)
)""",
    "chat": """
CREATE TABLE chat (
  id          uuid PRIMARY KEY NOT NULL DEFAULT gen_random_uuid(),
  "createdAt" timestamp NOT NULL,
  messages    json NOT NULL,
  "userId"    uuid NOT NULL REFERENCES "user"(id)
)""",
    "reservations": """
CREATE TABLE reservations (
  id                    uuid PRIMARY KEY NOT NULL DEFAULT gen_random_uuid(),
  "createdAt"           timestamp NOT NULL,
  details               json NOT NULL,
  "hasCompletedPayment" boolean NOT NULL DEFAULT false,
  "userId"              uuid NOT NULL REFERENCES "user"(id)
)""",
}


def _sqlite(statement: str) -> str:
    """The PostgreSQL DDL in SQLite's terms: uuid, json and the enum are text there, as the legacy
    SQLite databases have them, and the defaults SQLite cannot compute are left to the writer."""
    statement = statement.replace("DEFAULT gen_random_uuid()", "").replace("DEFAULT now()", "DEFAULT CURRENT_TIMESTAMP")
    statement = statement.replace("'[]'::jsonb", "'[]'")
    return re.sub(r"\b(uuid|jsonb|json|membership)( +(?:PRIMARY KEY )?NOT NULL)", r"text\2", statement)


SQLITE = {table: _sqlite(statement) for table, statement in POSTGRESQL.items() if table != "membership"}

# Creation order (parents first); drop in the reverse order.
TABLES = ["profiles", "todos", "interviews", "creator_conversations", "user", "chat", "reservations"]

# The columns each legacy table must have for the upgrade to proceed (D5).
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
                   "created_at", "updated_at"],
}


def ddl(dialect: str) -> dict:
    """The CREATE statements of the legacy schema for `dialect` ('postgresql' or 'sqlite')."""
    return POSTGRESQL if dialect == "postgresql" else SQLITE
