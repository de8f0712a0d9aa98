"""The settings dialog's service calls: settings and offer saved together or not at all, and the
organization's institutions to choose the meal payers from."""
from __future__ import annotations

import pytest

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.kita.model import FacilitySettings
from sollhaben.persistence.models import FacilityOffer
from sollhaben.persistence.models import FacilitySettings as SettingsRow
from sollhaben.services import organizations
from sollhaben.services.kita import catalogue, facility
from sollhaben.services.kita.dto import FacilityOfferDTO
from tests.conftest import make_org_input
from tests.integration.kita.conftest import count, monthly_group, new_person


def test_settings_and_offer_are_saved_together(db, kita):
    group = catalogue.save_fee_group(db, kita.id, monthly_group()).group
    settings, offer = facility.save_facility_setup(
        db, FacilitySettings(kita.facility, due_day=5, version=0),
        FacilityOfferDTO(kita.facility, fee_group_ids=frozenset({group.id})))
    assert (settings.due_day, settings.version) == (5, 1)
    assert offer.fee_group_ids == {group.id}
    assert facility.get_facility_settings(db, kita.facility) == settings
    assert facility.get_facility_offer(db, kita.facility) == offer


@pytest.mark.parametrize("settings_change, offer_ids", [
    (dict(due_day=29), frozenset()),  # bad settings: the offer is not stored either
    (dict(due_day=10), frozenset({999})),  # bad offer: the settings are not stored either
])
def test_a_refused_part_stores_neither(db, kita, settings_change, offer_ids):
    group = catalogue.save_fee_group(db, kita.id, monthly_group()).group
    with pytest.raises(ValidationError):
        facility.save_facility_setup(
            db, FacilitySettings(kita.facility, version=0, **settings_change),
            FacilityOfferDTO(kita.facility, fee_group_ids=frozenset({group.id}) | offer_ids))
    assert count(db, SettingsRow) == 0 and count(db, FacilityOffer) == 0


def test_settings_and_offer_of_different_facilities_are_a_programming_error(db, kita):
    with pytest.raises(ValueError):
        facility.save_facility_setup(db, FacilitySettings(kita.facility, version=0), FacilityOfferDTO(kita.facility2))


def test_institutions_of_the_organization_by_name(db, kita):
    new_person(db, kita.id, "Gerber", "Laura")  # a natural person: not offered
    caritas = new_person(db, kita.id, "Caritas Härtefallfonds", kind="INSTITUTION")
    other = organizations.create_organization(db, make_org_input("DE", name="Andere Organisation"))
    new_person(db, other.id, "Jugendamt Ulm", kind="INSTITUTION")
    found = facility.list_institutions(db, kita.id)
    assert [(p.person_id, p.name, p.kind) for p in found] == [
        (caritas, "Caritas Härtefallfonds", "INSTITUTION"), (kita.youth_office, "Jugendamt Stuttgart", "INSTITUTION"),
        (kita.social_office, "Sozialamt Stuttgart", "INSTITUTION")]


def test_checking_settings_reports_the_errors_of_a_save_and_stores_nothing(db, kita):
    wrong = FacilitySettings(kita.facility, due_day=0, standard_rate_meals=True,
                             hardship_fund_payer_id=kita.youth_office, version=0)
    assert [(e.field, e.message) for e in facility.check_facility_settings(db, wrong)] == [
        ("due_day", "Fälligkeitstag: 0 ist nicht erlaubt; bitte einen Tag von 1 bis 28 eingeben."),
        ("sibling_meal_payer_id", "Träger ab 2. Geschwisterkind: Bitte eine Institution wählen (die "
                                  "Richtsatzabrechnung ist eingeschaltet).")]
    assert facility.check_facility_settings(db, FacilitySettings(kita.facility, version=0)) == []
    assert count(db, SettingsRow) == 0
