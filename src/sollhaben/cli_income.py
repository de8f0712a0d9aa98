"""`sollhaben income transfer --assessment ID | --all-complete [--organization ID|NAME]`: the transfer
of the income-scale calculation (Staffelberechnung) into the billing data, headless, with the protocol
in German on stdout; errors in German on stderr with exit code 1."""
from __future__ import annotations

import sys


def add_parser(sub) -> None:
    income = sub.add_parser("income", help="Staffelberechnung: übertragen in die Abrechnungsdaten")
    income_sub = income.add_subparsers(dest="income_command", required=True)
    transfer = income_sub.add_parser("transfer", help="Staffelberechnung(en) übertragen (bucht nichts; die nächste "
                                                      "Sollstellung rechnet abgerechnete Monate nach)")
    which = transfer.add_mutually_exclusive_group(required=True)
    which.add_argument("--assessment", type=int, metavar="ID", help="eine Staffelberechnung übertragen")
    which.add_argument("--all-complete", action="store_true",
                       help="alle vollständigen, noch nicht übertragenen Staffelberechnungen übertragen")
    transfer.add_argument("--organization", metavar="ID|NAME", help="nötig bei --all-complete, wenn es mehrere "
                                                                    "Organisationen gibt")


def run(db, args, find_organization) -> int:
    from sollhaben.config import current_user
    from sollhaben.domain.errors import ConflictError, NotFoundError, ValidationError
    from sollhaben.services.income import bulk, transfer

    try:
        organization_id = None
        if args.all_complete or args.organization:
            organization_id = find_organization(db, args.organization).id
        if args.assessment is not None:
            result = transfer.transfer_assessment(db, args.assessment, current_user(), organization_id=organization_id)
            print(f"Übertragen: {result.heading}")
            for line in result.lines:
                print(f"  {line}")
            print(f"Die Sollstellung {result.run_month} bucht die Differenzen; die Übertragung selbst bucht nichts.")
            return 0
        combined = bulk.transfer_all_complete(db, organization_id, current_user())
    except ValidationError as exc:
        print("Fehler: Es wurde nichts übertragen.", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error.message}", file=sys.stderr)
        return 1
    except (ConflictError, NotFoundError, LookupError) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    if combined.total == 0:
        print("Keine vollständige, noch nicht übertragene Staffelberechnung gefunden; nichts übertragen.")
        return 0
    for line in combined.lines:
        print(line)
    if combined.failed:
        print(f"Fehler: {len(combined.failed)} Staffelberechnung(en) nicht übertragen (siehe Protokoll).",
              file=sys.stderr)
        return 1
    return 0
