"""The audit log of Kita billing data on SQLite and PostgreSQL: every table of a child's billing
data shows in the child's history, catalogue versions and tiers in their entry's, settings and
offer in the facility's; a refused save writes no audit entry."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import PersonInput
from sollhaben.persistence.models import AuditEntry
from sollhaben.services import audit_log
from sollhaben.services.kita import billing_data, catalogue, children
from tests.integration.kita.conftest import TODAY, count, eur, first_period, valid


def test_the_childs_history_shows_all_its_billing_data(db, kita, setup):
    db.user = "mbe"
    sister = children.create_child(db, kita.id, PersonInput("NATURAL", "Gerber", "Lea", birth_date=date(2020, 1, 1)),
                                   today=TODAY)
    period = first_period(setup, extra_siblings=(sister.id,), fee_lines=(
        replace(first_period(setup).fee_lines[0], discount_ids=(setup.fixed,)),))
    saved = billing_data.save_period(db, period).period
    billing_data.save_period(db, replace(saved, extra_lines=(replace(saved.extra_lines[0], count=3),)))

    history = audit_log.history(db, "child", setup.child)
    assert {e.table_name for e in history} == {
        "child", "child_guardian", "child_payer", "contract", "billing_period", "billing_period_sibling", "fee_line",
        "fee_line_discount", "extra_line", "line_payer"}
    assert {e.changed_by for e in history if e.table_name == "billing_period"} == {"mbe"}
    assert ("update", "extra_line", "count", "17", "3") in {
        (e.action, e.table_name, e.field, e.old_value, e.new_value) for e in history}
    with db.session() as session:  # the child's own entries carry its organization
        rows = session.query(AuditEntry).filter(AuditEntry.table_name == "child").all()
        assert rows and {r.organization_id for r in rows} == {kita.id}


def test_catalogue_history_and_no_entry_for_a_refused_save(db, kita, setup):
    history = audit_log.history(db, "fee_group", setup.monthly)
    assert {e.table_name for e in history} == {"fee_group", "fee_group_version", "fee_tier"}
    assert {e.table_name for e in audit_log.history(db, "extra_cost", setup.meals)} == {
        "extra_cost", "extra_cost_version"}
    assert {e.table_name for e in audit_log.history(db, "discount", setup.fixed)} == {"discount", "discount_version"}
    assert {e.table_name for e in audit_log.history(db, "unit", kita.facility)} >= {"facility_settings"}

    before = count(db, AuditEntry)
    group = catalogue.get_fee_group(db, setup.monthly)
    with pytest.raises(ValidationError):
        catalogue.save_fee_group(db, kita.id, replace(group.group, versions=group.group.versions + (
            m.FeeGroupVersion(valid("01.2026"), (m.Tier(1, "", eur("1.00")),)),)), group.version)
    with pytest.raises(ValidationError):
        billing_data.save_period(db, first_period(setup, valid=valid("01.2025")))
    assert count(db, AuditEntry) == before
