"""Markers by kind, applied at collection: `make test-fast` leaves out browser, migrations and slow tests.

browser: drives Chromium (uses the `page` or `browser` fixture). Their files (named *browser*) all go
  to one xdist worker, which starts one Chromium for them (`--dist loadgroup`, set in pytest.ini).
migrations: everything under tests/migrations (real `flask db upgrade` / `downgrade`).
slow: starts real processes or servers that take seconds (worker subprocesses, gunicorn, redis-server,
  `flask` on the command line); listed below by file or test, or marked `@pytest.mark.slow` in place.
"""
import re

import pytest

SLOW = (
    "tests/jobs/test_queue.py::test_the_worker_command_sends_a_queued_email_and_stops_on_sigterm",  # a process
    "tests/jobs/test_faults.py",  # real workers SIGKILLed and restarted
    "tests/operating/test_deploy_files.py::test_the_worker_command_exists",  # `flask` on the command line
    "tests/operating/test_outages.py::test_redis_down_costs_no_page_and_limits_come_back",  # redis-server stopped
    "tests/hardening/test_production.py::test_dotenv_is_read_before_the_configuration_is_built",  # subprocesses
    "tests/hardening/test_production.py::test_production_logs_one_line_per_request_with_its_id_on_stderr",
    "tests/hardening/test_production.py::test_cli_without_a_required_setting_says_so_in_one_line",
    "tests/test_gunicorn_conf.py",  # gunicorn's configuration read by a fresh interpreter
)
BROWSER_FILES = re.compile(r"(^|/)(browser/|test_\w*browser\w*\.py$)")
REDIS = "redis"  # the queue and rate-limit tests on a real redis-server carry this parameter


def kind_markers(item) -> list[str]:
    """The kinds of one collected test."""
    path = item.nodeid.split("::")[0]
    kinds = []
    if "browser" in item.fixturenames or BROWSER_FILES.search(path):  # `page` needs `browser`
        kinds.append("browser")
    if path.startswith("tests/migrations/"):
        kinds.append("migrations")
    params = getattr(item, "callspec", None)
    uses_redis = "redis_url" in item.fixturenames or (params is not None and REDIS in params.params.values())
    if uses_redis or any(item.nodeid == slow or item.nodeid.startswith(slow + "[") or
                         (slow.endswith(".py") and path == slow) for slow in SLOW):
        kinds.append("slow")
    return kinds


def pytest_collection_modifyitems(config, items):
    for item in items:
        for kind in kind_markers(item):
            if not item.get_closest_marker(kind):
                item.add_marker(getattr(pytest.mark, kind))


def pytest_xdist_make_scheduler(config, log):
    """With --dist loadgroup, the browser files make one group (one worker, one Chromium).

    xdist groups by `xdist_group` marks by renaming the tests, which pytest 9 no longer allows; the
    group is read from the test's path instead.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class BrowserGroup(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if BROWSER_FILES.search(nodeid.split("::")[0]):
                return "browser"
            return super()._split_scope(nodeid)

    return BrowserGroup(config, log)
