"""Follow-ups (Wiedervorlagen) on SQLite and PostgreSQL: validation, due list, done, edit, locking."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from sollhaben.domain.errors import ConflictError, NotFoundError, ValidationError
from sollhaben.domain.master_data import PersonInput
from sollhaben.persistence.models import AuditEntry, FollowUp
from sollhaben.services import followups
from sollhaben.services.followups import FollowUpInput
from sollhaben.services.organizations import create_organization
from sollhaben.services.persons import save_person
from tests.conftest import make_org_input

TODAY = date(2026, 11, 24)


@pytest.fixture
def org(db):
    return create_organization(db, make_org_input("CH"))


def _count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(FollowUp))


def test_create_and_list_due_within_default_horizon(db, org):
    person = save_person(db, org.id, PersonInput("NATURAL", "Muster", "Anna"), today=TODAY)
    make = lambda subject, days, **kw: followups.create_follow_up(  # noqa: E731
        db, org.id, FollowUpInput(subject, TODAY + timedelta(days=days), **kw))
    overdue = make("Unterlagen fehlen", -30, record_type="person", record_id=person.id, assigned_to="mb")
    today = make("Rückruf", 0, note="  Telefon 031 123 45 67  ")
    in_week = make("Verfügung prüfen", 7, module="alimony")
    make("Später", 8)

    due = followups.list_due(db, org.id, today=TODAY)

    assert [f.subject for f in due] == ["Unterlagen fehlen", "Rückruf", "Verfügung prüfen"]
    assert due[0] == overdue and due[0].record_label == "Muster, Anna" and due[0].assigned_to == "mb"
    assert today.note == "Telefon 031 123 45 67"
    assert in_week.module == "alimony" and not in_week.done
    assert [followups.is_overdue(f, TODAY) for f in due] == [True, False, False]
    assert [f.subject for f in followups.list_due(db, org.id, until=TODAY + timedelta(days=30))][-1] == "Später"


def test_due_list_is_per_organization(db, org):
    other = create_organization(db, make_org_input("DE"))
    followups.create_follow_up(db, other.id, FollowUpInput("Fremd", TODAY))
    followups.create_follow_up(db, org.id, FollowUpInput("Eigen", TODAY))
    assert [f.subject for f in followups.list_due(db, org.id, today=TODAY)] == ["Eigen"]
    with pytest.raises(NotFoundError):
        followups.get_follow_up(db, org.id, followups.list_due(db, other.id, today=TODAY)[0].id)


def test_validation_in_german_and_nothing_stored(db, org):
    with pytest.raises(ValidationError) as caught:
        followups.create_follow_up(db, org.id, FollowUpInput("   ", None, assigned_to="x" * 61))
    fields = {e.field: e.message for e in caught.value.errors}
    assert fields == {
        "subject": "Betreff: Bitte einen Betreff eingeben.",
        "due_date": "Fällig am: Bitte ein Datum eingeben.",
        "assigned_to": "Zuständig: höchstens 60 Zeichen erlaubt.",
    }
    with pytest.raises(ValidationError) as caught:
        followups.create_follow_up(db, org.id, FollowUpInput("x" * 201, TODAY, record_type="person"))
    assert [e.field for e in caught.value.errors] == ["subject", "record_id"]
    assert _count(db) == 0


def test_follow_up_on_a_person_of_another_organization_is_refused(db, org):
    other = create_organization(db, make_org_input("DE"))
    stranger = save_person(db, other.id, PersonInput("NATURAL", "Fremd"), today=TODAY)
    with pytest.raises(NotFoundError):
        followups.create_follow_up(db, org.id, FollowUpInput("x", TODAY, record_type="person", record_id=stranger.id))
    assert _count(db) == 0


def test_mark_done_removes_from_due_list_and_can_be_reopened(db, org):
    created = followups.create_follow_up(db, org.id, FollowUpInput("Mahnung prüfen", TODAY - timedelta(days=1)))
    done = followups.mark_done(db, org.id, created.id, created.version)
    assert done.done and done.version == created.version + 1
    assert followups.list_due(db, org.id, today=TODAY) == []
    assert [f.id for f in followups.list_due(db, org.id, today=TODAY, include_done=True)] == [created.id]
    assert not followups.is_overdue(done, TODAY)
    reopened = followups.mark_done(db, org.id, done.id, done.version, done=False)
    assert not reopened.done
    assert [f.id for f in followups.list_due(db, org.id, today=TODAY)] == [created.id]


def test_edit_with_optimistic_locking_and_audit(db, org):
    created = followups.create_follow_up(db, org.id, FollowUpInput("Rückruf", TODAY))
    edited = followups.update_follow_up(db, org.id, created.id, created.version,
                                        FollowUpInput("Rückruf Frau Muster", TODAY + timedelta(days=3)))
    assert edited.subject == "Rückruf Frau Muster" and edited.due_date == TODAY + timedelta(days=3)
    with pytest.raises(ConflictError, match="neu laden"):
        followups.update_follow_up(db, org.id, created.id, created.version, FollowUpInput("Alt", TODAY))
    with pytest.raises(ConflictError):
        followups.mark_done(db, org.id, created.id, created.version)
    assert followups.get_follow_up(db, org.id, created.id) == edited
    with db.session() as session:
        changes = session.execute(select(AuditEntry.field, AuditEntry.old_value, AuditEntry.new_value)
                                  .where(AuditEntry.table_name == "follow_up", AuditEntry.action == "update")).all()
    assert ("subject", "Rückruf", "Rückruf Frau Muster") in changes


def test_list_for_record(db, org):
    person = save_person(db, org.id, PersonInput("NATURAL", "Muster", "Beat"), today=TODAY)
    first = followups.create_follow_up(db, org.id, FollowUpInput("A", TODAY, record_type="person", record_id=person.id))
    followups.create_follow_up(db, org.id, FollowUpInput("B", TODAY))
    followups.mark_done(db, org.id, first.id, first.version)
    rows = followups.list_for_record(db, org.id, "person", person.id)
    assert [(f.subject, f.done, f.record_label) for f in rows] == [("A", True, "Muster, Beat")]
