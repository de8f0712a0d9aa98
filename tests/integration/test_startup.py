"""Start-up: the schema check at head needs no Alembic, and the start imports nothing it does not show."""
from __future__ import annotations

import subprocess
import sys

from sqlalchemy import text

from sollhaben.persistence import migrate
from sollhaben.persistence.database import open_database


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_head_read_from_the_revision_files_agrees_with_alembic():
    assert migrate.script_heads() == {migrate.head_revision()}
    assert migrate.script_heads() <= migrate.known_revisions()


def test_is_at_head_only_for_a_database_at_head(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'head.sqlite'}")
    assert not migrate.is_at_head(db.engine)  # empty: no version table yet
    migrate.upgrade(db.engine, backup=False)
    assert migrate.is_at_head(db.engine)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    assert not migrate.is_at_head(db.engine)  # the full check then refuses it (test_migrations)
    db.dispose()


def test_opening_a_database_at_head_does_not_load_alembic(sqlite_template):
    url = f"sqlite:///{sqlite_template}"
    out = _run("import sys\nfrom sollhaben.bootstrap import open_and_upgrade\n"
               f"db = open_and_upgrade({url!r}, backup=False)\ndb.dispose()\n"
               "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))")
    assert out == "[]"
    assert not (sqlite_template.parent / "backups").exists()


def test_app_start_imports_no_page_dialog_or_report_it_does_not_show():
    heavy = ["alembic", "reportlab", "qrbill", "sollhaben.reports", "sollhaben.services.demo",
             "sollhaben.ui.persons", "sollhaben.ui.ledger", "sollhaben.ui.units_page",
             "sollhaben.ui.settings_dialog", "sollhaben.ui.organization_wizard", "sollhaben.ui.follow_up_dialog",
             "sollhaben.ui.print_preview"]
    out = _run("import sys\nimport sollhaben.app, sollhaben.cli\n"
               f"print(sorted(h for h in {heavy!r} if any(m == h or m.startswith(h + '.') for m in sys.modules)))")
    assert out == "[]"


def test_migrated_database_is_at_head_on_both_back_ends(db):
    assert migrate.is_at_head(db.engine)
    assert migrate.upgrade(db.engine) is None
