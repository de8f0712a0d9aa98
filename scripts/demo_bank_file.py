"""Write a realistic camt.054 for the current open items of a (demo) organization, to try the page
Zahlungseingänge: import it, see what was matched, clear the rest.

    .venv/bin/python scripts/demo_bank_file.py --database sqlite:///sollhaben.sqlite --output avis.xml \
        [--organization "Sozialdienst Aaretal"] [--date 2026-11-30]

Without --organization the first organization (by name) is used. Reads the database only; what
the file holds is described in `sollhaben.services.demo_receivables_bank`.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, metavar="URL", help="z. B. sqlite:///sollhaben.sqlite")
    parser.add_argument("--output", required=True, metavar="DATEI")
    parser.add_argument("--organization", metavar="NAME|ID")
    parser.add_argument("--date", type=date.fromisoformat, default=date.today(), metavar="JJJJ-MM-TT",
                        help="Buchungsdatum der Zahlungen (Vorgabe: heute)")
    args = parser.parse_args(argv)
    from sollhaben.persistence.database import open_database
    from sollhaben.services.demo_receivables_bank import build_demo_bank_file, choose_organization

    db = open_database(args.database, user="demo")
    try:
        organization = choose_organization(db, args.organization)
        made = build_demo_bank_file(db, organization, args.date)
    except LookupError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    Path(args.output).write_bytes(made.content)
    print(f"{args.output}: camt.054 für {made.account_iban} – {made.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
