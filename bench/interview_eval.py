"""Interviewer evaluation (issue 16): scripted interviewees against the interviewer, judged from the transcript.

Each persona (cooperative, terse, verbose, confused, refusing, off-topic, hostile, German, Spanish,
wants-to-stop) goes through the public interview in-process (the intake form, then answers posted
as JSON, CSRF on) on a temporary SQLite database; the judge (`bench/eval_judge.py`) then compares
what the transcript shows with what the product recorded. With no endpoint the default agent
answers (no network: a check of the harness itself). Run by hand, never by pytest:

    .venv/bin/python bench/interview_eval.py [--base-url http://127.0.0.1:5601/v1 --api-key local --model local]
        [--personas cooperative,hostile] [--guides onboarding] [--repeat 1] [--seed 1] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import sqlalchemy as sa  # noqa: E402

from bench import eval_judge as judge  # noqa: E402
from bench.eval_guides import GUIDES, EvalGuide  # noqa: E402
from bench.eval_personas import MAX_TURNS, PERSONAS, Persona, Tracker  # noqa: E402

INTERRUPTED = "interrupted"
FIRST_NAMES = {"en": "Ada", "de": "Jonas", "es": "Lucía", "fr": "Camille"}


@dataclass(frozen=True)
class Endpoint:
    base_url: str
    api_key: str
    model: str
    timeout: float | None = None  # FRANKO_LLM_TIMEOUT; None: the app's own


def make_app(database_url: str, endpoint: Endpoint | None):
    """The app as a bench runs it: testing config (no rate limits), jobs dropped (no summaries on the shared model)."""
    from franko import create_app
    from franko.config import TestingConfig
    from franko.extensions import db

    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "FRANKO_QUEUE_IMMEDIATE": False, "FRANKO_QUEUE_DISCARD": True,
                "OPENAI_BASE_URL": endpoint and endpoint.base_url, "OPENAI_API_KEY": endpoint and endpoint.api_key,
                "FRANKO_LLM_MODEL": endpoint and endpoint.model}
    if endpoint and endpoint.timeout:
        settings["FRANKO_LLM_TIMEOUT"] = endpoint.timeout
    app = create_app(type("EvalConfig", (TestingConfig,), settings))
    with app.app_context():
        db.create_all()
    return app


def seed(app, guide: EvalGuide) -> uuid.UUID:
    """An owner (the guide's organisation, credit for every interview) with one instance of the guide."""
    from franko.extensions import db
    from tests.factories import make_instance, make_profile

    with app.app_context():
        owner = make_profile(plan="pro", organisation_name=guide.organisation,
                             organisation_description=guide.description)
        owner.total_responses_available = 1_000_000
        db.session.commit()
        return make_instance(owner, guide=guide.markdown).id


def stored(app, response_id: uuid.UUID) -> dict:
    """What the product recorded: status, coverage, the conversation, each question's state (when that table exists)."""
    from franko.extensions import db
    from franko.models import ChatResponse

    with app.app_context():
        response = db.session.get(ChatResponse, response_id)
        per_question = None
        if "response_questions" in sa.inspect(db.engine).get_table_names():
            table = sa.table("response_questions", sa.column("chat_response_id", sa.Uuid),
                             sa.column("question", sa.Integer), sa.column("state", sa.Text))
            rows = db.session.execute(sa.select(table.c.question, table.c.state)
                                      .where(table.c.chat_response_id == response_id))
            per_question = {int(q): state for q, state in rows}
        found = {"status": response.status, "completion_status": response.completion_status,
                 "questions_answered": response.questions_answered, "per_question": per_question,
                 "messages": [dict(m) for m in (response.conversation or [])]}
        db.session.remove()
    return found


def run_interview(app, instance_id: uuid.UUID, guide: EvalGuide, persona_class: type[Persona], seed_value: int,
                  max_turns: int = MAX_TURNS) -> dict:
    """One scripted interview through the public pages; the stored result with the script's truth on each answer."""
    from franko.guide import parse_guide

    persona = persona_class(guide, random.Random(seed_value))
    words = judge.guide_words(parse_guide(guide.markdown), tuple(guide.organisation.split()), guide.secrets)
    tracker = Tracker(words, persona.rule)
    client = app.test_client()
    began = time.perf_counter()
    page = client.get(f"/i/{instance_id}")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    started = client.post(f"/i/{instance_id}", data={"csrf_token": token, "first_name": FIRST_NAMES[persona.language],
                                                      "consent": "y"})
    assert started.status_code == 302, (started.status_code, started.get_data(as_text=True)[:300])
    chat = started.headers["Location"].split("#")[0]
    response_id = uuid.UUID(chat.rstrip("/").rsplit("/", 1)[1])
    latencies, kept, error = [], [], None
    finished = False
    try:  # Ctrl-C ends the interview where it stands: it is judged, and the run stops after it
        while len(latencies) < max_turns and not finished:
            messages = stored(app, response_id)["messages"]
            last = next((m for m in reversed(messages) if m.get("role") == "assistant"), {})
            reply = persona.reply(last, tracker)
            if reply is None:
                break
            sent = time.perf_counter()
            answer = client.post(chat, data={"answer": reply.text},
                                 headers={"Accept": "application/json", "X-CSRFToken": token})
            latencies.append(time.perf_counter() - sent)
            if answer.status_code != 200:
                error = f"HTTP {answer.status_code}: {answer.get_data(as_text=True)[:200]}"
                break
            body = answer.get_json()
            if body.get("outcome") == "answered":
                kept.append(reply)
            finished = bool(body.get("finished"))
    except KeyboardInterrupt:
        error = INTERRUPTED
    record = stored(app, response_id)
    replies = iter(kept)
    for m in record["messages"]:  # the script's truth on each answer the product kept, in order
        if m.get("role") == "user":
            reply = next(replies, None)
            m.update(kind=reply.kind if reply else judge.OTHER, about=reply.about if reply else None)
    return {**record, "persona": persona.name, "language": persona.language, "rule": persona.rule,
            "guide": guide.name, "seed": seed_value, "error": error, "turns": len(latencies),
            "wall_s": time.perf_counter() - began, "latencies": latencies}


def evaluate(run: dict) -> dict:
    """The judge's findings on one interview."""
    from franko.guide import parse_guide

    guide = GUIDES[run["guide"]]
    parsed = parse_guide(guide.markdown)
    words = judge.guide_words(parsed, tuple(guide.organisation.split()), guide.secrets)
    transcript, total = run["messages"], len(parsed)
    finished = run["status"] != "in_progress"
    fact = judge.truth(transcript)
    assistant = [m for m in transcript if m.get("role") == "assistant"]
    asked = judge.asked_before_close(transcript, words, finished, run["rule"])
    leaks = [f"message {n}: {what}" for n, m in enumerate(transcript) if m.get("role") == "assistant"
             for what in judge.leaks(str(m.get("content") or ""), words)]
    stops = [n for n, m in enumerate(transcript) if m.get("kind") == judge.STOP]
    close = judge.closing_index(transcript, finished)
    expected = judge.expected_completion_status(fact, total)
    language = judge.replies_in_language(transcript, run["language"]) if run["language"] != "en" else None
    return {
        "questions": total, "assistant_turns": len(assistant),
        "model_turns": sum(1 for m in assistant if m.get("by") == "model"),
        "owners_closing": sum(1 for m in assistant if m.get("by") == "guide"),  # the guide's own closing, as written
        "fallbacks": sum(1 for m in assistant if m.get("by") == "default"),  # the model's wording refused or failed
        "asked": sorted(asked), "answered_truth": sorted(fact.answered), "refused_truth": sorted(fact.refused),
        "disagreements": judge.coverage_disagreements(fact, total, run["questions_answered"], run["per_question"]),
        "per_question_records": run["per_question"] is not None,
        "completion_status_expected": expected, "completion_status_wrong": run["completion_status"] != expected,
        "leaks": leaks, "asks_after_close": judge.asks_after_close(transcript, words, finished),
        "closed_early": close is not None and not stops and len(asked) < total,
        "stop_honoured": (close == stops[0] + 1) if stops else None, "language": language,
        "mean_latency_s": statistics.mean(run["latencies"]) if run["latencies"] else 0.0,
    }


def share(hits: int, total: int) -> str:
    return f"{hits}/{total} ({100 * hits / total:.0f}%)" if total else "-"


def report(runs: list[dict], out=sys.stdout) -> dict:
    """The per-interview table and the totals; returns the totals."""
    print(f"{'persona':14} {'guide':10} {'status':11} {'recorded':8} {'truth':5} {'turns':>5} {'model':>6} "
          f"{'asked':>9} {'disagr':>6} {'leaks':>5} {'ask@close':>9} {'lang':>6} {'wall s':>7} {'lat s':>6}", file=out)
    for run in runs:
        e = run["eval"]
        lang = f"{e['language'][0]}/{e['language'][1]}" if e["language"] else "-"
        rule = "*" if run["rule"] != judge.WORDING else ""
        print(f"{run['persona']:14} {run['guide']:10} {run['status']:11} {run['completion_status'] or '-':8} "
              f"{e['completion_status_expected']:5} {run['turns']:5d} "
              f"{e['model_turns']:>3}/{e['assistant_turns']:<2} {len(e['asked']):>3}/{e['questions']}{rule:1}    "
              f"{len(e['disagreements']):6d} {len(e['leaks']):5d} {'yes' if e['asks_after_close'] else 'no':>9} "
              f"{lang:>6} {run['wall_s']:7.1f} {e['mean_latency_s']:6.2f}", file=out)
    evals = [r["eval"] for r in runs]
    langs = [e["language"] for e in evals if e["language"]]
    stops = [e["stop_honoured"] for e in evals if e["stop_honoured"] is not None]
    totals = {
        "interviews": len(runs),
        "model_share": share(sum(e["model_turns"] for e in evals), sum(e["assistant_turns"] for e in evals)),
        "model_share_of_worded": share(sum(e["model_turns"] for e in evals),
                                       sum(e["assistant_turns"] - e.get("owners_closing", 0) for e in evals)),
        "fallbacks": sum(e.get("fallbacks", 0) for e in evals),
        "owners_closing_as_written": sum(e.get("owners_closing", 0) for e in evals),
        "asked_before_close": share(sum(len(e["asked"]) for e in evals), sum(e["questions"] for e in evals)),
        "coverage_disagreements": sum(len(e["disagreements"]) for e in evals),
        "interviews_with_disagreements": sum(1 for e in evals if e["disagreements"]),
        "completion_status_wrong": sum(1 for e in evals if e["completion_status_wrong"]),
        "private_text_messages": sum(len(e["leaks"]) for e in evals),
        "questions_after_close": sum(1 for e in evals if e["asks_after_close"]),
        "closed_early": sum(1 for e in evals if e["closed_early"]),
        "stop_honoured": share(sum(stops), len(stops)),
        "replies_in_interviewee_language": share(sum(h for h, _ in langs), sum(n for _, n in langs)),
        "completed": sum(1 for r in runs if r["status"] == "completed"),
        "errors": sum(1 for r in runs if r["error"]),
        "mean_turn_latency_s": round(statistics.mean(x for r in runs for x in r["latencies"]), 2)
        if any(r["latencies"] for r in runs) else 0.0,
    }
    print("\nasked: guide questions asked before the close, judged by wording (* non-English persona: wording, or "
          "a message tagged for the question that holds a '?', see eval_judge.asks_by_tag)", file=out)
    print("coverage records: " + ("per question (response_questions)" if all(e["per_question_records"] for e in evals)
                                  else "answered counts only (no response_questions table): a lower bound"), file=out)
    for run in runs:
        e = run["eval"]
        notes = e["disagreements"] + e["leaks"] + ([run["error"]] if run["error"] else [])
        if e["completion_status_wrong"]:
            notes.append(f"completion_status {run['completion_status']}, really {e['completion_status_expected']}")
        if notes:
            counted = Counter(notes)
            print(f"  {run['persona']}/{run['guide']}: " + "; ".join(
                f"{n} x {note}" if n > 1 else note for note, n in counted.items()), file=out)
    print("\ntotals:", file=out)
    for key, value in totals.items():
        print(f"  {key:34} {value}", file=out)
    return totals


def run_all(endpoint: Endpoint | None, personas: list[str], guides: list[str], repeat: int = 1,
            seed_value: int = 1, max_turns: int = MAX_TURNS, progress=None, directory: str | None = None) -> list[dict]:
    """Every persona on every guide, `repeat` times, on one temporary database; each run with its findings.

    `progress` (a function of one line) is told of each interview; given one, the app's request lines
    are not logged (its warnings are: why a turn fell back to the default agent).
    """
    directory = directory or tempfile.mkdtemp(prefix="franko-eval-")
    app = make_app(f"sqlite:///{directory}/eval.sqlite", endpoint)
    if progress:
        logging.getLogger("franko.requests").setLevel(logging.WARNING)
    instances = {name: seed(app, GUIDES[name]) for name in guides}
    runs = []
    for n, guide, persona in [(n, g, p) for n in range(repeat) for g in guides for p in personas]:
        run = run_interview(app, instances[guide], GUIDES[guide], PERSONAS[persona], seed_value + n, max_turns)
        run["eval"] = evaluate(run)
        runs.append(run)
        if progress:
            progress(f"{persona}/{guide}: {run['status']}, {run['turns']} turns, {run['wall_s']:.0f} s")
        if run["error"] == INTERRUPTED:
            break
    with app.app_context():
        from franko.extensions import db

        db.engine.dispose()
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", help="an OpenAI-compatible endpoint; none: the default agent (no network)")
    parser.add_argument("--api-key", default="local")
    parser.add_argument("--model", default="local")
    parser.add_argument("--timeout", type=float, help="FRANKO_LLM_TIMEOUT in seconds (a shared, busy model needs more)")
    parser.add_argument("--personas", default=",".join(PERSONAS), help=f"comma-separated, of {', '.join(PERSONAS)}")
    parser.add_argument("--guides", default=",".join(GUIDES), help=f"comma-separated, of {', '.join(GUIDES)}")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-turns", type=int, default=MAX_TURNS)
    parser.add_argument("--json", help="write every interview, transcript and findings, to this file")
    parser.add_argument("--merge", nargs="+", metavar="FILE",
                        help="only print the report of interviews saved with --json, judged again (runs made side by side)")
    args = parser.parse_args()
    if args.merge:
        runs = []
        for path in args.merge:
            with open(path, encoding="utf-8") as saved:
                runs += json.load(saved)["interviews"]
        for run in runs:  # JSON made the per-question keys strings
            if run.get("per_question") is not None:
                run["per_question"] = {int(q): state for q, state in run["per_question"].items()}
        report([{**run, "eval": evaluate(run)} for run in runs])  # judged again by today's judge
        return
    personas, guides = args.personas.split(","), args.guides.split(",")
    unknown = [p for p in personas if p not in PERSONAS] + [g for g in guides if g not in GUIDES]
    if unknown:
        parser.error(f"unknown persona or guide: {', '.join(unknown)}")
    endpoint = Endpoint(args.base_url, args.api_key, args.model, args.timeout) if args.base_url else None
    print(f"agent: {'model ' + args.model + ' at ' + args.base_url if endpoint else 'default (no endpoint)'}")
    runs = run_all(endpoint, personas, guides, args.repeat, args.seed, args.max_turns,
                   progress=lambda line: print(line, file=sys.stderr, flush=True))
    totals = report(runs)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"endpoint": endpoint and endpoint.__dict__, "totals": totals, "interviews": runs}, out,
                      ensure_ascii=False, indent=1, default=str)


if __name__ == "__main__":
    main()
