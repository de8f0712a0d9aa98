"""Siblings in care and children in the household, for one child (editor) or a whole facility
(billing run, one query each whatever the number of children).

- Siblings (auto) of a child in a month: other children with a contract active in that month in a
  facility where the child's own contract is active, who share a guardian with the child (a
  guardian row counts when its optional from/to dates touch the month).
- Sibling position for the ladder: the child among itself, its auto siblings and the children named
  manually, oldest first by birth date (then by id); 1 = the oldest.
- Children in household (Württemberg model): persons under 18 living in the child's household on
  the 1st of the month (household memberships count with both ends inclusive, as in
  `services/households.py`), at least 1 (the child).
A contract is active in a month when it has care days in it (first care day on or before the
month's last day, last care day empty or on or after its first day), as `Contract.care_days`.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Iterable, Mapping, Sequence

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from sollhaben.domain.months import Month
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import (
    Child,
    ChildGuardian,
    Contract,
    HouseholdMembership,
    Person,
)
from sollhaben.services.kita.dto import SiblingDTO
from sollhaben.services.unit_of_work import read_only

ADULT_AGE = 18


def contract_active(contract, month: Month):
    """SQL condition: the contract (a `Contract` model or alias) has care days in `month`."""
    return and_(contract.first_day.is_not(None), contract.first_day <= month.last_day,
                or_(contract.last_day.is_(None), contract.last_day >= month.first_day))


def _guardian_valid(guardian, month: Month):
    return and_(or_(guardian.valid_from.is_(None), guardian.valid_from <= month.last_day),
                or_(guardian.valid_to.is_(None), guardian.valid_to >= month.first_day))


def _order_key(child_id: int, born: date | None) -> tuple:
    return (born or date.max, child_id)


# --- one child ------------------------------------------------------------------------------------

def siblings_in(session: Session, child_id: int, month: Month) -> list[SiblingDTO]:
    own_guardian = aliased(ChildGuardian)
    own_contract = aliased(Contract)
    guardians = select(own_guardian.person_id).where(own_guardian.child_id == child_id,
                                                     _guardian_valid(own_guardian, month))
    facilities = select(own_contract.facility_id).where(own_contract.child_id == child_id,
                                                        contract_active(own_contract, month))
    query = (select(Child.id, Person.last_name, Person.first_name, Person.birth_date).distinct()
             .join(Person, Person.id == Child.person_id)
             .join(ChildGuardian, ChildGuardian.child_id == Child.id)
             .join(Contract, Contract.child_id == Child.id)
             .where(Child.id != child_id, ChildGuardian.person_id.in_(guardians), _guardian_valid(ChildGuardian, month),
                    contract_active(Contract, month), Contract.facility_id.in_(facilities)))
    rows = [SiblingDTO(cid, f"{first} {last}".strip(), born) for cid, last, first, born in session.execute(query)]
    return sorted(rows, key=lambda s: _order_key(s.child_id, s.birth_date))


def siblings(db: Database, child_id: int, month: Month) -> list[SiblingDTO]:
    """The child's siblings in care in `month`, oldest first."""
    with read_only(db) as session:
        return siblings_in(session, child_id, month)


def _birth_dates(session: Session, child_ids: Iterable[int]) -> dict[int, date | None]:
    ids = set(child_ids)
    if not ids:
        return {}
    return dict(session.execute(select(Child.id, Person.birth_date).join(Person, Person.id == Child.person_id)
                                .where(Child.id.in_(ids))).all())


def _position(child_id: int, others: Iterable[int], born: Mapping[int, date | None]) -> int:
    group = {child_id} | set(others)
    ordered = sorted(group, key=lambda cid: _order_key(cid, born.get(cid)))
    return ordered.index(child_id) + 1


def sibling_position_in(session: Session, child_id: int, month: Month, extra_sibling_ids: Sequence[int] = ()) -> int:
    auto = [s.child_id for s in siblings_in(session, child_id, month)]
    others = set(auto) | set(extra_sibling_ids)
    return _position(child_id, others, _birth_dates(session, others | {child_id}))


def sibling_position(db: Database, child_id: int, month: Month, extra_sibling_ids: Sequence[int] = ()) -> int:
    """The child's position among its siblings for the sibling ladder (1 = the oldest)."""
    with read_only(db) as session:
        return sibling_position_in(session, child_id, month, extra_sibling_ids)


# --- a whole facility -----------------------------------------------------------------------------

def facility_siblings(session: Session, facility_id: int, month: Month) -> dict[int, tuple[int, ...]]:
    """Every child with an active contract in the facility in `month` → its auto siblings there
    (oldest first). One query."""
    rows = session.execute(
        select(Contract.child_id, ChildGuardian.person_id, Person.birth_date)
        .join(Child, Child.id == Contract.child_id).join(Person, Person.id == Child.person_id)
        .outerjoin(ChildGuardian, and_(ChildGuardian.child_id == Contract.child_id,
                                       _guardian_valid(ChildGuardian, month)))
        .where(Contract.facility_id == facility_id, contract_active(Contract, month))).all()
    born: dict[int, date | None] = {}
    by_guardian: dict[int, set[int]] = defaultdict(set)
    guardians_of: dict[int, set[int]] = defaultdict(set)
    for child_id, guardian_id, birth_date in rows:
        born[child_id] = birth_date
        if guardian_id is not None:
            by_guardian[guardian_id].add(child_id)
            guardians_of[child_id].add(guardian_id)
    result = {}
    for child_id in born:
        others = set().union(*(by_guardian[g] for g in guardians_of[child_id])) - {child_id}
        result[child_id] = tuple(sorted(others, key=lambda cid: _order_key(cid, born[cid])))
    return result


def sibling_positions(session: Session, facility_id: int, month: Month,
                      extra: Mapping[int, Sequence[int]] | None = None) -> dict[int, int]:
    """Every child in care in the facility in `month` → its sibling position (1 = the oldest),
    counting the children named manually in `extra` (child id → extra sibling ids)."""
    extra = extra or {}
    auto = facility_siblings(session, facility_id, month)
    wanted = set(auto) | {cid for ids in extra.values() for cid in ids}
    born = _birth_dates(session, wanted)
    return {cid: _position(cid, set(others) | set(extra.get(cid, ())), born) for cid, others in auto.items()}


# --- children in the household --------------------------------------------------------------------

def household_children(session: Session, child_ids: Sequence[int], month: Month) -> dict[int, int]:
    """Child id → persons under 18 in its household on the 1st of `month` (at least 1). One query."""
    if not child_ids:
        return {}
    day = month.first_day
    cutoff = date(day.year - ADULT_AGE, day.month, 1)  # born after it: under 18 on the 1st
    own, other = aliased(HouseholdMembership), aliased(HouseholdMembership)

    def valid(membership):
        return and_(membership.valid_from <= day, or_(membership.valid_to.is_(None), membership.valid_to >= day))

    counts = dict(session.execute(
        select(Child.id, func.count(func.distinct(other.person_id)))
        .join(own, own.person_id == Child.person_id)
        .join(other, other.household_id == own.household_id)
        .join(Person, Person.id == other.person_id)
        .where(Child.id.in_(set(child_ids)), valid(own), valid(other), Person.birth_date > cutoff)
        .group_by(Child.id)).all())
    return {cid: max(1, counts.get(cid, 0)) for cid in child_ids}


def children_in_household(db: Database, child_id: int, month: Month) -> int:
    """Persons under 18 in the child's household on the 1st of `month` (Württemberg model)."""
    with read_only(db) as session:
        return household_children(session, [child_id], month)[child_id]
