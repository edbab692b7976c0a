"""The PostgreSQL upgrade script passes squawk; every finding left is answered in its revision."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_upgrade_sql_passes_squawk(tmp_path):
    env = dict(os.environ, DATABASE_URL="postgresql://postgres@127.0.0.1/offline-only", FLASK_DEBUG="1")
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    sql = subprocess.run([flask, "--app", "app", "db", "upgrade", "--sql"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    assert 'ALTER TABLE "Chat" RENAME TO chat_instances' in sql
    path = tmp_path / "upgrade.sql"
    path.write_text(sql)
    squawk = os.path.join(os.path.dirname(sys.executable), "squawk")
    result = subprocess.run([squawk, "--config", os.path.join(ROOT, ".squawk.toml"), str(path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
