"""`sollhaben ledger export-postings --from DATE --to DATE [--organization ID|NAME] FILE`: the posting
export for the general ledger (CSV, columns in docs/statements.md), headless; errors in German on
stderr with exit code 1."""
from __future__ import annotations

import sys


def add_parser(sub) -> None:
    ledger = sub.add_parser("ledger", help="Debitorenbuchhaltung: Buchungsexport für die Finanzbuchhaltung")
    ledger_sub = ledger.add_subparsers(dest="ledger_command", required=True)
    export = ledger_sub.add_parser("export-postings", help="alle Buchungen eines Zeitraums als CSV (Spalten: "
                                                           "docs/statements.md)")
    export.add_argument("--from", dest="date_from", required=True, metavar="DATUM",
                        help="erster Buchungstag (TT.MM.JJJJ oder JJJJ-MM-TT)")
    export.add_argument("--to", dest="date_to", required=True, metavar="DATUM", help="letzter Buchungstag")
    export.add_argument("--organization", metavar="ID|NAME", help="nötig, wenn es mehrere Organisationen gibt")
    export.add_argument("file", metavar="DATEI", help="Ziel (CSV, UTF-8 mit BOM, Semikolon)")


def run(db, args, find_organization) -> int:
    from sollhaben.domain.errors import ErrorCollector, NotFoundError, ValidationError
    from sollhaben.domain.formatting import parse_date
    from sollhaben.services.receivables.gl_export import export_postings

    try:
        errors = ErrorCollector()
        start = errors.check("date_from", parse_date, args.date_from, "Von")
        end = errors.check("date_to", parse_date, args.date_to, "Bis")
        errors.raise_if_any()
        organization = find_organization(db, args.organization)
        result = export_postings(db, organization.id, start, end, args.file)
    except ValidationError as exc:
        print("Fehler: Es wurde nichts exportiert.", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error.message}", file=sys.stderr)
        return 1
    except (NotFoundError, LookupError, OSError) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    print(f"{result.rows} Buchungen vom {start.strftime('%d.%m.%Y')} bis {end.strftime('%d.%m.%Y')} "
          f"exportiert: {result.path}")
    return 0
