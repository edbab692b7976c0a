"""Production installs only what runs; test and lint tools live in requirements-dev.txt (make test)."""
import pathlib
import re

ROOT = pathlib.Path(__file__).parents[1]
DEV_ONLY = {"pytest", "playwright", "squawk-cli", "aiosmtpd"}


def names(path: str) -> dict[str, str]:
    lines = [line.strip() for line in (ROOT / path).read_text().splitlines()]
    return {re.split(r"==", line)[0].lower(): line for line in lines
            if line and not line.startswith(("#", "-r"))}


def test_runtime_requirements_hold_no_test_or_lint_tool():
    assert DEV_ONLY.isdisjoint(names("requirements.txt"))
    assert {"flask", "gunicorn", "flask-talisman", "redis"} <= set(names("requirements.txt"))


def test_dev_requirements_add_the_tools_on_top_of_the_runtime():
    dev = ROOT / "requirements-dev.txt"
    assert "-r requirements.txt" in dev.read_text().splitlines()
    assert DEV_ONLY <= set(names("requirements-dev.txt"))


def test_every_requirement_is_pinned_exactly():
    for path in ("requirements.txt", "requirements-dev.txt"):
        for name, line in names(path).items():
            assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[A-Za-z0-9_.\-+]+", line), (path, line)


def test_make_test_installs_both_and_make_run_only_the_runtime():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: install-dev\b", makefile, re.M)
    assert re.search(r"^run: install$", makefile, re.M)
    assert "-r requirements-dev.txt" in makefile
