"""The billing settings of a facility and the catalogue entries it offers."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from sollhaben.domain.collation import sort_key
from sollhaben.domain.errors import ErrorCollector, FieldError, NotFoundError, ValidationError
from sollhaben.domain.kita.model import FacilitySettings, PartialMonth
from sollhaben.domain.master_data import PersonKind, UnitKind
from sollhaben.persistence import kita_mapping as mapping
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import (
    BillingRun,
    Discount,
    ExtraCost,
    FacilityOffer,
    FeeGroup,
    Person,
    Unit,
)
from sollhaben.persistence.models import FacilitySettings as SettingsRow
from sollhaben.services.kita.dto import FacilityOfferDTO, PayerDTO
from sollhaben.services.unit_of_work import check_version, read_only, unit_of_work

WHAT = "Die Einstellungen der Einrichtung"


def facility_unit(session: Session, facility_id: int, organization_id: int | None = None) -> Unit:
    """The unit, which must be a facility (of the organization, when given)."""
    unit = session.get(Unit, facility_id)
    if unit is None or (organization_id is not None and unit.organization_id != organization_id):
        raise NotFoundError(f"Einrichtung {facility_id} gibt es nicht.")
    if unit.kind != UnitKind.FACILITY.value:
        raise ValidationError(f"Einrichtung: „{unit.name}“ ist keine Einrichtung (Kita), sondern "
                              f"{UnitKind(unit.kind).label}.", "facility_id")
    return unit


def settings_in(session: Session, facility_id: int) -> FacilitySettings:
    """The facility's settings inside an open unit of work; the defaults with version 0 when none
    are stored yet."""
    row = session.scalar(select(SettingsRow).where(SettingsRow.facility_id == facility_id))
    return FacilitySettings(facility_id=facility_id, version=0) if row is None else mapping.settings_to_domain(row)


def get_facility_settings(db: Database, facility_id: int) -> FacilitySettings:
    with read_only(db) as session:
        facility_unit(session, facility_id)
        return settings_in(session, facility_id)


def _check_institution(session: Session, errors: ErrorCollector, organization_id: int, field: str, label: str,
                       person_id: int | None, required: bool) -> None:
    if person_id is None:
        if required:
            errors.add(field, f"{label}: Bitte eine Institution wählen (die Richtsatzabrechnung ist eingeschaltet).")
        return
    person = session.get(Person, person_id)
    if person is None or person.organization_id != organization_id:
        errors.add(field, f"{label}: Diese Institution gibt es in der Organisation nicht.")
    elif person.kind != PersonKind.INSTITUTION.value:
        name = f"{person.first_name} {person.last_name}".strip()
        errors.add(field, f"{label}: „{name}“ ist keine Institution; bitte eine Institution wählen.")


def _validate(session: Session, unit: Unit, settings: FacilitySettings, stored: SettingsRow | None,
              errors: ErrorCollector) -> FacilitySettings:
    due_day = settings.due_day
    if isinstance(due_day, bool) or not isinstance(due_day, int) or not 1 <= due_day <= 28:
        errors.add("due_day", f"Fälligkeitstag: {due_day} ist nicht erlaubt; bitte einen Tag von 1 bis 28 eingeben.")
    months = set(settings.fee_free_months)
    for month in sorted(months, key=str):
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            errors.add("fee_free_months", f"Beitragsfreie Monate: Monat {month} gibt es nicht (erlaubt 1 bis 12).")
    if len(months) >= 12 and not errors.errors:
        errors.add("fee_free_months", "Beitragsfreie Monate: Mindestens ein Monat im Jahr muss beitragspflichtig sein.")
    try:
        partial = PartialMonth(settings.partial_month)
    except ValueError:
        errors.add("partial_month", "Angefangener Monat: Bitte „voll“ oder „tageweise“ wählen.")
        partial = PartialMonth.FULL
    _check_institution(session, errors, unit.organization_id, "hardship_fund_payer_id", "Träger Härtefallfonds",
                       settings.hardship_fund_payer_id, settings.standard_rate_meals)
    _check_institution(session, errors, unit.organization_id, "sibling_meal_payer_id",
                       "Träger ab 2. Geschwisterkind", settings.sibling_meal_payer_id, settings.standard_rate_meals)
    stored_first = stored.first_billing_month if stored is not None else None
    if settings.first_billing_month != stored_first:
        run = session.scalar(select(BillingRun.month).where(
            BillingRun.facility_id == unit.id, BillingRun.kind == "RUN", BillingRun.reversed_by_id.is_(None))
            .order_by(BillingRun.month).limit(1))
        if run is not None:
            errors.add("first_billing_month", f"Erster Abrechnungsmonat: Die Einrichtung hat schon ab {run} "
                                              "abgerechnet; der erste Abrechnungsmonat kann nicht mehr geändert werden.")
    return replace(settings, partial_month=partial, fee_free_months=frozenset(months))


def save_facility_settings(db: Database, settings: FacilitySettings) -> FacilitySettings:
    """Create or update the facility's settings; `settings.version` is the version the form loaded
    (0 when none were stored)."""
    with unit_of_work(db, WHAT) as session:
        return _store_settings(session, settings)


def _store_settings(session: Session, settings: FacilitySettings) -> FacilitySettings:
    unit = facility_unit(session, settings.facility_id)
    row = session.scalar(select(SettingsRow).where(SettingsRow.facility_id == settings.facility_id))
    check_version(settings.version, 0 if row is None else row.version, WHAT)
    errors = ErrorCollector()
    settings = _validate(session, unit, settings, row, errors)
    errors.raise_if_any()
    if row is None:
        row = SettingsRow(facility_id=settings.facility_id)
        session.add(row)
    mapping.apply_settings(row, settings)
    session.flush()
    return mapping.settings_to_domain(row)


# --- the offer ------------------------------------------------------------------------------------

def offer_in(session: Session, facility_id: int) -> FacilityOfferDTO:
    rows = session.execute(select(FacilityOffer.fee_group_id, FacilityOffer.discount_id, FacilityOffer.extra_cost_id)
                           .where(FacilityOffer.facility_id == facility_id)).all()
    return FacilityOfferDTO(facility_id, frozenset(r[0] for r in rows if r[0] is not None),
                            frozenset(r[1] for r in rows if r[1] is not None),
                            frozenset(r[2] for r in rows if r[2] is not None))


def get_facility_offer(db: Database, facility_id: int) -> FacilityOfferDTO:
    with read_only(db) as session:
        facility_unit(session, facility_id)
        return offer_in(session, facility_id)


def save_facility_offer(db: Database, offer: FacilityOfferDTO) -> FacilityOfferDTO:
    """Store which entries the facility offers (an empty set of a kind: all entries of that kind)."""
    with unit_of_work(db, WHAT) as session:
        return _store_offer(session, offer)


def _store_offer(session: Session, offer: FacilityOfferDTO) -> FacilityOfferDTO:
    unit = facility_unit(session, offer.facility_id)
    errors = ErrorCollector()
    kinds = (("fee_group_ids", "fee_group_id", FeeGroup, "Beitragsgruppen"),
             ("discount_ids", "discount_id", Discount, "Ermäßigungen"),
             ("extra_cost_ids", "extra_cost_id", ExtraCost, "Zusatzkosten"))
    for field, _column, model, label in kinds:
        wanted = set(getattr(offer, field))
        known = set(session.scalars(select(model.id).where(model.id.in_(wanted),
                                                           model.organization_id == unit.organization_id)))
        if wanted - known:
            errors.add(field, f"{label}: Eintrag {sorted(wanted - known)[0]} gibt es im Katalog dieser "
                              "Organisation nicht.")
    errors.raise_if_any()
    stored = session.scalars(select(FacilityOffer).where(FacilityOffer.facility_id == unit.id)).all()
    for field, column, _model, _label in kinds:
        wanted = set(getattr(offer, field))
        have = {getattr(r, column): r for r in stored if getattr(r, column) is not None}
        for entry_id, row in have.items():
            if entry_id not in wanted:
                session.delete(row)
        for entry_id in sorted(wanted - set(have)):
            session.add(FacilityOffer(facility_id=unit.id, **{column: entry_id}))
    session.flush()
    return offer_in(session, unit.id)


def check_facility_settings(db: Database, settings: FacilitySettings) -> list[FieldError]:
    """The errors saving `settings` would report (versions aside), without storing anything: a form
    that has errors of its own reports these with them."""
    with read_only(db) as session:
        unit = facility_unit(session, settings.facility_id)
        row = session.scalar(select(SettingsRow).where(SettingsRow.facility_id == settings.facility_id))
        errors = ErrorCollector()
        _validate(session, unit, settings, row, errors)
        return errors.errors


def save_facility_setup(db: Database, settings: FacilitySettings,
                        offer: FacilityOfferDTO) -> tuple[FacilitySettings, FacilityOfferDTO]:
    """Settings and offer of one facility in one unit of work (the settings dialog saves both or
    nothing)."""
    if offer.facility_id != settings.facility_id:
        raise ValueError("settings and offer of different facilities")
    with unit_of_work(db, WHAT) as session:
        return _store_settings(session, settings), _store_offer(session, offer)


def list_institutions(db: Database, organization_id: int) -> list[PayerDTO]:
    """The organization's institutions (persons of kind INSTITUTION) by name, for the choice of
    who pays covered meals."""
    with read_only(db) as session:
        rows = session.execute(select(Person.id, Person.last_name, Person.first_name).where(
            Person.organization_id == organization_id, Person.kind == PersonKind.INSTITUTION.value)).all()
    found = [PayerDTO(pid, f"{first} {last}".strip() if first else last, PersonKind.INSTITUTION.value)
             for pid, last, first in rows]
    return sorted(found, key=lambda p: (sort_key(p.name), p.person_id))
