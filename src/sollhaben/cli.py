"""Command line: `sollhaben` starts the app; subcommands run the same services headless."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sollhaben import __version__, startup_probe


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sollhaben", description="Sollhaben – Beiträge und Inkasso")
    parser.add_argument("--database", metavar="URL", help="sqlite:///pfad oder postgresql+psycopg://…")
    parser.add_argument("--version", action="version", version=f"sollhaben {__version__}")
    parser.add_argument("--self-check", action="store_true",
                        help="temporäre Datenbank anlegen, migrieren, Brief mit QR-Rechnung drucken, beenden")
    sub = parser.add_subparsers(dest="command")

    db = sub.add_parser("db", help="Datenbank verwalten")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="Schema auf den neuesten Stand bringen (mit Sicherung)")
    backup = db_sub.add_parser("backup", help="SQLite-Datei sichern")
    backup.add_argument("target", nargs="?", help="Zieldatei (Vorgabe: backups/ neben der Datenbank)")
    db_sub.add_parser("check", help="Integrität prüfen")

    demo = sub.add_parser("demo", help="Demodaten laden (Kita-Träger DE und Sozialdienst CH)")
    demo.add_argument("--size", type=int, default=200, metavar="N", help="Personen je Organisation (Vorgabe 200)")
    imp = sub.add_parser("import", help="Stammdaten einer Organisation aus einer JSON-Datei importieren")
    imp.add_argument("file", metavar="DATEI")
    exp = sub.add_parser("export", help="Stammdaten einer Organisation in eine JSON-Datei exportieren")
    exp.add_argument("file", metavar="DATEI")
    exp.add_argument("--organization", metavar="ID|NAME", help="nötig, wenn es mehrere Organisationen gibt")
    _add_billing_parser(sub)
    from sollhaben import cli_income

    cli_income.add_parser(sub)
    from sollhaben import cli_ledger

    cli_ledger.add_parser(sub)
    from sollhaben import cli_sepa

    cli_sepa.add_parser(sub)
    from sollhaben import cli_dunning

    cli_dunning.add_parser(sub)
    from sollhaben import cli_bank

    cli_bank.add_parser(sub)
    from sollhaben import cli_payout

    cli_payout.add_parser(sub)
    return parser


def _add_billing_parser(sub) -> None:
    billing = sub.add_parser("billing", help="Sollstellung der Kita-Beiträge: Vorschau, buchen, rückgängig machen")
    billing_sub = billing.add_subparsers(dest="billing_command", required=True)
    for name, text in (("preview", "Vorschau: was gebucht würde, mit Summen und Problemen (bucht nichts)"),
                       ("run", "Sollstellung des Monats buchen (eine Transaktion)")):
        command = billing_sub.add_parser(name, help=text)
        command.add_argument("--facility", required=True, metavar="ID|NAME", help="Einrichtung (ID oder Name)")
        command.add_argument("--month", required=True, metavar="JJJJ-MM", help="Abrechnungsmonat, z. B. 2026-03")
        command.add_argument("--pdf", metavar="DATEI", help="Sollstellungsliste als PDF schreiben")
        command.add_argument("--xlsx", metavar="DATEI", help="Sollstellungsliste als XLSX schreiben")
    undo = billing_sub.add_parser("undo", help="letzte Sollstellung der Einrichtung rückgängig machen (Storno)")
    undo.add_argument("--facility", required=True, metavar="ID|NAME", help="Einrichtung (ID oder Name)")


def _db_command(args) -> int:
    from sollhaben.config import current_user, database_url
    from sollhaben.persistence import migrate
    from sollhaben.persistence.database import open_database

    db = open_database(database_url(args.database), user=current_user())
    try:
        if args.db_command == "upgrade":
            before = migrate.current_revision(db.engine)
            backup = migrate.upgrade(db.engine)
            if backup:
                print(f"Sicherung: {backup}")
            print(f"Schema: {before or 'leer'} → {migrate.current_revision(db.engine)}")
        elif args.db_command == "backup":
            if not db.is_sqlite:
                print("Für PostgreSQL bitte pg_dump verwenden (siehe docs/operations.md).", file=sys.stderr)
                return 2
            target = migrate.backup_sqlite(db.engine, Path(args.target) if args.target else None)
            if target is None:
                print("Die Datenbankdatei gibt es nicht.", file=sys.stderr)
                return 1
            print(f"Sicherung: {target}")
        elif args.db_command == "check":
            problems = migrate.integrity_check(db.engine)
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                return 1
            print("Datenbank in Ordnung.")
        return 0
    finally:
        db.dispose()


MAX_ERRORS_SHOWN = 200


def _print_errors(title: str, exc) -> None:
    print(title, file=sys.stderr)
    for error in exc.errors[:MAX_ERRORS_SHOWN]:
        print(f"  {error.field}: {error.message}" if error.field else f"  {error.message}", file=sys.stderr)
    if len(exc.errors) > MAX_ERRORS_SHOWN:
        print(f"  … und {len(exc.errors) - MAX_ERRORS_SHOWN} weitere Fehler.", file=sys.stderr)


def _demo(db, args) -> int:
    from sollhaben.services import demo

    existing = demo.demo_exists(db)
    if existing:
        print(f"Fehler: Die Demodaten sind schon geladen (Organisation „{existing[0]}“ gibt es). "
              "Für neue Demodaten bitte eine leere Datenbank verwenden (--database).", file=sys.stderr)
        return 1
    if args.size < 1:
        print("Fehler: --size muss mindestens 1 sein.", file=sys.stderr)
        return 2
    print(demo.load_demo(db, size=args.size).text())
    return 0


def _import(db, args) -> int:
    from sollhaben.domain.errors import ValidationError
    from sollhaben.services import import_export

    try:
        result = import_export.import_file(db, args.file)
    except ValidationError as exc:
        count = len(exc.errors)
        _print_errors(f"Import abgebrochen, es wurde nichts gespeichert: {count} Fehler in „{args.file}“.", exc)
        return 1
    print(result.summary())
    for warning in result.warnings:
        print(f"Hinweis: {warning}")
    return 0


def _find_organization(db, wanted: str | None):
    from sollhaben.services.organizations import list_organizations

    found = list_organizations(db)
    if wanted is None:
        if len(found) == 1:
            return found[0]
        if not found:
            raise LookupError("Es gibt noch keine Organisation zum Exportieren.")
        listing = "; ".join(f"{o.id} = {o.name}" for o in found)
        raise LookupError(f"Es gibt mehrere Organisationen; bitte mit --organization ID|NAME wählen ({listing}).")
    matches = [o for o in found if (wanted.isdigit() and o.id == int(wanted)) or o.name == wanted]
    matches = matches or [o for o in found if o.name.casefold() == wanted.strip().casefold()]
    if not matches:
        raise LookupError(f"Die Organisation „{wanted}“ gibt es nicht.")
    return matches[0]


def _export(db, args) -> int:
    from sollhaben.services import import_export

    try:
        org = _find_organization(db, args.organization)
        data = import_export.export_file(db, org.id, args.file)
    except LookupError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Fehler: Die Datei „{args.file}“ kann nicht geschrieben werden ({import_export.os_reason(exc)}).",
              file=sys.stderr)
        return 1
    print(f"Organisation „{org.name}“ exportiert nach {args.file}: {len(data['units'])} Einheiten, "
          f"{len(data['persons'])} Personen, {len(data['households'])} Haushalte.")
    return 0


#: Tests only (tests/integration/kita/test_billing_run_kill.py): seconds `billing run` waits inside
#: its transaction, after writing every posting and right before the commit, so a test can kill it.
BILLING_PAUSE_ENV = "SOLLHABEN_BILLING_PAUSE_BEFORE_COMMIT"


def _format_money(amount, country: str) -> str:
    from sollhaben.domain.formatting import format_money

    return format_money(amount, country, with_currency=True)


def _print_totals(totals, country: str, limit: int = 20) -> None:
    for title, rows in (("Beitragsgruppen", totals.by_fee_group), ("Zusatzkosten", totals.by_extra_cost),
                        ("Zahler", totals.by_payer)):
        if not rows:
            continue
        print(f"{title}:")
        for row in rows[:limit]:
            print(f"  {row.name}: {_format_money(row.amount, country)} ({row.postings} Buchungen)")
        if len(rows) > limit:
            print(f"  … und {len(rows) - limit} weitere")


def _write_reports(report, args) -> int:
    from sollhaben.reports.table_pdf import render_table_pdf
    from sollhaben.reports.table_xlsx import render_table_xlsx
    from sollhaben.services.import_export import os_reason

    for path, render in ((args.pdf, render_table_pdf), (args.xlsx, render_table_xlsx)):
        if path:
            try:
                Path(path).write_bytes(render(report))
            except OSError as exc:
                print(f"Fehler: Die Datei „{path}“ kann nicht geschrieben werden ({os_reason(exc)}).", file=sys.stderr)
                return 1
            print(f"Sollstellungsliste: {path}")
    return 0


def _billing(db, args) -> int:
    import os
    import time

    from sollhaben.config import current_user
    from sollhaben.domain.errors import NotFoundError
    from sollhaben.services.kita import billing_run, billing_run_report, billing_run_undo

    try:
        facility_id, facility_name, organization, country = billing_run.find_facility(db, args.facility)
    except NotFoundError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    if args.billing_command == "undo":
        result = billing_run_undo.undo_last_run(db, facility_id, current_user())
        print(f"Sollstellung {result.month} von „{facility_name}“ rückgängig gemacht: {result.reversals} "
              f"Stornobuchungen über {_format_money(-result.total_reversed, country)}, {result.counts_restored} "
              f"Anzahlen/Beträge und {result.periods_restored} Abrechnungsstände wiederhergestellt.")
        for note in result.not_restored:
            print(f"Hinweis: {note}")
        return 0
    month = billing_run.parse_month(args.month)
    if args.billing_command == "preview":
        preview = billing_run.preview_run(db, facility_id, month)
        print(f"Vorschau Sollstellung {month} – {facility_name} (es wurde nichts gebucht)")
        print(f"Kinder: {preview.children}, Buchungen: {len(preview.lines) + len(preview.recalculations)} "
              f"(Sollstellung {len(preview.lines)}, Nachberechnung {len(preview.recalculations)}), "
              f"zurückzusetzen: {preview.resets}")
        print(f"Summe Sollstellung: {_format_money(preview.totals.regular, country)}, Nachberechnungen: "
              f"{_format_money(preview.totals.recalculation, country)}, gesamt: {_format_money(preview.total, country)}")
        _print_totals(preview.totals, country)
        if preview.problems:
            print(f"Probleme ({len(preview.problems)}):")
            for problem in preview.problems[:MAX_ERRORS_SHOWN]:
                print(f"  {problem.child_name} ({problem.month}): {problem.message}")
        if preview.refusal:
            print(f"Hinweis: Buchen ist so nicht möglich – {preview.refusal}", file=sys.stderr)
        return _write_reports(billing_run_report.preview_report(preview, country, organization), args)
    pause = float(os.environ.get(BILLING_PAUSE_ENV) or 0)

    def progress(done: int, total: int, text: str) -> None:
        if pause and text.endswith(billing_run.BEFORE_COMMIT):
            print("Buchungen geschrieben, Abschluss wartet", file=sys.stderr, flush=True)
            time.sleep(pause)

    result = billing_run.post_run(db, facility_id, month, current_user(), progress=progress)
    print(f"Sollstellung {month} für „{facility_name}“ gebucht (Nr. {result.run_id}): {result.postings} Buchungen "
          f"(Sollstellung {result.regular_postings}, Nachberechnung {result.recalculation_postings}) für "
          f"{result.children} Kinder, {result.accounts_opened} Konten neu, {result.resets} Anzahlen/Beträge "
          f"zurückgesetzt, in {result.seconds:.1f} s.")
    print(f"Summe Sollstellung: {_format_money(result.totals.regular, country)}, Nachberechnungen: "
          f"{_format_money(result.totals.recalculation, country)}, gesamt: {_format_money(result.total, country)}")
    _print_totals(result.totals, country)
    if result.problems:
        print(f"Nicht abgerechnet wegen Problemen ({len(result.problems)}):")
        for problem in result.problems[:MAX_ERRORS_SHOWN]:
            print(f"  {problem.child_name} ({problem.month}): {problem.message}")
    return _write_reports(billing_run_report.run_list_report(db, result.run_id), args)


def _data_command(args) -> int:
    """demo, import, export, billing, income: open the database like the app does (back up, migrate or refuse)."""
    from sqlalchemy.exc import OperationalError

    from sollhaben.bootstrap import open_and_upgrade

    try:
        db = open_and_upgrade(args.database)
    except OperationalError as exc:
        print(f"Fehler: Die Datenbank kann nicht geöffnet werden: {exc.orig or exc}", file=sys.stderr)
        return 1
    try:
        if args.command == "income":
            from sollhaben import cli_income

            return cli_income.run(db, args, _find_organization)
        if args.command == "ledger":
            from sollhaben import cli_ledger

            return cli_ledger.run(db, args, _find_organization)
        if args.command == "sepa":
            from sollhaben import cli_sepa

            return cli_sepa.run(db, args, _find_organization)
        if args.command == "dunning":
            from sollhaben import cli_dunning

            return cli_dunning.run(db, args, _find_organization)
        if args.command == "bank":
            from sollhaben import cli_bank

            return cli_bank.run(db, args, _find_organization)
        if args.command == "payout":
            from sollhaben import cli_payout

            return cli_payout.run(db, args, _find_organization)
        return {"demo": _demo, "import": _import, "export": _export, "billing": _billing}[args.command](db, args)
    except KeyboardInterrupt:
        print("Abgebrochen – es wurde nichts gespeichert.", file=sys.stderr)
        return 130
    finally:
        db.dispose()


def main(argv: list[str] | None = None) -> int:
    startup_probe.mark("main")
    args = _build_parser().parse_args(argv)
    from sollhaben.services.receivables import sepa_hook

    sepa_hook.install()  # fee assessment letters name the payer's SEPA mandate (app and CLI)
    from sollhaben.domain.errors import ValidationError
    from sollhaben.persistence.migrate import DatabaseTooNew

    try:
        if args.command == "db":
            return _db_command(args)
        if args.command in ("demo", "import", "export", "billing", "income", "ledger", "sepa", "dunning", "bank",
                            "payout"):
            return _data_command(args)
        if args.self_check:  # no Qt, no display: works on a build server and in the frozen app
            from sollhaben.self_check import run_self_check

            return run_self_check()
        from sollhaben.app import run_app

        return run_app(args.database)
    except (ValidationError, DatabaseTooNew) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
