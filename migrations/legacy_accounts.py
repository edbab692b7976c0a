"""Legacy users → accounts (D1) and the preflight that refuses what cannot be mapped (D5).

Each user maps to: the profile keyed by its uuid (rule 1); else the one profile with its email,
case-insensitively (rule 2, a merge); else a new profile (rule 3). Users sharing an email are one
group and one account, keyed by the *kept* member (most chats, then lowest id) when no profile is
found. Everything is set-based: one temporary table holds every user's account, and the rest are
INSERT … SELECT / UPDATE … FROM over it. Merges are written to the archive, where the chats'
re-pointing (0003), the report and the downgrade find them.
"""
from alembic import op

from migrations import legacy_schema
from migrations import legacy_sql as h

MERGE_SOURCE = "user:account"          # a user merged into another account: {account, email, reason}
MERGED_PROFILE_SOURCE = "profiles:merged_user"  # an existing profile users were mapped to: its email before
SHOW = 20  # offending rows named per check in a preflight report


def candidates_cte() -> str:
    """WITH u, cand: each user with its chats, its rule-1 profile (r1) and its rule-2 profile (r2)."""
    n = h.legacy_names()
    return f"""WITH u AS (
  SELECT CAST(u.id AS text) AS uid, u.email, u.password, lower(u.email) AS g,
         COALESCE(c.n, 0) AS chats, c.first_chat
  FROM {n['user']} AS u LEFT JOIN (
    SELECT "userId" AS id, count(*) AS n, min("createdAt") AS first_chat FROM {n['chat']} GROUP BY "userId"
  ) AS c ON c.id = u.id),
cand AS (
  SELECT u.*, p1.user_id AS r1, p2.user_id AS r2, p1.email AS r1_email
  FROM u LEFT JOIN profiles AS p1 ON p1.user_id = u.uid
         LEFT JOIN profiles AS p2 ON lower(p2.email) = u.g)"""


# --- preflight (D5) ----------------------------------------------------------------------------

def preflight() -> None:
    """Refuse, before any change, legacy data the upgrade cannot carry; name the rows and the fix."""
    problems = missing_columns()
    if not problems:  # the checks below need those columns
        problems = data_problems()
    if problems:
        raise h.PreflightError(
            "The legacy data cannot be upgraded; nothing was changed. Fix these rows and run "
            "`flask db upgrade` again:\n" + "\n".join(problems)
        )


def missing_columns() -> list[str]:
    problems = []
    for logical, table in legacy_schema.names(h.spelling()).items():
        have = set(h.columns(table))
        missing = [c for c in legacy_schema.REQUIRED_COLUMNS[logical] if c not in have]
        if missing:
            problems.append(f"- table {h.q(table)} lacks column(s) the upgrade needs: {', '.join(missing)}. "
                            "Restore the table from the legacy database's backup.")
    return problems


def data_problems() -> list[str]:
    n = h.legacy_names()
    checks = [
        ("profiles share an email (case-insensitively): profile user_id / email",
         "SELECT p.user_id, p.email FROM profiles AS p WHERE lower(p.email) IN (SELECT lower(email) FROM "
         "profiles WHERE email IS NOT NULL GROUP BY lower(email) HAVING count(*) > 1) ORDER BY lower(p.email), 1",
         "give each of these profiles its own email, or set it to NULL on all but one of each group."),
    ]
    problems = report(checks)
    if problems:  # the account checks below join profiles by email, which must be unique first
        return problems
    checks = [
        ("users sharing an email would map to two different profiles: user id / email / profile",
         f"{candidates_cte()} SELECT uid, email, COALESCE(r1, r2) FROM cand WHERE g IN "
         "(SELECT g FROM cand GROUP BY g HAVING count(DISTINCT COALESCE(r1, r2)) > 1) ORDER BY g, uid",
         "these users are one person (the same email, case-insensitively) with two accounts: merge the "
         "two profiles into one, or change the email of the user that is someone else."),
        ("users whose own profile has no email while another profile has theirs: user id / email / "
         "own profile / the other profile",
         f"{candidates_cte()} SELECT uid, email, r1, r2 FROM cand WHERE r1 IS NOT NULL AND r2 IS NOT NULL "
         "AND r1 <> r2 AND r1_email IS NULL ORDER BY uid",
         "give the user's own profile its email and clear it from the other profile, or give the other "
         "profile another email."),
        (f"rows of {n['chat']} pointing at a missing user: chat id / userId",
         f'SELECT CAST(c.id AS text), CAST(c."userId" AS text) FROM {n["chat"]} AS c '
         f'LEFT JOIN {n["user"]} AS u ON u.id = c."userId" WHERE u.id IS NULL ORDER BY 1',
         "delete these chats, or point them at an existing user."),
        (f"rows of {n['reservations']} pointing at a missing user: reservation id / userId",
         f'SELECT CAST(r.id AS text), CAST(r."userId" AS text) FROM {n["reservations"]} AS r '
         f'LEFT JOIN {n["user"]} AS u ON u.id = r."userId" WHERE u.id IS NULL ORDER BY 1',
         "delete these reservations, or point them at an existing user."),
    ]
    return report(checks)


def report(checks) -> list[str]:
    """One paragraph per failed check: how many, the first rows as stored, and how to fix them."""
    problems = []
    for label, sql, fix in checks:
        found = h.rows(sql)
        if found:
            named = "; ".join(" / ".join("NULL" if v is None else repr(str(v)) for v in row) for row in found[:SHOW])
            more = f" … and {len(found) - SHOW} more" if len(found) > SHOW else ""
            problems.append(f"- {len(found)} {label}: {named}{more}.\n  Fix: {fix}")
    return problems


# --- the mapping -------------------------------------------------------------------------------

def build_accounts() -> None:
    """The temporary table franko_accounts: every user, its group rank and its account (D1)."""
    temp = "CREATE TEMP TABLE franko_accounts ON COMMIT DROP AS" if h.dialect() == "postgresql" \
        else "CREATE TEMP TABLE franko_accounts AS"
    op.execute(f"""{temp}
{candidates_cte()},
ranked AS (
  SELECT cand.*, row_number() OVER (PARTITION BY g ORDER BY chats DESC, uid) AS rk FROM cand),
grp AS (
  SELECT g, max(COALESCE(r1, r2)) AS target, max(CASE WHEN rk = 1 THEN uid END) AS kept FROM ranked GROUP BY g),
acct AS (
  SELECT ranked.*, COALESCE(grp.target, grp.kept) AS account,
         CASE WHEN grp.target IS NULL THEN 1 ELSE 0 END AS creates
  FROM ranked JOIN grp ON grp.g = ranked.g)
SELECT acct.*,
  row_number() OVER (PARTITION BY account ORDER BY rk, chats DESC, uid) AS ark,
  row_number() OVER (PARTITION BY account ORDER BY CASE WHEN password IS NULL THEN 1 ELSE 0 END,
                                                   rk, chats DESC, uid) AS hrk
FROM acct""")


SUMMARY = """(SELECT account, max(creates) AS creates, max(CASE WHEN ark = 1 THEN email END) AS email,
  max(CASE WHEN hrk = 1 THEN password END) AS password, min(first_chat) AS first_chat, sum(chats) AS chats
  FROM franko_accounts GROUP BY account)"""


def merge_users() -> None:
    """Each legacy user joins its account: existing profiles gain email and hash, the rest are made.

    A new profile's id is derived from its key, and its dates from its first chat where it has
    one, so upgrade → downgrade → upgrade ends the same.
    """
    build_accounts()
    now = h.now_sql()
    reason = ("CASE WHEN creates = 1 THEN 'same email as the kept user' "
              "WHEN account = r2 THEN 'same email as the profile' "
              "ELSE 'same email as the user whose profile this is' END")
    merged = h.json_build_sql({"account": "account", "email": "email", "reason": reason})
    op.execute(f"INSERT INTO {h.ARCHIVE} (source_table, source_pk, row_json, archived_at) "
               f"SELECT '{MERGE_SOURCE}', uid, {merged}, {now} FROM franko_accounts WHERE account <> uid")
    email = h.json_object_sql("p", ["email"])
    op.execute(f"INSERT INTO {h.ARCHIVE} (source_table, source_pk, row_json, archived_at) "
               f"SELECT '{MERGED_PROFILE_SOURCE}', p.user_id, {email}, {now} FROM profiles AS p "
               f"WHERE p.user_id IN (SELECT account FROM franko_accounts WHERE creates = 0)")
    op.execute(f"UPDATE profiles SET email = COALESCE(profiles.email, s.email), password_hash = s.password "
               f"FROM {SUMMARY} AS s WHERE s.creates = 0 AND profiles.user_id = s.account")
    quota = h.plan_setting("free", "responses", h.FROZEN_PLANS["free"][0])
    cap = h.plan_setting("free", "instances", h.FROZEN_PLANS["free"][1])
    profile_id = h.derived_uuid_sql("'profile'", "s.account")
    dated = f"COALESCE(s.first_chat, {now})"
    op.execute(
        "INSERT INTO profiles (id, user_id, email, password_hash, membership, created_at, updated_at, "
        "organisation_description_completed, total_responses_used, total_responses_used_this_month, "
        "total_responses_available, monthly_responses_quota, total_chat_instances_used, "
        "total_chat_instances_available) "
        f"SELECT {profile_id}, s.account, s.email, s.password, 'free', {dated}, {dated}, "
        f"false, 0, 0, {quota}, {quota}, s.chats, {cap} FROM {SUMMARY} AS s WHERE s.creates = 1"
    )
    # The upgrade's own temporary table, made above; nothing else ever sees it.
    h.execute("DROP TABLE franko_accounts", "ban-drop-table")


def unmerge_users() -> None:
    """Undo merge_users: drop the profiles made from users, give the others their old email back."""
    n = h.legacy_names()
    op.execute(
        f"DELETE FROM profiles WHERE EXISTS (SELECT 1 FROM {n['user']} AS u WHERE CAST(u.id AS text) = "
        f"profiles.user_id) AND NOT EXISTS (SELECT 1 FROM {h.ARCHIVE} AS a WHERE a.source_table = "
        f"'{MERGED_PROFILE_SOURCE}' AND a.source_pk = profiles.user_id)"
    )
    op.execute(
        f"UPDATE profiles SET email = {h.archive_json('email')} FROM {h.ARCHIVE} AS a "
        f"WHERE a.source_table = '{MERGED_PROFILE_SOURCE}' AND a.source_pk = profiles.user_id"
    )
    op.execute(f"DELETE FROM {h.ARCHIVE} WHERE source_table IN ('{MERGED_PROFILE_SOURCE}', '{MERGE_SOURCE}')")


def merges() -> str:
    """SQL: the merged users, for the chats' re-pointing: source_pk (the user) and account."""
    return f"(SELECT a.source_pk AS uid, {h.archive_json('account')} AS account FROM {h.ARCHIVE} AS a " \
           f"WHERE a.source_table = '{MERGE_SOURCE}')"
