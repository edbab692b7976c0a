""""Download everything": the organisation's data as one zip (JSON for every record, CSV per instance's responses).

Built by a job (franko.ownerdata.jobs) from plain reads; the zip holds profile.json, instances.json,
guide_versions.json, responses.json, summaries.json, themes.json, webhook_deliveries.json,
responses/<instance>.csv and a README.txt saying what each is.
"""
from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from franko.extensions import db
from franko.models import ChatInstance, ChatResponse, GuideVersion, Profile, ResponseQuestion, WebhookDelivery
from franko.responses.services import Filters, export_filename, export_rows

PROFILE_FIELDS = ("user_id", "email", "email_verified_at", "first_name", "second_name", "organisation_name",
                  "organisation_url", "organisation_description", "membership", "total_responses_used",
                  "total_responses_used_this_month", "total_responses_available", "monthly_responses_quota",
                  "total_chat_instances_used", "total_chat_instances_available", "period_ends_at", "notify_mode",
                  "stripe_customer_id", "stripe_subscription_id", "created_at", "updated_at")
README = """Everything Franko holds for {organisation}, as of {now} UTC.

profile.json            your account and organisation (the password's hash is not included)
instances.json          your chat instances: their current guide, webhook URL, redaction settings
guide_versions.json     every saved version of every guide
responses.json          every interview: the interviewee, the whole conversation, the per-question records
responses/*.csv         one CSV per instance, as the responses page exports it
summaries.json          each response's summary and quotes
themes.json             each instance's themes
webhook_deliveries.json every webhook event logged, with the body sent
"""


def plain(value: Any) -> Any:
    """A value as JSON holds it: times in ISO 8601 (UTC), ids as text."""
    if isinstance(value, datetime):
        return value.isoformat() + "Z" if value.tzinfo is None else value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=plain)


def build_archive(user_id: str, now: datetime) -> bytes:
    """The zip of everything the organisation `user_id` holds."""
    profile = db.session.get(Profile, user_id)
    if profile is None:
        raise LookupError(f"no organisation {user_id}")
    instances = db.session.scalars(sa.select(ChatInstance).where(ChatInstance.user_id == user_id)
                                   .order_by(ChatInstance.created_at, ChatInstance.id)).all()
    ids = [i.id for i in instances]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        def put(name: str, text: str) -> None:
            archive.writestr(name, text.encode("utf-8"))

        put("README.txt", README.format(organisation=profile.organisation_name or profile.email, now=plain(now)))
        put("profile.json", dump({name: plain(getattr(profile, name)) for name in PROFILE_FIELDS}))
        put("instances.json", dump([{
            "id": i.id, "title": i.title, "interview_guide": i.interview_guide, "created_at": i.created_at,
            "updated_at": i.updated_at, "webhook_url": i.webhook_url, "redaction": i.redaction,
            "legacy_chat_history": i.messages,
        } for i in instances]))
        versions = db.session.scalars(sa.select(GuideVersion).where(GuideVersion.chat_instance_id.in_(ids))
                                      .order_by(GuideVersion.chat_instance_id, GuideVersion.number)).all() if ids else []
        put("guide_versions.json", dump([{"instance_id": v.chat_instance_id, "number": v.number, "guide": v.guide,
                                          "created_at": v.created_at} for v in versions]))
        put("responses.json", dump(list(_responses(user_id, ids))))
        summaries = db.session.execute(
            sa.select(ChatResponse.id, ChatResponse.chat_instance_id, ChatResponse.summary)
            .where(ChatResponse.user_id == user_id, ChatResponse.summary.is_not(None))
            .order_by(ChatResponse.created_at, ChatResponse.id)).all()
        put("summaries.json", dump([{"response_id": r.id, "instance_id": r.chat_instance_id, **r.summary.to_json()}
                                    for r in summaries]))
        put("themes.json", dump([{"instance_id": i.id, **(i.themes.to_json() if i.themes else {"themes": []})}
                                 for i in instances]))
        deliveries = db.session.scalars(sa.select(WebhookDelivery).where(WebhookDelivery.chat_instance_id.in_(ids))
                                        .order_by(WebhookDelivery.created_at, WebhookDelivery.id)).all() if ids else []
        put("webhook_deliveries.json", dump([{
            "id": d.id, "instance_id": d.chat_instance_id, "response_id": d.chat_response_id, "event": d.event,
            "url": d.url, "status": d.status, "attempts": d.attempts, "response_code": d.response_code,
            "error": d.error, "created_at": d.created_at, "delivered_at": d.delivered_at,
            "body": json.loads(d.body) if d.body.startswith("{") else d.body,
        } for d in deliveries]))
        names: set[str] = set()
        for instance in instances:
            name = export_filename(instance).removesuffix(".csv")
            name = f"{name}-{str(instance.id)[:8]}.csv"
            names.add(name)
            put(f"responses/{name}", "".join(export_rows(instance, Filters())))
    return buffer.getvalue()


def _responses(user_id: str, instance_ids: list) -> Any:
    """Every response of the organisation with its conversation and question records, oldest first."""
    condition = ChatResponse.user_id == user_id
    if instance_ids:
        condition = sa.or_(condition, ChatResponse.chat_instance_id.in_(instance_ids))
    responses = db.session.scalars(sa.select(ChatResponse).where(condition)
                                   .order_by(ChatResponse.created_at, ChatResponse.id)).all()
    records: dict = {}
    if responses:
        for r in db.session.scalars(sa.select(ResponseQuestion).where(
                ResponseQuestion.chat_response_id.in_([x.id for x in responses]))):
            records.setdefault(r.chat_response_id, []).append({
                "question": r.question, "state": r.state, "asked_message": r.asked_message,
                "resolved_message": r.resolved_message, "clarifications": r.clarifications, "probes": r.probes,
                "redirects": r.redirects})
    for r in responses:
        conversation = r.conversation
        yield {
            "id": r.id, "instance_id": r.chat_instance_id, "status": r.status, "completion_status": r.completion_status,
            "interviewee": {"first_name": r.interviewee_first_name, "second_name": r.interviewee_second_name,
                            "email": r.interviewee_email},
            "started_at": r.interview_start_time, "ended_at": r.interview_end_time,
            "minutes": r.total_interview_minutes, "guide_version": r.guide_version, "charged_at": r.charged_at,
            "created_at": r.created_at,
            "messages": [dict(m) for m in conversation.messages] if conversation is not None else [],
            "conversation_text": conversation.text if conversation is not None else None,
            "clean_transcript": r.clean_transcript,
            "summary": r.summary.to_json() if r.summary else None,
            "questions": sorted(records.get(r.id, []), key=lambda q: q["question"]),
        }
