"""Profiles become the accounts: preflight, archive, renamed counters, legacy users mapped to accounts (D1, D4, D5, D7).

Revision ID: 0002_profiles_accounts
Revises: 0001_legacy_baseline
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from migrations import legacy_accounts as accounts
from migrations import legacy_schema
from migrations import legacy_sql as h

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
COUNTERS = ["minutes_total_used", "minutes_used_this_month", "minutes_available", "monthly_minutes"]
# Archive sources: the dropped columns' values; the counters as they were before D7 reconciled them.
DROPPED_SOURCE = "profiles"
COUNTERS_SOURCE = "profiles:counters"


def upgrade():
    if not h.offline():
        h.progress("preflight: checking the legacy data")
        accounts.preflight()
    if not h.has_table(h.ARCHIVE):  # baselined before the baseline made it
        h.create_archive()
    if h.dialect() == "postgresql":
        # Safe to re-run; the value is not used in this transaction (PostgreSQL forbids that).
        op.execute("ALTER TYPE membership ADD VALUE IF NOT EXISTS 'starter' BEFORE 'pro'")
    h.progress("archiving the dropped profile columns; reconciling counters")
    archive_profile_columns()
    reconcile_counters()
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
    h.progress("mapping legacy users to accounts")
    accounts.merge_users()
    if h.dialect() == "postgresql":
        rename_primary_key("profiles", "pk_profiles")
    else:
        sqlite_retype_profiles()
    # CONCURRENTLY cannot run inside the upgrade's one transaction, and during the maintenance
    # window nothing else uses the table.
    h.execute("CREATE UNIQUE INDEX uq_profiles_email_lower ON profiles (lower(email))",
              "require-concurrent-index-creation")


def downgrade():
    op.drop_index("uq_profiles_email_lower", table_name="profiles")
    accounts.unmerge_users()
    labels = h.baseline_record().get("membership")
    rebuild_legacy_profiles(labels if labels and "starter" not in labels else None)


# --- the steps ---------------------------------------------------------------------------------

def archive_profile_columns() -> None:
    """The dropped columns' non-null values (D4)."""
    values = h.json_object_sql("p", DROPPED, strip_nulls=True)
    op.execute(
        f"INSERT INTO {h.ARCHIVE} (source_table, source_pk, row_json, archived_at) "
        f"SELECT '{DROPPED_SOURCE}', p.user_id, {values}, {h.now_sql()} FROM profiles AS p "
        f"WHERE p.agent_interviewer_name IS NOT NULL OR p.voice_id IS NOT NULL"
    )


def reconciled_counters() -> dict[str, str]:
    """D7: counters that contradict each other or the rules, made consistent (never NULL, never
    negative, lifetime at least this month's, which is kept)."""
    month = h.greatest_sql("COALESCE(minutes_used_this_month, 0)", "0")
    return {
        "minutes_used_this_month": month,
        "minutes_total_used": h.greatest_sql("COALESCE(minutes_total_used, 0)", month),
        "minutes_available": h.greatest_sql("COALESCE(minutes_available, 0)", "0"),
        "monthly_minutes": h.greatest_sql("COALESCE(monthly_minutes, 0)", "0"),
    }


def reconcile_counters() -> None:
    """Archive the original counters of each profile D7 changes, then change them (the report lists them)."""
    fixed = reconciled_counters()
    changed = " OR ".join(f"({c} IS NULL OR {c} <> {fixed[c]})" for c in COUNTERS)
    values = h.json_object_sql("p", COUNTERS)
    op.execute(
        f"INSERT INTO {h.ARCHIVE} (source_table, source_pk, row_json, archived_at) "
        f"SELECT '{COUNTERS_SOURCE}', p.user_id, {values}, {h.now_sql()} FROM profiles AS p WHERE {changed}"
    )
    op.execute(f"UPDATE profiles SET {', '.join(f'{c} = {fixed[c]}' for c in COUNTERS)} "
               f"WHERE user_id IN (SELECT source_pk FROM {h.ARCHIVE} WHERE source_table = '{COUNTERS_SOURCE}')")


def rename_primary_key(table: str, new_name: str) -> None:
    """Give the primary key the naming convention's name."""
    old = f"{table}_pkey"
    if not h.offline():
        old = sa.inspect(op.get_bind()).get_pk_constraint(table)["name"] or old
    # A rename of the key's name only, to follow the naming convention.
    h.execute(f"ALTER TABLE {h.q(table)} RENAME CONSTRAINT {h.q(old)} TO {h.q(new_name)}", "renaming-object")


def sqlite_retype_profiles() -> None:
    """SQLite only: rebuild profiles with the model's column types (uuid and enum have none here).

    The id moves from the legacy dashed text to SQLAlchemy's 32-hex-digit Uuid form.
    """
    membership = sa.Enum("free", "starter", "pro", name="membership")
    op.execute(f"UPDATE profiles SET id = {h.uuid_hex_sql('id')}")
    with op.batch_alter_table("profiles", recreate="always") as batch:
        batch.alter_column("id", type_=sa.Uuid(), existing_nullable=False)
        batch.alter_column("membership", type_=membership, existing_nullable=False)
        batch.alter_column("created_at", type_=sa.DateTime(), existing_nullable=False)
        batch.alter_column("updated_at", type_=sa.DateTime(), existing_nullable=False)
        batch.alter_column("organisation_description_completed", type_=sa.Boolean())
        batch.create_primary_key("pk_profiles", ["user_id"])


# --- the way back ------------------------------------------------------------------------------

def rebuild_legacy_profiles(labels: list[str] | None) -> None:
    """Give back the legacy `profiles` exactly: its DDL, its column order, its rows (D8).

    Columns dropped and re-added would land at the end, so the table is made anew from the frozen
    DDL and filled from the current one, with the dropped columns and original counters from the
    archive. `labels` (PostgreSQL) is the legacy enum when it lacked 'starter': it is made again.
    """
    postgresql = h.dialect() == "postgresql"
    if labels:
        refuse_starter_profiles()
    op.execute("ALTER TABLE profiles RENAME TO _franko_profiles_old")
    if postgresql and labels:
        op.execute("ALTER TYPE membership RENAME TO _franko_membership_old")
        op.execute("CREATE TYPE membership AS ENUM (" + ", ".join(f"'{label}'" for label in labels) + ")")
    op.execute(legacy_schema.ddl(h.dialect())["profiles"])
    renamed = dict(RENAMES)
    values = []
    for column in legacy_schema.COLUMNS["profiles"]:
        current = f"p.{renamed.get(column, column)}"
        if column in DROPPED:
            values.append(f"{h.archive_json(column, 'd')}")
        elif column in COUNTERS:
            values.append(f"CASE WHEN c.source_pk IS NULL THEN {current} "
                          f"ELSE CAST({h.archive_json(column, 'c')} AS integer) END")
        elif column == "membership" and postgresql:
            values.append("CAST(CAST(p.membership AS text) AS membership)")
        elif column == "id" and not postgresql:
            values.append(f"CASE WHEN length(p.id) = 32 THEN {h.uuid_dashed_sql('p.id')} ELSE p.id END")
        else:
            values.append(current)
    op.execute(
        f"INSERT INTO profiles ({', '.join(legacy_schema.COLUMNS['profiles'])}) SELECT {', '.join(values)} "
        f"FROM _franko_profiles_old AS p "
        f"LEFT JOIN {h.ARCHIVE} AS d ON d.source_table = '{DROPPED_SOURCE}' AND d.source_pk = p.user_id "
        f"LEFT JOIN {h.ARCHIVE} AS c ON c.source_table = '{COUNTERS_SOURCE}' AND c.source_pk = p.user_id"
    )
    op.execute("DROP TABLE _franko_profiles_old")
    if postgresql and labels:
        op.execute("DROP TYPE _franko_membership_old")
    op.execute(f"DELETE FROM {h.ARCHIVE} WHERE source_table IN ('{DROPPED_SOURCE}', '{COUNTERS_SOURCE}')")


def refuse_starter_profiles() -> None:
    """The legacy enum had no 'starter': refuse rather than change anyone's plan."""
    found = h.rows("SELECT user_id FROM profiles WHERE CAST(membership AS text) = 'starter' ORDER BY 1 LIMIT 20")
    if found:
        raise RuntimeError(
            "The legacy database's membership type has no 'starter', and these profiles are on it: "
            + ", ".join(user_id for (user_id,) in found)
            + ". Move them to another plan (`flask franko set-plan`) before downgrading."
        )
