"""`sollhaben dunning preview --date DATE [--organization ID|NAME]` shows the dunning proposal (accounts,
items with level, fee, amount, reasons for what is not reminded); `sollhaben dunning run --date DATE
[--organization] [--output PATH] [--one-file|--per-recipient]` confirms it — fees posted, notices,
history and measures recorded in one transaction — and writes the letters (one PDF, or one PDF per
recipient into the folder PATH) and, when the run handed items over, the hand-over list. German messages; errors on stderr with exit code 1."""
from __future__ import annotations

import sys
from pathlib import Path


def add_parser(sub) -> None:
    dunning = sub.add_parser("dunning", help="Mahnwesen: Mahnvorschlag anzeigen, Mahnlauf buchen und drucken")
    dunning_sub = dunning.add_subparsers(dest="dunning_command", required=True)
    for name, text in (("preview", "Mahnvorschlag zum Stichtag anzeigen (bucht nichts)"),
                       ("run", "Mahnlauf buchen (Gebühren, Mahnhistorie) und die Briefe als PDF schreiben")):
        command = dunning_sub.add_parser(name, help=text)
        command.add_argument("--date", required=True, metavar="DATUM", help="Stichtag (TT.MM.JJJJ oder JJJJ-MM-TT)")
        command.add_argument("--organization", metavar="ID|NAME", help="nötig, wenn es mehrere Organisationen gibt")
        if name == "run":
            command.add_argument("--output", metavar="PFAD", help="PDF-Datei (Standard: mahnungen-DATUM.pdf) bzw. "
                                                                   "Ordner bei --per-recipient")
            how = command.add_mutually_exclusive_group()
            how.add_argument("--one-file", action="store_true", help="alle Briefe in einer PDF-Datei (Standard)")
            how.add_argument("--per-recipient", action="store_true", help="eine PDF-Datei je Empfänger")


def _print_proposal(shown) -> None:
    from sollhaben.domain.formatting import format_date, format_number_minor
    from sollhaben.domain.receivables.dunning import describe

    country = shown.country
    for account in shown.proposal.accounts:
        if account.letter_level:
            head = (f"{shown.policy.level(account.letter_level).name}, Gebühr "
                    f"{format_number_minor(account.fee_minor, country)}, Betrag "
                    f"{format_number_minor(account.amount_minor, country)} {shown.currency}")
        elif account.handed_over:
            head = f"Übergabe ({shown.policy.handover.label})"
        else:
            head = f"nicht gemahnt: {account.reason}"
        print(f"{account.account.name}: {head}")
        for line in account.lines:
            item = line.item
            print(f"    {format_date(item.due_date)}  {format_number_minor(item.open_minor, country):>12}  "
                  f"{item.text[:50]:50}  {describe(line)}")
    letters, handovers = shown.proposal.letters, shown.proposal.handovers
    print(f"{len(letters)} Mahnbrief(e), {len(handovers)} Übergabe(n), Gebühren "
          f"{format_number_minor(shown.proposal.fees_minor, country)} {shown.currency}")


def _write(pdf, run_date, output: str | None, per_recipient: bool) -> None:
    if per_recipient:
        folder = Path(output or f"mahnungen-{run_date:%Y-%m-%d}")
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in pdf:
            (folder / name).write_bytes(data)
        print(f"{len(pdf)} PDF-Datei(en) geschrieben in {folder}")
        return
    path = Path(output or f"mahnungen-{run_date:%Y-%m-%d}.pdf")
    path.write_bytes(pdf)
    print(f"Briefe geschrieben: {path}")


def run(db, args, find_organization) -> int:
    from sollhaben.domain.errors import ConflictError, NotFoundError, ValidationError
    from sollhaben.domain.formatting import parse_date
    from sollhaben.services.receivables import dunning, dunning_handover, dunning_letters

    try:
        run_date = parse_date(args.date, "Stichtag")
        organization_id = find_organization(db, args.organization).id
        shown = dunning.preview(db, organization_id, run_date)
        _print_proposal(shown)
        if args.dunning_command == "preview":
            return 0
        if not shown.proposal.letters and not shown.proposal.handovers:
            print("Nichts zu mahnen; es wurde nichts gebucht.")
            return 0
        result = dunning.confirm(db, shown)
        print(f"Mahnlauf {result.run_id} gebucht: {result.letters} Brief(e), {result.handovers} Übergabe(n), "
              f"Gebühren {result.fees}")
    except ValidationError as exc:
        print("Fehler: Es wurde nichts gebucht.", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error.message}", file=sys.stderr)
        return 1
    except (ConflictError, NotFoundError, LookupError) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    try:
        if result.handovers:
            path = Path(f"uebergabeliste-{run_date:%Y-%m-%d}.pdf")
            if args.output:
                base = Path(args.output)
                path = (base / path.name) if args.per_recipient else base.with_name(f"{base.stem}-uebergabe.pdf")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(dunning_handover.handover_pdf(db, result.run_id))
            print(f"Übergabeliste geschrieben: {path}")
        if not result.letters:
            return 0
        pdf = dunning_letters.render_run(db, result.run_id, per_recipient=args.per_recipient)
        _write(pdf, run_date, args.output, args.per_recipient)
    except (ValidationError, OSError) as exc:
        print(f"Fehler beim Drucken (der Mahnlauf {result.run_id} ist gebucht; die Briefe lassen sich im Mahnwesen "
              f"erneut drucken): {exc}", file=sys.stderr)
        return 1
    return 0
