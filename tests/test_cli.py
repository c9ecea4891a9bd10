"""The `datacommons` command, run as a user runs it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import CORE_CSV


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True, text=True, cwd=cwd, timeout=300,
    )


def test_member_load_policy_and_dump_from_the_command_line(tmp_path: Path) -> None:
    store = ["--store", str(tmp_path / "store")]
    added = run("member", "add", "alpha", "--name", "Alpha Federation", *store, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "API token (shown once" in added.stdout and "dct_" in added.stdout

    data = tmp_path / "coops.csv"
    data.write_text(CORE_CSV, encoding="utf-8")
    dry = run("load", "--member", "alpha", str(data), "--dry-run", *store, cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "3 added" in dry.stdout and "dry run: nothing was written" in dry.stdout
    dumped = run("dump", "-", *store, cwd=tmp_path)
    assert "Red Door" not in dumped.stdout

    loaded = run("load", "--member", "alpha", str(data), *store, cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert "committed" in loaded.stdout

    public = run("dump", "-", *store, cwd=tmp_path).stdout
    assert "Red Door Bakery Co-op" in public and "info@reddoorbakery.coop" not in public
    members = run("dump", "-", "--audience", "member:alpha", *store, cwd=tmp_path).stdout
    assert "mailto:info@reddoorbakery.coop" in members

    shown = run("policy", "show", "alpha", *store, cwd=tmp_path)
    assert "email" in shown.stdout and "members" in shown.stdout
    changed = run("policy", "set", "alpha", "email=public", *store, cwd=tmp_path)
    assert changed.returncode == 0, changed.stderr
    assert "mailto:info@reddoorbakery.coop" in run("dump", "-", *store, cwd=tmp_path).stdout

    history = run("imports", "alpha", *store, cwd=tmp_path)
    assert "coops.csv" in history.stdout and "3 added" in history.stdout


def test_load_with_errors_exits_1_names_row_and_field_and_writes_nothing(tmp_path: Path) -> None:
    store = ["--store", str(tmp_path / "store")]
    run("member", "add", "alpha", "--name", "Alpha", *store, cwd=tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text(CORE_CSV.replace("44.9778", "144.9778"), encoding="utf-8")
    result = run("load", "--member", "alpha", str(bad), *store, cwd=tmp_path)
    assert result.returncode == 1
    assert "row 2" in result.stdout and "latitude" in result.stdout
    assert "nothing was written" in result.stderr
    assert "Red Door" not in run("dump", "-", "--audience", "admin", *store, cwd=tmp_path).stdout


def test_validate_a_file_without_a_store(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(CORE_CSV, encoding="utf-8")
    result = run("validate", str(good), cwd=tmp_path)
    assert result.returncode == 0 and "3 records, 0 errors" in result.stdout


def test_usage_errors_exit_2_with_a_message(tmp_path: Path) -> None:
    result = run("member", "add", "Bad Id!", "--name", "X", "--store", str(tmp_path / "s"), cwd=tmp_path)
    assert result.returncode == 2 and "member id" in result.stderr
    result = run("policy", "set", "nobody", "phone=public", "--store", str(tmp_path / "s"), cwd=tmp_path)
    assert result.returncode == 2 and "no member organisation 'nobody'" in result.stderr


def test_loading_a_missing_file_or_a_directory_is_a_usage_error_not_a_traceback(tmp_path: Path) -> None:
    store = ["--store", str(tmp_path / "store")]
    assert run("member", "add", "alpha", "--name", "Alpha", *store, cwd=tmp_path).returncode == 0
    missing = run("load", "--member", "alpha", str(tmp_path / "nowhere.csv"), *store, cwd=tmp_path)
    assert missing.returncode == 2 and "no such file" in missing.stderr and "Traceback" not in missing.stderr
    folder = run("load", "--member", "alpha", str(tmp_path), *store, cwd=tmp_path)
    assert folder.returncode == 2 and "is a directory" in folder.stderr and "Traceback" not in folder.stderr
    checked = run("validate", str(tmp_path), cwd=tmp_path)
    assert checked.returncode == 2 and "is a directory" in checked.stderr
