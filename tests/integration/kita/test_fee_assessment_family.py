"""The data of the fee assessment tests (imported by the test modules and the bench; no tests here).

A German facility with a family of two children: Laura Gerber (mother, pays most), Reto Gerber
(father, takes the remainder of Mia's fee) and the youth office (an institution). The amounts:

- Mia (born 2022): fee "Krippe" tier 2 = 980.00, mother 900.00, father the remainder 80.00; extra
  costs: meals PER_UNIT 3.80 (count 17), drinks MONTHLY 5.50, crafts INDIVIDUAL 8.00 without reset,
  trip INDIVIDUAL 12.00 with reset — all paid by the mother.
- Leon (born 2020): fee "Kindergarten" tier 1 = 1,234.50 with the sibling discount 25 % (308.63,
  rounded half up from 308.625) → 925.87, all fees paid by the mother; meals count 5.

The mother's fixed monthly part: Mia 900.00 + 5.50 + 8.00 = 913.50, Leon 925.87 → 1,839.37.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import Address, PersonInput, UnitInput
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity
from sollhaben.services import organizations, persons
from sollhaben.services.kita import billing_data, catalogue, children, facility
from sollhaben.services.kita.dto import GuardianInput
from tests.conftest import make_org_input

TODAY = date(2026, 2, 20)
MARCH = Month(2026, 3)


def valid(start: str) -> Validity:
    return Validity.parse(start)


@dataclass(frozen=True)
class Family:
    org: int
    country: str
    facility: int
    mother: int
    father: int
    youth_office: int
    mia: int
    leon: int
    krippe: int
    kindergarten: int
    daily: int
    meals: int
    drinks: int
    crafts: int
    trip: int
    sibling: int
    fixed: int
    mia_period: m.BillingPeriod
    leon_period: m.BillingPeriod

    def money(self, text: str) -> Money:
        return Money.of(text, "CHF" if self.country == "CH" else "EUR")


def person(db, org: int, last: str, first: str = "", salutation: str = "", born: date | None = None,
           kind: str = "NATURAL", address: Address | None = None) -> int:
    return persons.save_person(db, org, PersonInput(kind, last, first, salutation, born, address or Address()),
                               today=TODAY).id


def build_family(db, country: str = "DE") -> Family:
    org = organizations.create_organization(db, make_org_input(country)).id
    swiss = country == "CH"
    cur = "CHF" if swiss else "EUR"

    def money(text: str) -> Money:
        return Money.of(text, cur)

    home = (Address("Marktgasse", "28", "9400", "Rorschach", "CH") if swiss
            else Address("Gartenweg", "7", "70174", "Stuttgart", "DE"))
    other = (Address("Seestrasse", "3", "9400", "Rorschach", "CH") if swiss
             else Address("Lindenallee", "12", "70176", "Stuttgart", "DE"))
    unit = organizations.save_unit(db, org, UnitInput("Kita Sonnenschein", "FACILITY")).id
    youth = person(db, org, "Jugendamt Stuttgart" if not swiss else "Sozialdienst Rorschach", kind="INSTITUTION",
                   address=other)

    def group(name: str, mode: m.BillingMode, amounts: tuple[str, ...]) -> int:
        tiers = tuple(m.Tier(i + 1, f"Stufe {i + 1}", money(a)) for i, a in enumerate(amounts))
        return catalogue.save_fee_group(db, org, m.FeeGroup(name, mode, m.TierSource.CHOSEN, (
            m.FeeGroupVersion(valid("01.2026"), tiers),))).group.id

    def extra(name: str, mode: m.BillingMode, amount: str | None, meal: bool = False) -> int:
        return catalogue.save_extra_cost(db, org, m.ExtraCost(name, mode, meal, (
            m.ExtraCostVersion(valid("01.2026"), money(amount) if amount else None),))).extra_cost.id

    krippe = group("Krippe", m.BillingMode.MONTHLY, ("1080.00", "980.00"))
    kindergarten = group("Kindergarten", m.BillingMode.MONTHLY, ("1234.50", "800.00"))
    daily = group("Tagesplatz", m.BillingMode.DAILY, ("12.40",))
    meals = extra("Mittagessen", m.BillingMode.PER_UNIT, "3.80", meal=True)
    drinks = extra("Getränkegeld", m.BillingMode.MONTHLY, "5.50")
    crafts = extra("Bastelgeld", m.BillingMode.INDIVIDUAL, None)
    trip = extra("Ausflüge", m.BillingMode.INDIVIDUAL, None)
    sibling = catalogue.save_discount(db, org, m.Discount("Geschwisterermäßigung", m.DiscountKind.PERCENT, (
        m.DiscountVersion(valid("01.2026"), percent=Decimal(25)),))).discount.id
    fixed = catalogue.save_discount(db, org, m.Discount("Essenszuschuss", m.DiscountKind.FIXED, (
        m.DiscountVersion(valid("01.2026"), fixed=money("0.80")),))).discount.id
    facility.save_facility_settings(db, m.FacilitySettings(unit, due_day=15, version=0))

    mother = person(db, org, "Gerber", "Laura", "Frau", date(1988, 2, 1), address=home)
    father = person(db, org, "Gerber", "Reto", "Herr", date(1986, 7, 4), address=other)

    def child(first: str, born: date) -> int:
        dto = children.create_child(db, org, PersonInput("NATURAL", "Gerber", first, birth_date=born, address=home),
                                    today=TODAY)
        dto = children.save_guardians(db, dto.id, dto.version, [GuardianInput(mother), GuardianInput(father)])
        children.save_payers(db, dto.id, dto.version, [mother, father, youth])
        children.save_contract(db, m.Contract(dto.id, unit, m.ContractStatus.ACTIVE, first_day=date(2026, 3, 1)))
        return dto.id

    mia, leon = child("Mia", date(2022, 5, 3)), child("Leon", date(2020, 9, 12))
    to_mother = (m.PayerShare(mother),)
    mia_period = billing_data.save_period(db, m.BillingPeriod(
        child_id=mia, valid=valid("03.2026"),
        fee_lines=(m.FeeLine(krippe, tier=2, payers=(m.PayerShare(mother, money("900.00")),
                                                    m.PayerShare(father, takes_remainder=True))),),
        extra_lines=(m.ExtraLine(meals, count=17, payers=to_mother), m.ExtraLine(drinks, payers=to_mother),
                     m.ExtraLine(crafts, amount=money("8.00"), reset=False, payers=to_mother),
                     m.ExtraLine(trip, amount=money("12.00"), reset=True, payers=to_mother)),
        version=0)).period
    leon_period = billing_data.save_period(db, m.BillingPeriod(
        child_id=leon, valid=valid("03.2026"), fees_payer_id=mother,
        fee_lines=(m.FeeLine(kindergarten, tier=1, discount_ids=(sibling,)),),
        extra_lines=(m.ExtraLine(meals, count=5, payers=to_mother),), version=0)).period
    return Family(org, country, unit, mother, father, youth, mia, leon, krippe, kindergarten, daily, meals, drinks,
                  crafts, trip, sibling, fixed, mia_period, leon_period)

