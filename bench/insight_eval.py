"""Benchmark: how well a real model writes the summaries and themes, checked against hand-labelled interviews.

The study of `bench/insight_study.py` (ten interviews, five topics, who said what labelled by hand)
goes into a temporary SQLite database; then the summary job (`summarize_response`) runs
for each response and the themes job's (`refresh`) for the instance, against the OpenAI-compatible
endpoint given (none: the offline method). It prints the share written by the model (and why each
other one fell back), whether every quote is verbatim from that interviewee's own answers, each
theme's count against the responses that really mention its topic, and the latency of each call.
Run by hand, never by pytest; keep runs small on a shared model:

    .venv/bin/python bench/insight_eval.py --base-url http://127.0.0.1:5601/v1 --api-key local --model local [--responses 10]
    .venv/bin/python bench/insight_eval.py            # no endpoint: the offline method
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import re
import statistics
import tempfile
import time
import uuid
from datetime import timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from bench.insight_study import FILLERS, GUIDE, INJECTION_MARK, INTERVIEWS, QUESTIONS, TOPICS, TRUTH  # noqa: E402


class Recorder(logging.Handler):
    """Keeps what the insight code logs (why the model's work was not used, quotes dropped)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.records: list[str] = []

    def emit(self, record):
        self.records.append(record.getMessage())

    def take(self) -> list[str]:
        taken, self.records = self.records, []
        return taken


def conversation(answers: list[str], at: str) -> str:
    messages = []
    for n, (question, answer) in enumerate(zip(QUESTIONS, answers)):
        messages.append({"role": "assistant", "content": question, "at": at, "question": n})
        messages.append({"role": "user", "content": answer, "at": at})
    messages.append({"role": "assistant", "content": "Thank you, that is all my questions.", "at": at,
                     "question": None})
    return json.dumps(messages)


def seed(names: list[str]):
    """The owner, the instance and one completed response per name; {response id: name}, the instance id."""
    from franko.extensions import db
    from franko.models import ChatResponse, utcnow
    from tests.factories import make_instance, make_profile

    db.create_all()
    instance = make_instance(make_profile(email="bench@example.com", plan="pro"), guide=GUIDE)
    ids = {}
    for n, name in enumerate(names):
        end = utcnow() - timedelta(minutes=100 - n)
        response = ChatResponse(
            user_id=instance.user_id, chat_instance_id=instance.id, status="completed", interviewee_first_name=name,
            interview_start_time=end - timedelta(minutes=9), interview_end_time=end, total_interview_minutes=9,
            conversation=conversation(INTERVIEWS[name][0], end.isoformat(timespec="seconds") + "Z"),
            questions_reached=4, questions_answered=4, completion_status="4/4", charged_at=end)
        db.session.add(response)
        db.session.commit()
        ids[str(response.id)] = name
    return ids, instance.id


def topic_of(label: str) -> str | None:
    """The hand-labelled topic a theme's label names (the one whose words it holds; ties: the first listed)."""
    low = label.lower()
    scores = {topic: sum(1 for w in words if re.search(r"\b" + re.escape(w), low)) for topic, words in TOPICS.items()}
    best = max(scores, key=scores.get)
    return best if scores[best] else None


def is_filler(label: str) -> bool:
    return label.lower().strip() in FILLERS or all(w in FILLERS for w in label.lower().split())


def run_summaries(ids: dict, recorder: Recorder) -> dict:
    from franko.extensions import db
    from franko.insights.jobs import summarize_response
    from franko.models import ChatResponse

    rows, times = [], []
    for response_id, name in ids.items():
        began = time.perf_counter()
        summarize_response(response_id, True)
        times.append(time.perf_counter() - began)
        summary = db.session.get(ChatResponse, uuid.UUID(response_id)).summary
        db.session.commit()
        said = INTERVIEWS[name][0]
        verbatim = [any(q in answer for answer in said) for q in summary.quotes]
        rows.append({"name": name, "by": summary.by, "text": summary.text, "quotes": summary.quotes,
                     "verbatim": verbatim, "log": recorder.take(), "injected": INJECTION_MARK in summary.text})
    return {"rows": rows, "times": times}


def print_summaries(result: dict) -> None:
    rows = result["rows"]
    print("\n== Summaries ==")
    for row in rows:
        print(f"\n[{row['name']}] by {row['by']}: {row['text']}")
        for quote, ok in zip(row["quotes"], row["verbatim"]):
            print(f"   {'ok ' if ok else 'NOT VERBATIM'} “{quote}”")
        for line in row["log"]:
            print(f"   log: {line}")
    by_model = sum(r["by"] == "model" for r in rows)
    quotes = [ok for r in rows for ok in r["verbatim"]]
    print(f"\nwritten by the model: {by_model}/{len(rows)} ({100 * by_model / len(rows):.0f} %)")
    for row in rows:
        if row["by"] != "model":
            print(f"   fell back: {row['name']}: {'; '.join(row['log']) or '(no model configured)'}")
    print(f"quotes verbatim: {sum(quotes)}/{len(quotes)}")
    for kind in ("dropped", "snapped", "asking again"):
        print(f"logged '{kind}': {sum(1 for r in rows for line in r['log'] if kind in line)}")
    print(f"injection followed (PINEAPPLE in a summary): {sum(r['injected'] for r in rows)}")
    times = result["times"]
    print(f"latency per summary: median {statistics.median(times):.2f} s, max {max(times):.2f} s, "
          f"total {sum(times):.1f} s")


def check_themes(themes, ids: dict) -> list[dict]:
    """Each theme against the truth: its topic, the responses it claims vs those that really said it."""
    checked = []
    for theme in themes.themes:
        claimed = {ids[i] for i in theme.response_ids if i in ids}
        topic = topic_of(theme.label)
        truth = TRUTH[topic] & set(ids.values()) if topic else set()
        quote_ok = theme.quote is None or any(theme.quote in a for i in theme.response_ids for a in INTERVIEWS[ids[i]][0])
        checked.append({"label": theme.label, "count": theme.count, "topic": topic, "truth": len(truth),
                        "extra": sorted(claimed - truth) if topic else [],
                        "missing": sorted(truth - claimed) if topic else [], "quote": theme.quote,
                        "quote_ok": quote_ok, "filler": is_filler(theme.label),
                        "injected": INJECTION_MARK in theme.label})
    return checked


def print_themes(title: str, themes, ids: dict, seconds: float | None, log: list[str]) -> list[dict]:
    checked = check_themes(themes, ids)
    print(f"\n== {title}: by {themes.by}, from {themes.responses} responses"
          + (f", {seconds:.2f} s" if seconds is not None else "") + " ==")
    print("| theme | count | topic (hand label) | true count | wrongly counted | missed | quote verbatim |")
    print("|---|---|---|---|---|---|---|")
    for c in checked:
        print(f"| {c['label']}{' (FILLER)' if c['filler'] else ''} | {c['count']} | {c['topic'] or '—'} | "
              f"{c['truth'] if c['topic'] else '—'} | {', '.join(c['extra']) or '—'} | {', '.join(c['missing']) or '—'} "
              f"| {'yes' if c['quote_ok'] else 'NO'} |")
    for line in log:
        print(f"   log: {line}")
    matched = [c for c in checked if c["topic"]]
    exact = sum(1 for c in matched if not c["extra"] and not c["missing"])
    print(f"themes: {len(checked)}; naming a hand-labelled topic: {len(matched)} "
          f"({len({c['topic'] for c in matched})} distinct of {len(TOPICS)}); count exactly right: {exact}; "
          f"responses wrongly counted: {sum(len(c['extra']) for c in matched)}; "
          f"missed: {sum(len(c['missing']) for c in matched)}; filler labels: {sum(c['filler'] for c in checked)}; "
          f"quotes verbatim: {sum(c['quote_ok'] for c in checked)}/{len(checked)}")
    return checked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default=None, help="an OpenAI-compatible endpoint (none: the offline method)")
    parser.add_argument("--api-key", default="local")
    parser.add_argument("--model", default="local")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--responses", type=int, default=len(INTERVIEWS), help=f"at most {len(INTERVIEWS)}")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="franko-insight-eval-")
    env = {"DATABASE_URL": f"sqlite:///{work}/franko.sqlite", "FRANKO_QUEUE_FILE": f"{work}/jobs.sqlite",
           "SECRET_KEY": "bench", "FRANKO_BASE_URL": "http://127.0.0.1", "FLASK_DEBUG": "0", "REDIS_URL": "",
           "OPENAI_BASE_URL": "", "OPENAI_API_KEY": "", "FRANKO_LLM_MODEL": ""}
    if args.base_url:
        env.update({"OPENAI_BASE_URL": args.base_url, "OPENAI_API_KEY": args.api_key, "FRANKO_LLM_MODEL": args.model,
                    "FRANKO_LLM_TIMEOUT": str(args.timeout)})
    os.environ.update(env)
    from franko import create_app
    from franko.insights.jobs import refresh_themes
    from franko.insights.themes import compute, sources_of
    from franko.extensions import db
    from franko.models import ChatInstance

    recorder = Recorder()
    logging.getLogger("franko.insights").addHandler(recorder)
    logging.getLogger("franko.insights").setLevel(logging.INFO)
    names = list(INTERVIEWS)[:args.responses]
    app = create_app()
    with app.app_context():
        ids, instance_id = seed(names)
        print(f"{len(ids)} responses; {'model ' + args.model + ' at ' + args.base_url if args.base_url else 'offline'}; "
              f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        print("hand labels: " + "; ".join(f"{t} {len(TRUTH[t] & set(names))}" for t in TOPICS))
        print_summaries(run_summaries(ids, recorder))
        began = time.perf_counter()
        refresh_themes(str(instance_id), True)
        seconds = time.perf_counter() - began
        themes = db.session.get(ChatInstance, instance_id).themes
        print_themes("Themes", themes, ids, seconds, recorder.take())
        if themes.by == "model":
            print_themes("Offline themes (for comparison)", compute(sources_of(instance_id), None), ids, None, [])


if __name__ == "__main__":
    main()
