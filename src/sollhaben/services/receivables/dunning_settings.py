"""The organization's dunning policy: read (the country's default until saved) and save as a whole."""
from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sollhaben.domain.errors import NotFoundError
from sollhaben.domain.receivables.dunning_policy import (
    DunningLevel,
    DunningPolicy,
    Handover,
    default_policy,
    validate_policy,
)
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Organization
from sollhaben.persistence.models.dunning import DunningLevelRow, DunningSettings
from sollhaben.services.unit_of_work import check_version, read_only, touch, unit_of_work


@dataclass(frozen=True)
class PolicyDTO:
    organization_id: int
    country: str
    currency: str
    policy: DunningPolicy
    version: int | None  # None: not saved yet (the country's default is shown)


def policy_in(session: Session, organization_id: int) -> PolicyDTO:
    org = session.get(Organization, organization_id)
    if org is None:
        raise NotFoundError(f"Organisation {organization_id} gibt es nicht.")
    settings = session.scalar(select(DunningSettings).where(DunningSettings.organization_id == organization_id))
    if settings is None:
        return PolicyDTO(org.id, org.legal_country, org.currency, default_policy(org.legal_country), None)
    rows = session.scalars(select(DunningLevelRow).where(DunningLevelRow.organization_id == organization_id)
                           .order_by(DunningLevelRow.position)).all()
    levels = tuple(DunningLevel(r.position, r.name, r.days, r.fee_minor, r.payment_days, r.qr_bill, r.text)
                   for r in rows)
    return PolicyDTO(org.id, org.legal_country, org.currency,
                     DunningPolicy(levels, settings.minimum_minor, Handover(settings.handover)), settings.version)


def load_policy(db: Database, organization_id: int) -> PolicyDTO:
    with read_only(db) as session:
        return policy_in(session, organization_id)


def save_policy(db: Database, organization_id: int, policy: DunningPolicy,
                expected_version: int | None = None) -> PolicyDTO:
    """Validate and store the whole policy (levels replaced). A form saves only the version it
    loaded: another clerk's change in between is a ConflictError. Past notices keep their own copy
    of level name, fee and text, so changing the levels never changes a letter already sent."""
    policy = replace(policy, levels=tuple(replace(level, name=level.name.strip()) for level in policy.levels))
    validate_policy(policy)
    with unit_of_work(db, "Mahnwesen-Einstellungen") as session:
        org = session.get(Organization, organization_id)
        if org is None:
            raise NotFoundError(f"Organisation {organization_id} gibt es nicht.")
        settings = session.scalar(select(DunningSettings).where(DunningSettings.organization_id == organization_id)
                                  .with_for_update())
        if settings is None:
            settings = DunningSettings(organization_id=organization_id, minimum_minor=0, handover="NONE")
            session.add(settings)
        else:
            check_version(expected_version, settings.version, "Mahnwesen-Einstellungen")
        settings.minimum_minor = policy.minimum_minor
        settings.handover = policy.handover.value
        session.execute(delete(DunningLevelRow).where(DunningLevelRow.organization_id == organization_id))
        session.flush()
        session.add_all(DunningLevelRow(organization_id=organization_id, position=level.position, name=level.name,
                                        days=level.days, fee_minor=level.fee_minor, payment_days=level.payment_days,
                                        qr_bill=level.qr_bill and org.legal_country == "CH", text=level.text)
                        for level in policy.levels)
        touch(settings)  # a change of the levels alone moves the version on too
        session.flush()
        return policy_in(session, organization_id)
