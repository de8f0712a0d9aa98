"""`sollhaben payout file --date DATE [--organization ID|NAME] [--output FILE] [--preview]`: the payout
run headless. Prints the open payout orders (refunds and module payouts), their sum and the debtor
account, then writes them into one pain.001 file (CH: Swiss Payment Standards, DE: SEPA), validated
before it is written; the orders are filed in the same transaction (see docs/payouts.md).

Exit codes: 0 when the file was written, or when there is nothing to pay out; 1 when nothing was
filed because of errors (debtor account, an order breaking a rule, a date in the past, an existing
output file) — then nothing is stored and no file written.
"""
from __future__ import annotations

import sys
from pathlib import Path


def add_parser(sub) -> None:
    payout = sub.add_parser("payout", help="Auszahlungen und Rückzahlungen: Zahlungsdatei (pain.001)")
    payout_sub = payout.add_subparsers(dest="payout_command", required=True)
    file = payout_sub.add_parser("file", help="offene Auszahlungsaufträge in eine Zahlungsdatei schreiben")
    file.add_argument("--date", required=True, metavar="DATUM", help="Ausführungsdatum, z. B. 2026-11-27")
    file.add_argument("--organization", metavar="ID|NAME", help="nötig, wenn es mehrere Organisationen gibt")
    file.add_argument("--output", metavar="DATEI", help="Zieldatei (Vorgabe: Auszahlungen_<Datum>.xml)")
    file.add_argument("--preview", action="store_true", help="nur Aufträge und Summe zeigen, nichts schreiben")


def run(db, args, find_organization) -> int:
    from sollhaben.domain.errors import ConflictError, NotFoundError, ValidationError
    from sollhaben.domain.formatting import format_money, parse_date
    from sollhaben.domain.references import format_iban
    from sollhaben.services.receivables import payout_run

    try:
        org = find_organization(db, args.organization)
        execution = parse_date(args.date, "Ausführungsdatum")
        preview = payout_run.preview_payout_run(db, org.id)
        money = lambda amount: format_money(amount, org.legal_country, with_currency=True)  # noqa: E731
        print(f"Auszahlungen „{org.name}“, Ausführung {execution:%d.%m.%Y}, {preview.pain_version} "
              f"({'Swiss Payment Standards' if preview.kind.value == 'CH' else 'SEPA'}):")
        for order in preview.orders:
            print(f"  {order.id:>6}  {order.recipient.name:<32} {format_iban(order.iban):<27} "
                  f"{money(order.amount):>16}  {order.purpose}")
        print(f"Summe: {len(preview.orders)} Auftrag/Aufträge, {money(preview.total)}; "
              f"Belastungskonto {format_iban(preview.debtor_iban) if preview.debtor_iban else '–'}")
        for problem in preview.problems:
            print(f"  STOPP {problem.message}")
        if preview.problems:
            print("Fehler: Es wird keine Zahlungsdatei erstellt.", file=sys.stderr)
            return 1
        if not preview.orders:
            print("Keine offenen Auszahlungsaufträge; nichts zu tun.")
            return 0
        if args.preview:
            return 0
        target = Path(args.output or f"Auszahlungen_{execution:%Y-%m-%d}.xml")
        if target.exists():
            print(f"Fehler: Die Datei {target} gibt es schon; es wurde nichts gespeichert.", file=sys.stderr)
            return 1
        result = payout_run.create_payout_file(db, org.id, execution_date=execution, target_path=target,
                                               order_ids=[o.id for o in preview.orders])
    except ValidationError as exc:
        print("Fehler: Es wurde keine Zahlungsdatei erstellt, nichts gespeichert.", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error.message}", file=sys.stderr)
        return 1
    except (ConflictError, NotFoundError, LookupError, OSError) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    print(f"Zahlungsdatei {target}: {result.count} Auftrag/Aufträge, {money(result.total)}, "
          f"Nachricht {result.message_id}, SHA-256 {result.sha256[:16]}…")
    return 0
