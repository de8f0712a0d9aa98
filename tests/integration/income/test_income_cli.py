"""`sollhaben income transfer --assessment ID | --all-complete` in-process on SQLite and PostgreSQL."""
from __future__ import annotations

from dataclasses import replace

from sollhaben.cli import main
from sollhaben.domain.kita import model as m
from sollhaben.services.kita import billing_data
from tests.integration.income.conftest import counts, eur, example, periods, save
from tests.integration.kita.billing_run_helpers import run_months


def cli(capsys, db, *argv: str) -> tuple[int, str, str]:
    code = main(["--database", db.url, "income", "transfer", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_transfer_one_assessment_prints_the_protocol(db, family, capsys):
    f = family
    run_months(db, f.facility, "01.2026", "03.2026")
    saved = save(db, f, example(f))
    code, out, err = cli(capsys, db, "--assessment", str(saved.assessment.id))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Übertragen: Gerber, Mia – Staffelberechnung 01.2026 – offen: Staffel 3",
        "  Staffel 3 übertragen für 01.2026 – offen.",
        "  Beitragsgruppe „Kindergarten einkommensabhängig“, Zeitraum 01.2026 – offen: Staffel 5 → Staffel 3.",
        "  01.2026, Gerber, Laura: Die Sollstellung 04.2026 bucht -70,00 EUR nach (gebucht 250,00 EUR, neu 180,00 EUR).",
        "  02.2026, Gerber, Laura: Die Sollstellung 04.2026 bucht -70,00 EUR nach (gebucht 250,00 EUR, neu 180,00 EUR).",
        "  03.2026, Gerber, Laura: Die Sollstellung 04.2026 bucht -70,00 EUR nach (gebucht 250,00 EUR, neu 180,00 EUR).",
        "Die Sollstellung 04.2026 bucht die Differenzen; die Übertragung selbst bucht nichts.",
    ]


def test_errors_go_to_stderr_with_exit_code_1(db, family, capsys):
    f = family
    code, out, err = cli(capsys, db, "--assessment", "999")
    assert (code, out) == (1, "") and err == "Fehler: Staffelberechnung 999 gibt es nicht.\n"
    saved = save(db, f, example(f, "03.2026", "08.2026"))
    period = billing_data.get_period(db, f.period).period
    billing_data.save_period(db, replace(period, fee_lines=(m.FeeLine(f.income_group, tier=5, payers=(
        m.PayerShare(f.mother, eur("200.00")), m.PayerShare(f.father, takes_remainder=True))),)))
    before = counts(db)
    code, out, err = cli(capsys, db, "--assessment", str(saved.assessment.id))
    assert (code, out) == (1, "")
    assert err.startswith("Fehler: Es wurde nichts übertragen.\n  Übertragen nicht möglich – Abrechnungszeitraum "
                          "03.2026 – 08.2026")
    assert counts(db) == before


def test_all_complete_prints_the_combined_protocol(db, family, capsys):
    f = family
    code, out, err = cli(capsys, db, "--all-complete")
    assert (code, err) == (0, "")
    assert out == "Keine vollständige, noch nicht übertragene Staffelberechnung gefunden; nichts übertragen.\n"
    save(db, f, example(f, "03.2026", "08.2026", complete=True))
    code, out, err = cli(capsys, db, "--all-complete", "--organization", str(f.org))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Gerber, Mia – Staffelberechnung 03.2026 – 08.2026: Staffel 3"
    assert lines[-1] == "1 von 1 Staffelberechnungen übertragen, 0 nicht übertragen."
    assert periods(db, f)[1] == ("03.2026 – 08.2026", 3, None)
