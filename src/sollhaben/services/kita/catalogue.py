"""The Kita catalogue ("Standard") of an organization: fee groups, discounts and extra costs with
their versions; lists, editors, and the catalogue the calculation reads.

Saving takes the whole entry as the domain value (`FeeGroup`, `Discount`, `ExtraCost`): versions
with an id are updated, versions without one are new (and close the version before them), stored
versions missing from the value are deleted. A version used by a posted run keeps its value; see
`set_posted_use_check` for how "used" is decided.
"""
from __future__ import annotations

from datetime import date
from typing import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from sollhaben.domain.errors import ErrorCollector, NotFoundError, ValidationError
from sollhaben.domain.formatting import Country, format_money
from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import check_length
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence import kita_mapping as mapping
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import (
    BillingPeriod,
    Discount,
    DiscountVersion,
    ExtraCost,
    ExtraCostVersion,
    ExtraLine,
    FacilityOffer,
    FeeGroup,
    FeeGroupVersion,
    FeeLine,
    FeeLineDiscount,
    Organization,
)
from sollhaben.services.kita import catalogue_rules as rules
from sollhaben.services.kita.dto import (
    CatalogueRow,
    DiscountDTO,
    EntryKind,
    ExtraCostDTO,
    FeeGroupDTO,
)
from sollhaben.services.unit_of_work import (
    check_version,
    read_only,
    touch,
    unit_of_work,
)

# --- "used by a posted run" ---------------------------------------------------------------------

#: (session, entry kind, entry id, [(version id, validity)]) → {version id: last billed month}
PostedUseCheck = Callable[[Session, str, int, Sequence[tuple[int, Validity]]], dict[int, Month]]


def billed_months_from_periods(session: Session, kind: str, entry_id: int,
                               versions: Sequence[tuple[int, Validity]]) -> dict[int, Month]:
    """The default check: a version is used through month M when a billing period that names the
    entry in a line is billed through M (`billing_period.billed_through`, set by the run) and M
    lies in both the period and the version. One query per entry."""
    if not versions:
        return {}
    if kind == EntryKind.FEE_GROUP:
        link = select(FeeLine.period_id).where(FeeLine.fee_group_id == entry_id)
    elif kind == EntryKind.DISCOUNT:
        link = (select(FeeLine.period_id).join(FeeLineDiscount, FeeLineDiscount.fee_line_id == FeeLine.id)
                .where(FeeLineDiscount.discount_id == entry_id))
    else:
        link = select(ExtraLine.period_id).where(ExtraLine.extra_cost_id == entry_id)
    periods = session.execute(
        select(BillingPeriod.valid_from, BillingPeriod.valid_to, BillingPeriod.billed_through)
        .where(BillingPeriod.id.in_(link), BillingPeriod.billed_through.is_not(None))).all()
    result: dict[int, Month] = {}
    for version_id, valid in versions:
        for start, end, billed in periods:
            first = max(start, valid.valid_from)
            last = min(x for x in (billed, end, valid.valid_to) if x is not None)
            if first <= last and (version_id not in result or result[version_id] < last):
                result[version_id] = last
    return result


_posted_use_check: PostedUseCheck = billed_months_from_periods


def set_posted_use_check(check: PostedUseCheck | None) -> None:
    """Replace how "a version is used by a posted run" is decided (e.g. from the postings'
    detail once the run writes it); None restores the default."""
    global _posted_use_check
    _posted_use_check = check or billed_months_from_periods


def _billed(session: Session, kind: str, entry_id: int, versions) -> dict[int, Month]:
    return _posted_use_check(session, kind, entry_id, [(v.id, Validity(v.valid_from, v.valid_to)) for v in versions])


# --- helpers --------------------------------------------------------------------------------------

def organization_currency(session: Session, organization_id: int) -> str:
    currency = session.scalar(select(Organization.currency).where(Organization.id == organization_id))
    if currency is None:
        raise NotFoundError(f"Organisation {organization_id} gibt es nicht.")
    return currency


def _check_unique_name(session: Session, model, organization_id: int, name: str, own_id: int | None,
                       what: str) -> None:
    clash = session.scalar(select(model.id).where(model.organization_id == organization_id, model.name == name))
    if clash is not None and clash != own_id:
        raise ValidationError(f"Name: {what} „{name}“ gibt es schon.", "name")


def _load_entry(session: Session, model, loader, entry_id: int, organization_id: int | None, what: str):
    row = session.scalar(select(model).options(loader).where(model.id == entry_id))
    if row is None or (organization_id is not None and row.organization_id != organization_id):
        raise NotFoundError(f"{what} {entry_id} gibt es nicht.")
    return row


def _sync_versions(row, wanted: Sequence, make: Callable, apply: Callable) -> bool:
    """Update versions with an id, add new ones, delete stored ones not wanted. True if changed."""
    by_id = {v.id: v for v in row.versions}
    wanted_ids = {v.id for v in wanted if v.id is not None}
    unknown = wanted_ids - set(by_id)
    if unknown:
        raise NotFoundError(f"Version {sorted(unknown)[0]} gehört nicht zu diesem Eintrag.")
    changed = False
    for stored in [v for v in row.versions if v.id not in wanted_ids]:
        row.versions.remove(stored)
        changed = True
    for version in wanted:
        if version.id is None:
            target = make()
            row.versions.append(target)
            apply(target, version)
            changed = True
        else:
            before = _snapshot(by_id[version.id])
            apply(by_id[version.id], version)
            changed |= before != _snapshot(by_id[version.id])
    return changed


def _snapshot(row) -> tuple:
    values = tuple(getattr(row, c.key) for c in row.__mapper__.column_attrs)
    tiers = getattr(row, "tiers", None)
    if tiers is not None:
        values += tuple((t.number, t.label, t.amount_minor) for t in tiers)
    return values


# --- fee groups -----------------------------------------------------------------------------------

def _fee_group_dto(session: Session, row: FeeGroup, currency: str) -> FeeGroupDTO:
    return FeeGroupDTO(mapping.fee_group_to_domain(row, currency), row.version,
                       _billed(session, EntryKind.FEE_GROUP, row.id, row.versions))


def save_fee_group(db: Database, organization_id: int, group: m.FeeGroup, version: int | None = None) -> FeeGroupDTO:
    """Create (group.id None) or update a fee group with its versions and tier tables."""
    errors = ErrorCollector()
    group = rules.validate_fee_group(group, errors)
    errors.raise_if_any()
    with unit_of_work(db, "Die Beitragsgruppe") as session:
        currency = organization_currency(session, organization_id)
        _check_unique_name(session, FeeGroup, organization_id, group.name, group.id, "Eine Beitragsgruppe")
        if group.id is None:
            row = FeeGroup(organization_id=organization_id, versions=[])
            session.add(row)
        else:
            row = _load_entry(session, FeeGroup, mapping.fee_group_loader(), group.id, organization_id,
                              "Beitragsgruppe")
            check_version(version, row.version, "Die Beitragsgruppe")
            billed = _billed(session, EntryKind.FEE_GROUP, row.id, row.versions)
            stored = mapping.fee_group_to_domain(row, currency)
            rules.check_fixed_fields(errors, bool(billed), (
                ("mode", "Abrechnungsart", row.mode != group.mode.value),
                ("tier_source", "Staffel", row.tier_source != group.tier_source.value)))
            rules.check_billed_versions(errors, stored.versions, group.versions, billed, rules.same_fee_group_value)
            errors.raise_if_any()
        mapping.set_if_changed(row, name=group.name, code=group.code, mode=group.mode.value,
                               tier_source=group.tier_source.value)
        if _sync_versions(row, group.versions, lambda: FeeGroupVersion(tiers=[]),
                          lambda target, v: mapping.apply_fee_group_version(target, v, row)):
            touch(row)
        session.flush()
        return _fee_group_dto(session, row, currency)


def get_fee_group(db: Database, fee_group_id: int) -> FeeGroupDTO:
    with read_only(db) as session:
        row = _load_entry(session, FeeGroup, mapping.fee_group_loader(), fee_group_id, None, "Beitragsgruppe")
        return _fee_group_dto(session, row, organization_currency(session, row.organization_id))


# --- discounts ------------------------------------------------------------------------------------

def _discount_dto(session: Session, row: Discount, currency: str) -> DiscountDTO:
    return DiscountDTO(mapping.discount_to_domain(row, currency), row.version,
                       _billed(session, EntryKind.DISCOUNT, row.id, row.versions))


def save_discount(db: Database, organization_id: int, discount: m.Discount, version: int | None = None) -> DiscountDTO:
    errors = ErrorCollector()
    discount = rules.validate_discount(discount, errors)
    errors.raise_if_any()
    with unit_of_work(db, "Die Ermäßigung") as session:
        currency = organization_currency(session, organization_id)
        _check_unique_name(session, Discount, organization_id, discount.name, discount.id, "Eine Ermäßigung")
        if discount.id is None:
            row = Discount(organization_id=organization_id, versions=[])
            session.add(row)
        else:
            row = _load_entry(session, Discount, mapping.discount_loader(), discount.id, organization_id,
                              "Ermäßigung")
            check_version(version, row.version, "Die Ermäßigung")
            billed = _billed(session, EntryKind.DISCOUNT, row.id, row.versions)
            stored = mapping.discount_to_domain(row, currency)
            rules.check_fixed_fields(errors, bool(billed), (("kind", "Art", row.kind != discount.kind.value),))
            rules.check_billed_versions(errors, stored.versions, discount.versions, billed,
                                        rules.same_discount_value)
            errors.raise_if_any()
        mapping.set_if_changed(row, name=discount.name, kind=discount.kind.value)
        if _sync_versions(row, discount.versions, DiscountVersion, mapping.apply_discount_version):
            touch(row)
        session.flush()
        return _discount_dto(session, row, currency)


def get_discount(db: Database, discount_id: int) -> DiscountDTO:
    with read_only(db) as session:
        row = _load_entry(session, Discount, mapping.discount_loader(), discount_id, None, "Ermäßigung")
        return _discount_dto(session, row, organization_currency(session, row.organization_id))


# --- extra costs ----------------------------------------------------------------------------------

def _extra_cost_dto(session: Session, row: ExtraCost, currency: str) -> ExtraCostDTO:
    return ExtraCostDTO(mapping.extra_cost_to_domain(row, currency), row.version,
                        _billed(session, EntryKind.EXTRA_COST, row.id, row.versions))


def save_extra_cost(db: Database, organization_id: int, cost: m.ExtraCost, version: int | None = None,
                    code: str | None = None) -> ExtraCostDTO:
    """Create or update extra costs; `code` (short name for lists and exports) is kept when None."""
    errors = ErrorCollector()
    cost = rules.validate_extra_cost(cost, errors)
    if code is not None:
        check_length(errors, "code", "Kürzel", code.strip(), 20)
    errors.raise_if_any()
    with unit_of_work(db, "Die Zusatzkosten") as session:
        currency = organization_currency(session, organization_id)
        _check_unique_name(session, ExtraCost, organization_id, cost.name, cost.id, "Zusatzkosten")
        if cost.id is None:
            row = ExtraCost(organization_id=organization_id, versions=[])
            session.add(row)
        else:
            row = _load_entry(session, ExtraCost, mapping.extra_cost_loader(), cost.id, organization_id,
                              "Zusatzkosten")
            check_version(version, row.version, "Die Zusatzkosten")
            billed = _billed(session, EntryKind.EXTRA_COST, row.id, row.versions)
            stored = mapping.extra_cost_to_domain(row, currency)
            rules.check_fixed_fields(errors, bool(billed), (
                ("mode", "Abrechnungsart", row.mode != cost.mode.value),
                ("is_meal", "Mahlzeit", row.is_meal != cost.is_meal)))
            rules.check_billed_versions(errors, stored.versions, cost.versions, billed, rules.same_extra_cost_value)
            errors.raise_if_any()
        mapping.set_if_changed(row, name=cost.name, mode=cost.mode.value, is_meal=bool(cost.is_meal))
        if code is not None or row.code is None:
            row.code = (code or "").strip()
        if _sync_versions(row, cost.versions, ExtraCostVersion, mapping.apply_extra_cost_version):
            touch(row)
        session.flush()
        return _extra_cost_dto(session, row, currency)


def get_extra_cost(db: Database, extra_cost_id: int) -> ExtraCostDTO:
    with read_only(db) as session:
        row = _load_entry(session, ExtraCost, mapping.extra_cost_loader(), extra_cost_id, None, "Zusatzkosten")
        return _extra_cost_dto(session, row, organization_currency(session, row.organization_id))


# --- the catalogue for the calculation ------------------------------------------------------------

def catalogue_in(session: Session, organization_id: int, facility_id: int | None = None) -> m.Catalogue:
    """The organization's catalogue inside an open unit of work (three entries, their versions
    and tiers in six SELECTs), restricted to what `facility_id` offers when it restricts a kind."""
    currency = organization_currency(session, organization_id)
    offered: dict[str, set[int]] = {"fee": set(), "discount": set(), "extra": set()}
    if facility_id is not None:
        for fee_group_id, discount_id, extra_cost_id in session.execute(
                select(FacilityOffer.fee_group_id, FacilityOffer.discount_id, FacilityOffer.extra_cost_id)
                .where(FacilityOffer.facility_id == facility_id)):
            for key, value in (("fee", fee_group_id), ("discount", discount_id), ("extra", extra_cost_id)):
                if value is not None:
                    offered[key].add(value)

    def rows(model, loader, key):
        query = select(model).options(loader).where(model.organization_id == organization_id).order_by(model.id)
        if offered[key]:
            query = query.where(model.id.in_(offered[key]))
        return session.scalars(query).all()

    return m.Catalogue(
        currency=currency,
        fee_groups={r.id: mapping.fee_group_to_domain(r, currency)
                    for r in rows(FeeGroup, mapping.fee_group_loader(), "fee")},
        discounts={r.id: mapping.discount_to_domain(r, currency)
                   for r in rows(Discount, mapping.discount_loader(), "discount")},
        extra_costs={r.id: mapping.extra_cost_to_domain(r, currency)
                     for r in rows(ExtraCost, mapping.extra_cost_loader(), "extra")})


def load_catalogue(db: Database, organization_id: int, facility_id: int | None = None) -> m.Catalogue:
    with read_only(db) as session:
        return catalogue_in(session, organization_id, facility_id)


# --- lists ----------------------------------------------------------------------------------------

def _span(versions) -> Validity | None:
    if not versions:
        return None
    return Validity(versions[0].valid.valid_from, versions[-1].valid.valid_to)


def _percent(value) -> str:
    return "" if value is None else f"{value} %".replace(".", ",")


def _amount(value) -> str:
    return "" if value is None else format_money(value, Country.CH if value.currency.value == "CHF" else Country.DE)


def _list(db: Database, organization_id: int, model, entries: str, today: date | None,
          make: Callable[[object, int, str, object], CatalogueRow]) -> list[CatalogueRow]:
    with read_only(db) as session:
        catalogue = catalogue_in(session, organization_id)
        stored = {row_id: (version, code) for row_id, version, code in session.execute(
            select(model.id, model.version, getattr(model, "code", model.name))
            .where(model.organization_id == organization_id))}
    month = Month.of(today or date.today())
    rows = []
    for entry in getattr(catalogue, entries).values():
        version, code = stored[entry.id]
        rows.append(make(entry, version, code if model is not Discount else "", entry.version_for(month)))
    return sorted(rows, key=lambda r: (r.name.casefold(), r.id))


def list_fee_groups(db: Database, organization_id: int, today: date | None = None) -> list[CatalogueRow]:
    def make(group: m.FeeGroup, version: int, code: str, current) -> CatalogueRow:
        tiers = "" if current is None else f"{len(current.tiers)} Staffel{'' if len(current.tiers) == 1 else 'n'}"
        return CatalogueRow(group.id, version, EntryKind.FEE_GROUP, group.name, code, group.mode.value,
                            group.mode.label, group.tier_source.label, len(group.versions), _span(group.versions),
                            tiers)
    return _list(db, organization_id, FeeGroup, "fee_groups", today, make)


def list_discounts(db: Database, organization_id: int, today: date | None = None) -> list[CatalogueRow]:
    def make(discount: m.Discount, version: int, code: str, current) -> CatalogueRow:
        if current is None:
            value = ""
        elif discount.kind is m.DiscountKind.FIXED:
            value = _amount(current.fixed)
        elif discount.kind is m.DiscountKind.PERCENT:
            value = _percent(current.percent)
        else:
            value = " / ".join(_percent(p) for p in current.ladder)
        return CatalogueRow(discount.id, version, EntryKind.DISCOUNT, discount.name, "", discount.kind.value,
                            discount.kind.label, "", len(discount.versions), _span(discount.versions), value)
    return _list(db, organization_id, Discount, "discounts", today, make)


def list_extra_costs(db: Database, organization_id: int, today: date | None = None) -> list[CatalogueRow]:
    def make(cost: m.ExtraCost, version: int, code: str, current) -> CatalogueRow:
        value = "" if current is None else _amount(current.amount)
        return CatalogueRow(cost.id, version, EntryKind.EXTRA_COST, cost.name, code, cost.mode.value,
                            cost.mode.label, "Mahlzeit" if cost.is_meal else "", len(cost.versions),
                            _span(cost.versions), value)
    return _list(db, organization_id, ExtraCost, "extra_costs", today, make)
