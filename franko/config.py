"""Configuration classes: every setting comes from the environment (a `.env` in development)."""
import os

from franko.plan_names import DEFAULT_PLANS


def database_url(default: str | None) -> str | None:
    """Return DATABASE_URL, accepting Heroku-style `postgres://` and naming the psycopg 3 driver."""
    url = os.environ.get("DATABASE_URL", default)
    if url and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _plans_from_env() -> dict:
    """The plan table, each number overridable, e.g. FRANKO_PLAN_STARTER_RESPONSES=200."""
    plans = {}
    for name, plan in DEFAULT_PLANS.items():
        prefix = f"FRANKO_PLAN_{name.upper()}_"
        plans[name] = {
            "responses": int(os.environ.get(prefix + "RESPONSES", plan["responses"])),
            "instances": int(os.environ.get(prefix + "INSTANCES", plan["instances"])),
            "price": os.environ.get(f"STRIPE_PRICE_{name.upper()}") or None,
        }
    return plans


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(None)  # None: the factory puts SQLite in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # a token lives as long as the session; a long interview must not expire
    BOOTSTRAP_SERVE_LOCAL = True  # no CDN: Bootstrap's files come from the app
    BOOTSTRAP_BTN_STYLE = "primary"
    REMEMBER_COOKIE_HTTPONLY = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"

    # Redis (e.g. redis://127.0.0.1:6379/0) shares the counts between workers and machines.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down or restarting: each process counts in its own memory (a warning is logged) and goes
    # back to Redis once it answers again; a limiter error never turns a page into a 500.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}  # a hung Redis costs ≤ 1 s
    FRANKO_LOGIN_RATE_LIMIT = os.environ.get("FRANKO_LOGIN_RATE_LIMIT", "10 per minute")
    FRANKO_SIGNUP_RATE_LIMIT = os.environ.get("FRANKO_SIGNUP_RATE_LIMIT", "5 per hour")
    FRANKO_EMAIL_RATE_LIMIT = os.environ.get("FRANKO_EMAIL_RATE_LIMIT", "5 per hour")  # reset / verification mails
    FRANKO_INTERVIEW_RATE_LIMIT = os.environ.get("FRANKO_INTERVIEW_RATE_LIMIT", "30 per minute")

    FRANKO_ADMIN_EMAILS = [
        e.strip().lower() for e in os.environ.get("FRANKO_ADMIN_EMAILS", "").split(",") if e.strip()
    ]
    FRANKO_PLANS = _plans_from_env()
    FRANKO_LOGIN_LINK_MAX_AGE = int(os.environ.get("FRANKO_LOGIN_LINK_MAX_AGE", 24 * 3600))
    FRANKO_RESET_LINK_MAX_AGE = int(os.environ.get("FRANKO_RESET_LINK_MAX_AGE", 3600))
    FRANKO_VERIFY_LINK_MAX_AGE = int(os.environ.get("FRANKO_VERIFY_LINK_MAX_AGE", 7 * 24 * 3600))
    # Where owners reach Franko, e.g. https://franko.example.org: every emailed link is built on it.
    FRANKO_BASE_URL = os.environ.get("FRANKO_BASE_URL") or None
    FRANKO_PROXY_HOPS = int(os.environ.get("FRANKO_PROXY_HOPS", 0) or 0)  # proxies in front (ProxyFix)
    FRANKO_HSTS = False
    FRANKO_LOG_FORMAT = os.environ.get("FRANKO_LOG_FORMAT", "text")  # "json": one JSON object a line
    # /metrics answers only a request bearing this token (Authorization: Bearer …); unset: no /metrics (404).
    FRANKO_METRICS_TOKEN = os.environ.get("FRANKO_METRICS_TOKEN") or None

    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None  # unset: emails go to the log and the dev outbox
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 587) or 587)
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1").lower() in ("1", "true", "yes")  # STARTTLS
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "").lower() in ("1", "true", "yes")  # TLS from the start
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Franko <no-reply@franko.invalid>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", 10))
    FRANKO_STALE_INTERVIEW_MINUTES = int(os.environ.get("FRANKO_STALE_INTERVIEW_MINUTES", 24 * 60))
    FRANKO_RESPONSES_PER_PAGE = 25

    # The job queue is the `jobs` table of the app's database (an outbox written with each change).
    # REDIS_URL once carried the jobs (Huey); it is no longer read by the queue.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    FRANKO_QUEUE_IMMEDIATE = False  # tests: a job runs when the transaction that queued it commits
    # The completion benchmark's baseline (what a request costs with no queue at all); never in production.
    FRANKO_QUEUE_DISCARD = os.environ.get("FRANKO_QUEUE_DISCARD") == "1"
    # A running job's lease: renewed every third of it while its worker lives; a lost worker's jobs run again after it.
    FRANKO_JOB_LEASE = float(os.environ.get("FRANKO_JOB_LEASE", 30))
    # SIGTERM/SIGINT: seconds the running jobs get to finish (above the webhook and SMTP timeouts).
    FRANKO_WORKER_GRACE = float(os.environ.get("FRANKO_WORKER_GRACE", 30))
    # Emails the mail server accepted whose mark is not committed yet (franko/jobs/accepted.py); default: instance/accepted.
    FRANKO_ACCEPTED_DIR = os.environ.get("FRANKO_ACCEPTED_DIR") or None
    FRANKO_TEST_CRASH_AT = os.environ.get("FRANKO_TEST_CRASH_AT")  # the fault test kills the server here; never set it
    FRANKO_WORKER_POLL = float(os.environ.get("FRANKO_WORKER_POLL", 0.2))  # an idle worker looks for jobs this often
    FRANKO_WORKER_THREADS = int(os.environ.get("FRANKO_WORKER_THREADS", 4))
    FRANKO_THEMES_DELAY = int(os.environ.get("FRANKO_THEMES_DELAY", 30))  # seconds after a completion
    FRANKO_DIGEST_HOUR = int(os.environ.get("FRANKO_DIGEST_HOUR", 8))  # daily digests go out from this hour (UTC)
    FRANKO_WEBHOOK_TIMEOUT = float(os.environ.get("FRANKO_WEBHOOK_TIMEOUT", 10))
    # Outbound webhooks to loopback and private addresses are refused in production (no probing of
    # the network Franko runs in); development and tests deliver to local receivers.
    FRANKO_WEBHOOK_ALLOW_PRIVATE = os.environ.get("FRANKO_WEBHOOK_ALLOW_PRIVATE", "").lower() in ("1", "true", "yes")
    # §14: how redaction reads a phone number without +country code; how long an owner's archive (and its
    # emailed link) lives; how long the emailed link that confirms an organisation's deletion is valid.
    FRANKO_PHONE_REGION = os.environ.get("FRANKO_PHONE_REGION", "GB")
    FRANKO_EXPORT_MAX_AGE = int(os.environ.get("FRANKO_EXPORT_MAX_AGE", 7 * 24 * 3600))
    FRANKO_DELETE_LINK_MAX_AGE = int(os.environ.get("FRANKO_DELETE_LINK_MAX_AGE", 3600))

    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE")  # tests point the client at a local fake

    OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL")
    OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY")
    FRANKO_LLM_MODEL = os.environ.get("FRANKO_LLM_MODEL")
    FRANKO_LLM_TIMEOUT = float(os.environ.get("FRANKO_LLM_TIMEOUT", 20))


DEV_SECRET_KEY = "dev-only-not-secret"


class DevelopmentConfig(Config):
    """`make run`: a development key is allowed, SQLite by default."""

    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    FRANKO_WEBHOOK_ALLOW_PRIVATE = True


class ProductionConfig(Config):
    """gunicorn: SECRET_KEY must come from the environment (checked in `create_app`)."""

    SESSION_COOKIE_SECURE = os.environ.get("FRANKO_INSECURE_COOKIES") != "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    FRANKO_HSTS = SESSION_COOKIE_SECURE  # HTTPS only: browsers then refuse plain HTTP for a year


class TestingConfig(Config):
    """pytest: the database URL is given by the fixture; rate limits off unless a test turns them on."""

    TESTING = True
    SECRET_KEY = "testing-key"
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_SERVER = None
    FRANKO_BASE_URL = None
    FRANKO_PROXY_HOPS = 0
    FRANKO_METRICS_TOKEN = None
    SQLALCHEMY_DATABASE_URI = None
    STRIPE_SECRET_KEY = None
    STRIPE_WEBHOOK_SECRET = None
    OPENAI_BASE_URL = None
    OPENAI_API_KEY = None
    REDIS_URL = None
    FRANKO_QUEUE_IMMEDIATE = True  # tests of the queue itself turn this off
    FRANKO_PASSWORD_METHOD = "pbkdf2:sha256:1"  # scrypt costs ≈ 0.3 s a sign-up; the hashing tests set "scrypt"
    FRANKO_WEBHOOK_ALLOW_PRIVATE = True  # the tests' receivers listen on 127.0.0.1
    FRANKO_ADMIN_EMAILS: list[str] = []
    FRANKO_PLANS = {
        "free": {"responses": 10, "instances": 1, "price": None},
        "starter": {"responses": 100, "instances": 5, "price": "price_starter_test"},
        "pro": {"responses": 1000, "instances": 50, "price": "price_pro_test"},
    }
