"""Facility settings on SQLite and PostgreSQL: defaults, validation with German messages (nothing
stored), institutions of the organization, optimistic locking, the first billing month after a run."""
from __future__ import annotations

from dataclasses import replace

import pytest

from sollhaben.domain.errors import ConflictError, NotFoundError, ValidationError
from sollhaben.domain.kita.model import FacilitySettings, PartialMonth
from sollhaben.persistence.models import BillingRun
from sollhaben.persistence.models import FacilitySettings as SettingsRow
from sollhaben.services import audit_log
from sollhaben.services.kita import facility
from sollhaben.services.unit_of_work import unit_of_work
from tests.integration.kita.conftest import count, month, new_person


def test_defaults_until_saved_then_stored_and_versioned(db, kita):
    assert facility.get_facility_settings(db, kita.facility) == FacilitySettings(kita.facility, version=0)

    wanted = FacilitySettings(kita.facility, fee_free_months=frozenset({8}), partial_month=PartialMonth.PRO_RATA,
                              due_day=5, lock_billed=True, wuerttemberg=True, standard_rate_meals=True,
                              hardship_fund_payer_id=kita.youth_office, sibling_meal_payer_id=kita.social_office,
                              first_billing_month=month("01.2026"), version=0)
    saved = facility.save_facility_settings(db, wanted)
    assert saved == replace(wanted, version=1)
    assert facility.get_facility_settings(db, kita.facility) == saved

    changed = facility.save_facility_settings(db, replace(saved, due_day=15, fee_free_months=frozenset({8, 12})))
    assert (changed.version, changed.due_day, changed.fee_free_months) == (2, 15, frozenset({8, 12}))
    history = {(e.action, e.field, e.old_value, e.new_value) for e in audit_log.history(db, "unit", kita.facility)}
    assert ("update", "due_day", "5", "15") in history
    assert ("update", "fee_free_months", "[8]", "[8, 12]") in history


def test_a_stale_settings_form_is_refused(db, kita):
    first = facility.save_facility_settings(db, FacilitySettings(kita.facility, version=0))
    facility.save_facility_settings(db, replace(first, due_day=1))
    with pytest.raises(ConflictError, match="Die Einstellungen der Einrichtung wurde"):
        facility.save_facility_settings(db, replace(first, due_day=3))
    facility.save_facility_settings(db, FacilitySettings(kita.facility2, version=0))
    with pytest.raises(ConflictError):  # someone else created them first
        facility.save_facility_settings(db, FacilitySettings(kita.facility2, due_day=3, version=0))
    assert facility.get_facility_settings(db, kita.facility).due_day == 1


@pytest.mark.parametrize("change, field, text", [
    (dict(due_day=0), "due_day", "Fälligkeitstag: 0 ist nicht erlaubt; bitte einen Tag von 1 bis 28 eingeben."),
    (dict(due_day=29), "due_day", "Fälligkeitstag: 29 ist nicht erlaubt; bitte einen Tag von 1 bis 28 eingeben."),
    (dict(fee_free_months=frozenset({13})), "fee_free_months",
     "Beitragsfreie Monate: Monat 13 gibt es nicht (erlaubt 1 bis 12)."),
    (dict(fee_free_months=frozenset(range(1, 13))), "fee_free_months",
     "Beitragsfreie Monate: Mindestens ein Monat im Jahr muss beitragspflichtig sein."),
    (dict(partial_month="HALF"), "partial_month", "Angefangener Monat: Bitte „voll“ oder „tageweise“ wählen."),
    (dict(standard_rate_meals=True), "hardship_fund_payer_id",
     "Träger Härtefallfonds: Bitte eine Institution wählen (die Richtsatzabrechnung ist eingeschaltet)."),
    (dict(standard_rate_meals=True), "sibling_meal_payer_id",
     "Träger ab 2. Geschwisterkind: Bitte eine Institution wählen (die Richtsatzabrechnung ist eingeschaltet)."),
    (dict(hardship_fund_payer_id=999), "hardship_fund_payer_id",
     "Träger Härtefallfonds: Diese Institution gibt es in der Organisation nicht."),
])
def test_bad_settings_are_refused_and_nothing_is_stored(db, kita, change, field, text):
    with pytest.raises(ValidationError) as exc:
        facility.save_facility_settings(db, replace(FacilitySettings(kita.facility, version=0), **change))
    assert (field, text) in [(e.field, e.message) for e in exc.value.errors]
    assert count(db, SettingsRow) == 0


def test_meal_institutions_must_be_institutions(db, kita):
    mother = new_person(db, kita.id, "Gerber", "Laura")
    with pytest.raises(ValidationError, match="Träger ab 2. Geschwisterkind: „Laura Gerber“ ist keine Institution; "
                                              "bitte eine Institution wählen."):
        facility.save_facility_settings(db, FacilitySettings(
            kita.facility, standard_rate_meals=True, hardship_fund_payer_id=kita.youth_office,
            sibling_meal_payer_id=mother, version=0))


def test_only_facilities_have_settings(db, kita):
    with pytest.raises(ValidationError, match="Einrichtung: „Amt für Kinder“ ist keine Einrichtung \\(Kita\\), "
                                              "sondern Dienststelle."):
        facility.save_facility_settings(db, FacilitySettings(kita.office, version=0))
    with pytest.raises(NotFoundError):
        facility.get_facility_settings(db, 999)


def test_first_billing_month_is_fixed_once_the_facility_has_billed(db, kita):
    saved = facility.save_facility_settings(db, FacilitySettings(kita.facility, first_billing_month=month("01.2026"),
                                                                 version=0))
    with unit_of_work(db) as session:
        session.add(BillingRun(organization_id=kita.id, facility_id=kita.facility, month=month("01.2026"),
                               started_by="test", currency="EUR"))
    with pytest.raises(ValidationError, match="Erster Abrechnungsmonat: Die Einrichtung hat schon ab 01.2026 "
                                              "abgerechnet; der erste Abrechnungsmonat kann nicht mehr geändert werden."):
        facility.save_facility_settings(db, replace(saved, first_billing_month=month("02.2026")))
    assert facility.save_facility_settings(db, replace(saved, due_day=20)).due_day == 20  # the rest still can
