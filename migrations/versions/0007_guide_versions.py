"""Guide versions: each saved guide text numbered per instance; each response records the version it started on.

Revision ID: 0007_guide_versions
Revises: 0006_accounts
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from migrations import legacy_sql as h

revision = "0007_guide_versions"
down_revision = "0006_accounts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "guide_versions",
        sa.Column("chat_instance_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("guide", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["chat_instance_id"], ["chat_instances.id"], ondelete="CASCADE",
                                name="fk_guide_versions_chat_instance_id_chat_instances"),
        sa.PrimaryKeyConstraint("chat_instance_id", "number", name="pk_guide_versions"),
    )
    # A nullable column without a default: no table rewrite. Interviews older than versions keep NULL.
    op.add_column("chat_responses", sa.Column("guide_version", sa.Integer(), nullable=True))
    # Every guide in use today is its instance's version 1, and the interviews running now continue
    # on it, whatever the owner edits next.
    if h.imported_this_run():
        # Upgrading a legacy database in this run: the only guides are those of the instances the
        # import made (it noted them; a legacy chat has none), and every response is a completed
        # import, on no running version. No pass over every instance or response.
        h.execute(f"INSERT INTO guide_versions (chat_instance_id, number, guide, created_at) "
                  f"SELECT c.id, 1, c.interview_guide, {h.now_sql()} FROM chat_instances AS c "
                  f"JOIN {h.IMPORTED_INSTANCES} AS n ON n.id = c.id "
                  f"WHERE c.interview_guide IS NOT NULL AND trim(c.interview_guide) <> ''")
        return
    h.execute(f"INSERT INTO guide_versions (chat_instance_id, number, guide, created_at) "
              f"SELECT id, 1, interview_guide, {h.now_sql()} FROM chat_instances "
              f"WHERE interview_guide IS NOT NULL AND trim(interview_guide) <> ''")
    h.execute("UPDATE chat_responses SET guide_version = 1 WHERE status = 'in_progress' AND chat_instance_id IN "
              "(SELECT chat_instance_id FROM guide_versions)")


def downgrade():
    op.drop_column("chat_responses", "guide_version")
    op.drop_table("guide_versions")
