"""Benchmark: a print run of 2 000 letters with a Swiss QR-bill (not a test; prints figures and PASS/FAIL).

Budgets (architecture.md → Printing): 2 000 letters with QR-bill into one PDF ≤ 10 s, ≤ 5 ms per bill
page (payload check, QR code, drawing), and the native drawing ≥ 20 × faster than the documented
qrbill route (qrbill → SVG → svglib → reportlab drawing on a page), measured in the same run on a
sample of the same bills and extrapolated (svglib comes with the `bench` extra).

Figures: the print run through the service (SQLite with 2 000 persons: load, build, render — what
"Drucken" does), the same letters rendered from prepared data (reports layer only), bill pages alone.
Run: .venv/bin/python bench/bench_qrbill.py [N] [SAMPLE]
"""
from __future__ import annotations

import io
import random
import resource
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

from reportlab.graphics import renderPDF
from sqlalchemy import insert

from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput
from sollhaben.domain.money import Money
from sollhaben.persistence import migrate
from sollhaben.persistence.database import open_database
from sollhaben.persistence.models import Person
from sollhaben.reports.letter import new_canvas, render_letters
from sollhaben.reports.qr_bill import draw_bill
from sollhaben.reports.qr_bill_data import prepare_bill
from sollhaben.services import letters, organizations

TOTAL_BUDGET, PAGE_BUDGET, RATIO_BUDGET = 10.0, 0.005, 20.0
LAST = ["Müller", "Meier", "Schmid", "Keller", "Weber", "Huber", "Schneider", "Meyer", "Steiner", "Fischer",
        "Gerber", "Brunner", "Baumann", "Frei", "Zimmermann", "Moser", "Widmer", "Wyss", "Graf", "Roth"]
FIRST = ["Anna", "Luca", "Mia", "Noah", "Lea", "Elias", "Lara", "Leon", "Sofia", "Nico", "Zoë", "Aurélie"]
TOWNS = [("3000", "Bern"), ("8001", "Zürich"), ("4051", "Basel"), ("1201", "Genève"), ("6900", "Lugano"),
         ("9000", "St. Gallen"), ("2502", "Biel/Bienne"), ("3600", "Thun")]
STREETS = ["Bahnhofstrasse", "Hauptstrasse", "Dorfstrasse", "Kirchweg", "Rue du Lac", "Via Nassa"]
BODY = ("Sehr geehrte Damen und Herren\n\nWir stellen Ihnen die Beiträge für die Betreuung Ihres Kindes im "
        "Dezember 2026 in Rechnung. Bitte bezahlen Sie den Betrag innert 30 Tagen mit dem QR-Einzahlungsschein.\n\n"
        "Für Fragen erreichen Sie uns werktags von 8 bis 12 Uhr.")


def setup(folder: Path, count: int):
    db = open_database(f"sqlite:///{folder / 'bench.sqlite'}", user="bench")
    migrate.upgrade(db.engine, backup=False)
    org = organizations.create_organization(db, OrganizationInput(
        "Sozialdienst Bench", "CH", Address("Bahnhofstrasse", "12", "3000", "Bern", "CH"),
        bank_accounts=(BankAccountInput("CH44 3199 9123 0008 8901 2", is_default=True),)))
    rng = random.Random(20261125)
    now = datetime.now(timezone.utc)
    rows = []
    for i in range(count):
        postal_code, town = rng.choice(TOWNS)
        rows.append({"organization_id": org.id, "kind": "NATURAL", "last_name": rng.choice(LAST),
                     "first_name": rng.choice(FIRST), "salutation": rng.choice(["Frau", "Herr", ""]), "version": 1,
                     "created_at": now, "updated_at": now, "street": rng.choice(STREETS),
                     "house_number": str(rng.randrange(1, 200)), "postal_code": postal_code, "town": town,
                     "country": "CH", "address_extra": "", "phone": "", "email": "",
                     "language": rng.choice(["de", "de", "fr", "it"]), "note": ""})
    with db.engine.begin() as connection:
        connection.execute(insert(Person.__table__), rows)
        ids = [r[0] for r in connection.exec_driver_sql("SELECT id FROM person ORDER BY id")]
    requests = [letters.LetterRequest(pid, "Rechnung Betreuung Dezember 2026", BODY,
                                      Money(rng.randrange(1_000, 250_000), "CHF"), document_no=i + 1)
                for i, pid in enumerate(ids)]
    return db, org, requests


def qrbill_route(bill) -> None:
    """The documented route: qrbill draws SVG, svglib turns it into a reportlab drawing."""
    from qrbill.bill import QRBill
    from svglib.svglib import svg2rlg

    data = bill.data
    qr = QRBill(account=bill.account_text.replace(" ", ""), creditor=_address(data.creditor),
                amount=str(data.amount.amount) if data.amount else None, currency=data.currency,
                debtor=_address(data.debtor) if data.debtor else None,
                reference_number=bill.reference_text.replace(" ", "") or None,
                additional_information=data.additional_information, language=data.language)
    svg = io.StringIO()
    qr.as_svg(svg)
    return svg2rlg(io.BytesIO(svg.getvalue().encode("utf-8")))


def _address(a) -> dict:
    return {"name": a.name, "street": a.street, "house_num": a.house_number, "pcode": a.postal_code,
            "city": a.town, "country": a.country}


def main(count: int = 2000, sample: int = 100) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench_qrbill_"))
    db, org, requests = setup(folder, count)
    print(f"setup: {count} persons in SQLite, one letter with QR-bill each")

    t = time.perf_counter()
    pdf = letters.render_batch(db, org.id, requests, today=date(2026, 11, 25))
    service = time.perf_counter() - t
    (folder / "run.pdf").write_bytes(pdf)
    print(f"print run via service (load + build + render): {service:.2f} s for {count} letters "
          f"({service / count * 1000:.2f} ms per letter), {len(pdf) / 1e6:.1f} MB "
          f"(budget {TOTAL_BUDGET:.0f} s)")

    built = list(letters.build_letters(db, org.id, requests, today=date(2026, 11, 25)))
    t = time.perf_counter()
    render_letters(built)
    rendered = time.perf_counter() - t
    print(f"render only (prepared letters, reports layer): {rendered:.2f} s ({rendered / count * 1000:.2f} ms per letter)")

    bills = [letter.bill for letter in built]
    canvas = new_canvas(io.BytesIO(), "bills")
    t = time.perf_counter()
    for bill in bills:
        draw_bill(canvas, prepare_bill(bill.data))
        canvas.showPage()
    canvas.save()
    native = (time.perf_counter() - t) / count
    print(f"native QR-bill page (check data, QR code, draw, save): {native * 1000:.2f} ms per bill page "
          f"(budget {PAGE_BUDGET * 1000:.0f} ms)")

    canvas = new_canvas(io.BytesIO(), "qrbill route")
    t = time.perf_counter()
    for bill in bills[:sample]:
        drawing = qrbill_route(bill)
        renderPDF.draw(drawing, canvas, 0, 0)
        canvas.showPage()
    canvas.save()
    route = (time.perf_counter() - t) / sample
    ratio = route / native
    print(f"qrbill → SVG → svglib route: {route * 1000:.1f} ms per bill page, measured on {sample} bills, "
          f"extrapolated to {count}: {route * count:.0f} s")
    print(f"native is {ratio:.0f} × faster (budget ≥ {RATIO_BUDGET:.0f} ×)")
    try:
        import pypdfium2 as pdfium
        import zxingcpp

        image = pdfium.PdfDocument(pdf)[count - 1].render(scale=300 / 72).to_pil()
        decoded = [c.text for c in zxingcpp.read_barcodes(image)]
        print(f"check: last page decodes to the bill payload: {decoded == [bills[-1].payload]}")
    except ImportError:
        pass
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    ok = service <= TOTAL_BUDGET and native <= PAGE_BUDGET and ratio >= RATIO_BUDGET
    print("PASS" if ok else "FAIL")
    db.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:3])))
