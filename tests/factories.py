"""Small helpers that put rows in the test database (inside an app context)."""
import json
import uuid
from datetime import timedelta

from franko.auth.passwords import hash_password
from franko.auth.services import find_by_email
from franko.extensions import db
from franko.models import ChatInstance, ChatResponse, Profile, utcnow
from franko.plans import start_on_plan


def profile_by_email(email: str) -> Profile:
    return find_by_email(email)


def make_profile(email=None, password="correct horse", plan="free", **fields) -> Profile:
    profile = Profile(email=email or f"{uuid.uuid4().hex[:8]}@example.com",
                      password_hash=hash_password(password) if password else None)
    start_on_plan(profile, plan)
    for key, value in fields.items():
        setattr(profile, key, value)
    db.session.add(profile)
    db.session.commit()
    return profile


def make_instance(profile: Profile, guide="# Customer discovery\nWhat do you do?\nWhat is hard about it?",
                  count_slot=True) -> ChatInstance:
    instance = ChatInstance(user_id=profile.user_id, interview_guide=guide)
    db.session.add(instance)
    if count_slot:
        profile.total_chat_instances_used = (profile.total_chat_instances_used or 0) + 1
    db.session.commit()
    return instance


def make_response(instance: ChatInstance, first_name="Ada", status="completed", minutes=12, **fields) -> ChatResponse:
    start = fields.pop("interview_start_time", utcnow() - timedelta(minutes=minutes))
    messages = [
        {"role": "assistant", "content": "What do you do?", "at": start.isoformat()},
        {"role": "user", "content": "I run a bakery.", "at": start.isoformat()},
    ]
    response = ChatResponse(
        user_id=instance.user_id, chat_instance_id=instance.id, status=status,
        interviewee_first_name=first_name, interview_start_time=start,
        interview_end_time=start + timedelta(minutes=minutes) if status == "completed" else None,
        total_interview_minutes=minutes if status == "completed" else None,
        completion_status="1/2", conversation=json.dumps(messages),  # untagged: no question records, counts NULL
        clean_transcript="Agent: What do you do?\nInterviewee: I run a bakery.",
        charged_at=start,  # it holds an answer: the owner was charged for it
    )
    for key, value in fields.items():
        setattr(response, key, value)
    db.session.add(response)
    db.session.commit()
    return response


def log_in(client, user_id: str) -> None:
    """Log `client` in as the login route does: a LoginSession row, Flask-Login's keys in its session cookie."""
    from flask import session

    from franko.auth import sessions

    with client.application.test_request_context(environ_base=client.environ_base):
        sessions.log_in(db.session.get(Profile, user_id))
        values = dict(session)
    with client.session_transaction() as cookie_session:
        cookie_session.update(values)


def signed_up_owner(client, email: str, password: str) -> str:
    """What the sign-up form does, without the form: a free-plan account, the verification email, logged in."""
    from franko.auth.emails import send_verification
    from franko.auth.services import create_account

    with client.application.test_request_context(environ_base=client.environ_base):
        profile = create_account(email, password)
        db.session.flush()  # its user_id, for the link
        send_verification(profile, profile.email, change=False)  # queued in the sign-up's own commit
        db.session.commit()
        user_id = profile.user_id
    log_in(client, user_id)
    return user_id


# --- conversations in the agent's tagged format (SPEC §5b) ---------------------------------------

def agent_says(question, content="…", move="ask", by="default") -> dict:
    """An interviewer's message about `question` (0-based; None with move "close")."""
    return {"role": "assistant", "content": content, "at": "2026-12-01T10:00:00Z", "question": question,
            "move": move, "by": by}


def interviewee_says(question, content="Something.", kind="answer") -> dict:
    """An interviewee's message while `question` is in play, of `kind` (answer, thin, clarify, refuse, …)."""
    return {"role": "user", "content": content, "at": "2026-12-01T10:01:00Z", "question": question, "kind": kind}


def make_interview(instance: ChatInstance, messages: list[dict], total: int | None = None, **fields) -> ChatResponse:
    """A response holding `messages`, with its question records and counts written as the interview service writes them."""
    from franko.guide import parse_guide
    from franko.interview.progress import sync_records
    from franko.interview.services import clean_transcript

    total = len(parse_guide(instance.interview_guide)) if total is None else total
    fields.setdefault("clean_transcript", clean_transcript(messages, fields.get("first_name", "Ada")))
    response = make_response(instance, conversation=json.dumps(messages), **fields)
    sync_records(response, messages, total)
    db.session.commit()
    return response


def signed_up_admin(app, auth, email: str) -> str:
    """An admin (an address in FRANKO_ADMIN_EMAILS) signed up, verified by the emailed link and logged in; its user_id."""
    auth.signup(email=email)
    auth.verify(email)  # admin rights need the address verified
    with app.app_context():
        return profile_by_email(email).user_id
