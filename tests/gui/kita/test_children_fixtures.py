"""Shared set-up of the children and quick entry GUI tests (no tests of its own): an organization
with a facility, a statute of every billing mode, a child with guardians, payers and a contract
from 14.03.2026 — built through the services on a real SQLite database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import PersonInput, UnitInput
from sollhaben.domain.money import Money
from sollhaben.domain.months import Validity
from sollhaben.services import organizations, persons
from sollhaben.services.kita import catalogue, children, facility
from sollhaben.services.kita.dto import GuardianInput
from sollhaben.ui.context import AppContext
from tests.conftest import make_org_input

TODAY = date(2026, 3, 20)


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


@dataclass
class Statute:
    org: int
    facility: int
    youth_office: int
    monthly: int  # Ganztag 45 h, tiers 162 / 126 / 85 / 28
    daily: int  # Tagesplatz 12.40 per day
    individual: int
    meals: int  # extra cost PER_UNIT 3.80
    trip: int  # extra cost INDIVIDUAL
    fixed: int  # discount 0.80 fixed
    sibling: int  # discount 10 %


def person(db, org: int, last: str, first: str = "", born: date | None = None, kind: str = "NATURAL") -> int:
    return persons.save_person(db, org, PersonInput(kind, last, first, birth_date=born), today=TODAY).id


def build_statute(db, lock: bool = False) -> Statute:
    org = organizations.create_organization(db, make_org_input("DE")).id
    sun = organizations.save_unit(db, org, UnitInput("Kita Sonnenschein", "FACILITY")).id
    youth = person(db, org, "Jugendamt Stuttgart", kind="INSTITUTION")
    start = Validity.parse("01.2026")

    def group(name, mode, amounts):
        tiers = tuple(m.Tier(i + 1, f"Stufe {i + 1}" if len(amounts) > 1 else "", eur(a) if a else None)
                      for i, a in enumerate(amounts))
        return catalogue.save_fee_group(db, org, m.FeeGroup(name, mode, m.TierSource.CHOSEN, (
            m.FeeGroupVersion(start, tiers),))).group.id

    monthly = group("Ganztag 45 h", m.BillingMode.MONTHLY, ("162.00", "126.00", "85.00", "28.00"))
    daily = group("Tagesplatz", m.BillingMode.DAILY, ("12.40",))
    individual = group("Individuell", m.BillingMode.INDIVIDUAL, ())
    meals = catalogue.save_extra_cost(db, org, m.ExtraCost("Mittagessen", m.BillingMode.PER_UNIT, True, (
        m.ExtraCostVersion(start, eur("3.80")),))).extra_cost.id
    trip = catalogue.save_extra_cost(db, org, m.ExtraCost("Ausflug", m.BillingMode.INDIVIDUAL, False, (
        m.ExtraCostVersion(start, None),))).extra_cost.id
    fixed = catalogue.save_discount(db, org, m.Discount("Essenszuschuss", m.DiscountKind.FIXED, (
        m.DiscountVersion(start, fixed=eur("0.80")),))).discount.id
    sibling = catalogue.save_discount(db, org, m.Discount("Ermäßigung 10 %", m.DiscountKind.PERCENT, (
        m.DiscountVersion(start, percent=__import__("decimal").Decimal("10")),))).discount.id
    facility.save_facility_settings(db, m.FacilitySettings(sun, lock_billed=lock, version=0))
    return Statute(org, sun, youth, monthly, daily, individual, meals, trip, fixed, sibling)


@dataclass
class Family:
    child: int
    mother: int
    father: int


def build_child(db, s: Statute, last: str = "Gerber", first: str = "Mia", first_day: date = date(2026, 3, 14),
                parents: tuple[int, int] | None = None) -> Family:
    child = children.create_child(db, s.org, PersonInput("NATURAL", last, first, birth_date=date(2022, 5, 3)),
                                  today=TODAY)
    mother, father = parents or (person(db, s.org, last, "Laura", date(1988, 2, 1)),
                                 person(db, s.org, last, "Reto", date(1986, 7, 4)))
    dto = children.save_guardians(db, child.id, child.version, [GuardianInput(mother), GuardianInput(father)])
    children.save_payers(db, child.id, dto.version, [mother, father, s.youth_office])
    children.save_contract(db, m.Contract(child.id, s.facility, m.ContractStatus.ACTIVE, first_day=first_day))
    return Family(child.id, mother, father)


def make_context(db, org_id: int) -> AppContext:
    ctx = AppContext(db)
    ctx.set_organization(organizations.get_organization(db, org_id))
    return ctx


def type_into(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Backspace)
    if text:
        qtbot.keyClicks(widget, text)


def choose(combo, text: str) -> None:
    """Pick the combo entry that starts with `text` (as a clerk does by typing its first letters)."""
    index = next(i for i in range(combo.count()) if combo.itemText(i).startswith(text))
    combo.setCurrentIndex(index)


def wait_active(qtbot, window) -> None:
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
