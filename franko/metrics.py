"""Prometheus metrics at /metrics (§13): features call the small `count_*`/`observe_*` functions below.

Under gunicorn each worker process writes its counts to files in PROMETHEUS_MULTIPROC_DIR (set by
gunicorn.conf.py) and a scrape sums them over every process (prometheus_client's multiprocess mode).
The queue's gauges are read from the queue when Prometheus asks, never kept. /metrics answers only
`Authorization: Bearer $FRANKO_METRICS_TOKEN`; without the setting there is no /metrics at all (404).
"""
import hmac
import logging
import os
import time

from flask import Flask, abort, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import choose_encoder
from prometheus_client.core import GaugeMetricFamily

from franko.extensions import limiter

log = logging.getLogger("franko.metrics")
OWN = CollectorRegistry(auto_describe=True)  # Franko's counters, apart from the library's default registry
TURN_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120)

REQUEST_SECONDS = Histogram("franko_http_request_duration_seconds",
                            "Time to answer a request (a streamed one: to its first byte), by route",
                            ["endpoint", "method"], registry=OWN)
REQUESTS = Counter("franko_http_requests", "Requests answered, by route and status class",
                   ["endpoint", "method", "status"], registry=OWN)
TURN_SECONDS = Histogram("franko_interview_turn_duration_seconds",
                         "Time to answer an interview turn, by who worded it (model or default)",
                         ["by"], buckets=TURN_BUCKETS, registry=OWN)
FALLBACKS = Counter("franko_interview_fallbacks", "Turns the default agent answered because the LLM failed",
                    registry=OWN)
EMAILS = Counter("franko_emails", "Emails handed to the mail server (sent) or refused by it (failed)",
                 ["result"], registry=OWN)
WEBHOOKS = Counter("franko_webhook_deliveries",
                   "Webhook delivery attempts: delivered, retrying (a failed attempt) or failed (given up)",
                   ["result"], registry=OWN)
JOBS_FAILED = Counter("franko_jobs_failed", "Job runs that raised, by job", ["job"], registry=OWN)


# --- what features call -----------------------------------------------------------------------

def observe_turn(seconds: float, by: str) -> None:
    """One interview turn answered in `seconds`; `by` is the Turn's: "model" (the LLM) or "default"."""
    TURN_SECONDS.labels(by=by).observe(seconds)


def count_fallback() -> None:
    """The LLM failed (timeout, error, refused reply) and the default agent answered instead."""
    FALLBACKS.inc()


def count_email(sent: bool) -> None:
    EMAILS.labels(result="sent" if sent else "failed").inc()


def count_webhook(result: str) -> None:
    """`result`: "delivered", "retrying" (an attempt failed, another follows) or "failed" (given up)."""
    WEBHOOKS.labels(result=result).inc()


def count_job_failed(name: str) -> None:
    JOBS_FAILED.labels(job=name).inc()


# --- requests ---------------------------------------------------------------------------------

def start_timer() -> None:
    g.metrics_started = time.perf_counter()


def observe_request(response):
    """Latency per route: the endpoint's name (bounded), never the raw path (a token, a UUID)."""
    started = g.pop("metrics_started", None)
    if started is not None:
        endpoint = request.endpoint or "unmatched"
        REQUEST_SECONDS.labels(endpoint=endpoint, method=request.method).observe(time.perf_counter() - started)
        REQUESTS.labels(endpoint=endpoint, method=request.method, status=f"{response.status_code // 100}xx").inc()
    return response


# --- the scrape -------------------------------------------------------------------------------

class QueueCollector:
    """The job queue's depth and its oldest waiting job's age, read (one query) when Prometheus scrapes."""

    def collect(self):
        summary = queue_summary()
        jobs = GaugeMetricFamily("franko_jobs", "Jobs in the queue now, by state", labels=["state"])
        for state in ("waiting", "running", "failed"):
            if summary.get(state) is not None:
                jobs.add_metric([state], summary[state])
        yield jobs
        if summary.get("oldest_age") is not None:
            yield GaugeMetricFamily("franko_jobs_oldest_waiting_seconds",
                                    "How long the oldest due job has waited", value=summary["oldest_age"])


def queue_summary() -> dict:
    """Counts by state and the oldest due job's age (the reader the job queue registered); {} when it does not answer."""
    summary = current_app.extensions.get("franko_queue_summary")
    if summary is None:
        return {}
    try:
        found = summary()
        return {"waiting": found.waiting, "running": found.running, "failed": found.failed,
                "oldest_age": found.oldest_age}
    except Exception as error:  # noqa: BLE001 — a scrape reports what it can, never a 500
        log.warning("metrics: the job queue could not be read: %s", error)
        return {}


def scrape_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)  # every worker's counts, summed
    else:
        registry.register(OWN)
    registry.register(QueueCollector())
    return registry


def metrics_view():
    token = current_app.config.get("FRANKO_METRICS_TOKEN")
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not given.startswith("Bearer "):
        return "A bearer token is required.\n", 401, {"WWW-Authenticate": 'Bearer realm="metrics"'}
    if not hmac.compare_digest(given[len("Bearer "):].strip().encode(), token.encode()):
        return "Wrong token.\n", 403
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))  # text, or OpenMetrics if asked
    return encoder(scrape_registry()), 200, {"Content-Type": content_type, "Cache-Control": "no-store"}


def init_app(app: Flask) -> None:
    """Time every request and serve /metrics (outside rate limits and CSRF: Prometheus only reads)."""
    app.before_request(start_timer)
    app.after_request(observe_request)
    app.add_url_rule("/metrics", "metrics", limiter.exempt(metrics_view))
