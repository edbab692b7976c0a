"""gunicorn's settings, read by a plain `gunicorn app:app` run from the project root.

Threaded workers (gthread): an interview turn waits seconds on the LLM while using no CPU, so each
worker process serves many interviewees at once in threads, and one slow LLM call never holds the
others back. Each setting can be overridden from the environment or the command line.
"""
import multiprocessing
import os

_cpus = multiprocessing.cpu_count()
_llm_timeout = float(os.environ.get("FRANKO_LLM_TIMEOUT", 20))

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
worker_class = "gthread"
# Processes for the CPU work (templates, SQL), threads for the waiting (the LLM, the database).
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * _cpus + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 32))
# Above the LLM's: a turn may wait twice FRANKO_LLM_TIMEOUT for a streamed reply (then it falls back
# to the default agent); such a turn is never killed as a hung worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", _llm_timeout * 2 + 30))
graceful_timeout = 30
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG")  # e.g. "-" for stdout; off by default
