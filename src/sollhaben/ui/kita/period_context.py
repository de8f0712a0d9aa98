"""What the period form needs besides the period: the facility whose settings and offer apply, its
catalogue, the child's facts in a month (care days, sibling position, children in the household)
and the auto siblings. Read through the public services; the facts are cached per month."""
from __future__ import annotations

from dataclasses import dataclass, field

from sollhaben.domain.formatting import Country, format_money
from sollhaben.domain.kita import model as m
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence.database import Database
from sollhaben.services.kita import catalogue, children, facility
from sollhaben.services.kita.billing_data import facility_for
from sollhaben.services.kita.dto import ChildDTO, SiblingDTO


@dataclass
class PeriodContext:
    db: Database
    child: ChildDTO
    country: str
    facility_id: int | None
    facility_name: str
    settings: m.FacilitySettings
    catalogue: m.Catalogue
    _facts: dict = field(default_factory=dict)
    _siblings: dict = field(default_factory=dict)

    @classmethod
    def load(cls, db: Database, child: ChildDTO, valid: Validity, country: str) -> PeriodContext:
        contracts = [c.contract for c in child.contracts]
        facility_id = facility_for(contracts, valid)
        names = {c.contract.facility_id: c.facility_name for c in child.contracts}
        settings = facility.get_facility_settings(db, facility_id) if facility_id else m.FacilitySettings(0)
        return cls(db, child, country, facility_id, names.get(facility_id, ""), settings,
                   catalogue.load_catalogue(db, child.organization_id, facility_id))

    @property
    def currency(self) -> str:
        return self.catalogue.currency

    def money(self, amount: Money | None) -> str:
        return "" if amount is None else format_money(amount, Country(self.country))

    def care_days(self, month: Month) -> int:
        days = sum(c.contract.care_days(month) for c in self.child.contracts
                   if self.facility_id is None or c.contract.facility_id == self.facility_id)
        return min(days, month.days)

    def facts(self, month: Month, extra_siblings: tuple[int, ...] = ()) -> m.ChildMonthFacts:
        key = (month, extra_siblings)
        if key not in self._facts:
            child_id = self.child.id
            self._facts[key] = m.ChildMonthFacts(
                child_id, month, self.care_days(month),
                children.sibling_position(self.db, child_id, month, extra_siblings),
                children.children_in_household(self.db, child_id, month), None)
        return self._facts[key]

    def siblings(self, month: Month) -> list[SiblingDTO]:
        if month not in self._siblings:
            self._siblings[month] = children.siblings(self.db, self.child.id, month)
        return self._siblings[month]
