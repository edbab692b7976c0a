"""The data model: the spec's three tables, plus the upgrade's archive, Stripe's processed events and the coverage records."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from franko.clock import utcnow  # noqa: F401 — also franko.models.utcnow, as before
from franko.conversation import Conversation, ConversationType
from franko.extensions import db
from franko.guide import Guide, guide_title, parse_guide
from franko.insight_values import JSONRecord, Summary, Themes
from franko.plan_names import PlanName

MEMBERSHIP = sa.Enum(*(plan.value for plan in PlanName), name="membership")
RESPONSE_STATUSES = ("in_progress", "completed", "abandoned")
NOTIFY_MODES = ("off", "each", "daily")  # profiles.notify_mode: no email, one per completed response, a daily digest
# What the responses' search looks in (name, email, the conversation), lower-cased, as PostgreSQL
# writes it back: a trigram index on it serves `LIKE '%…%'` (franko.responses.services.search_text
# builds the same expression portably).
RESPONSE_SEARCH_SQL = ("lower((((((COALESCE(interviewee_first_name, ''::text) || ' '::text) "
                       "|| COALESCE(interviewee_second_name, ''::text)) || ' '::text) "
                       "|| COALESCE(interviewee_email, ''::text)) || ' '::text) || COALESCE(messages_json, ''::text))")


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime, nullable=False, default=utcnow, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow, server_default=sa.func.now()
    )


class Profile(UserMixin, TimestampMixin, db.Model):
    """An account: the login, the organisation the agents speak for, the plan and its counters."""

    __tablename__ = "profiles"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False, default=uuid.uuid4)
    user_id: Mapped[str] = mapped_column(sa.Text, primary_key=True, default=lambda: str(uuid.uuid4()))
    email: Mapped[str | None] = mapped_column(sa.Text)
    organisation_name: Mapped[str | None] = mapped_column(sa.Text)
    membership: Mapped[str] = mapped_column(MEMBERSHIP, nullable=False, default=PlanName.FREE.value,
                                            server_default=PlanName.FREE.value)
    stripe_customer_id: Mapped[str | None] = mapped_column(sa.Text, index=True)  # the webhook's look-up
    stripe_subscription_id: Mapped[str | None] = mapped_column(sa.Text)
    first_name: Mapped[str | None] = mapped_column(sa.Text)
    second_name: Mapped[str | None] = mapped_column(sa.Text)
    organisation_url: Mapped[str | None] = mapped_column(sa.Text)
    organisation_description: Mapped[str | None] = mapped_column(sa.Text)
    organisation_description_completed: Mapped[bool | None] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )
    total_responses_used: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    total_responses_used_this_month: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    total_responses_available: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    monthly_responses_quota: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    total_chat_instances_used: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    total_chat_instances_available: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    password_hash: Mapped[str | None] = mapped_column(sa.Text)
    # Added by 0007: when the paid period ends (Stripe's invoice says); NULL: the monthly reset, on the 1st.
    period_ends_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # When the owner followed a link sent to `email`; NULL: unverified (no admin rights, §6, §9).
    email_verified_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Added by 0009 (notifications, §11): which emails about completed responses the owner wants
    # (NOTIFY_MODES), the highest quota warning (80, 100) sent this period so each goes out once,
    # and when the last daily digest went out (the next one covers what completed since).
    notify_mode: Mapped[str] = mapped_column(sa.Text, nullable=False, default="off", server_default="off")
    quota_notice_level: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    digest_sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    # The token of the login session this object was loaded for (not a column: see LoginSession).
    session_token = None  # str | None; unannotated so the ORM leaves it unmapped

    instances: Mapped[list["ChatInstance"]] = relationship(back_populates="owner", passive_deletes=True)

    __table_args__ = (
        # Unique case-insensitively; NULLs never collide, so accounts without an email are fine.
        sa.Index("uq_profiles_email_lower", sa.func.lower(sa.text("email")), unique=True),
    )

    def get_id(self) -> str | None:
        """What Flask-Login keeps in the session and the remember cookie: the login session's token."""
        return self.session_token

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def display_name(self) -> str:
        full = " ".join(n for n in (self.first_name, self.second_name) if n)
        return full or self.email or self.user_id

    def __repr__(self) -> str:
        return f"<Profile {self.user_id}>"


class ChatInstance(TimestampMixin, db.Model):
    """One interview agent of an owner; its id is also its unguessable public link."""

    __tablename__ = "chat_instances"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("profiles.user_id"), nullable=False, index=True)
    messages: Mapped[str | None] = mapped_column(sa.Text)
    interview_guide: Mapped[str | None] = mapped_column(sa.Text)
    # Added by 0009 (§11): the themes across the instance's responses (written by a job), and the
    # URL that receives `response.completed` with the secret its signature is made with.
    themes: Mapped[Themes | None] = mapped_column(JSONRecord(Themes))
    webhook_url: Mapped[str | None] = mapped_column(sa.Text)
    webhook_secret: Mapped[str | None] = mapped_column(sa.Text)
    # Added by 0012 (§14, franko.privacy): the privacy notice shown before the intake form (Markdown;
    # NULL: none) and its version (raised with each change; consent names it); responses older than
    # `retention_days` are deleted by a periodic job (NULL: kept).
    privacy_notice: Mapped[str | None] = mapped_column(sa.Text)
    privacy_notice_version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    retention_days: Mapped[int | None] = mapped_column(sa.Integer)
    # Added by 0013: what is masked, and where (franko.redaction.settings: "email,phone,…"); NULL: nothing.
    redaction: Mapped[str | None] = mapped_column(sa.Text)

    owner: Mapped[Profile] = relationship(back_populates="instances")
    responses: Mapped[list["ChatResponse"]] = relationship(back_populates="instance", passive_deletes=True)

    @property
    def guide(self) -> Guide:
        """The current guide, parsed (a running interview reads its own version instead)."""
        return parse_guide(self.interview_guide)

    @property
    def chat_history(self) -> Conversation:
        """A legacy chat's message log, kept in `messages` (D2), read through the one conversation type."""
        return Conversation.load(self.messages)

    @property
    def title(self) -> str:
        """The guide's title (its first heading, or an old guide's first line), else the creation date."""
        title = guide_title(self.interview_guide)
        if title:
            return title
        created = self.created_at or utcnow()
        return f"Interview of {created:%d %b %Y}"

    def __repr__(self) -> str:
        return f"<ChatInstance {self.id}>"


class ChatResponse(TimestampMixin, db.Model):
    """One interview of one interviewee with one chat instance."""

    __tablename__ = "chat_responses"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("profiles.user_id"), nullable=False)
    chat_instance_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("chat_instances.id"), nullable=False)
    completion_status: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str | None] = mapped_column(sa.Text)
    interviewee_first_name: Mapped[str | None] = mapped_column(sa.Text)
    interviewee_second_name: Mapped[str | None] = mapped_column(sa.Text)
    interviewee_email: Mapped[str | None] = mapped_column(sa.Text)
    interview_start_time: Mapped[datetime | None] = mapped_column(sa.DateTime)
    interview_end_time: Mapped[datetime | None] = mapped_column(sa.DateTime)
    total_interview_minutes: Mapped[int | None] = mapped_column(sa.Integer)
    # The stored conversation (column messages_json): a Conversation, however old the row.
    conversation: Mapped[Conversation | None] = mapped_column("messages_json", ConversationType, nullable=True)
    clean_transcript: Mapped[str | None] = mapped_column(sa.Text)
    # Added by 0007: when the owner was charged for this response (its first answer); NULL: not charged.
    charged_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # The guide version the interview started on (guide_versions.number of this instance); NULL
    # for interviews older than versions.
    guide_version: Mapped[int | None] = mapped_column(sa.Integer)
    # Added by 0009 (§11): the summary (written by a job once the interview completes); how many
    # guide questions the interviewee reached (was asked) and answered, kept with each turn so the
    # instance's coverage is one GROUP BY; when the owner's email about this response went out.
    summary: Mapped[Summary | None] = mapped_column(JSONRecord(Summary))
    questions_reached: Mapped[int | None] = mapped_column(sa.Integer)
    questions_answered: Mapped[int | None] = mapped_column(sa.Integer)
    notified_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Added by 0010: questions skipped (refused). The three counts and completion_status are
    # derived from the response's question records (franko.interview.progress.sync_records);
    # NULL: nothing recorded (a conversation without question tags, imported or legacy).
    questions_skipped: Mapped[int | None] = mapped_column(sa.Integer)
    # Added by 0012 (§14): the interviewee's consent when starting: the privacy notice's version
    # they were shown (NULL: no notice) and when.
    consent_notice_version: Mapped[int | None] = mapped_column(sa.Integer)
    consented_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    instance: Mapped[ChatInstance] = relationship(back_populates="responses")
    questions: Mapped[list["ResponseQuestion"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ResponseQuestion.question")

    __table_args__ = (
        # The foreign-key indexes lead with the key and go on with created_at, so that "newest
        # first" pages of one instance or one owner are read straight off the index.
        sa.Index("ix_chat_responses_chat_instance_id_created_at", "chat_instance_id", "created_at"),
        sa.Index("ix_chat_responses_user_id_created_at", "user_id", "created_at"),
        # Added by 0007: the search box of the responses list (PostgreSQL's pg_trgm; SQLite scans).
        sa.Index("ix_chat_responses_search_trgm", sa.literal_column(RESPONSE_SEARCH_SQL).label("search_text"),
                 postgresql_using="gin", postgresql_ops={"search_text": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
    )

    def __repr__(self) -> str:
        return f"<ChatResponse {self.id}>"


@sa.event.listens_for(ChatResponse.__table__, "before_create")
def _create_pg_trgm(target, connection, **kw):
    """The search index needs pg_trgm (a trusted extension) where `create_all` builds the schema."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class ResponseQuestion(db.Model):
    """What happened to one guide question in one response: asked, answered or skipped, and by which message (§5b).

    Ours, not the seed's: coverage must be a fact per question, not a count of turns. Written with
    each turn (franko.interview.progress.sync_records); coverage and the CSV read it. Message
    numbers are indexes into the response's conversation.
    """

    __tablename__ = "response_questions"

    chat_response_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("chat_responses.id", ondelete="CASCADE"), primary_key=True)
    question: Mapped[int] = mapped_column(sa.Integer, primary_key=True)  # 0-based, in the response's guide version
    state: Mapped[str] = mapped_column(sa.Text, nullable=False)  # "asked", "answered" or "skipped"
    asked_message: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    resolved_message: Mapped[int | None] = mapped_column(sa.Integer)  # the answer, or the refusal
    clarifications: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    probes: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    redirects: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")

    __table_args__ = (sa.CheckConstraint("state IN ('asked', 'answered', 'skipped')", name="state"),)


class GuideVersion(db.Model):
    """One saved text of an instance's guide; numbered 1, 2, … per instance, never changed once written."""

    __tablename__ = "guide_versions"

    chat_instance_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("chat_instances.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    guide: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime, nullable=False, default=utcnow, server_default=sa.func.now()
    )


class WebhookDelivery(TimestampMixin, db.Model):
    """One event sent (or being sent) to an instance's webhook URL: the owner's delivery log, and what a replay resends.

    `body` is the JSON exactly as signed and sent; `status` is pending (queued or retrying),
    delivered (a 2xx answer) or failed (retries exhausted). One row per response and event, so a
    job that runs twice never logs, or sends, a second delivery; a replay sends the same row again.
    """

    __tablename__ = "webhook_deliveries"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    chat_instance_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("chat_instances.id", ondelete="CASCADE"), nullable=False)
    chat_response_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("chat_responses.id", ondelete="CASCADE"), index=True)  # 0012: the body goes with it (§14)
    event: Mapped[str] = mapped_column(sa.Text, nullable=False)
    url: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[str] = mapped_column(sa.Text, nullable=False, default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    response_code: Mapped[int | None] = mapped_column(sa.Integer)  # the receiver's last HTTP status
    error: Mapped[str | None] = mapped_column(sa.Text)  # the last failure, in words
    delivered_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    __table_args__ = (
        sa.Index("ix_webhook_deliveries_chat_instance_id_created_at", "chat_instance_id", "created_at"),
        sa.UniqueConstraint("chat_response_id", "event"),
    )


class LoginSession(db.Model):
    """One logged-in browser: its cookie holds a random token, this row the token's digest.

    Deleting the row ends the session, whatever copy of the cookie exists (logout, a password
    change or reset, "log out everywhere").
    """

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(sa.Text, primary_key=True)  # sha256 hex of the cookie's token
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("profiles.user_id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)


class LegacyArchive(db.Model):
    """Rows and column values the upgrade removed or changed (D4), kept whole as JSON so a downgrade
    can restore them.

    `source_table` is the legacy table a row came from (as spelt there: "User", "Chat", …), or a
    bookkeeping source: "profiles" (dropped columns), "profiles:counters" and
    "interviews:reconciled" (values D7 changed), "profiles:merged_user" and "user:account" (D1's
    merges), and one "franko:baseline" row saying what the baseline found, so that the downgrade
    to base drops only what the baseline created (D8).
    """

    __tablename__ = "legacy_archive"

    # Keyed by where the row came from: one archived copy per legacy row, and no extra index to
    # maintain while the upgrade archives tens of thousands of rows.
    source_table: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    source_pk: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    row_json: Mapped[str] = mapped_column(sa.Text, nullable=False)
    archived_at: Mapped[datetime] = mapped_column(
        sa.DateTime, nullable=False, default=utcnow, server_default=sa.func.now()
    )


class StripeEvent(db.Model):
    """A Stripe event id already processed, written in the same transaction as its effect."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    type: Mapped[str] = mapped_column(sa.Text, nullable=False)
    # Which customer the event was about and when Stripe created it: a subscription event older
    # than one already applied to the same customer must not undo it.
    stripe_customer_id: Mapped[str | None] = mapped_column(sa.Text)
    event_created: Mapped[int | None] = mapped_column(sa.BigInteger)
    processed_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.Index("ix_stripe_events_stripe_customer_id_event_created", "stripe_customer_id", "event_created"),)
