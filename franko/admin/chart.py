"""Responses per day over the last 90 days: one GROUP BY query, drawn server-side as SVG by pygal."""
from datetime import date, datetime, timedelta

import pygal
import sqlalchemy as sa

from franko.charts import CHART_STYLE, render_svg
from franko.extensions import db
from franko.models import ChatResponse
from franko.clock import utcnow

DAYS = 90


def day_of(column):
    """The UTC calendar day of a timestamp column: date() on SQLite, a cast on PostgreSQL."""
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.func.date(column)
    return sa.cast(column, sa.Date)


def responses_per_day(days: int = DAYS, today: date | None = None) -> list[tuple[date, int]]:
    """(day, responses created that day) for each of the last `days` days, oldest first, zeros included."""
    today = today or utcnow().date()
    first = today - timedelta(days=days - 1)
    day = day_of(ChatResponse.created_at).label("day")
    counts = {
        _as_date(d): n
        for d, n in db.session.execute(
            sa.select(day, sa.func.count())
            .where(ChatResponse.created_at >= datetime.combine(first, datetime.min.time()))
            .group_by(day)
        )
    }
    return [(first + timedelta(days=i), counts.get(first + timedelta(days=i), 0)) for i in range(days)]


def _as_date(value) -> date:
    """SQLite's date() gives 'YYYY-MM-DD' text; PostgreSQL gives a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def responses_chart_svg(series: list[tuple[date, int]]) -> str:
    """A bar chart of `series` as standalone SVG, with no JavaScript (pygal's default loads it from a CDN)."""
    total = sum(n for _, n in series)
    chart = pygal.Bar(
        js=[],  # pygal's default loads its tooltip script from a CDN: none here
        style=CHART_STYLE, width=1000, height=320, show_legend=False,
        title=f"Responses per day, last {len(series)} days ({total:,} in all)",
        x_labels_major_every=14, show_minor_x_labels=False, truncate_label=-1,
        show_y_guides=True, print_values=False, margin=10, spacing=2,
        min_scale=1, max_scale=6,
    )
    chart.x_labels = [d.strftime("%d %b") for d, _ in series]
    chart.add("Responses", [n for _, n in series])
    return render_svg(chart)
