"""`sollhaben sepa collect` on a real SQLite file, and the mandate hook installed at start."""
from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

from sollhaben.banking.xsd_validation import schema_problems
from sollhaben.cli import main
from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.master_data import PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.mandates import MandateInput
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import sepa_collections, sepa_mandates
from tests.conftest import make_org_input

TODAY = date.today()  # the CLI collects relative to the real day
DUE = TODAY + timedelta(days=7)


def _data(db, expired: bool = False):
    org = organizations.create_organization(db, make_org_input("DE"))
    for n, last in enumerate(["Weiß", "Krüger"]):
        person = persons.save_person(db, org.id, PersonInput("NATURAL", last, "Eva"), today=TODAY)
        account = ledger.open_account(db, org.id, person.id, module="kita")
        ledger.post(db, NewPosting(account.id, TODAY, "FEE_GROUP", Money.of("120.00", "EUR"), due_date=DUE,
                                   text="Beitrag", source=PostingSource.BILLING_RUN))
        signed = TODAY - timedelta(days=3 * 366 + 10) if expired else TODAY - timedelta(days=30)
        sepa_mandates.save_mandate(db, org.id, MandateInput(person.id, f"KITA-{n}", signed, f"Eva {last}",
                                                            "DE02120300000000202051"), today=TODAY)
    return org


def test_preview_then_collect_then_nothing_left(sqlite_db, tmp_path, capsys):
    org = _data(sqlite_db)
    url = str(sqlite_db.engine.url)
    target = tmp_path / "out.xml"
    assert main(["--database", url, "sepa", "collect", "--due", DUE.isoformat(), "--preview"]) == 0
    shown = capsys.readouterr().out
    assert "Krüger, Eva" in shown and "Summe: 2 Lastschrift(en)" in shown and not target.exists()
    assert main(["--database", url, "sepa", "collect", "--due", DUE.isoformat(), "--version", "02",
                 "--output", str(target)]) == 0
    out = capsys.readouterr().out
    assert "Eingezogen: 2 Lastschrift(en)" in out and str(target) in out
    assert schema_problems(target.read_bytes(), "pain.008.001.02.xsd") == []
    assert len(sepa_collections.list_collections(sqlite_db, org.id)) == 1
    # again: nothing due any more, exit 0, no file
    assert main(["--database", url, "sepa", "collect", "--due", DUE.isoformat(), "--output",
                 str(tmp_path / "second.xml")]) == 0
    assert "Nichts fällig" in capsys.readouterr().out
    assert not (tmp_path / "second.xml").exists()


def test_errors_only_exit_1_and_nothing_booked(sqlite_db, tmp_path, capsys):
    org = _data(sqlite_db, expired=True)
    url = str(sqlite_db.engine.url)
    code = main(["--database", url, "sepa", "collect", "--due", DUE.isoformat(), "--output", str(tmp_path / "x.xml")])
    captured = capsys.readouterr()
    assert code == 1
    assert "abgelaufen" in captured.out and "nichts eingezogen" in captured.err
    assert sepa_collections.list_collections(sqlite_db, org.id) == []
    assert main(["--database", url, "sepa", "collect", "--due", "31.02.2026"]) == 1
    assert "Fälligkeit" in capsys.readouterr().err


def test_existing_output_file_is_not_overwritten(sqlite_db, tmp_path, capsys):
    org = _data(sqlite_db)
    target = tmp_path / "taken.xml"
    target.write_text("keep")
    assert main(["--database", str(sqlite_db.engine.url), "sepa", "collect", "--due", DUE.isoformat(),
                 "--output", str(target)]) == 1
    assert target.read_text() == "keep" and "gibt es schon" in capsys.readouterr().err
    assert sepa_collections.list_collections(sqlite_db, org.id) == []


def test_start_installs_the_mandate_lookup_without_importing_the_reports():
    code = ("import sys\nimport sollhaben.cli as cli\nfrom sollhaben.services.receivables import sepa_hook\n"
            "sepa_hook.install()\nprint('sollhaben.reports' in sys.modules)\n"
            "from sollhaben.services.kita import fee_assessment_payment as pay\n"
            "print(pay._mandate_lookup.__module__, pay._mandate_lookup.__name__)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split("\n")[:2] == ["False", "sollhaben.services.receivables.sepa_mandates mandate_lookup"]
