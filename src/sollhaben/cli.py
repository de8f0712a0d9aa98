"""Command line: `sollhaben` starts the app; subcommands run the same services headless."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sollhaben import __version__


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
    return parser


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


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    from sollhaben.domain.errors import ValidationError
    from sollhaben.persistence.migrate import DatabaseTooNew

    try:
        if args.command == "db":
            return _db_command(args)
        from sollhaben.app import run_app

        return run_app(args.database, self_check=args.self_check)
    except (ValidationError, DatabaseTooNew) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
