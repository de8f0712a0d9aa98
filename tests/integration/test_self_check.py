"""`sollhaben --self-check`: temporary database, migration, one letter with a QR-bill, no display."""
from __future__ import annotations

import os
import subprocess
import sys

from sollhaben import self_check


def _environment_without_display() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return env


def test_self_check_passes_without_qt():
    code = ("import sys; from sollhaben.self_check import run_self_check; rc = run_self_check(); "
            "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt was imported'; sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=_environment_without_display(), timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Selbsttest OK: Datenbank angelegt und migriert, Brief mit QR-Rechnung")


def test_the_command_line_flag_runs_it():
    result = subprocess.run([sys.executable, "-m", "sollhaben", "--self-check"], capture_output=True, text=True,
                            env=_environment_without_display(), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Selbsttest OK" in result.stdout


def test_a_failure_is_reported_in_german_with_exit_code_1(monkeypatch, capsys):
    def broken(_folder):
        raise RuntimeError("Das erzeugte PDF ist unvollständig (12 Bytes).")

    monkeypatch.setattr(self_check, "_check", broken)
    assert self_check.run_self_check() == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("Selbsttest FEHLGESCHLAGEN: RuntimeError: Das erzeugte PDF ist unvollständig")
    assert captured.out == ""
