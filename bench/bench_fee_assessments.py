"""Benchmark: 10 000 fee assessment letters (Festsetzung) in one print run (not a test; prints figures
and PASS/FAIL).

Budget (issue 3): 10 000 fee letters ≤ 30 s — through the service as "Alle drucken …" runs it: load
the facility (contracts, periods, lines, persons), compute every child with the domain calculation,
split by payer, fingerprint, create the missing ledger accounts, render one PDF, record every letter.

Data (SQLite file, built through the services for the statute and by bulk inserts for the families):
a German facility with 8 000 children; every child's mother pays, every 4th child's father takes the
remainder of the main fee → 10 000 payers, one letter each. A child has 1–2 fee lines (30 % with the
sibling discount) and 2–3 extra costs (meals PER_UNIT, drinks MONTHLY, crafts INDIVIDUAL for 20 %).

Figures: the change detection over all payers (the page's list), the print run, the list again
after recording (every payer unchanged), one PDF per recipient for a sample, peak memory.
CH: `--country CH` builds the same families in a Swiss commune (CHF, a QR-IBAN): every letter then
carries a QR-bill for the first month on a page of its own.
Run: .venv/bin/python bench/bench_fee_assessments.py [LETTERS] [SAMPLE] [--country DE|CH]
"""
from __future__ import annotations

import random
import resource
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput, UnitInput
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence import migrate
from sollhaben.persistence.database import open_database
from sollhaben.persistence.models import (
    BillingPeriod,
    Child,
    ChildGuardian,
    ChildPayer,
    Contract,
    ExtraLine,
    FeeLine,
    FeeLineDiscount,
    LinePayer,
    Person,
)
from sollhaben.services import organizations
from sollhaben.services.kita import catalogue, facility, fee_assessment

BUDGET = 30.0  # seconds for 10 000 letters
MONTH = Month(2026, 9)
LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
        "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger"]
MOTHERS = ["Anna", "Laura", "Julia", "Sarah", "Lisa", "Katharina", "Miriam", "Özlem", "Sophie", "Elena"]
FATHERS = ["Jonas", "Lukas", "Felix", "Tobias", "Jan", "Marco", "Stefan", "Emre", "Florian", "David"]
KIDS = ["Mia", "Leon", "Emma", "Noah", "Hannah", "Paul", "Lea", "Ben", "Lina", "Finn", "Zoë", "Matteo"]
STREETS = ["Hauptstraße", "Gartenweg", "Lindenallee", "Schulstraße", "Bahnhofstraße", "Am Bach", "Rosenweg"]
TOWNS = [("70173", "Stuttgart"), ("70178", "Stuttgart"), ("70565", "Stuttgart"), ("71032", "Böblingen"),
         ("73728", "Esslingen"), ("71634", "Ludwigsburg")]
SWISS_TOWNS = [("3000", "Bern"), ("3006", "Bern"), ("3018", "Bern"), ("3097", "Liebefeld"), ("3084", "Wabern"),
               ("3063", "Ittigen")]
COUNTRY = "DE"


def eur(text: str) -> Money:
    """An amount in the organization's currency (the DE figures are used as CHF in the CH case)."""
    return Money.of(text, "CHF" if COUNTRY == "CH" else "EUR")


def statute(db, org: int, unit: int) -> dict[str, int]:
    """The facility's statute through the catalogue services."""
    start = Validity(Month(2026, 1))

    def group(name: str, amounts: tuple[str, ...]) -> int:
        tiers = tuple(m.Tier(i + 1, f"Stufe {i + 1}", eur(a)) for i, a in enumerate(amounts))
        return catalogue.save_fee_group(db, org, m.FeeGroup(name, m.BillingMode.MONTHLY, m.TierSource.CHOSEN, (
            m.FeeGroupVersion(start, tiers),))).group.id

    def extra(name: str, mode: m.BillingMode, amount: str | None, meal: bool = False) -> int:
        return catalogue.save_extra_cost(db, org, m.ExtraCost(name, mode, meal, (
            m.ExtraCostVersion(start, eur(amount) if amount else None),))).extra_cost.id

    ids = {
        "main": group("Ganztag 45 h", ("412.00", "326.00", "245.00", "160.00", "88.00")),
        "early": group("Frühbetreuung", ("45.00", "30.00")),
        "meals": extra("Mittagessen", m.BillingMode.PER_UNIT, "3.80", meal=True),
        "drinks": extra("Getränkegeld", m.BillingMode.MONTHLY, "5.50"),
        "crafts": extra("Bastelgeld", m.BillingMode.INDIVIDUAL, None),
        "sibling": catalogue.save_discount(db, org, m.Discount("Geschwisterermäßigung", m.DiscountKind.PERCENT, (
            m.DiscountVersion(start, percent=Decimal(25)),))).discount.id,
    }
    facility.save_facility_settings(db, m.FacilitySettings(unit, fee_free_months=frozenset({8}), due_day=15,
                                                           version=0))
    return ids


def setup(folder: Path, letters: int):
    db = open_database(f"sqlite:///{folder / 'bench.sqlite'}", user="bench")
    migrate.upgrade(db.engine, backup=False)
    if COUNTRY == "CH":
        org = organizations.create_organization(db, OrganizationInput(
            "Gemeinde Musterdorf", "CH", Address("Dorfstrasse", "1", "3000", "Bern", "CH"),
            bank_accounts=(BankAccountInput("CH44 3199 9123 0008 8901 2", label="QR-Konto", is_default=True),),
            enabled_modules=("kita", "receivables")))
    else:
        org = organizations.create_organization(db, OrganizationInput(
            "Stadt Musterstadt", "DE", Address("Rathausplatz", "1", "70173", "Stuttgart", "DE"),
            bank_accounts=(BankAccountInput("DE89 3704 0044 0532 0130 00", bic="COBADEFFXXX", is_default=True),),
            sepa_creditor_id="DE98ZZZ09999999999", enabled_modules=("kita", "receivables")))
    towns = SWISS_TOWNS if COUNTRY == "CH" else TOWNS
    unit = organizations.save_unit(db, org.id, UnitInput("Kita Regenbogen", "FACILITY")).id
    ids = statute(db, org.id, unit)
    rng = random.Random(20260920)
    now = datetime.now(timezone.utc)
    children = letters * 4 // 5  # every 4th child has a paying father: 4/5 × 5/4 = one letter per payer
    rows: dict[type, list[dict]] = {model: [] for model in (Person, Child, ChildGuardian, ChildPayer, Contract,
                                                            BillingPeriod, FeeLine, FeeLineDiscount, ExtraLine,
                                                            LinePayer)}
    next_id = {model: 1 for model in rows}
    with db.engine.connect() as connection:
        next_id[Person] = connection.exec_driver_sql("SELECT coalesce(max(id), 0) + 1 FROM person").scalar()

    def add(model, **values) -> int:
        values.setdefault("id", next_id[model])
        next_id[model] = values["id"] + 1
        rows[model].append(values)
        return values["id"]

    def person(last: str, first: str, salutation: str = "", born: date | None = None) -> int:
        postal_code, town = rng.choice(towns)
        return add(Person, organization_id=org.id, kind="NATURAL", last_name=last, first_name=first,
                   salutation=salutation, birth_date=born, version=1, created_at=now, updated_at=now,
                   street=rng.choice(STREETS), house_number=str(rng.randrange(1, 120)), postal_code=postal_code,
                   town=town, country=COUNTRY, address_extra="", phone="", email="", language="de", note="")

    versioned = {"version": 1, "created_at": now, "updated_at": now}
    for i in range(children):
        last = rng.choice(LAST)
        mother = person(last, rng.choice(MOTHERS), "Frau", date(1985, 1, 1))
        father = person(last, rng.choice(FATHERS), "Herr", date(1984, 1, 1)) if i % 4 == 0 else None
        kid = person(last, rng.choice(KIDS), born=date(2020 + rng.randrange(0, 5), rng.randrange(1, 13), 1))
        child = add(Child, organization_id=org.id, person_id=kid, notes="", **versioned)
        for position, guardian in enumerate(p for p in (mother, father) if p):
            add(ChildGuardian, child_id=child, person_id=guardian, relation="", valid_from=None, valid_to=None)
            add(ChildPayer, child_id=child, person_id=guardian, position=position)
        add(Contract, child_id=child, facility_id=unit, status="ACTIVE", registered_on=date(2025, 12, 1),
            first_day=date(2026, 1, 1), last_day=None, note="", **versioned)
        period = add(BillingPeriod, child_id=child, valid_from=Month(2026, 1), valid_to=None,
                     siblings_manual=None, fees_payer_id=None, extras_payer_id=mother, meal_coverage="NONE",
                     billed_through=None, **versioned)
        main = add(FeeLine, period_id=period, child_id=child, position=0, fee_group_id=ids["main"],
                   tier=rng.randrange(1, 6), count=0, amount_minor=None, reset=False, special_discount_minor=None)
        if rng.random() < 0.3:
            add(FeeLineDiscount, fee_line_id=main, child_id=child, position=0, discount_id=ids["sibling"])
        if father:
            add(LinePayer, fee_line_id=main, extra_line_id=None, child_id=child, position=0, person_id=mother,
                share_minor=5_000, takes_remainder=False)
            add(LinePayer, fee_line_id=main, extra_line_id=None, child_id=child, position=1, person_id=father,
                share_minor=None, takes_remainder=True)
        else:
            add(LinePayer, fee_line_id=main, extra_line_id=None, child_id=child, position=0, person_id=mother,
                share_minor=None, takes_remainder=True)
        if rng.random() < 0.5:
            early = add(FeeLine, period_id=period, child_id=child, position=1, fee_group_id=ids["early"],
                        tier=rng.randrange(1, 3), count=0, amount_minor=None, reset=False,
                        special_discount_minor=None)
            add(LinePayer, fee_line_id=early, extra_line_id=None, child_id=child, position=0, person_id=mother,
                share_minor=None, takes_remainder=True)
        add(ExtraLine, period_id=period, child_id=child, position=0, extra_cost_id=ids["meals"],
            count=rng.randrange(0, 22), amount_minor=None, reset=False)
        add(ExtraLine, period_id=period, child_id=child, position=1, extra_cost_id=ids["drinks"], count=0,
            amount_minor=None, reset=False)
        if rng.random() < 0.2:
            add(ExtraLine, period_id=period, child_id=child, position=2, extra_cost_id=ids["crafts"], count=0,
                amount_minor=rng.choice((500, 800, 1200)), reset=False)
    with db.engine.begin() as connection:
        for model, values in rows.items():
            for start in range(0, len(values), 20_000):
                connection.execute(insert(model.__table__), values[start:start + 20_000])
    return db, unit, children


def main(letters: int = 10_000, sample: int = 500) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench_fee_assessments_"))
    t = time.perf_counter()
    db, unit, children = setup(folder, letters)
    print(f"setup: {children} children, {letters} payers in SQLite ({time.perf_counter() - t:.1f} s)")

    t = time.perf_counter()
    overview = fee_assessment.payer_overview(db, unit, MONTH, today=date(2026, 8, 20))
    listed = time.perf_counter() - t
    payers = [row.payer_id for row in overview.payers if row.changed]
    problems = sum(1 for row in overview.payers if row.problems)
    print(f"change detection over all payers: {listed:.2f} s for {len(overview.payers)} payers "
          f"({len(payers)} to print, {problems} with problems)")

    done = []
    t = time.perf_counter()
    pdf = fee_assessment.render_assessments(db, unit, payers, MONTH, user="bench", today=date(2026, 8, 20),
                                            progress=lambda d, n: done.append(d))
    run = time.perf_counter() - t
    (folder / "festsetzungen.pdf").write_bytes(pdf)
    print(f"print run via service (load + compute + accounts + render + record): {run:.2f} s for {len(payers)} "
          f"letters ({run / max(len(payers), 1) * 1000:.2f} ms per letter), {len(pdf) / 1e6:.1f} MB, "
          f"budget {BUDGET:.0f} s")

    t = time.perf_counter()
    after = fee_assessment.payers_with_changes(db, unit, MONTH, today=date(2026, 8, 20))
    print(f"change detection after recording: {time.perf_counter() - t:.2f} s, {len(after)} payers changed "
          f"(expected 0)")

    t = time.perf_counter()
    each = fee_assessment.render_assessments(db, unit, payers[:sample], MONTH, user="bench", combined=False,
                                             today=date(2026, 8, 20))
    single = time.perf_counter() - t
    print(f"one PDF per recipient: {single:.2f} s for {len(each)} letters "
          f"({single / max(len(each), 1) * 1000:.2f} ms per letter, {sum(len(b) for _p, b in each) / 1e6:.1f} MB)")
    try:
        from pypdf import PdfReader

        reader = PdfReader(folder / "festsetzungen.pdf")
        print(f"check: {len(reader.pages)} pages, page 1 is a Festsetzung: "
              f"{'Festsetzung der Elternbeiträge' in reader.pages[0].extract_text()}")
    except ImportError:
        pass
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    ok = run <= BUDGET * len(payers) / 10_000 and len(payers) == letters and not after and len(done) == letters + 1
    print("PASS" if ok else "FAIL")
    db.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if "--country" in arguments:
        at = arguments.index("--country")
        COUNTRY = arguments[at + 1].upper()
        del arguments[at:at + 2]
    print(f"country: {COUNTRY}")
    sys.exit(main(*(int(a) for a in arguments[:2])))
