"""The income-scale configuration of an organization: item types and the versions of the scale.

Item types are single records (label, sign, position, optional validity); a type in use by an
income item cannot be deleted, and its sign cannot change (a type whose sign changes is a new type).
A version is validated with the domain's `configuration_errors`; versions of an organization never
overlap, and saving a version after an open one closes that one at the month before (as billing
periods do). A version in whose months an assessment starts cannot be deleted.
"""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sollhaben.domain.errors import ErrorCollector, NotFoundError, ValidationError
from sollhaben.domain.income import model as im
from sollhaben.domain.income.validation import configuration_errors
from sollhaben.domain.money import Currency
from sollhaben.domain.months import Validity
from sollhaben.persistence import income_mapping as mapping
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import IncomeAssessment, IncomeItem, IncomeItemType, IncomeScaleVersion
from sollhaben.services.income.dto import IncomeConfigDTO, ItemTypeDTO, ScaleVersionDTO
from sollhaben.services.kita.catalogue import organization_currency
from sollhaben.services.unit_of_work import check_version, read_only, touch, unit_of_work

WHAT_TYPE = "Die Einkommensposition"
WHAT_VERSION = "Die Einstellungen der Staffelberechnung"
LABEL_MAX = 80


def config_in(session: Session, organization_id: int) -> im.IncomeScaleConfig:
    """The organization's configuration inside an open unit of work (three SELECTs)."""
    currency = organization_currency(session, organization_id)
    types = session.scalars(select(IncomeItemType).where(IncomeItemType.organization_id == organization_id)
                            .order_by(IncomeItemType.position, IncomeItemType.label)).all()
    versions = session.scalars(select(IncomeScaleVersion).options(*mapping.version_loader())
                               .where(IncomeScaleVersion.organization_id == organization_id)
                               .order_by(IncomeScaleVersion.valid_from)).all()
    return im.IncomeScaleConfig(Currency(currency), tuple(mapping.item_type_to_domain(t) for t in types),
                                tuple(mapping.version_to_domain(v, currency) for v in versions))


def load_config(db: Database, organization_id: int) -> im.IncomeScaleConfig:
    with read_only(db) as session:
        return config_in(session, organization_id)


def get_configuration(db: Database, organization_id: int) -> IncomeConfigDTO:
    with read_only(db) as session:
        config = config_in(session, organization_id)
        type_rows = {r.id: r.version for r in session.scalars(
            select(IncomeItemType).where(IncomeItemType.organization_id == organization_id))}
        in_use = dict(session.execute(select(IncomeItem.item_type_id, func.count())
                                      .where(IncomeItem.item_type_id.in_(list(type_rows) or [0]))
                                      .group_by(IncomeItem.item_type_id)).all())
        version_rows = {r.id: r.version for r in session.scalars(
            select(IncomeScaleVersion).where(IncomeScaleVersion.organization_id == organization_id))}
        starts = session.scalars(select(IncomeAssessment.valid_from)
                                 .where(IncomeAssessment.organization_id == organization_id)).all()
    versions = tuple(ScaleVersionDTO(v, version_rows[v.id], sum(1 for s in starts if v.valid.contains(s)))
                     for v in config.versions)
    types = tuple(ItemTypeDTO(t, type_rows[t.id], in_use.get(t.id, 0)) for t in config.item_types)
    return IncomeConfigDTO(organization_id, config, types, versions)


# --- item types ------------------------------------------------------------------------------------

def _type_row(session: Session, organization_id: int, type_id: int) -> IncomeItemType:
    row = session.get(IncomeItemType, type_id)
    if row is None or row.organization_id != organization_id:
        raise NotFoundError(f"Einkommensposition {type_id} gibt es nicht.")
    return row


def save_item_type(db: Database, organization_id: int, item_type: im.IncomeItemType,
                   version: int | None = None) -> ItemTypeDTO:
    """Store a new (id None) or edited item type; `version` is the row version the form loaded."""
    label = item_type.label.strip()
    errors = ErrorCollector()
    if not label:
        errors.add("label", "Bezeichnung: Bitte eine Bezeichnung eingeben.")
    elif len(label) > LABEL_MAX:
        errors.add("label", f"Bezeichnung: höchstens {LABEL_MAX} Zeichen erlaubt.")
    if not isinstance(item_type.sign, im.ItemSign):
        errors.add("sign", "Vorzeichen: Bitte + (Einkommen) oder − (Abzug) wählen.")
    if item_type.position < 0:
        errors.add("position", "Reihenfolge: Die Position darf nicht negativ sein.")
    item_type = replace(item_type, label=label)
    with unit_of_work(db, WHAT_TYPE) as session:
        organization_currency(session, organization_id)  # the organization exists
        clash = session.scalar(select(IncomeItemType.id).where(IncomeItemType.organization_id == organization_id,
                                                               IncomeItemType.label == label))
        if label and clash is not None and clash != item_type.id:
            errors.add("label", f"Bezeichnung: Die Einkommensposition „{label}“ gibt es schon.")
        row = None
        if item_type.id is not None:
            row = _type_row(session, organization_id, item_type.id)
            check_version(version, row.version, WHAT_TYPE)
            used = session.scalar(select(func.count()).where(IncomeItem.item_type_id == row.id))
            if used and row.sign != item_type.sign.value:
                errors.add("sign", f"Vorzeichen: „{row.label}“ ist in {used} Staffelberechnung(en) erfasst; das "
                                   f"Vorzeichen bleibt. Für ein anderes Vorzeichen bitte eine neue Position anlegen.")
        errors.raise_if_any()
        if row is None:
            row = IncomeItemType(organization_id=organization_id)
            session.add(row)
        mapping.apply_item_type(row, item_type)
        session.flush()
        used = session.scalar(select(func.count()).where(IncomeItem.item_type_id == row.id))
        return ItemTypeDTO(mapping.item_type_to_domain(row), row.version, used)


def delete_item_type(db: Database, organization_id: int, type_id: int, version: int | None) -> None:
    with unit_of_work(db, WHAT_TYPE) as session:
        row = _type_row(session, organization_id, type_id)
        check_version(version, row.version, WHAT_TYPE)
        used = session.scalar(select(func.count()).where(IncomeItem.item_type_id == row.id))
        if used:
            raise ValidationError(f"Löschen nicht möglich: „{row.label}“ ist in {used} Staffelberechnung(en) "
                                  f"erfasst. Bitte stattdessen „Gültig bis“ setzen.", "")
        session.delete(row)


# --- versions of the scale -------------------------------------------------------------------------

def _version_rows(session: Session, organization_id: int) -> list[IncomeScaleVersion]:
    return list(session.scalars(select(IncomeScaleVersion).options(*mapping.version_loader())
                                .where(IncomeScaleVersion.organization_id == organization_id)
                                .order_by(IncomeScaleVersion.valid_from)))


def save_version(db: Database, organization_id: int, scale: im.IncomeScaleVersion,
                 version: int | None = None) -> ScaleVersionDTO:
    """Store a new (id None) or edited version of the scale; `version` is the row version the form
    loaded. Raises ValidationError with every field error (nothing stored) or ConflictError."""
    with unit_of_work(db, WHAT_VERSION) as session:
        config = config_in(session, organization_id)
        rows = _version_rows(session, organization_id)
        row = None
        if scale.id is not None:
            row = next((r for r in rows if r.id == scale.id), None)
            if row is None:
                raise NotFoundError(f"Version {scale.id} der Einstellungen gibt es nicht.")
            check_version(version, row.version, WHAT_VERSION)
        errors = ErrorCollector()
        errors.errors.extend(configuration_errors(scale, config))
        if scale.highest_tier < 1:
            errors.add("highest_tier", "Höchste Staffel: Bitte eine Staffel ab 1 eingeben.")
        if any(b.tier < 1 for b in scale.brackets):
            errors.add("brackets", "Staffeln: Jede Staffel ist eine Zahl ab 1.")
        others = [r for r in rows if r.id != scale.id]
        closes = [r for r in others if r.valid_to is None and r.valid_from < scale.valid.valid_from]
        for other in others:
            theirs = Validity(other.valid_from, other.valid_to)
            if other in closes or not theirs.overlaps(scale.valid):
                continue
            errors.add("valid_from", f"Gültig ab: Der Zeitraum {scale.valid} überschneidet sich mit der Version "
                                     f"{theirs} der Einstellungen. Versionen dürfen sich nicht überlappen.")
        errors.raise_if_any()
        for other in closes:
            other.valid_to = scale.valid.valid_from - 1
        if row is None:
            row = IncomeScaleVersion(organization_id=organization_id, thresholds=[], brackets=[])
            session.add(row)
            mapping.apply_version(row, scale)
        elif mapping.apply_version(row, scale):
            touch(row)
        session.flush()
        currency = organization_currency(session, organization_id)
        stored = mapping.version_to_domain(row, currency)
        starts = session.scalars(select(IncomeAssessment.valid_from)
                                 .where(IncomeAssessment.organization_id == organization_id)).all()
        return ScaleVersionDTO(stored, row.version, sum(1 for s in starts if stored.valid.contains(s)))


def delete_version(db: Database, organization_id: int, version_id: int, version: int | None) -> None:
    with unit_of_work(db, WHAT_VERSION) as session:
        row = next((r for r in _version_rows(session, organization_id) if r.id == version_id), None)
        if row is None:
            raise NotFoundError(f"Version {version_id} der Einstellungen gibt es nicht.")
        check_version(version, row.version, WHAT_VERSION)
        valid = Validity(row.valid_from, row.valid_to)
        starts = session.scalars(select(IncomeAssessment.valid_from)
                                 .where(IncomeAssessment.organization_id == organization_id)).all()
        used = sum(1 for s in starts if valid.contains(s))
        if used:
            raise ValidationError(f"Löschen nicht möglich: {used} Staffelberechnung(en) beginnen in {valid} und "
                                  f"werden mit dieser Version berechnet.", "")
        session.delete(row)
