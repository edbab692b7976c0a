"""`flask franko seed-demo`: a demo owner with two instances and a dozen interviews (used by `make run`)."""
from datetime import datetime, timedelta

import click

from franko.auth.passwords import hash_password
from franko.auth.services import find_by_email
from franko.commands import franko_cli
from franko.conversation import Conversation
from franko.extensions import db
from franko.guide import parse_guide
from franko.insights.jobs import queue_insights
from franko.interview.progress import sync_records
from franko.interview.services import clean_transcript
from franko.models import ChatInstance, ChatResponse, GuideVersion, Profile
from franko.clock import utcnow
from franko.plans import PlanName, start_on_plan

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "franko-demo"

GUIDES = [
    # An old-style guide: one question per line.
    "# Why customers leave\nWhat made you start using our product?\nWhen did it stop being useful to you?\n"
    "What did you switch to, and why?\nWhat would have made you stay?",
    # The full format: introduction, instructions, questions with probes, closing.
    "# Onboarding interview\n\nWe'd like to hear how your **first week** with Acme went. It takes a few minutes.\n\n"
    "> Be warm and brief; never suggest an answer.\n\n"
    "- How did you hear about us?\n  - Probe: what made you sign up that day?\n"
    "- What did you expect in your first week?\n"
    "- What was *confusing*?\n  - Probe: where did you get stuck first?\n\n"
    "## Closing\nThank you, that was really helpful!",
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
        queue_insights(missing=True)  # the worker writes the demo interviews' summaries and themes
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
    db.session.flush()
    db.session.add_all(GuideVersion(chat_instance_id=i.id, number=1, guide=i.interview_guide) for i in instances)
    now = utcnow()
    for n, (first, second) in enumerate(PEOPLE):
        instance = instances[n % 2]
        start = now - timedelta(days=n, hours=n)
        completed = n % 5 != 4
        demo_response(owner, instance, first, second, start, completed, n)  # added by its records' sync
    owner.total_chat_instances_used = len(instances)
    owner.total_responses_used = owner.total_responses_used_this_month = len(PEOPLE)
    owner.total_responses_available = owner.monthly_responses_quota - len(PEOPLE)
    db.session.commit()
    return owner


def demo_messages(guide, n: int, completed: bool, start) -> list[dict]:
    """A demo conversation in the agent's tagged format (SPEC §5b): most interviewees answer everything;
    some ask what a question means, get a follow-up, or decline the last question."""
    messages, at = [], start

    def say(role: str, content: str, question: int | None, tag: str) -> None:
        nonlocal at
        key = "move" if role == "assistant" else "kind"
        extra = {"by": "default"} if role == "assistant" else {}
        messages.append({"role": role, "content": content, "at": at.isoformat() + "Z", "question": question,
                         key: tag, **extra})
        at += timedelta(minutes=1)

    asked = guide.questions if completed else guide.questions[:1]
    for i, question in enumerate(asked):
        say("assistant", question.text, i, "ask")
        if n % 4 == 1 and i == 1:
            say("user", "Sorry, what do you mean?", i, "clarify")
            say("assistant", f"I mean, in your own words: {question.text}", i, "clarify")
        if n % 4 == 3 and i == len(asked) - 1 and completed:
            say("user", "I'd rather skip this one.", i, "refuse")
            continue
        say("user", ANSWERS[(n + i) % len(ANSWERS)], i, "answer")
        if question.probes and n % 3 == 0:
            say("assistant", question.probes[0], i, "probe")
            say("user", ANSWERS[(n + i + 1) % len(ANSWERS)], i, "answer")
    if completed:
        say("assistant", guide.closing or "Thank you, that was really helpful!", None, "close")
    return messages


def demo_response(owner, instance, first, second, start, completed, n) -> ChatResponse:
    """One demo interview, with its question records (as the interview service writes them)."""
    guide = parse_guide(instance.interview_guide)
    messages = demo_messages(guide, n, completed, start)
    end = datetime.fromisoformat(messages[-1]["at"].rstrip("Z"))
    minutes = max(1, int((end - start).total_seconds() // 60))
    response = ChatResponse(
        user_id=owner.user_id, instance=instance, status="completed" if completed else "abandoned",
        interviewee_first_name=first, interviewee_second_name=second,
        interviewee_email=f"{first.lower()}@example.com" if second else None,
        interview_start_time=start, interview_end_time=end if completed else None,
        total_interview_minutes=minutes if completed else None, guide_version=1,
        conversation=Conversation(messages),
        clean_transcript=clean_transcript(messages, first) if completed else None, created_at=start, updated_at=end,
        charged_at=start,  # every demo interview took a first answer
    )
    sync_records(response, messages, len(guide))
    return response
