"""`sollhaben bank import FILE [--organization ID|NAME] [--preview]`: a camt.053 / camt.054 file read,
matched and (without --preview) booked, headless. A German summary on stdout; the file's problems
(each with line and element path) on stderr with exit code 1 — then nothing is booked."""
from __future__ import annotations

import sys
from pathlib import Path


def add_parser(sub) -> None:
    bank = sub.add_parser("bank", help="Bankdateien (camt.053/camt.054) einlesen")
    bank_sub = bank.add_subparsers(dest="bank_command", required=True)
    imp = bank_sub.add_parser("import", help="Zahlungseingänge einer camt-Datei zuordnen und buchen")
    imp.add_argument("file", metavar="DATEI")
    imp.add_argument("--organization", metavar="ID|NAME",
                     help="bei mehreren Organisationen; ohne: die mit dem Konto (IBAN) der Datei")
    imp.add_argument("--preview", action="store_true", help="nur zeigen, was gebucht würde; nichts speichern")


def _print_lines(preview, country: str) -> None:
    from sollhaben.domain.formatting import format_date, format_money
    from sollhaben.domain.receivables.bank_matching import LineStatus

    for line in preview.lines:
        if line.status is LineStatus.MATCHED:
            target = f"→ {line.account_label} ({line.via})"
        else:
            target = f"– {line.note}" if line.note else ""
        day = format_date(line.booking_date) if line.booking_date else ""
        who = line.debtor_name or line.reference or line.text
        # a debit as a negative amount, written like every amount (format_money: hyphen-minus)
        amount = format_money(line.amount if line.credit else -line.amount, country, with_currency=True)
        print(f"  {line.status.label:<18} {day:<10} {amount:>15}  {who[:40]:<40} {target}")


def _organization(db, wanted: str | None, content: bytes, find_organization):
    """--organization when given; else the only organization; else the one whose bank account the file
    reports on (Acct/Id/IBAN) — when exactly one has it."""
    if wanted is not None:
        return find_organization(db, wanted)
    try:
        return find_organization(db, None)
    except LookupError as exc:
        from sollhaben.services.receivables.receiving_account import organizations_for_file, receiving_ibans

        owners = organizations_for_file(db, content)
        if len(owners) == 1:
            print(f"Organisation: {owners[0].name} (Konto der Datei)")
            return owners[0]
        ibans = ", ".join(receiving_ibans(content))
        if len(owners) > 1 or not ibans:
            raise
        raise LookupError(f"Das Konto der Datei ({ibans}) gehört keiner Organisation. {exc}") from None


def run(db, args, find_organization) -> int:
    from sollhaben.domain.errors import ConflictError, NotFoundError, ValidationError
    from sollhaben.services.receivables.bank_dto import BankFileError
    from sollhaben.services.receivables.bank_import import import_bank_file, preview_import

    path = Path(args.file)
    try:
        content = path.read_bytes()
    except OSError as exc:
        print(f"Fehler: Die Datei {path} kann nicht gelesen werden: {exc.strerror or exc}", file=sys.stderr)
        return 1
    returns = 0
    try:
        organization = _organization(db, args.organization, content, find_organization)
        if args.preview:
            preview = preview_import(db, organization.id, content, path.name)
            if preview.problems:
                raise BankFileError(preview.problems)
            heading = "Vorschau (nichts gebucht)"
        else:
            preview = import_bank_file(db, organization.id, content, path.name).preview
            heading = "Eingelesen und gebucht"
            from sollhaben.services.receivables.bank_returns import note_return_details

            returns = note_return_details(db, organization.id, content)  # booked on the page Zahlungseingänge
    except BankFileError as exc:
        print(f"Fehler: {path.name} wird nicht gebucht – {len(exc.problems)} Problem(e):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except ValidationError as exc:
        print("Fehler: Es wurde nichts gebucht.", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error.message}", file=sys.stderr)
        return 1
    except (ConflictError, NotFoundError, LookupError) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    print(f"{heading}: {path.name} ({preview.label}, Nachricht {preview.message_id})")
    for at, by in preview.imported_before:
        print(f"Hinweis: Diese Datei wurde bereits am {at:%d.%m.%Y %H:%M} von {by} eingelesen.")
    print(preview.summary())
    _print_lines(preview, organization.legal_country)
    if returns:
        print(f"{returns} Rücklastschrift(en) erkannt – buchen auf der Seite Zahlungseingänge, Reiter "
              "„Rücklastschriften“.")
    return 0
