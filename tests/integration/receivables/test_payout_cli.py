"""`sollhaben payout file` on a real SQLite file: preview, the file, nothing left; errors exit 1."""
from __future__ import annotations

from datetime import date, timedelta

from sollhaben.banking.pain001_ch import swiss_problems
from sollhaben.banking.xsd_validation import schema_problems
from sollhaben.cli import main
from sollhaben.domain.receivables.payouts import OrderStatus
from sollhaben.services.receivables import payout_orders, payout_refunds, payout_run
from tests.integration.receivables.test_payout_support import CH_PAYER_IBAN, ch_organization, payer, with_credit

EXECUTION = date.today() + timedelta(days=2)  # the CLI runs against the real day


def _data(db, default_qr: bool = False):
    org = ch_organization(db, default_qr=default_qr)
    for last, credit in (("Gerber", "50.00"), ("Keller", "12.35")):
        account = payer(db, org, last, "Eva", CH_PAYER_IBAN)
        with_credit(db, account, credit)
        payout_refunds.create_refund_order(db, org.id, account.id)
    return org


def test_preview_then_file_then_nothing_left(sqlite_db, tmp_path, capsys):
    org = _data(sqlite_db)
    url = str(sqlite_db.engine.url)
    target = tmp_path / "out" / "auszahlung.xml"
    target.parent.mkdir()
    assert main(["--database", url, "payout", "file", "--date", EXECUTION.isoformat(), "--preview"]) == 0
    shown = capsys.readouterr().out
    assert "Eva Gerber" in shown and "Summe: 2 Auftrag/Aufträge, 62.35 CHF" in shown
    assert "CH93 0076 2011 6238 5295 7" in shown and not target.exists()
    assert main(["--database", url, "payout", "file", "--date", EXECUTION.isoformat(), "--output", str(target)]) == 0
    out = capsys.readouterr().out
    assert f"Zahlungsdatei {target}: 2 Auftrag/Aufträge, 62.35 CHF" in out
    content = target.read_bytes()
    assert schema_problems(content, "pain.001.001.09.xsd") == [] and swiss_problems(content) == []
    assert {o.status for o in payout_orders.list_payout_orders(sqlite_db, org.id)} == {OrderStatus.IN_FILE}
    assert main(["--database", url, "payout", "file", "--date", EXECUTION.isoformat(), "--output",
                 str(tmp_path / "second.xml")]) == 0
    assert "Keine offenen Auszahlungsaufträge" in capsys.readouterr().out
    assert not (tmp_path / "second.xml").exists()


def test_errors_exit_1_and_nothing_is_stored(sqlite_db, tmp_path, capsys):
    org = _data(sqlite_db, default_qr=True)
    url = str(sqlite_db.engine.url)
    code = main(["--database", url, "payout", "file", "--date", EXECUTION.isoformat(), "--output",
                 str(tmp_path / "x.xml")])
    captured = capsys.readouterr()
    assert code == 1 and "QR-IBAN" in captured.out and "keine Zahlungsdatei" in captured.err
    assert not (tmp_path / "x.xml").exists()
    assert payout_run.list_payout_files(sqlite_db, org.id) == []
    assert {o.status for o in payout_orders.list_payout_orders(sqlite_db, org.id)} == {OrderStatus.OPEN}


def test_date_in_the_past_is_refused(sqlite_db, tmp_path, capsys):
    org = _data(sqlite_db)
    url = str(sqlite_db.engine.url)
    past = (date.today() - timedelta(days=1)).isoformat()
    code = main(["--database", url, "payout", "file", "--date", past, "--output", str(tmp_path / "x.xml")])
    captured = capsys.readouterr()
    assert code == 1 and "Vergangenheit" in captured.err
    assert not (tmp_path / "x.xml").exists() and payout_run.list_payout_files(sqlite_db, org.id) == []
