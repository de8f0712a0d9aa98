"""The start-up probe of bench/bench_startup.py: the real app in a subprocess reports a usable window."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from sollhaben.bootstrap import open_and_upgrade
from sollhaben.services import organizations
from tests.conftest import make_org_input


def _start(url: str, tmp_path, probe: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "SOLLHABEN_STARTUP_PROBE": probe}
    return subprocess.run([sys.executable, "-m", "sollhaben", "--database", url], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def test_probe_reports_the_start_phases_in_order_and_quits(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    db = open_and_upgrade(url, backup=False)
    organizations.create_organization(db, make_org_input("CH"))
    db.dispose()
    done = _start(url, tmp_path, "1")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("SOLLHABEN_STARTUP_PROBE ")]
    assert len(lines) == 1
    marks = json.loads(lines[0].split(" ", 1)[1])
    order = ["main", "run_app", "qapplication", "database", "organization", "window", "loaded", "usable"]
    assert list(marks) == order
    assert [marks[m] for m in order] == sorted(marks.values())


def test_without_the_probe_mark_and_watch_do_nothing(monkeypatch):
    from sollhaben import startup_probe

    monkeypatch.setattr(startup_probe, "ENABLED", False)
    monkeypatch.setattr(startup_probe, "_marks", {})
    startup_probe.mark("main")
    startup_probe.watch(None, None)  # returns before it touches the (missing) app and window
    assert startup_probe._marks == {}
