"""An empty or header-only file looks, to a diff, like "remove every record": such an import
must say so loudly and be confirmed before it is written (issue 11, finding 8)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from datacommons.audience import ADMIN
from loaders.pipeline import MassRemovalRefused, commit_import, plan_import

from .conftest import BASE, CORE_CSV, Server, World
from .test_imports_http import names, upload
from .webclient import bearer, fetch

HEADER_ONLY = CORE_CSV.splitlines()[0] + "\n"
ALPHA = {"Red Door Bakery Co-op", "Prairie Harvest Cooperative", "Quiet Housing Co-op"}


def test_a_header_only_csv_upload_is_refused_until_the_member_confirms_removing_every_record(server: Server) -> None:
    token = server.world.tokens["alpha"]
    preview = json.loads(upload(server, token, HEADER_ONLY, "empty.csv").body)
    assert preview["mass_removal"] and "empty.csv" in preview["mass_removal"]
    assert "3 of 3" in preview["mass_removal"]

    page = fetch(f"{server.url}/imports/previews/{preview['preview']}", headers=bearer(token))
    assert "would remove all of member" in page.text
    assert 'name="allow_remove_all"' in page.text and "required" in page.text

    refused = fetch(preview["commit"], method="POST", headers=bearer(token), data=b"")
    assert refused.status == 422, refused.text
    assert "empty.csv" in refused.text and "3 of 3" in refused.text and "nothing was written" in refused.text
    assert ALPHA <= names(server)  # nothing changed
    history = json.loads(fetch(f"{server.url}/api/imports", headers=bearer(token)).body)
    assert [i["number"] for i in history["imports"]] == [1]

    confirmed = fetch(preview["commit"] + "?allow_remove_all=true", method="POST",
                      headers=bearer(token), data=b"")
    assert confirmed.status == 200, confirmed.text
    assert not ALPHA & names(server)


def test_an_ordinary_reimport_needs_no_confirmation(server: Server) -> None:
    token = server.world.tokens["alpha"]
    fewer = "\n".join(CORE_CSV.splitlines()[:3]) + "\n"  # one of three records gone
    preview = json.loads(upload(server, token, fewer, "fewer.csv").body)
    assert preview["mass_removal"] is None
    assert fetch(preview["commit"], method="POST", headers=bearer(token), data=b"").status == 200


def test_most_records_removed_is_refused_like_all(world: World, tmp_path: Path) -> None:
    header, *rows = CORE_CSV.splitlines()
    many = [header] + [rows[0].replace("rd-1", f"rd-{n}").replace("Red Door", f"Door {n}") for n in range(10, 22)]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(many) + "\n", encoding="utf-8")
    commit_import(world.commons, plan_import(world.commons, "beta", path), ADMIN, allow_remove_all=True)
    path.write_text("\n".join(many[:3]) + "\n", encoding="utf-8")  # 10 of 12 gone
    plan = plan_import(world.commons, "beta", path)
    try:
        commit_import(world.commons, plan, ADMIN)
    except MassRemovalRefused as e:
        assert "many.csv would remove most" in str(e) and "10 of 12" in str(e)
    else:
        raise AssertionError("removing 10 of 12 records was not refused")


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def test_an_empty_ttl_file_needs_allow_remove_all_on_the_command_line(tmp_path: Path) -> None:
    store = ["--store", str(tmp_path / "store"), "--base", BASE]
    assert _run("member", "add", "alpha", "--name", "Alpha", *store, cwd=tmp_path).returncode == 0
    data = tmp_path / "coops.csv"
    data.write_text(CORE_CSV, encoding="utf-8")
    assert _run("load", "--member", "alpha", str(data), *store, cwd=tmp_path).returncode == 0
    empty = tmp_path / "empty.ttl"
    empty.write_bytes(b"")

    refused = _run("load", "--member", "alpha", str(empty), *store, cwd=tmp_path)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "WARNING: empty.ttl would remove all" in refused.stdout
    assert "empty.ttl" in refused.stderr and "3 of 3" in refused.stderr
    assert "--allow-remove-all" in refused.stderr and "nothing was written" in refused.stderr
    assert "Red Door Bakery Co-op" in _run("dump", "-", *store, cwd=tmp_path).stdout

    allowed = _run("load", "--member", "alpha", str(empty), "--allow-remove-all", *store, cwd=tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    assert "Red Door Bakery Co-op" not in _run("dump", "-", *store, cwd=tmp_path).stdout
