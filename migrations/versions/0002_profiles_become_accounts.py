"""Profiles become the accounts: preflight, archive, renamed counters, legacy users merged in (D1, D4, D5).

Revision ID: 0002_profiles_accounts
Revises: 0001_legacy_baseline
Create Date: 2026-11-25
"""
import os
import sys

import sqlalchemy as sa
from alembic import op

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import legacy_schema  # noqa: E402
import legacy_sql as h  # noqa: E402

revision = "0002_profiles_accounts"
down_revision = "0001_legacy_baseline"
branch_labels = None
depends_on = None

RENAMES = [
    ("company_name", "organisation_name"),
    ("company_url", "organisation_url"),
    ("company_description", "organisation_description"),
    ("company_description_completed", "organisation_description_completed"),
    ("minutes_total_used", "total_responses_used"),
    ("minutes_used_this_month", "total_responses_used_this_month"),
    ("minutes_available", "total_responses_available"),
    ("monthly_minutes", "monthly_responses_quota"),
]
DROPPED = ["agent_interviewer_name", "voice_id"]
# Archive keys: the dropped columns' values, and the original email of a profile a user merged into.
DROPPED_SOURCE = "profiles"
MERGED_SOURCE = "profiles:merged_user"
SHOW = 20  # offending rows named per check in a preflight report


def upgrade():
    if not h.offline():
        h.progress("preflight: checking the legacy data")
        preflight()
    h.progress("archiving the dropped profile columns")
    create_archive()
    if h.dialect() == "postgresql":
        # Safe to re-run; the value is not used in this transaction (PostgreSQL forbids that).
        op.execute("ALTER TYPE membership ADD VALUE IF NOT EXISTS 'starter' BEFORE 'pro'")
    archive_profile_columns()
    # Renames are what the spec asks for (section 3): the old names' only client is the old app,
    # which this upgrade replaces.
    for old, new in RENAMES:
        h.execute(f"ALTER TABLE profiles RENAME COLUMN {old} TO {new}", "renaming-column")
    # Dropped on purpose (section 3), after archive_profile_columns() kept every value (D4).
    for column in DROPPED:
        h.execute(f"ALTER TABLE profiles DROP COLUMN {column}", "ban-drop-column")
    op.add_column("profiles", sa.Column("total_chat_instances_used", sa.Integer(), server_default="0"))
    op.add_column("profiles", sa.Column("total_chat_instances_available", sa.Integer(), server_default="0"))
    op.add_column("profiles", sa.Column("password_hash", sa.Text()))
    h.progress("merging legacy users into profiles")
    merge_users()
    if h.dialect() == "postgresql":
        rename_primary_key("profiles", "pk_profiles")
    else:
        sqlite_retype_profiles(upgrade=True)
    # CONCURRENTLY cannot run inside the upgrade's one transaction, and during the maintenance
    # window nothing else uses the table.
    h.execute("CREATE UNIQUE INDEX uq_profiles_email_lower ON profiles (lower(email))",
              "require-concurrent-index-creation")


def downgrade():
    op.drop_index("uq_profiles_email_lower", table_name="profiles")
    if h.dialect() == "postgresql":
        rename_primary_key("profiles", "profiles_pkey")
    else:
        sqlite_retype_profiles(upgrade=False)
    unmerge_users()
    for column in ("password_hash", "total_chat_instances_available", "total_chat_instances_used"):
        op.drop_column("profiles", column)
    for column in DROPPED:
        op.add_column("profiles", sa.Column(column, sa.Text()))
    for old, new in RENAMES:
        op.execute(f"ALTER TABLE profiles RENAME COLUMN {new} TO {old}")
    restore_profile_columns()
    leftover = h.scalar(f"SELECT count(*) FROM {h.ARCHIVE}")
    if leftover:
        raise RuntimeError(f"legacy_archive still holds {leftover} rows no downgrade step restores; "
                           "not dropping it. Inspect them before downgrading further.")
    op.drop_table(h.ARCHIVE)


# --- preflight (D5) ----------------------------------------------------------------------------

def preflight() -> None:
    """Refuse, before any change, legacy data the upgrade cannot carry; name the offending rows."""
    problems = missing_columns()
    if not problems:  # the checks below need those columns
        problems += data_problems()
    if problems:
        raise h.PreflightError(
            "The legacy data cannot be upgraded; nothing was changed. Fix these rows and run "
            "`flask db upgrade` again:\n" + "\n".join(problems)
        )


def missing_columns() -> list[str]:
    problems = []
    for table, needed in legacy_schema.REQUIRED_COLUMNS.items():
        have = set(h.columns(table))
        missing = [c for c in needed if c not in have]
        if missing:
            problems.append(f"- table {table} lacks column(s) the upgrade needs: {', '.join(missing)}")
    return problems


def data_problems() -> list[str]:
    uid = "CAST(u.id AS text)"
    checks = [
        ("users sharing an email (case-insensitively)",
         'SELECT lower(u.email), ' + uid + ' FROM "user" AS u WHERE lower(u.email) IN '
         '(SELECT lower(email) FROM "user" GROUP BY lower(email) HAVING count(*) > 1) ORDER BY 1, 2'),
        ("users whose email belongs to another profile",
         f'SELECT {uid}, u.email, p.user_id FROM "user" AS u JOIN profiles AS p '
         f'ON lower(p.email) = lower(u.email) AND p.user_id <> {uid} ORDER BY 1'),
        ("profiles sharing an email (case-insensitively)",
         "SELECT lower(p.email), p.user_id FROM profiles AS p WHERE lower(p.email) IN "
         "(SELECT lower(email) FROM profiles WHERE email IS NOT NULL GROUP BY lower(email) "
         "HAVING count(*) > 1) ORDER BY 1, 2"),
        ("chats pointing at a missing user",
         'SELECT CAST(c.id AS text), CAST(c."userId" AS text) FROM chat AS c '
         'LEFT JOIN "user" AS u ON u.id = c."userId" WHERE u.id IS NULL ORDER BY 1'),
        ("reservations pointing at a missing user",
         'SELECT CAST(r.id AS text), CAST(r."userId" AS text) FROM reservations AS r '
         'LEFT JOIN "user" AS u ON u.id = r."userId" WHERE u.id IS NULL ORDER BY 1'),
    ]
    problems = []
    for label, sql in checks:
        found = h.rows(sql)
        if found:
            named = "; ".join(" / ".join(str(v) for v in row) for row in found[:SHOW])
            more = f" … and {len(found) - SHOW} more" if len(found) > SHOW else ""
            problems.append(f"- {len(found)} {label}: {named}{more}")
    return problems


# --- the steps ---------------------------------------------------------------------------------

def create_archive() -> None:
    op.create_table(
        h.ARCHIVE,
        sa.Column("source_table", sa.Text(), nullable=False),
        sa.Column("source_pk", sa.Text(), nullable=False),
        sa.Column("row_json", sa.Text(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("source_table", "source_pk", name="pk_legacy_archive"),
    )


def user_match(profile_alias: str) -> str:
    """SQL: the profile is the account of a legacy user (its user_id is the user's uuid as text)."""
    return f'EXISTS (SELECT 1 FROM "user" AS u WHERE CAST(u.id AS text) = {profile_alias}.user_id)'


def archive_profile_columns() -> None:
    """The dropped columns' non-null values, and the email of each profile a user will merge into."""
    values = h.json_object_sql("p", DROPPED, strip_nulls=True)
    op.execute(
        f"INSERT INTO {h.ARCHIVE} (source_table, source_pk, row_json, archived_at) "
        f"SELECT '{DROPPED_SOURCE}', p.user_id, {values}, {h.now_sql()} FROM profiles AS p "
        f"WHERE p.agent_interviewer_name IS NOT NULL OR p.voice_id IS NOT NULL"
    )
    email = h.json_object_sql("p", ["email"])
    op.execute(
        f"INSERT INTO {h.ARCHIVE} (source_table, source_pk, row_json, archived_at) "
        f"SELECT '{MERGED_SOURCE}', p.user_id, {email}, {h.now_sql()} FROM profiles AS p "
        f"WHERE {user_match('p')}"
    )


def merge_users() -> None:
    """Each legacy user becomes, or merges into, the profile keyed by its uuid (D1).

    A new profile's id is derived from the user's, so upgrade → downgrade → upgrade ends the same.
    """
    op.execute(
        'UPDATE profiles SET email = COALESCE(profiles.email, u.email), password_hash = u.password '
        'FROM "user" AS u WHERE profiles.user_id = CAST(u.id AS text)'
    )
    quota = h.plan_setting("free", "responses", h.FROZEN_PLANS["free"][0])
    cap = h.plan_setting("free", "instances", h.FROZEN_PLANS["free"][1])
    now = h.now_sql()
    profile_id = h.derived_uuid_sql("'profile'", "CAST(u.id AS text)")
    op.execute(
        "INSERT INTO profiles (id, user_id, email, password_hash, membership, created_at, updated_at, "
        "organisation_description_completed, total_responses_used, total_responses_used_this_month, "
        "total_responses_available, monthly_responses_quota, total_chat_instances_used, "
        "total_chat_instances_available) "
        f"SELECT {profile_id}, CAST(u.id AS text), u.email, u.password, 'free', {now}, {now}, "
        f"false, 0, 0, {quota}, {quota}, COALESCE(c.n, 0), {cap} "
        # Their chats, counted now (D3), so the final count only revisits profiles that change.
        'FROM "user" AS u LEFT JOIN (SELECT "userId", count(*) AS n FROM chat GROUP BY "userId") AS c '
        'ON c."userId" = u.id '
        'WHERE NOT EXISTS (SELECT 1 FROM profiles AS p WHERE p.user_id = CAST(u.id AS text))'
    )


def unmerge_users() -> None:
    """Undo merge_users: drop the profiles made from users, give merged ones their old email back."""
    op.execute(
        f"DELETE FROM profiles WHERE {user_match('profiles')} AND NOT EXISTS "
        f"(SELECT 1 FROM {h.ARCHIVE} AS a WHERE a.source_table = '{MERGED_SOURCE}' "
        f"AND a.source_pk = profiles.user_id)"
    )
    email = ("CAST(a.row_json AS json) ->> 'email'" if h.dialect() == "postgresql"
             else "json_extract(a.row_json, '$.email')")
    op.execute(
        f"UPDATE profiles SET email = {email} FROM {h.ARCHIVE} AS a "
        f"WHERE a.source_table = '{MERGED_SOURCE}' AND a.source_pk = profiles.user_id"
    )
    op.execute(f"DELETE FROM {h.ARCHIVE} WHERE source_table = '{MERGED_SOURCE}'")


def restore_profile_columns() -> None:
    for column in DROPPED:
        value = (f"CAST(a.row_json AS json) ->> '{column}'" if h.dialect() == "postgresql"
                 else f"json_extract(a.row_json, '$.{column}')")
        op.execute(
            f"UPDATE profiles SET {column} = {value} FROM {h.ARCHIVE} AS a "
            f"WHERE a.source_table = '{DROPPED_SOURCE}' AND a.source_pk = profiles.user_id"
        )
    op.execute(f"DELETE FROM {h.ARCHIVE} WHERE source_table = '{DROPPED_SOURCE}'")


def rename_primary_key(table: str, new_name: str) -> None:
    """Give the primary key the naming convention's name (or back the legacy one)."""
    old = f"{table}_pkey" if new_name.startswith("pk_") else f"pk_{table}"
    if not h.offline():
        old = sa.inspect(op.get_bind()).get_pk_constraint(table)["name"] or old
    # A rename of the key's name only, to follow the naming convention.
    h.execute(f"ALTER TABLE {h.q(table)} RENAME CONSTRAINT {h.q(old)} TO {h.q(new_name)}", "renaming-object")


def sqlite_retype_profiles(upgrade: bool) -> None:
    """SQLite only: rebuild profiles with the model's column types (uuid and enum have none here).

    The id moves between the legacy dashed text and SQLAlchemy's 32-hex-digit Uuid form.
    """
    membership = sa.Enum("free", "starter", "pro", name="membership")
    if upgrade:
        op.execute(f"UPDATE profiles SET id = {h.uuid_hex_sql('id')}")
        with op.batch_alter_table("profiles", recreate="always") as batch:
            batch.alter_column("id", type_=sa.Uuid(), existing_nullable=False)
            batch.alter_column("membership", type_=membership, existing_nullable=False)
            batch.alter_column("created_at", type_=sa.DateTime(), existing_nullable=False)
            batch.alter_column("updated_at", type_=sa.DateTime(), existing_nullable=False)
            batch.alter_column("organisation_description_completed", type_=sa.Boolean())
            batch.create_primary_key("pk_profiles", ["user_id"])
    else:
        with op.batch_alter_table("profiles", recreate="always") as batch:
            batch.alter_column("id", type_=sa.Text(), existing_nullable=False)
            batch.alter_column("membership", type_=sa.Text(), existing_nullable=False)
        op.execute(f"UPDATE profiles SET id = {h.uuid_dashed_sql('id')} WHERE length(id) = 32")
