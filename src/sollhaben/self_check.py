"""`sollhaben --self-check`: proves that an installed (or frozen) app works end to end, without a
display: temporary SQLite database, migrations, an organization with a QR-IBAN and a person, one
letter with a Swiss QR-bill rendered through the service. Prints one German line; exit code 0 = OK."""
from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput, PersonInput
from sollhaben.domain.money import Money
from sollhaben.persistence import migrate
from sollhaben.persistence.database import open_database
from sollhaben.services import letters, organizations, persons

MIN_PDF_BYTES = 5_000  # fonts are embedded: a real letter is far larger


def _check(folder: Path) -> str:
    db = open_database(f"sqlite:///{folder / 'selbsttest.sqlite'}", user="selbsttest")
    try:
        migrate.upgrade(db.engine, backup=False)
        org = organizations.create_organization(db, OrganizationInput(
            name="Selbsttest Sozialdienst", legal_country="CH",
            address=Address("Bahnhofstrasse", "1", "3000", "Bern", "CH"),
            bank_accounts=(BankAccountInput("CH44 3199 9123 0008 8901 2", label="QR-Konto", is_default=True),)))
        person = persons.save_person(db, org.id, PersonInput(
            "NATURAL", "Muster", "Anna", salutation="Frau", address=Address("Marktgasse", "28", "9400", "Rorschach", "CH")))
        pdf = letters.render_letter(db, org.id, person.id, "Selbsttest", "Dieser Brief prüft Datenbank, "
                                    "Schriften und QR-Rechnung.", Money.of("12.50", "CHF"), today=date.today())
    finally:
        db.dispose()
    if not pdf.startswith(b"%PDF") or len(pdf) < MIN_PDF_BYTES or b"%%EOF" not in pdf[-64:]:
        raise RuntimeError(f"Das erzeugte PDF ist unvollständig ({len(pdf)} Bytes).")
    return f"{len(pdf) // 1024} KB"


def run_self_check() -> int:
    """0 and "Selbsttest OK …" on success; 1 and the reason (German) on any failure."""
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="sollhaben-selbsttest-") as tmp:
            size = _check(Path(tmp))
    except Exception as exc:  # noqa: BLE001 - every failure must be reported, in German
        print(f"Selbsttest FEHLGESCHLAGEN: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"Selbsttest OK: Datenbank angelegt und migriert, Brief mit QR-Rechnung erstellt ({size}, "
          f"{time.perf_counter() - started:.1f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(run_self_check())
