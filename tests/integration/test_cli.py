"""The headless commands in-process (`sollhaben.cli.main`) on SQLite and PostgreSQL, plus one real
subprocess. Errors go to stderr in German with a non-zero exit code."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sollhaben import __version__
from sollhaben.cli import main
from sollhaben.services import demo, organizations
from tests.conftest import make_org_input


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version_in_a_subprocess():
    done = subprocess.run([sys.executable, "-m", "sollhaben", "--version"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0 and done.stdout.strip() == f"sollhaben {__version__}"


def test_demo_then_export_then_import_elsewhere(db, capsys, tmp_path):
    code, out, err = run(capsys, "--database", db.url, "demo", "--size", "25")
    assert code == 0 and err == "" and out.startswith("Demodaten angelegt: Kita-Verbund Musterstadt e. V. und")

    code, out, err = run(capsys, "--database", db.url, "demo", "--size", "25")
    assert code == 1 and out == "" and "Demodaten sind schon geladen" in err

    target = tmp_path / "kita.json"
    code, out, err = run(capsys, "--database", db.url, "export", str(target))
    assert code == 1 and "mehrere Organisationen" in err and "Sozialdienst Aaretal" in err
    code, out, err = run(capsys, "--database", db.url, "export", str(target), "--organization", demo.KITA_NAME)
    assert code == 0 and "exportiert" in out and json.loads(target.read_text("utf-8"))["organization"]["name"] \
        == demo.KITA_NAME
    social_id = next(o.id for o in organizations.list_organizations(db) if o.name == demo.SOCIAL_NAME)
    code, out, _ = run(capsys, "--database", db.url, "export", str(tmp_path / "ch.json"), "--organization",
                       str(social_id))
    assert code == 0 and "Sozialdienst Aaretal" in out

    other = f"sqlite:///{tmp_path / 'other.sqlite'}"  # a new file: created and migrated by the command
    code, out, err = run(capsys, "--database", other, "import", str(target))
    assert code == 0 and err == "" and "importiert" in out and "Personen" in out
    code, out, err = run(capsys, "--database", other, "export", str(tmp_path / "again.json"))
    assert code == 0  # only one organization there: --organization is optional
    assert json.loads((tmp_path / "again.json").read_text("utf-8")) == json.loads(target.read_text("utf-8"))

    code, out, err = run(capsys, "--database", other, "import", str(target))
    assert code == 1 and "nichts gespeichert" in err and "$.organization.name: Name: Eine Organisation" in err


def test_import_errors_are_listed_with_their_paths(db, capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "sollhaben-master-data", "version": 1, "organization": {"name": "X"},\n'
                   ' "persons": [{"key": "a", "last_name": "Muster", "birth_date": "31.02.2020"}]}', "utf-8")
    code, out, err = run(capsys, "--database", db.url, "import", str(bad))
    assert code == 1 and out == ""
    assert "$.organization.legal_country: Land: Pflichtfeld „legal_country“ fehlt." in err
    assert "$.persons[0].birth_date: Geburtsdatum: Den 31.02.2020 gibt es nicht im Kalender." in err

    bad.write_text('{"format": "sollhaben-master-data",\n "version": 1\n "units": []}', "utf-8")
    code, _, err = run(capsys, "--database", db.url, "import", str(bad))
    assert code == 1 and "Zeile 3, Spalte 2: Komma erwartet" in err

    code, _, err = run(capsys, "--database", db.url, "import", str(tmp_path / "fehlt.json"))
    assert code == 1 and "kann nicht gelesen werden" in err
    assert organizations.list_organizations(db) == []


def test_export_errors(db, capsys, tmp_path):
    code, _, err = run(capsys, "--database", db.url, "export", str(tmp_path / "x.json"))
    assert code == 1 and err == "Fehler: Es gibt noch keine Organisation zum Exportieren.\n"
    organizations.create_organization(db, make_org_input("CH"))
    code, _, err = run(capsys, "--database", db.url, "export", str(tmp_path / "x.json"), "--organization", "Gibtsnicht")
    assert code == 1 and "„Gibtsnicht“ gibt es nicht" in err
    code, _, err = run(capsys, "--database", db.url, "export", str(tmp_path / "kein" / "ordner" / "x.json"))
    assert code == 1 and "kann nicht geschrieben werden" in err
    code, out, _ = run(capsys, "--database", db.url, "export", str(tmp_path / "x.json"), "--organization",
                       "sozialdienst aaretal")
    assert code == 0 and (tmp_path / "x.json").exists() and not list(tmp_path.glob(".x.json.*"))


def test_demo_size_must_be_positive_and_usage_errors_exit_2(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'd.sqlite'}"
    code, _, err = run(capsys, "--database", url, "demo", "--size", "0")
    assert code == 2 and "mindestens 1" in err
    with pytest.raises(SystemExit) as exited:
        main(["--database", url, "import"])
    assert exited.value.code == 2
    capsys.readouterr()


def test_a_database_newer_than_the_code_is_refused(capsys, tmp_path):
    from sqlalchemy import text

    from sollhaben.bootstrap import open_and_upgrade

    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    db = open_and_upgrade(url)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'zukunft'"))
    db.dispose()
    code, _, err = run(capsys, "--database", url, "demo", "--size", "5")
    assert code == 1 and "neueren Version" in err
