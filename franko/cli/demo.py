"""`flask franko seed-demo`: a demo owner with two instances and a dozen interviews (used by `make run`)."""
import json
from datetime import timedelta

import click

from franko.auth.passwords import hash_password
from franko.auth.services import find_by_email
from franko.cli import franko_cli
from franko.extensions import db
from franko.models import ChatInstance, ChatResponse, Profile, utcnow
from franko.plans import PlanName, start_on_plan

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "franko-demo"

GUIDES = [
    "# Why customers leave\nWhat made you start using our product?\nWhen did it stop being useful to you?\n"
    "What did you switch to, and why?\nWhat would have made you stay?",
    "# Onboarding interview\n- How did you hear about us?\n- What did you expect in your first week?\n"
    "- What was confusing?",
]
PEOPLE = [("Ada", "Lovelace"), ("Grace", "Hopper"), ("Alan", "Turing"), ("Katherine", "Johnson"),
          ("Tim", "Berners-Lee"), ("Margaret", "Hamilton"), ("Linus", None), ("Barbara", "Liskov"),
          ("Zoë", "Müller"), ("Dennis", "Ritchie"), ("Frances", "Allen"), ("Ken", None)]
ANSWERS = ["We needed a faster way to talk to customers.", "Honestly, the price went up.",
           "A colleague recommended it.", "Setting up the first guide took a while.",
           "I'd have stayed with a cheaper plan for small teams."]


@franko_cli.command("seed-demo")
def seed_demo_command() -> None:
    """Create the demo account (once); prints how to log in."""
    if find_by_email(DEMO_EMAIL) is None:
        seed_demo()
        click.echo("Demo data created.")
    else:
        click.echo("Demo data already present.")
    click.echo(f"Log in as {DEMO_EMAIL} with password {DEMO_PASSWORD}")


def seed_demo() -> Profile:
    owner = Profile(email=DEMO_EMAIL, password_hash=hash_password(DEMO_PASSWORD), first_name="Demo",
                    second_name="Owner", organisation_name="Acme Analytics",
                    organisation_url="https://acme.example.com",
                    organisation_description="Acme Analytics makes dashboards for small online shops.",
                    organisation_description_completed=True)
    start_on_plan(owner, PlanName.STARTER)
    db.session.add(owner)
    db.session.flush()  # the user_id default is needed below
    instances = [ChatInstance(owner=owner, interview_guide=guide) for guide in GUIDES]
    db.session.add_all(instances)
    now = utcnow()
    for n, (first, second) in enumerate(PEOPLE):
        instance = instances[n % 2]
        start = now - timedelta(days=n, hours=n)
        completed = n % 5 != 4
        db.session.add(demo_response(owner, instance, first, second, start, completed, n))
    owner.total_chat_instances_used = len(instances)
    owner.total_responses_used = owner.total_responses_used_this_month = len(PEOPLE)
    owner.total_responses_available = owner.monthly_responses_quota - len(PEOPLE)
    db.session.commit()
    return owner


def demo_response(owner, instance, first, second, start, completed, n) -> ChatResponse:
    questions = [line.lstrip("-# ").strip() for line in instance.interview_guide.splitlines()[1:]]
    asked = questions if completed else questions[:1]
    messages, transcript, at = [], [], start
    for i, question in enumerate(asked):
        answer = ANSWERS[(n + i) % len(ANSWERS)]
        for role, content in (("assistant", question), ("user", answer)):
            message = {"role": role, "content": content, "at": at.isoformat()}
            messages.append({**message, "question": i} if role == "assistant" else message)
            transcript.append(f"{'Interviewer' if role == 'assistant' else first}: {content}")
            at += timedelta(minutes=2)
    if completed:
        closing = "Thank you, that was really helpful!"
        messages.append({"role": "assistant", "content": closing, "at": at.isoformat()})
        transcript.append(f"Interviewer: {closing}")
    minutes = max(1, int((at - start).total_seconds() // 60))
    return ChatResponse(
        user_id=owner.user_id, instance=instance, status="completed" if completed else "abandoned",
        interviewee_first_name=first, interviewee_second_name=second,
        interviewee_email=f"{first.lower()}@example.com" if second else None,
        interview_start_time=start, interview_end_time=at if completed else None,
        total_interview_minutes=minutes if completed else None,
        completion_status=f"{len(asked)}/{len(questions)}", messages_json=json.dumps(messages, ensure_ascii=False),
        clean_transcript="\n".join(transcript) if completed else None, created_at=start, updated_at=at,
        charged_at=start,  # every demo interview took a first answer
    )
