"""Demo data for the receivables pages (SQLite and PostgreSQL): credit balances to pay back, and the
demo bank file (`scripts/demo_bank_file.py`) that imports with references, IBANs, a clearing list,
a pending entry and — after a collection run — a return debit offered for booking."""
from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

from sollhaben.services import demo, ledger, organizations
from sollhaben.services.receivables import bank_returns, sepa_proposal, sepa_run
from sollhaben.services.receivables.bank_import import import_bank_file, preview_import

SIZE = 60
ON = date(2026, 11, 30)
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "demo_bank_file.py"


def script():
    spec = importlib.util.spec_from_file_location("demo_bank_file", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_bank_files_import_and_leave_work_for_the_clerk(db, tmp_path, capsys):
    demo.load_demo(db, size=SIZE)
    orgs = {o.name: o for o in organizations.list_organizations(db)}
    for name, org in orgs.items():  # both organizations hold credit balances to pay back
        assert sum(1 for _a, balance in ledger.list_accounts(db, org.id) if balance.minor < 0) >= 1, name
    kita = orgs[demo.KITA_NAME]
    proposal = sepa_proposal.propose(db, kita.id, date(2026, 11, 27), today=date(2026, 11, 24))
    assert proposal.lines  # the demo's mandates collect something
    sepa_run.run_collection(db, proposal, "08", None, today=date(2026, 11, 24))
    for name in (demo.KITA_NAME, demo.SOCIAL_NAME):
        out = tmp_path / f"{orgs[name].id}.xml"
        assert script().main(["--database", db.url, "--output", str(out), "--organization", name,
                              "--date", ON.isoformat()]) == 0
        assert "camt.054" in capsys.readouterr().out
        content = out.read_bytes()
        preview = preview_import(db, orgs[name].id, content, out.name)
        assert not preview.problems
        counts = {status.name: preview.count(status) for status in type(preview.lines[0].status)}
        assert counts["MATCHED"] >= 3 and counts["CLEARING"] == 2 and counts["PENDING"] == 1, counts
        result = import_bank_file(db, orgs[name].id, content, out.name)
        assert result.import_id is not None
        noted = bank_returns.note_return_details(db, orgs[name].id, content)
        assert noted == (1 if name == demo.KITA_NAME else 0)
    [line] = bank_returns.list_return_debits(db, kita.id)
    assert line.reason_code == "AM04" and line.item_id is not None and line.via == "Lastschrift-ID"


def test_the_script_names_an_unknown_organization(db, tmp_path, capsys):
    out = str(tmp_path / "x.xml")
    assert script().main(["--database", db.url, "--output", out, "--organization", "Gibt es nicht"]) == 1
    assert "gibt es nicht" in capsys.readouterr().err
