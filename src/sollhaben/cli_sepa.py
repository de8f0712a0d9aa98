"""`sollhaben sepa collect --due DATE [--organization ID|NAME] [--version 02|08] [--output FILE]
[--preview]`: the SEPA collection run headless. Prints the proposal and the error list (German),
then books the pending payments and writes the pain.008 file (after the commit, see docs/sepa.md).

Exit codes: 0 when collected, or when nothing is due (nothing to do is no error); 1 when nothing
was collected because of errors (organization data, every due account refused, a changed
proposal, an existing output file) — then nothing is booked. Accounts left out while others are
collected are listed, but the exit code stays 0: the run did its work, the list says what is left.
"""
from __future__ import annotations

import sys
from pathlib import Path


def add_parser(sub) -> None:
    sepa = sub.add_parser("sepa", help="SEPA-Lastschriften (DE): Einzug mit pain.008-Datei")
    sepa_sub = sepa.add_subparsers(dest="sepa_command", required=True)
    collect = sepa_sub.add_parser("collect", help="offene Posten bis zur Fälligkeit per Lastschrift einziehen")
    collect.add_argument("--due", required=True, metavar="DATUM", help="Fälligkeit (Einzugsdatum), z. B. 2026-12-01")
    collect.add_argument("--organization", metavar="ID|NAME", help="nötig, wenn es mehrere Organisationen gibt")
    collect.add_argument("--version", choices=("02", "08"), default="08", help="pain.008.001.02 oder .08 (Vorgabe 08)")
    collect.add_argument("--output", metavar="DATEI", help="Zieldatei (Vorgabe: SEPA-Lastschrift_<Datum>.xml)")
    collect.add_argument("--preview", action="store_true", help="nur Vorschlag und Fehlerliste zeigen, nichts buchen")


def _print_proposal(proposal, money) -> None:
    for line in proposal.lines:
        print(f"  {line.holder_name:<32} {line.account_number:<12} {line.mandate_reference:<20} "
              f"{line.sequence_type}  {money(line.amount):>12}")
    print(f"Summe: {len(proposal.lines)} Lastschrift(en), {money(proposal.total)}")
    if proposal.problems:
        print(f"Fehlerliste ({len(proposal.problems)}):")
        for problem in proposal.problems:
            print(f"  {'STOPP ' if problem.blocking else ''}{problem.subject}: {problem.message}")


def run(db, args, find_organization) -> int:
    from sollhaben.config import current_user
    from sollhaben.domain.errors import ConflictError, NotFoundError, ValidationError
    from sollhaben.domain.formatting import format_money, parse_date
    from sollhaben.services.receivables import sepa_proposal, sepa_run

    try:
        org = find_organization(db, args.organization)
        due = parse_date(args.due, "Fälligkeit")
        proposal = sepa_proposal.propose(db, org.id, due)
        print(f"SEPA-Lastschrifteinzug „{org.name}“, Fälligkeit {due:%d.%m.%Y}, pain.008.001.{args.version}:")
        _print_proposal(proposal, lambda m: format_money(m, "DE", with_currency=True))
        if proposal.blocked or (not proposal.lines and proposal.problems):
            print("Fehler: Es wird nichts eingezogen (siehe Fehlerliste).", file=sys.stderr)
            return 1
        if not proposal.lines:
            print("Nichts fällig: keine offenen Posten mit gültigem Mandat.")
            return 0
        if args.preview:
            return 0
        target = Path(args.output or f"SEPA-Lastschrift_{due:%Y-%m-%d}.xml")
        if target.exists():
            print(f"Fehler: Die Datei {target} gibt es schon; es wurde nichts gebucht.", file=sys.stderr)
            return 1
        result = sepa_run.run_collection(db, proposal, args.version, target, user=current_user())
    except ValidationError as exc:
        print("Fehler: Es wurde nichts eingezogen.", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error.message}", file=sys.stderr)
        return 1
    except (ConflictError, NotFoundError, LookupError) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    print(f"Eingezogen: {result.count} Lastschrift(en) über {format_money(result.total, 'DE', with_currency=True)}, "
          f"Nachricht {result.message_id}; Zahlungen vorgemerkt bis {due:%d.%m.%Y}.")
    if not result.file_written:
        print(f"Fehler: {result.file_error}", file=sys.stderr)
        return 1
    print(f"Datei: {result.path}")
    return 0
