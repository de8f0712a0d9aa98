"""A child's billing periods on SQLite and PostgreSQL: saving with the domain validation (nothing
stored when refused), closing the previous period, optimistic locking, the lock option, deleting,
the audit log, and the catalogue's default "billed version" check."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from sollhaben.domain.errors import ConflictError, NotFoundError, ValidationError
from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import PersonInput
from sollhaben.persistence.models import AuditEntry, BillingPeriod, ExtraLine
from sollhaben.services import audit_log, households
from sollhaben.services.kita import billing_data, catalogue, children, facility
from sollhaben.services.unit_of_work import read_only
from tests.integration.kita.conftest import (
    TODAY,
    count,
    eur,
    first_period,
    month,
    new_person,
    set_billed_through,
    stored_rows,
    valid,
)


def test_the_first_period_starts_in_the_month_of_the_first_care_day(db, kita, setup):
    blank = billing_data.new_period(db, setup.child)
    assert (blank.valid, blank.fee_lines, blank.id) == (valid("03.2026"), (), None)


def test_a_period_is_stored_normalized_and_read_back(db, kita, setup):
    saved = billing_data.save_period(db, first_period(setup))
    period = saved.period
    assert period.id is not None and period.version == 1 and saved.locked_through is None
    assert period.fee_lines[0].payers == (m.PayerShare(setup.mother, eur("100.00")),
                                          m.PayerShare(setup.father, None, True))
    assert period.extra_lines[0].payers == (m.PayerShare(setup.mother, None, True),)  # single payer: the remainder
    assert billing_data.get_period(db, period.id) == saved
    (row,) = billing_data.list_periods(db, setup.child)
    assert (row.id, row.valid, row.fee_lines, row.extra_lines, row.billed_through, row.locked) == (
        period.id, valid("03.2026"), 1, 1, None, False)
    assert stored_rows(db) == (1, 1, 0, 1, 3)


def test_the_worked_daily_example_with_a_share_per_day(db, kita, setup):
    daily = first_period(setup, fee_lines=(m.FeeLine(setup.daily, tier=1, payers=(
        m.PayerShare(setup.mother, eur("5.00")), m.PayerShare(setup.father, takes_remainder=True))),))
    saved = billing_data.save_period(db, daily)
    assert saved.period.fee_lines[0].payers[0].share == eur("5.00")
    too_much = replace(daily, fee_lines=(m.FeeLine(setup.daily, tier=1, payers=(
        m.PayerShare(setup.mother, eur("13.00")),)),), id=saved.period.id, version=saved.period.version)
    with pytest.raises(ValidationError, match="übersteigen den Betrag"):
        billing_data.save_period(db, too_much)


def test_a_new_period_closes_the_previous_one_and_copies_its_lines(db, kita, setup):
    first = billing_data.save_period(db, first_period(setup)).period
    draft = billing_data.new_period(db, setup.child)
    assert draft.valid == valid("04.2026") and draft.fee_lines == first.fee_lines and draft.id is None
    second = billing_data.save_period(db, replace(draft, valid=valid("08.2026"), fee_lines=(
        replace(first.fee_lines[0], tier=3, payers=(m.PayerShare(setup.father),)),))).period

    periods = billing_data.list_periods(db, setup.child)
    assert [p.valid for p in periods] == [valid("03.2026", "07.2026"), valid("08.2026")]
    assert periods[0].version == first.version + 1  # closing is a change of the previous period
    assert second.fee_lines[0].tier == 3
    history = {(e.table_name, e.field, e.old_value, e.new_value) for e in audit_log.history(db, "child", setup.child)}
    assert ("billing_period", "valid_to", None, "07.2026") in history
    assert ("fee_line", "tier", None, "3") in history
    assert ("line_payer", "share_minor", None, "10000") in history


def test_an_edited_period_keeps_line_rows_in_place_and_audits_old_and_new(db, kita, setup):
    saved = billing_data.save_period(db, first_period(setup)).period
    line_ids = set(billing_data.quick_entry_rows(db, kita.facility, month("03.2026")).rows[0].cells.values())
    edited = replace(saved, fee_lines=(replace(saved.fee_lines[0], tier=1, discount_ids=(setup.fixed,)),))
    result = billing_data.save_period(db, edited).period
    assert result.version == saved.version + 1 and result.fee_lines[0].discount_ids == (setup.fixed,)
    assert set(billing_data.quick_entry_rows(db, kita.facility, month("03.2026")).rows[0].cells.values()) == line_ids
    changes = {(e.action, e.table_name, e.field, e.old_value, e.new_value)
               for e in audit_log.history(db, "child", setup.child)}
    assert ("update", "fee_line", "tier", "2", "1") in changes
    assert ("insert", "fee_line_discount", "discount_id", None, str(setup.fixed)) in changes

    removed = billing_data.save_period(db, replace(result, extra_lines=()))
    assert removed.period.extra_lines == () and count(db, ExtraLine) == 0
    assert ("delete", "extra_line") in {(e.action, e.table_name) for e in audit_log.history(db, "child", setup.child)}


def test_a_stale_period_form_is_refused(db, kita, setup):
    saved = billing_data.save_period(db, first_period(setup)).period
    billing_data.save_period(db, replace(saved, siblings_manual=1))
    with pytest.raises(ConflictError, match="Die Abrechnungsdaten wurde inzwischen von jemand anderem geändert"):
        billing_data.save_period(db, replace(saved, siblings_manual=2))
    assert billing_data.get_period(db, saved.id).period.siblings_manual == 1


@pytest.mark.parametrize("change, field, text", [
    (lambda s, p: replace(p, fee_lines=(replace(p.fee_lines[0], payers=(m.PayerShare(s.mother, eur("100.00")),)),)),
     "fee_lines[0].payers[0].share",
     "Beitrag, Zeile 1 („Ganztag 45 h“) – Zahler 1, Anteil: Die Anteile (100,00 EUR) ergeben nicht den Betrag "
     "(126,00 EUR); es fehlen 26,00 EUR. Bitte die Anteile anpassen oder einen Zahler den Restbeitrag übernehmen "
     "lassen."),
    (lambda s, p: replace(p, fee_lines=(replace(p.fee_lines[0], tier=7),)), "fee_lines[0].tier",
     "Beitrag, Zeile 1 („Ganztag 45 h“) – Staffel: Staffel 7 gibt es in der Version ab 01.2026 nicht"),
    (lambda s, p: replace(p, fee_lines=(replace(p.fee_lines[0], discount_ids=(s.hardship,)),)),
     "fee_lines[0].discount_ids[0]", "Beitrag, Zeile 1 („Ganztag 45 h“): Die Ermäßigungen (200,00 EUR) übersteigen "
                                     "den Beitrag (126,00 EUR) um 74,00 EUR; der Betrag darf nicht negativ werden."),
    (lambda s, p: replace(p, valid=valid("02.2026")), "valid_from",
     "Gültig ab: 02.2026 liegt vor dem Vertragsbeginn (14.03.2026); Abrechnungsdaten gelten frühestens ab dem Monat "
     "des ersten Betreuungstags."),
    (lambda s, p: replace(p, extra_lines=(replace(p.extra_lines[0], payers=(m.PayerShare(999),)),)),
     "extra_lines[0].payers[0].payer_id",
     "Zusatzkosten, Zeile 1 („Mittagessen“) – Zahler 1: steht nicht in der Zahlerliste des Kindes."),
    (lambda s, p: replace(p, fee_lines=p.fee_lines * 11), "fee_lines",
     "Beitrag: höchstens 10 Beitragsgruppen je Zeitraum (eingegeben: 11)."),
])
def test_bad_billing_data_is_refused_with_a_german_message_and_nothing_is_stored(db, kita, setup, change, field,
                                                                                 text):
    audit_before = count(db, AuditEntry)
    with pytest.raises(ValidationError) as exc:
        billing_data.save_period(db, change(setup, first_period(setup)))
    found = {e.field: e.message for e in exc.value.errors}
    assert field in found and text in found[field], found
    assert stored_rows(db) == (0, 0, 0, 0, 0)
    assert count(db, AuditEntry) == audit_before


def test_overlapping_periods_are_refused(db, kita, setup):
    first = billing_data.save_period(db, first_period(setup, valid=valid("03.2026", "07.2026"))).period
    billing_data.save_period(db, first_period(setup, valid=valid("08.2026", "12.2026")))
    before = stored_rows(db)
    with pytest.raises(ValidationError, match="überschneidet sich mit dem Zeitraum 08.2026 – 12.2026"):
        billing_data.save_period(db, replace(first, valid=valid("03.2026", "09.2026")))
    with pytest.raises(ValidationError, match="Zeiträume dürfen sich nicht überlappen"):
        billing_data.save_period(db, first_period(setup, valid=valid("06.2026", "06.2026")))
    assert stored_rows(db) == before


def test_a_child_without_a_contract_has_no_billing_data(db, kita, setup):
    other = children.create_child(db, kita.id, PersonInput("NATURAL", "Keller", "Noah", birth_date=date(2021, 1, 9)),
                                  today=TODAY)
    with pytest.raises(ValidationError, match="Gültig ab: Das Kind hat noch keinen Vertrag mit erstem Betreuungstag"):
        billing_data.save_period(db, replace(first_period(setup), child_id=other.id, fee_lines=(), extra_lines=()))
    with pytest.raises(NotFoundError):
        billing_data.save_period(db, replace(first_period(setup), child_id=999))


def test_wuerttemberg_tier_comes_from_the_household_when_the_period_is_saved(db, kita, setup):
    child = children.get_child(db, setup.child)
    home, _ = households.add_to_new_household(db, kita.id, "Familie Gerber", setup.mother, date(2019, 1, 1))
    sister = new_person(db, kita.id, "Gerber", "Lea", date(2019, 4, 2))
    households.add_member(db, home, sister, date(2019, 4, 2))
    households.add_member(db, home, child.person_id, date(2022, 5, 3))
    period = first_period(setup, fee_lines=(m.FeeLine(setup.wuerttemberg, payers=(
        m.PayerShare(setup.mother, eur("126.00")),)),))
    saved = billing_data.save_period(db, period)  # two children under 18: tier 2 = 126.00
    assert saved.period.fee_lines[0].tier is None  # automatic tiers are not stored
    with pytest.raises(ValidationError, match=r"Die Anteile \(130,00 EUR\) übersteigen den Betrag \(126,00 EUR\)"):
        billing_data.save_period(db, replace(saved.period, fee_lines=(m.FeeLine(setup.wuerttemberg, payers=(
            m.PayerShare(setup.mother, eur("130.00")),)),)))


# --- billed periods -------------------------------------------------------------------------------

def test_with_the_lock_option_a_billed_period_is_read_only(db, kita, setup):
    saved = billing_data.save_period(db, first_period(setup)).period
    set_billed_through(db, saved.id, month("04.2026"))
    settings = facility.get_facility_settings(db, kita.facility)
    facility.save_facility_settings(db, replace(settings, lock_billed=True))

    dto = billing_data.get_period(db, saved.id)
    assert dto.locked_through == month("04.2026")
    assert dto.lock_message == ("Die Abrechnungsdaten sind bis 04.2026 abgerechnet und gesperrt (Option "
                                "„Abrechnungsdaten nach Sollstellung sperren“). Bitte einen neuen Zeitraum ab 05.2026 "
                                "anlegen.")
    assert billing_data.list_periods(db, setup.child)[0].locked
    period = dto.period
    before = stored_rows(db)
    with pytest.raises(ValidationError, match="gesperrt"):
        billing_data.save_period(db, replace(period, fee_lines=(replace(period.fee_lines[0], tier=1),)))
    with pytest.raises(ValidationError, match="Bitte einen neuen Zeitraum ab 05.2026 anlegen"):
        billing_data.save_period(db, replace(first_period(setup), valid=valid("04.2026")))
    assert stored_rows(db) == before
    # the next run's count stays editable, and a new period from 05.2026 closes the billed one
    counted = billing_data.save_period(db, replace(period, extra_lines=(replace(period.extra_lines[0], count=3),)))
    assert counted.period.extra_lines[0].count == 3
    assert billing_data.new_period(db, setup.child).valid == valid("05.2026")
    billing_data.save_period(db, replace(first_period(setup), valid=valid("05.2026")))
    assert [p.valid for p in billing_data.list_periods(db, setup.child)] == [valid("03.2026", "04.2026"),
                                                                             valid("05.2026")]


def test_without_the_lock_option_billed_months_can_be_edited(db, kita, setup):
    saved = billing_data.save_period(db, first_period(setup)).period
    set_billed_through(db, saved.id, month("04.2026"))
    period = billing_data.get_period(db, saved.id).period
    edited = billing_data.save_period(db, replace(period, fee_lines=(replace(period.fee_lines[0], tier=1),)))
    assert edited.locked_through is None and edited.period.billed_through == month("04.2026")


def test_only_a_period_without_billed_months_can_be_deleted(db, kita, setup):
    first = billing_data.save_period(db, first_period(setup, valid=valid("03.2026", "07.2026"))).period
    second = billing_data.save_period(db, first_period(setup, valid=valid("08.2026"))).period
    billing_data.delete_period(db, second.id, second.version)
    assert stored_rows(db) == (1, 1, 0, 1, 3)
    assert ("delete", "line_payer") in {(e.action, e.table_name) for e in audit_log.history(db, "child", setup.child)}

    set_billed_through(db, first.id, month("03.2026"))
    with pytest.raises(ValidationError, match="Zeitraum 03.2026 – 07.2026: ist bis 03.2026 abgerechnet und kann "
                                              "nicht gelöscht werden."):
        billing_data.delete_period(db, first.id, None)
    with pytest.raises(ConflictError):
        billing_data.delete_period(db, first.id, first.version)
    assert stored_rows(db) == (1, 1, 0, 1, 3)


def test_a_payer_named_in_the_billing_data_stays_on_the_payer_list(db, kita, setup):
    billing_data.save_period(db, first_period(setup))
    child = children.get_child(db, setup.child)
    with pytest.raises(ValidationError, match="Zahler: „Reto Gerber“ ist in den Abrechnungsdaten ab 03.2026 "
                                              "eingetragen und kann nicht von der Liste genommen werden."):
        children.save_payers(db, setup.child, child.version, [setup.mother])
    assert [p.person_id for p in children.save_payers(db, setup.child, child.version, [setup.mother, setup.father])
            .payers] == [setup.mother, setup.father]


def test_catalogue_versions_used_by_billed_periods_are_found(db, kita, setup):
    period = billing_data.save_period(db, first_period(setup)).period
    group = catalogue.get_fee_group(db, setup.monthly)
    assert group.billed_through == {}
    set_billed_through(db, period.id, month("05.2026"))
    group = catalogue.get_fee_group(db, setup.monthly)
    assert group.billed_through == {group.group.versions[0].id: month("05.2026")}
    assert catalogue.get_extra_cost(db, setup.meals).billed_through != {}
    assert catalogue.get_discount(db, setup.hardship).billed_through == {}  # named by no line
    with pytest.raises(ValidationError, match="ist bis 05.2026 abgerechnet und kann nicht mehr geändert werden"):
        version = group.group.versions[0]
        catalogue.save_fee_group(db, kita.id, replace(group.group, versions=(
            replace(version, tiers=(m.Tier(1, "", eur("1.00")),)),)), group.version)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(BillingPeriod)) == 1


def test_a_facilitys_periods_in_bulk_and_manual_siblings(db, kita, setup):
    sister = children.create_child(db, kita.id, PersonInput("NATURAL", "Gerber", "Lea", birth_date=date(2020, 1, 1)),
                                   today=TODAY)
    first = billing_data.save_period(db, first_period(setup, valid=valid("03.2026", "07.2026"),
                                                      extra_siblings=(sister.id,))).period
    second = billing_data.save_period(db, first_period(setup, valid=valid("08.2026"))).period
    assert first.extra_siblings == (sister.id,)
    with read_only(db) as session:
        periods = billing_data.facility_periods(session, kita.facility, "EUR")
        assert billing_data.facility_periods(session, kita.facility2, "EUR") == {}
    assert periods == {setup.child: [first, second]}

    with pytest.raises(ValidationError) as exc:
        billing_data.save_period(db, replace(second, extra_siblings=(setup.child, 999, sister.id, sister.id)))
    assert [(e.field, e.message) for e in exc.value.errors] == [
        ("extra_siblings[0]", "Geschwister (manuell): Das Kind kann nicht sein eigenes Geschwister sein."),
        ("extra_siblings[1]", "Geschwister (manuell): Kind 999 gibt es in dieser Organisation nicht."),
        ("extra_siblings[3]", "Geschwister (manuell): Das Kind ist doppelt eingetragen.")]
