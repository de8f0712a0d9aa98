"""`sollhaben billing preview|run|undo` in-process on SQLite and PostgreSQL, and the kill test: a
real `sollhaben billing run` process killed with SIGKILL inside its transaction posts nothing; run
again it posts once; run once more it is refused and posts nothing twice."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from sollhaben.cli import BILLING_PAUSE_ENV, main
from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import PersonInput, UnitInput
from sollhaben.persistence.database import open_database
from sollhaben.persistence.models import Account, BillingPeriod, BillingRun, BillingRunReset, ExtraLine, Posting
from sollhaben.services import organizations, persons
from sollhaben.services.kita import billing_data, catalogue, children
from sollhaben.services.unit_of_work import read_only
from tests.conftest import make_org_input
from tests.integration.kita.billing_run_helpers import ledger_problems
from tests.integration.kita.conftest import TODAY, eur, first_period, valid

ROOT = Path(__file__).resolve().parents[3]


def cli(capsys, db, *argv: str) -> tuple[int, str, str]:
    code = main(["--database", db.url, "billing", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_preview_run_and_undo_from_the_command_line(db, kita, setup, capsys, tmp_path):
    billing_data.save_period(db, first_period(setup))
    code, out, err = cli(capsys, db, "preview", "--facility", "Kita Sonnenschein", "--month", "2026-03")
    assert (code, err) == (0, "")
    assert out.splitlines()[:3] == [
        "Vorschau Sollstellung 03.2026 – Kita Sonnenschein (es wurde nichts gebucht)",
        "Kinder: 1, Buchungen: 3 (Sollstellung 3, Nachberechnung 0), zurückzusetzen: 1",
        "Summe Sollstellung: 190,60 EUR, Nachberechnungen: 0,00 EUR, gesamt: 190,60 EUR"]
    assert "  Gerber, Laura: 164,60 EUR (2 Buchungen)" in out

    pdf, xlsx = tmp_path / "liste.pdf", tmp_path / "liste.xlsx"
    code, out, err = cli(capsys, db, "run", "--facility", str(kita.facility), "--month", "2026-03",
                         "--pdf", str(pdf), "--xlsx", str(xlsx))
    assert (code, err) == (0, "")
    assert out.startswith("Sollstellung 03.2026 für „Kita Sonnenschein“ gebucht (Nr. 1): 3 Buchungen "
                          "(Sollstellung 3, Nachberechnung 0) für 1 Kinder, 2 Konten neu, 1 Anzahlen/Beträge "
                          "zurückgesetzt")
    assert "gesamt: 190,60 EUR" in out and f"Sollstellungsliste: {pdf}" in out
    text = PdfReader(io.BytesIO(pdf.read_bytes())).pages[0].extract_text()
    assert "Sollstellungsliste 03.2026" in text and "Gerber, Mia" in text and "190,60" in text
    sheet = load_workbook(xlsx).worksheets[0]
    assert ["Gerber, Mia", "Mittagessen", "03.2026", None, 17, 3.8, "Gerber, Laura", 64.6] in [
        [c.value for c in row] for row in sheet.iter_rows()]

    code, out, err = cli(capsys, db, "run", "--facility", "kita sonnenschein", "--month", "2026-03")
    assert code == 1 and out == "" and "03.2026 ist für die Einrichtung „Kita Sonnenschein“ bereits abgerechnet" in err
    code, out, err = cli(capsys, db, "undo", "--facility", "Kita Sonnenschein")
    assert (code, err) == (0, "")
    assert out.strip() == ("Sollstellung 03.2026 von „Kita Sonnenschein“ rückgängig gemacht: 3 Stornobuchungen über "
                           "-190,60 EUR, 1 Anzahlen/Beträge und 1 Abrechnungsstände wiederhergestellt.")
    assert ledger_problems(db) == []


def test_command_line_errors_go_to_stderr_with_exit_1(db, kita, setup, capsys):
    code, out, err = cli(capsys, db, "run", "--facility", "Kita Nirgendwo", "--month", "2026-03")
    assert code == 1 and out == "" and err.startswith("Fehler: Einrichtung: „Kita Nirgendwo“ gibt es nicht")
    code, out, err = cli(capsys, db, "run", "--facility", "Kita Sonnenschein", "--month", "13.2026")
    assert code == 1 and "Abrechnungsmonat: Monat 13 gibt es nicht" in err
    code, out, err = cli(capsys, db, "undo", "--facility", "Kita Sonnenschein")
    assert code == 1 and "keine Sollstellung, die rückgängig gemacht werden könnte" in err
    code, out, err = cli(capsys, db, "run", "--facility", "Amt für Kinder", "--month", "2026-03")
    assert code == 1 and "Amt für Kinder" in err


# --- the kill test --------------------------------------------------------------------------------

def _facility_with_children(db, count: int) -> int:
    org = organizations.create_organization(db, make_org_input("DE"))
    facility = organizations.save_unit(db, org.id, UnitInput("Kita Sonnenschein", "FACILITY")).id
    group = catalogue.save_fee_group(db, org.id, m.FeeGroup("Ganztag 45 h", m.BillingMode.MONTHLY, m.TierSource.CHOSEN, (
        m.FeeGroupVersion(valid("01.2026"), (m.Tier(1, "", eur("162.00")), m.Tier(2, "", eur("126.00")))),))).group.id
    meals = catalogue.save_extra_cost(db, org.id, m.ExtraCost("Mittagessen", m.BillingMode.PER_UNIT, True, (
        m.ExtraCostVersion(valid("01.2026"), eur("3.80")),))).extra_cost.id
    for i in range(count):
        child = children.create_child(db, org.id, PersonInput("NATURAL", f"Kind{i:03d}", "Mia",
                                                              birth_date=date(2022, 1, 1)), today=TODAY)
        parent = persons.save_person(db, org.id, PersonInput("NATURAL", f"Eltern{i:03d}", "Anna"), today=TODAY).id
        children.save_payers(db, child.id, child.version, [parent])
        children.save_contract(db, m.Contract(child.id, facility, m.ContractStatus.ACTIVE, first_day=date(2026, 1, 1)))
        billing_data.save_period(db, m.BillingPeriod(child.id, valid("01.2026"), fee_lines=(
            m.FeeLine(group, tier=1 + i % 2, payers=(m.PayerShare(parent),)),), extra_lines=(
            m.ExtraLine(meals, count=10 + i % 7, payers=(m.PayerShare(parent),)),), version=0))
    return facility


def _state(db) -> tuple:
    with read_only(db) as session:
        return (session.scalar(select(func.count()).select_from(Posting)),
                session.scalar(select(func.count()).select_from(BillingRun)),
                session.scalar(select(func.count()).select_from(BillingRunReset)),
                session.scalar(select(func.count()).select_from(Account)),
                session.scalar(select(func.sum(ExtraLine.count))),
                session.scalar(select(func.count()).select_from(BillingPeriod).where(
                    BillingPeriod.billed_through.is_not(None))))


def _billing_run(url: str, pause: str | None = None) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    env.pop(BILLING_PAUSE_ENV, None)
    if pause:
        env[BILLING_PAUSE_ENV] = pause
    return subprocess.Popen([sys.executable, "-m", "sollhaben", "--database", url, "billing", "run", "--facility",
                             "Kita Sonnenschein", "--month", "2026-01"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_run_killed_inside_its_transaction_posts_nothing_and_a_repeat_posts_once(sqlite_db, tmp_path):
    db = sqlite_db
    _facility_with_children(db, 40)
    url = db.url
    before = _state(db)
    assert before[:4] == (0, 0, 0, 0)
    db.dispose()

    process = _billing_run(url, pause="60")
    deadline = time.monotonic() + 120
    line = ""
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if "Buchungen geschrieben" in line or not line:
            break
    assert "Buchungen geschrieben, Abschluss wartet" in line, process.stderr.read()
    os.kill(process.pid, signal.SIGKILL)  # every posting is written, the commit has not happened
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    db = open_database(url)
    try:
        assert _state(db) == before  # no posting, no run row, no account, counts and marks unchanged
    finally:
        db.dispose()

    done = _billing_run(url)
    out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    assert "80 Buchungen" in out and "für 40 Kinder" in out
    db = open_database(url)
    try:
        posted = _state(db)
        assert posted[:2] == (80, 1) and posted[4] == 0 and posted[5] == 40
    finally:
        db.dispose()

    again = _billing_run(url)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 1 and out == "" and "01.2026 ist für die Einrichtung" in err
    db = open_database(url)
    try:
        assert _state(db) == posted  # nothing posted twice
        assert ledger_problems(db) == []
    finally:
        db.dispose()
