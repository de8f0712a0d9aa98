"""The Kita catalogue on SQLite and PostgreSQL: fee groups, discounts and extra costs with their
versions, German messages for bad input (nothing stored), optimistic locking, billed versions, the
facility's offer and the audit log."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select

from sollhaben.domain.errors import ConflictError, NotFoundError, ValidationError
from sollhaben.domain.kita import model as m
from sollhaben.domain.months import Month
from sollhaben.persistence.models import (
    Discount,
    DiscountVersion,
    ExtraCost,
    FeeGroup,
    FeeGroupVersion,
    FeeTier,
)
from sollhaben.services import audit_log
from sollhaben.services.kita import catalogue, facility
from sollhaben.services.kita.dto import FacilityOfferDTO
from tests.integration.kita.conftest import count, eur, month, monthly_group, valid


def messages(exc: pytest.ExceptionInfo) -> list[str]:
    return [e.message for e in exc.value.errors]


def test_fee_group_with_versions_is_stored_and_read_back(db, kita):
    created = catalogue.save_fee_group(db, kita.id, replace(monthly_group(), code="GT45"))

    loaded = catalogue.get_fee_group(db, created.group.id)
    assert loaded == created
    group = loaded.group
    assert (group.name, group.code, group.mode, group.tier_source) == (
        "Ganztag 45 h", "GT45", m.BillingMode.MONTHLY, m.TierSource.CHOSEN)
    (version,) = group.versions
    assert version.valid == valid("01.2026") and version.id is not None
    assert [(t.number, t.label, t.amount) for t in version.tiers] == [
        (1, "Stufe 1", eur("162.00")), (2, "Stufe 2", eur("126.00")), (3, "Stufe 3", eur("85.00")),
        (4, "Stufe 4", eur("28.00"))]
    assert loaded.version == 1 and loaded.billed_through == {}
    with db.session() as session:  # amounts are integer minor units
        assert session.scalar(select(FeeTier.amount_minor).where(FeeTier.number == 1)) == 16200


def test_a_new_version_in_advance_closes_the_previous_one(db, kita):
    created = catalogue.save_fee_group(db, kita.id, monthly_group())
    old = created.group.versions[0]
    new = m.FeeGroupVersion(valid("08.2027"), (m.Tier(1, "Stufe 1", eur("170.00")),))
    group = replace(created.group, versions=(old, new))

    saved = catalogue.save_fee_group(db, kita.id, group, created.version)

    assert [v.valid for v in saved.group.versions] == [valid("01.2026", "07.2027"), valid("08.2027")]
    assert saved.group.version_for(month("07.2027")).tier(1).amount == eur("162.00")
    assert saved.group.version_for(month("08.2027")).tier(1).amount == eur("170.00")
    assert saved.version == created.version + 1  # versions belong to the entry: its version moves on
    history = audit_log.history(db, "fee_group", created.group.id)
    assert ("update", "fee_group_version", "valid_to", None, "07.2027") in {
        (e.action, e.table_name, e.field, e.old_value, e.new_value) for e in history}
    assert ("insert", "fee_tier", "amount_minor", None, "17000") in {
        (e.action, e.table_name, e.field, e.old_value, e.new_value) for e in history}


def test_versions_that_overlap_are_refused_and_nothing_is_stored(db, kita):
    created = catalogue.save_fee_group(db, kita.id, monthly_group())
    closed = replace(created.group.versions[0], valid=valid("01.2026", "12.2026"))
    clash = m.FeeGroupVersion(valid("06.2026", "12.2027"), (m.Tier(1, "", eur("1.00")),), id=None)
    # the new one starts inside a closed version: it would close it, but a later stored one follows
    later = m.FeeGroupVersion(valid("01.2027"), (m.Tier(1, "", eur("2.00")),))
    group = replace(created.group, versions=(closed, later))
    saved = catalogue.save_fee_group(db, kita.id, group, created.version)
    before = count(db, FeeGroupVersion), count(db, FeeTier)

    with pytest.raises(ValidationError) as exc:
        catalogue.save_fee_group(db, kita.id, replace(saved.group, versions=saved.group.versions + (clash,)),
                                 saved.version)

    assert any("überschneidet sich" in text and "Versionen dürfen sich nicht überlappen" in text
               for text in messages(exc))
    assert (count(db, FeeGroupVersion), count(db, FeeTier)) == before


@pytest.mark.parametrize("group, field, text", [
    (replace(monthly_group(), name="  "), "name", "Name: Bitte einen Namen eingeben."),
    (replace(monthly_group(), name="x" * 81), "name", "Name: höchstens 80 Zeichen erlaubt."),
    (replace(monthly_group(), code="x" * 21), "code", "Kürzel: höchstens 20 Zeichen erlaubt."),
    (replace(monthly_group(), versions=()), "versions",
     "Versionen: Bitte mindestens eine Version mit „Gültig ab“ eingeben."),
    (monthly_group(amounts=()), "versions[0].tiers",
     "Staffeln: Die Version ab 01.2026 braucht mindestens eine Staffel mit Betrag."),
    (replace(monthly_group(), versions=(m.FeeGroupVersion(valid("01.2026"), (m.Tier(1, "", None),)),)),
     "versions[0].tiers[0].amount", "Betrag der Staffel 1: Bitte einen Betrag eingeben (Version ab 01.2026)."),
    (monthly_group(amounts=("-1.00",)), "versions[0].tiers[0].amount",
     "Betrag der Staffel 1: darf nicht negativ sein (Version ab 01.2026)."),
    (replace(monthly_group(), versions=(m.FeeGroupVersion(valid("01.2026"), (
        m.Tier(1, "", eur("1.00")), m.Tier(1, "", eur("2.00")))),)),
     "versions[0].tiers", "Staffel: Die Staffel 1 steht in der Version ab 01.2026 mehrmals."),
    (replace(monthly_group(), versions=(m.FeeGroupVersion(valid("01.2026"), (m.Tier(0, "", eur("1.00")),)),)),
     "versions[0].tiers[0].number", "Staffel: Die Nummer muss 1 oder grösser sein (Version ab 01.2026)."),
    (monthly_group(amounts=("162.00", "126.00", "85.00"), source=m.TierSource.WUERTTEMBERG), "versions[0].tiers",
     "Staffeln: Beim Württemberger Modell braucht die Version ab 01.2026 genau die Staffeln 1, 2, 3 und 4 "
     "(Kinder unter 18 im Haushalt; 4 = vier und mehr)."),
    (m.FeeGroup("Individuell", m.BillingMode.INDIVIDUAL, m.TierSource.INCOME, (m.FeeGroupVersion(valid("01.2026"), ()),)),
     "tier_source", "Staffel: Eine individuelle Beitragsgruppe kann nicht „einkommensabhängig“ sein; der Betrag "
                    "wird je Kind erfasst."),
    (m.FeeGroup("Individuell", m.BillingMode.INDIVIDUAL, m.TierSource.CHOSEN,
                (m.FeeGroupVersion(valid("01.2026"), (m.Tier(1, "", eur("5.00")),)),)),
     "versions[0].tiers[0].amount",
     "Betrag der Staffel 1: Eine individuelle Beitragsgruppe hat keinen Betrag (er wird je Kind erfasst)."),
])
def test_bad_fee_groups_are_refused_with_a_german_message(db, kita, group, field, text):
    with pytest.raises(ValidationError) as exc:
        catalogue.save_fee_group(db, kita.id, group)
    assert (field, text) in [(e.field, e.message) for e in exc.value.errors]
    assert count(db, FeeGroup) == count(db, FeeGroupVersion) == count(db, FeeTier) == 0


def test_fee_group_names_are_unique_in_the_organization(db, kita):
    catalogue.save_fee_group(db, kita.id, monthly_group())
    with pytest.raises(ValidationError, match="Name: Eine Beitragsgruppe „Ganztag 45 h“ gibt es schon."):
        catalogue.save_fee_group(db, kita.id, replace(monthly_group(), name=" Ganztag 45 h "))
    assert count(db, FeeGroup) == 1


def test_individual_and_wuerttemberg_groups(db, kita):
    individual = catalogue.save_fee_group(db, kita.id, m.FeeGroup(
        "Individuell", m.BillingMode.INDIVIDUAL, m.TierSource.CHOSEN, (m.FeeGroupVersion(valid("01.2026"), ()),)))
    wuerttemberg = catalogue.save_fee_group(db, kita.id, monthly_group("30 h", source=m.TierSource.WUERTTEMBERG))
    assert individual.group.versions[0].tiers == ()
    assert wuerttemberg.group.tier_source is m.TierSource.WUERTTEMBERG
    assert wuerttemberg.group.versions[0].tier(3).amount == eur("85.00")


def test_a_stale_fee_group_form_is_refused(db, kita):
    created = catalogue.save_fee_group(db, kita.id, monthly_group())
    catalogue.save_fee_group(db, kita.id, replace(created.group, name="Ganztag"), created.version)
    with pytest.raises(ConflictError, match="Die Beitragsgruppe wurde inzwischen von jemand anderem geändert"):
        catalogue.save_fee_group(db, kita.id, replace(created.group, name="Halbtag"), created.version)
    assert catalogue.get_fee_group(db, created.group.id).group.name == "Ganztag"


def test_a_version_of_another_entry_or_organization_is_not_found(db, kita):
    first = catalogue.save_fee_group(db, kita.id, monthly_group())
    second = catalogue.save_fee_group(db, kita.id, monthly_group("Halbtag"))
    foreign = replace(second.group, versions=first.group.versions)
    with pytest.raises(NotFoundError):
        catalogue.save_fee_group(db, kita.id, foreign, second.version)
    with pytest.raises(NotFoundError):
        catalogue.get_fee_group(db, 999)


# --- versions used by a posted run ----------------------------------------------------------------

@pytest.fixture
def billed_through_05_2026():
    """Pretend every version was billed through 05.2026 (the posting-detail check plugs in here)."""
    def check(session, kind, entry_id, versions):
        return {vid: min(Month(2026, 5), v.valid_to or Month(2026, 5)) for vid, v in versions
                if v.valid_from <= Month(2026, 5)}
    catalogue.set_posted_use_check(check)
    yield
    catalogue.set_posted_use_check(None)


def test_a_billed_version_cannot_be_changed_or_deleted(db, kita, billed_through_05_2026):
    created = catalogue.save_fee_group(db, kita.id, monthly_group())
    assert created.billed_through == {created.group.versions[0].id: Month(2026, 5)}
    version = created.group.versions[0]
    cheaper = replace(version, tiers=(m.Tier(1, "Stufe 1", eur("150.00")),) + version.tiers[1:])

    with pytest.raises(ValidationError) as exc:
        catalogue.save_fee_group(db, kita.id, replace(created.group, versions=(cheaper,)), created.version)
    assert messages(exc) == ["Versionen: Die Version ab 01.2026 ist bis 05.2026 abgerechnet und kann nicht mehr "
                             "geändert werden. Bitte eine neue Version ab 06.2026 anlegen."]

    with pytest.raises(ValidationError, match="ist bis 05.2026 abgerechnet und kann nicht gelöscht werden"):
        catalogue.save_fee_group(db, kita.id, replace(created.group, versions=(
            m.FeeGroupVersion(valid("01.2026"), version.tiers),)), created.version)

    too_early = m.FeeGroupVersion(valid("04.2026"), (m.Tier(1, "", eur("170.00")),))
    with pytest.raises(ValidationError) as exc:
        catalogue.save_fee_group(db, kita.id, replace(created.group, versions=(version, too_early)), created.version)
    assert messages(exc) == ["Gültig bis: Die Version ab 01.2026 ist bis 05.2026 abgerechnet; sie kann frühestens "
                             "mit 05.2026 enden."]

    with pytest.raises(ValidationError, match="Abrechnungsart: kann nicht mehr geändert werden"):
        catalogue.save_fee_group(db, kita.id, replace(created.group, mode=m.BillingMode.DAILY), created.version)

    assert catalogue.get_fee_group(db, created.group.id) == created  # nothing stored

    # a new version after the last billed month closes the billed one: allowed
    next_version = m.FeeGroupVersion(valid("06.2026"), (m.Tier(1, "", eur("170.00")),))
    saved = catalogue.save_fee_group(db, kita.id, replace(created.group, versions=(version, next_version)),
                                     created.version)
    assert [v.valid for v in saved.group.versions] == [valid("01.2026", "05.2026"), valid("06.2026")]


# --- discounts ------------------------------------------------------------------------------------

def test_discounts_of_every_kind_are_stored_exactly(db, kita):
    fixed = catalogue.save_discount(db, kita.id, m.Discount(
        "Härtefall", m.DiscountKind.FIXED, (m.DiscountVersion(valid("01.2026"), fixed=eur("20.00")),)))
    percent = catalogue.save_discount(db, kita.id, m.Discount(
        "Sozialermäßigung", m.DiscountKind.PERCENT, (m.DiscountVersion(valid("01.2026"), percent=Decimal("12.5")),)))
    ladder = catalogue.save_discount(db, kita.id, m.Discount(
        "Geschwister", m.DiscountKind.SIBLING_LADDER,
        (m.DiscountVersion(valid("01.2026"), ladder=(Decimal("25"), Decimal("50"), Decimal("100"))),)))

    assert fixed.discount.versions[0].fixed == eur("20.00")
    assert percent.discount.versions[0].percent == Decimal("12.5")
    assert ladder.discount.versions[0].ladder == (Decimal("25"), Decimal("50"), Decimal("100"))
    with db.session() as session:
        stored = session.execute(select(DiscountVersion.fixed_minor, DiscountVersion.percent_bp,
                                        DiscountVersion.ladder_2_bp, DiscountVersion.ladder_4_bp)
                                 .order_by(DiscountVersion.id)).all()
    assert [tuple(r) for r in stored] == [(2000, None, None, None), (None, 1250, None, None),
                                          (None, None, 2500, 10000)]
    rows = catalogue.list_discounts(db, kita.id, today=month("03.2026").first_day)
    assert [(r.name, r.mode_label, r.current) for r in rows] == [
        ("Geschwister", "Geschwisterstaffel", "25 % / 50 % / 100 %"), ("Härtefall", "fester Betrag", "20,00"),
        ("Sozialermäßigung", "Prozent", "12,5 %")]


@pytest.mark.parametrize("discount, text", [
    (m.Discount("Fest", m.DiscountKind.FIXED, (m.DiscountVersion(valid("01.2026")),)),
     "Betrag: Bitte den festen Betrag der Version ab 01.2026 eingeben."),
    (m.Discount("Fest", m.DiscountKind.FIXED, (m.DiscountVersion(valid("01.2026"), fixed=eur("0.00")),)),
     "Betrag: Der feste Betrag der Version ab 01.2026 muss grösser als 0 sein."),
    (m.Discount("Proz", m.DiscountKind.PERCENT, (m.DiscountVersion(valid("01.2026"), percent=Decimal("120")),)),
     "Prozent (Version ab 01.2026): Der Prozentsatz muss grösser als 0 und höchstens 100 sein."),
    (m.Discount("Proz", m.DiscountKind.PERCENT, (m.DiscountVersion(valid("01.2026"), percent=Decimal("12.345")),)),
     "Prozent (Version ab 01.2026): höchstens zwei Nachkommastellen erlaubt."),
    (m.Discount("Proz", m.DiscountKind.PERCENT, (m.DiscountVersion(valid("01.2026"), percent=12.5),)),
     "Prozent (Version ab 01.2026): Der Prozentsatz muss eine Dezimalzahl sein."),
    (m.Discount("Proz", m.DiscountKind.PERCENT, (m.DiscountVersion(valid("01.2026")),)),
     "Prozent (Version ab 01.2026): Bitte einen Prozentsatz eingeben."),
    (m.Discount("Geschw", m.DiscountKind.SIBLING_LADDER, (m.DiscountVersion(valid("01.2026")),)),
     "Geschwisterstaffel: Bitte mindestens den Prozentsatz für das 2. Kind eingeben (Version ab 01.2026)."),
    (m.Discount("Geschw", m.DiscountKind.SIBLING_LADDER, (m.DiscountVersion(valid("01.2026"), ladder=(
        Decimal("10"), Decimal("20"), Decimal("30"), Decimal("40"))),)),
     "Geschwisterstaffel: Prozentsätze für das 2., 3. und 4. (und jedes weitere) Kind, höchstens 3 "
     "(Version ab 01.2026)."),
    (m.Discount("Fest", m.DiscountKind.FIXED, (m.DiscountVersion(valid("01.2026"), fixed=eur("5.00"),
                                                                 percent=Decimal("5")),)),
     "Ermäßigung: Eine Ermäßigung der Art „fester Betrag“ hat keinen Wert der Art „Prozent“ (Version ab 01.2026)."),
])
def test_bad_discounts_are_refused(db, kita, discount, text):
    with pytest.raises(ValidationError) as exc:
        catalogue.save_discount(db, kita.id, discount)
    assert text in messages(exc)
    assert count(db, Discount) == count(db, DiscountVersion) == 0


# --- extra costs ----------------------------------------------------------------------------------

def test_extra_costs_with_versions_and_the_meal_flag(db, kita):
    meals = catalogue.save_extra_cost(db, kita.id, m.ExtraCost(
        "Mittagessen", m.BillingMode.PER_UNIT, True, (m.ExtraCostVersion(valid("01.2026"), eur("3.80")),)),
        code="ME")
    dto = catalogue.save_extra_cost(db, kita.id, replace(meals.extra_cost, versions=meals.extra_cost.versions + (
        m.ExtraCostVersion(valid("01.2027"), eur("4.10")),)), meals.version)
    assert [v.valid for v in dto.extra_cost.versions] == [valid("01.2026", "12.2026"), valid("01.2027")]
    assert dto.extra_cost.is_meal
    (row,) = catalogue.list_extra_costs(db, kita.id, today=month("02.2027").first_day)
    assert (row.name, row.code, row.mode_label, row.detail, row.versions, row.current) == (
        "Mittagessen", "ME", "Einzelbetrag (Anzahl)", "Mahlzeit", 2, "4,10")
    assert row.valid == valid("01.2026")


@pytest.mark.parametrize("cost, text", [
    (m.ExtraCost("Tage", m.BillingMode.DAILY, False, (m.ExtraCostVersion(valid("01.2026"), eur("1.00")),)),
     "Abrechnungsart: Zusatzkosten sind Monatsbetrag, Einzelbetrag (Anzahl) oder individuell."),
    (m.ExtraCost("Getränke", m.BillingMode.MONTHLY, False, (m.ExtraCostVersion(valid("01.2026"), None),)),
     "Betrag: Bitte einen Betrag eingeben (Version ab 01.2026)."),
    (m.ExtraCost("Getränke", m.BillingMode.MONTHLY, False, (m.ExtraCostVersion(valid("01.2026"), eur("-2.00")),)),
     "Betrag: darf nicht negativ sein (Version ab 01.2026)."),
    (m.ExtraCost("Ausflug", m.BillingMode.INDIVIDUAL, False, (m.ExtraCostVersion(valid("01.2026"), eur("2.00")),)),
     "Betrag: Individuelle Zusatzkosten haben keinen Betrag im Katalog; er wird je Kind erfasst "
     "(Version ab 01.2026)."),
])
def test_bad_extra_costs_are_refused(db, kita, cost, text):
    with pytest.raises(ValidationError) as exc:
        catalogue.save_extra_cost(db, kita.id, cost)
    assert text in messages(exc)
    assert count(db, ExtraCost) == 0


# --- the catalogue of a facility ------------------------------------------------------------------

def test_load_catalogue_and_a_facility_that_restricts_its_offer(db, kita):
    full_day = catalogue.save_fee_group(db, kita.id, monthly_group()).group
    half_day = catalogue.save_fee_group(db, kita.id, monthly_group("Halbtag")).group
    meals = catalogue.save_extra_cost(db, kita.id, m.ExtraCost(
        "Mittagessen", m.BillingMode.PER_UNIT, True, (m.ExtraCostVersion(valid("01.2026"), eur("3.80")),))).extra_cost
    hardship = catalogue.save_discount(db, kita.id, m.Discount(
        "Härtefall", m.DiscountKind.FIXED, (m.DiscountVersion(valid("01.2026"), fixed=eur("20.00")),))).discount

    everything = catalogue.load_catalogue(db, kita.id)
    assert everything.currency == "EUR"
    assert everything.fee_groups == {full_day.id: full_day, half_day.id: half_day}
    assert everything.extra_costs == {meals.id: meals} and everything.discounts == {hardship.id: hardship}

    facility.save_facility_offer(db, FacilityOfferDTO(kita.facility, fee_group_ids=frozenset({half_day.id})))
    restricted = catalogue.load_catalogue(db, kita.id, kita.facility)
    assert set(restricted.fee_groups) == {half_day.id}  # restricted kind
    assert set(restricted.extra_costs) == {meals.id} and set(restricted.discounts) == {hardship.id}  # all
    assert set(catalogue.load_catalogue(db, kita.id, kita.facility2).fee_groups) == {full_day.id, half_day.id}
    assert facility.get_facility_offer(db, kita.facility).fee_group_ids == {half_day.id}

    with pytest.raises(ValidationError, match="Ermäßigungen: Eintrag 999 gibt es im Katalog dieser Organisation nicht."):
        facility.save_facility_offer(db, FacilityOfferDTO(kita.facility, discount_ids=frozenset({999})))
    facility.save_facility_offer(db, FacilityOfferDTO(kita.facility))
    assert set(catalogue.load_catalogue(db, kita.id, kita.facility).fee_groups) == {full_day.id, half_day.id}
    offer_history = [(e.action, e.field, e.new_value) for e in audit_log.history(db, "unit", kita.facility)
                     if e.table_name == "facility_offer"]
    assert offer_history[0] == ("delete", "", None)
    assert set(offer_history[1:]) == {("insert", "facility_id", str(kita.facility)),
                                      ("insert", "fee_group_id", str(half_day.id))}


def test_fee_group_list(db, kita):
    catalogue.save_fee_group(db, kita.id, replace(monthly_group("Ganztag", source=m.TierSource.WUERTTEMBERG),
                                                  code="GT"))
    catalogue.save_fee_group(db, kita.id, m.FeeGroup("Betreuung je Tag", m.BillingMode.DAILY, m.TierSource.CHOSEN, (
        m.FeeGroupVersion(valid("01.2026", "06.2026"), (m.Tier(1, "", eur("12.40")),)),)))
    rows = catalogue.list_fee_groups(db, kita.id, today=month("07.2026").first_day)
    assert [(r.name, r.code, r.mode_label, r.detail, r.versions, r.current) for r in rows] == [
        ("Betreuung je Tag", "", "Monatstage", "Staffel wählbar", 1, ""),
        ("Ganztag", "GT", "Monatsbetrag", "Württemberger Modell", 1, "4 Staffeln")]
    assert rows[0].valid == valid("01.2026", "06.2026")
