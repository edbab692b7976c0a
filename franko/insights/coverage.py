"""Per-question coverage of an instance: for each guide question (per version), how many interviewees reached, answered and skipped it.

Each response keeps one record per question it was asked (response_questions, written with each
turn): the whole instance is one GROUP BY over the records, however many responses it has, and
never a read of their conversations.
"""
from __future__ import annotations

from dataclasses import dataclass

import pygal
import sqlalchemy as sa

from franko.charts import CHART_STYLE, render_svg
from franko.extensions import db
from franko.guide import parse_guide, plain_text
from franko.models import ChatInstance, ChatResponse, GuideVersion, ResponseQuestion

RESPONSES = -1  # the `question` of the rows that count a version's responses


@dataclass(frozen=True)
class QuestionCoverage:
    number: int  # 1-based, as the interviewee saw it
    text: str
    reached: int
    answered: int
    skipped: int = 0


@dataclass(frozen=True)
class VersionCoverage:
    """One guide version's questions and the responses that ran on it (version None: before versions)."""

    version: int | None
    responses: int
    questions: tuple[QuestionCoverage, ...]

    @property
    def label(self) -> str:
        return f"Version {self.version}" if self.version is not None else "Before versions"


def instance_coverage(instance: ChatInstance) -> list[VersionCoverage]:
    """Coverage per guide version, newest version first; versions no interview ran on are left out."""
    r, q = ChatResponse, ResponseQuestion
    per_question = (
        sa.select(r.guide_version, q.question, sa.func.count(),
                  sa.func.sum(sa.case((q.state == "answered", 1), else_=0)),
                  sa.func.sum(sa.case((q.state == "skipped", 1), else_=0)))
        .join(r, r.id == q.chat_response_id)
        .where(r.chat_instance_id == instance.id)
        .group_by(r.guide_version, q.question))
    # In the same statement: the responses per version that were asked anything.
    responses = (sa.select(r.guide_version, sa.literal(RESPONSES), sa.func.count(), sa.literal(0), sa.literal(0))
                 .where(r.chat_instance_id == instance.id, r.questions_reached > 0)
                 .group_by(r.guide_version))
    rows = db.session.execute(sa.union_all(per_question, responses)).all()
    versions = sorted({row[0] for row in rows}, key=lambda v: (v is None, -(v or 0)))
    texts = dict(db.session.execute(
        sa.select(GuideVersion.number, GuideVersion.guide)
        .where(GuideVersion.chat_instance_id == instance.id, GuideVersion.number.in_([v for v in versions if v]))
    ).all())
    found = []
    for version in versions:
        guide = parse_guide(texts.get(version, instance.interview_guide) if version else instance.interview_guide)
        mine = {question: (int(n), int(answered or 0), int(skipped or 0))
                for v, question, n, answered, skipped in rows if v == version}
        questions = tuple(QuestionCoverage(i + 1, plain_text(text.text), *mine.get(i, (0, 0, 0)))
                          for i, text in enumerate(guide.questions))
        found.append(VersionCoverage(version, mine.get(RESPONSES, (0,))[0], questions))
    return found


def find_version(coverage: list[VersionCoverage], version: int | None) -> VersionCoverage | None:
    return next((c for c in coverage if c.version == version), None)


def coverage_chart_svg(coverage: VersionCoverage) -> str:
    """Reached, answered and skipped per question as a horizontal bar chart (pure SVG, drawn by pygal)."""
    height = 90 + 44 * max(1, len(coverage.questions))
    chart = pygal.HorizontalBar(
        js=[], style=CHART_STYLE, width=640, height=height, legend_at_bottom=True, legend_at_bottom_columns=3,
        title=f"{coverage.label}: {coverage.responses} response{'s' if coverage.responses != 1 else ''}",
        show_y_guides=False, print_values=True, margin=10, spacing=4, min_scale=1, max_scale=6, truncate_label=-1,
        value_formatter=lambda n: f"{n:g}",
    )
    # pygal draws a horizontal chart's first label at the bottom: reversed, question 1 is on top.
    questions = list(reversed(coverage.questions))
    chart.x_labels = [f"Q{q.number}" for q in questions]
    chart.add("Reached", [q.reached for q in questions])
    chart.add("Answered", [q.answered for q in questions])
    chart.add("Skipped", [q.skipped for q in questions])
    return render_svg(chart)

