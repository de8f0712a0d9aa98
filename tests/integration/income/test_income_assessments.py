"""Assessments and configuration through the services on both back ends: every bad input of the issue
stores nothing, copy closes the previous one, the delete rules, the highest tier, the list, follow-ups."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from sollhaben.domain.errors import ConflictError, ValidationError
from sollhaben.domain.income import model as im
from sollhaben.persistence.models import AuditEntry, FollowUp, IncomeScaleVersion
from sollhaben.services import followups
from sollhaben.services.income import assessments, configuration
from tests.integration.income.conftest import TODAY, counts, eur, example, month, save, scale
from tests.integration.kita.conftest import count


def _refused(db, f, assessment, field: str) -> str:
    before = counts(db)
    with pytest.raises(ValidationError) as refused:
        save(db, f, assessment)
    assert counts(db) == before  # nothing stored
    messages = [e.message for e in refused.value.errors if e.field == field]
    assert messages, refused.value.errors
    return messages[0]


def test_household_size_0_is_refused(db, family):
    assert "mindestens eine Person" in _refused(db, family, example(family, household_size=0), "household_size")


def test_a_negative_amount_is_refused(db, family):
    f = family
    person = im.AssessmentPerson(f.mother, False, (im.IncomeItem(f.types["Werbungskosten"], eur("-1200.00")),))
    message = _refused(db, f, example(f, persons=(person,)), "persons[0].items[0].amount")
    assert "„Werbungskosten“ (-)" in message and "nicht negativ" in message


def test_valid_from_missing_is_refused(db, family):
    assert "Gültig ab: Pflichtfeld" in _refused(db, family, example(family, start=None), "valid_from")


def test_an_overlapping_validity_is_refused(db, family):
    f = family
    save(db, f, example(f, "01.2026", "06.2026"))
    message = _refused(db, f, example(f, "05.2026", "12.2026"), "valid_from")
    assert "überschneidet sich" in message and "01.2026 – 06.2026" in message


def test_a_person_not_linked_to_the_child_is_refused(db, family):
    f = family
    persons = (im.AssessmentPerson(f.grandma, False, (im.IncomeItem(f.types["Rente"], eur("12000.00")),)),)
    assert "nicht zugeordnet" in _refused(db, f, example(f, persons=persons), "persons[0].person_id")


def test_no_thresholds_for_the_month_is_refused(db, family):
    f = family
    stored = configuration.get_configuration(db, f.org).versions[0]
    configuration.save_version(db, f.org, replace(stored.scale, valid=replace(stored.scale.valid,
                                                                               valid_to=month("12.2025"))),
                               stored.version)
    message = _refused(db, f, example(f, "01.2026"), "valid_from")
    assert "keine Einkommensgrenzen und Staffeln eingerichtet" in message


def test_a_facility_of_another_kind_is_refused(db, family, kita):
    assert "keine Einrichtung" in _refused(db, family, example(family, facility_id=kita.office), "facility_id")


def test_save_is_audited_and_get_returns_the_figures(db, family):
    f = family
    saved = save(db, f, example(f))
    dto = assessments.get_assessment(db, saved.assessment.id)
    assert dto.assessment == saved.assessment and dto.calculation.tier == 3
    assert dto.child_name == "Gerber, Mia" and dto.facility_name == "Kita Sonnenschein"
    assert [(p.name, p.relation) for p in dto.linked_persons] == [("Laura Gerber", "Sorgeberechtigt"),
                                                                 ("Reto Gerber", "Sorgeberechtigt")]
    with db.session() as session:
        owners = {(e.owner_table, e.table_name) for e in session.query(AuditEntry)
                  if e.table_name.startswith("income_")}
    assert {("income_assessment", t) for t in ("income_assessment", "income_assessment_person",
                                               "income_item")} <= owners


def test_the_highest_tier_needs_no_income(db, family):
    f = family
    saved = save(db, f, example(f, persons=(), household_size=None, highest_tier=True))
    assert saved.calculation.tier == 6 and saved.calculation.monthly_income is None
    [row] = assessments.list_assessments(db, f.org)
    assert (row.tier, row.persons, row.household_size) == (6, "", None)


def test_copy_keeps_everything_but_the_validity_and_saving_it_closes_the_previous_one(db, family):
    f = family
    first = save(db, f, example(f, "01.2026"))
    copy = assessments.copy_assessment(db, first.assessment.id)
    assert copy.assessment.id is None and copy.assessment.valid_from is None
    assert copy.assessment.persons == first.assessment.persons
    second = save(db, f, replace(copy.assessment, valid_from=month("09.2026"), household_size=3))
    assert second.closed_previous is not None and str(second.closed_previous.valid_to) == "08.2026"
    rows = assessments.list_assessments(db, f.org)
    assert [(str(r.valid), r.tier) for r in rows] == [("01.2026 – 08.2026", 3), ("09.2026 – offen", 4)]


def test_delete_rules(db, family):
    f = family
    complete = save(db, f, example(f, "01.2025", "12.2025", complete=True)).assessment
    past = save(db, f, example(f, "01.2026", "03.2026")).assessment
    open_ = save(db, f, example(f, "05.2026")).assessment
    with pytest.raises(ValidationError, match="„Vollständig“"):
        assessments.delete_question(db, complete.id, today=TODAY)
    with pytest.raises(ValidationError, match="nicht in der Zukunft"):
        assessments.delete_question(db, past.id, today=TODAY)
    assert assessments.delete_question(db, open_.id, today=TODAY) == "Staffelberechnung 05.2026 – offen wirklich löschen?"
    with pytest.raises(ValidationError, match="bestätigen"):
        assessments.delete_assessment(db, open_.id, open_.version, confirmed=False, today=TODAY)
    with pytest.raises(ValidationError, match="nicht in der Zukunft"):
        assessments.delete_assessment(db, past.id, past.version, confirmed=True, today=TODAY)
    assert len(assessments.list_assessments(db, f.org)) == 3
    assessments.delete_assessment(db, open_.id, open_.version, confirmed=True, today=TODAY)
    assert [str(r.valid) for r in assessments.list_assessments(db, f.org)] == ["01.2025 – 12.2025",
                                                                               "01.2026 – 03.2026"]


def test_follow_ups_of_an_assessment_are_listed_and_due(db, family):
    f = family
    saved = save(db, f, example(f, "05.2026"))
    follow_up = followups.create_follow_up(db, f.org, followups.FollowUpInput(
        "Einkommensnachweis 2026 anfordern", date(2026, 4, 30), module="income", record_type="income_assessment",
        record_id=saved.assessment.id, assigned_to="anna"))
    assert follow_up.record_label == "Staffelberechnung Gerber, Mia 05.2026 – offen"
    assert [d.subject for d in followups.list_due(db, f.org, today=date(2026, 4, 28))] == [follow_up.subject]
    [row] = assessments.list_assessments(db, f.org)
    assert row.follow_up_due == date(2026, 4, 30)
    assert [x.subject for x in assessments.get_assessment(db, saved.assessment.id).follow_ups] == [follow_up.subject]
    assessments.delete_assessment(db, saved.assessment.id, saved.assessment.version, confirmed=True, today=TODAY)
    assert count(db, FollowUp) == 0


def test_the_configuration_is_validated_and_versions_do_not_overlap(db, family):
    f = family
    before = count(db, IncomeScaleVersion)
    bad = scale("01.2027", brackets=(im.TierBracket(eur("500.00"), 3), im.TierBracket(eur("250.00"), 2)))
    with pytest.raises(ValidationError, match="Staffeln, Zeile 2"):
        configuration.save_version(db, f.org, bad)
    stored = configuration.get_configuration(db, f.org).versions[0]
    closed = configuration.save_version(db, f.org, replace(stored.scale, valid=im.Validity(month("01.2020"),
                                                                                            month("12.2026"))),
                                        stored.version)
    with pytest.raises(ValidationError, match="überschneidet sich"):
        configuration.save_version(db, f.org, scale("06.2026"))
    assert count(db, IncomeScaleVersion) == before
    configuration.save_version(db, f.org, scale("01.2027", highest_tier=7))
    versions = configuration.get_configuration(db, f.org).versions
    assert [(str(v.scale.valid), v.scale.highest_tier) for v in versions] == [("01.2020 – 12.2026", 6),
                                                                            ("01.2027 – offen", 7)]
    with pytest.raises(ConflictError):
        configuration.save_version(db, f.org, replace(closed.scale, highest_tier=8), stored.version)


def test_an_item_type_in_use_keeps_its_sign_and_cannot_be_deleted(db, family):
    f = family
    save(db, f, example(f))
    types = {t.item_type.label: t for t in configuration.get_configuration(db, f.org).item_types}
    salary = types["Lohn/Gehalt"]
    assert salary.in_use == 2
    with pytest.raises(ValidationError, match="Vorzeichen bleibt"):
        configuration.save_item_type(db, f.org, replace(salary.item_type, sign=im.ItemSign.MINUS), salary.version)
    with pytest.raises(ValidationError, match="Löschen nicht möglich"):
        configuration.delete_item_type(db, f.org, salary.item_type.id, salary.version)
    with pytest.raises(ValidationError, match="gibt es schon"):
        configuration.save_item_type(db, f.org, im.IncomeItemType("Rente", im.ItemSign.PLUS, 9))
    renamed = configuration.save_item_type(db, f.org, replace(salary.item_type, label="Lohn / Gehalt"), salary.version)
    assert renamed.version == salary.version + 1
    configuration.delete_item_type(db, f.org, types["Elterngeld"].item_type.id, types["Elterngeld"].version)



def test_the_list_is_in_dictionary_order(db, family):  # noqa: F811
    """DIN 5007: „Özdemir“ sorts as „Ozdemir“, before „Papadopoulos“ — not after „Z“."""
    from sollhaben.domain.master_data import PersonInput
    from sollhaben.services.kita import children
    from sollhaben.services.kita.dto import GuardianInput

    for last in ("Özdemir", "Papadopoulos", "Ziegler"):
        child = children.create_child(db, family.org, PersonInput("NATURAL", last, "Kim", birth_date=date(2021, 1, 1)),
                                       today=TODAY)
        children.save_guardians(db, child.id, child.version, [GuardianInput(family.mother)])
        save(db, family, example(family, child_id=child.id,
                                 persons=(im.AssessmentPerson(family.mother, False, ()),)))
    save(db, family, example(family))
    rows = assessments.list_assessments(db, family.org)
    assert [r.child_name for r in rows] == ["Gerber, Mia", "Özdemir, Kim", "Papadopoulos, Kim", "Ziegler, Kim"]
