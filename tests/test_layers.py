"""The codebase's conventions (SPEC §15), checked: services answer no HTTP, no import path edits, the import contracts hold."""
import ast
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).parents[1]
HTTP_NAMES = {"abort", "url_for", "request", "flash", "redirect"}
# Below the routes: the services, the jobs, the rules and values they use (request-layer helpers such as
# auth/sessions.py, interview/tokens.py, the error handlers and the request guards are the routes' own).
BELOW_ROUTES = sorted({*ROOT.glob("franko/*/services.py"), *ROOT.glob("franko/*/jobs.py"), *ROOT.glob("franko/*/cli.py"),
                       *(ROOT / "franko" / name for name in (
                           "plans.py", "models.py", "guide_versions.py", "clock.py", "plan_names.py", "exceptions.py",
                           "database.py", "conversation.py", "guide.py", "integrity.py", "upgrade_report.py", "llm.py",
                           "insight_values.py", "commands.py"))})


def http_uses(path: pathlib.Path) -> set[str]:
    """The Flask request-layer names a module imports, and any `*_or_404` it calls."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module in ("flask", "werkzeug.exceptions"):
            found |= {alias.name for alias in node.names} & HTTP_NAMES
        if isinstance(node, ast.Attribute) and node.attr.endswith("_or_404"):
            found.add(node.attr)
    return found


@pytest.mark.parametrize("path", BELOW_ROUTES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_below_the_routes_answers_http(path):
    assert http_uses(path) == set()


def test_services_raise_domain_errors_and_never_commit():
    for path in ROOT.glob("franko/*/services.py"):
        if path.parent.name == "notifications":  # its mark commits at the mail server's 250 (see its docstring)
            continue
        assert "session.commit()" not in path.read_text(), path


def test_nothing_edits_the_import_path():
    """Modules import as the installed package (pyproject.toml) or from the checkout's root, never by a path edit."""
    edit = "sys." + "path"
    edits = [f"{path}:{n}" for path in ROOT.rglob("*.py") if ".venv" not in path.parts and "node_modules" not in path.parts
             for n, line in enumerate(path.read_text().splitlines(), 1) if edit in line]
    assert edits == []


def test_the_import_contracts_hold():
    """`lint-imports` (pyproject.toml): the layers, the queue and the CLI group as leaves, no cycles."""
    lint = shutil.which("lint-imports", path=str(pathlib.Path(sys.executable).parent))
    assert lint, "import-linter is in requirements-dev.txt"
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
