"""Dunning runs on SQLite and PostgreSQL: proposal, exclusions, confirmation (fees, notices, history,
measures, references), idempotency, level progression to the hand-over, blocks, nothing half-stored."""
from __future__ import annotations

import io
from concurrent.futures import CancelledError
from dataclasses import replace
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from sollhaben.domain.errors import ConflictError, ValidationError
from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.master_data import Address, PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.dunning import Action
from sollhaben.persistence.models import Posting
from sollhaben.persistence.models.dunning import CollectionMeasure, DunningNotice, DunningNoticeItem, DunningRun
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import (blocks, dunning, dunning_handover, dunning_history, dunning_settings,
                                             measures)
from sollhaben.services.receivables.references import resolve_reference
from sollhaben.services.unit_of_work import read_only
from tests.conftest import make_org_input

RUN = date(2026, 11, 24)


def chf(text: str) -> Money:
    return Money.of(text, "CHF")


@pytest.fixture
def org(db):
    return organizations.create_organization(db, make_org_input("CH"))


def payer(db, org, last: str, first: str = "Anna", town: str = "Bern") -> object:
    person = persons.save_person(db, org.id, PersonInput(
        "NATURAL", last, first, "Frau", address=Address("Marktgasse", "3", "3011", town, "CH") if town else Address()),
        today=RUN)
    return ledger.open_account(db, org.id, person.id, module="kita")


def receivable(db, account, amount: str, due: date, text: str = "") -> int:
    return ledger.post(db, NewPosting(account.id, due.replace(day=1), "FEE_MONTH", chf(amount),
                                      text=text or f"Elternbeitrag {due:%m.%Y}", due_date=due))


def count(db, model) -> int:
    with read_only(db) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_confirm_posts_the_fee_once_and_records_history_measure_and_reference(db, org):
    gerber = payer(db, org, "Gerber")
    september = receivable(db, gerber, "450.00", date(2026, 9, 30))
    october = receivable(db, gerber, "450.00", date(2026, 11, 10))  # due 14 days ago: level 1 too
    shown = dunning.preview(db, org.id, RUN)
    [line] = shown.proposal.accounts
    assert [(l.item.id, l.level) for l in line.reminded] == [(september, 1), (october, 1)]
    assert line.fee_minor == 0  # level 1 of the CH default is free
    result = dunning.confirm(db, shown)
    assert (result.letters, result.handovers, result.repeated) == (1, 0, False)
    [notice] = dunning_history.account_history(db, gerber.id)
    assert (notice.level, notice.level_name, notice.amount, notice.payment_due) == (
        1, "Zahlungserinnerung", chf("900.00"), RUN + timedelta(days=10))
    assert [(h.level, h.open_amount) for h in dunning_history.item_history(db, september)] == [(1, chf("450.00"))]
    [measure] = measures.list_measures(db, gerber.id)
    assert (measure.kind, measure.ref_kind, measure.ref_id) == ("REMINDER", "dunning_notice", notice.id)
    with read_only(db) as session:
        resolved = resolve_reference(session, org.id, notice.reference)
    assert resolved.account_id == gerber.id and set(resolved.item_ids) == {september, october}
    # the same proposal confirmed again stores nothing; a new proposal the same day has no letter
    again = dunning.confirm(db, shown)
    assert again.repeated and again.run_id == result.run_id
    assert count(db, DunningRun) == 1 and count(db, DunningNotice) == 1
    assert dunning.preview(db, org.id, RUN).proposal.letters == ()


def test_levels_follow_the_history_up_to_the_hand_over(db, org):
    account = payer(db, org, "Keller")
    item = receivable(db, account, "300.00", date(2026, 6, 30))
    day = RUN
    for expected_level, fee in ((1, "0.00"), (2, "20.00"), (3, "30.00")):
        shown = dunning.preview(db, org.id, day)
        assert shown.proposal.accounts[0].letter_level == expected_level
        assert dunning.preview(db, org.id, day - timedelta(days=1)).proposal.letters == () or expected_level == 1
        dunning.confirm(db, shown)
        day += timedelta(days=14)
    with read_only(db) as session:
        fees = session.execute(select(Posting.amount_minor, Posting.category, Posting.source, Posting.due_date)
                                .where(Posting.category == "REMINDER_FEE").order_by(Posting.id)).all()
    assert [f[0] for f in fees] == [2000, 3000]
    assert all(f[1:3] == ("REMINDER_FEE", PostingSource.DUNNING.value) for f in fees)
    assert fees[0][3] == RUN + timedelta(days=14 + 10)
    # the last letter's deadline (10 days) has passed at day: hand-over, not a fourth letter
    shown = dunning.preview(db, org.id, day)
    [line] = shown.proposal.accounts
    assert [l.action for l in line.lines if l.item.id == item] == [Action.HANDOVER] and line.letter_level == 0
    result = dunning.confirm(db, shown)
    assert (result.letters, result.handovers) == (0, 1)
    assert [h.kind for h in dunning_history.item_history(db, item)] == ["LETTER", "LETTER", "LETTER", "HANDOVER"]
    assert [m.kind for m in measures.list_measures(db, account.id)][-1] == "HANDOVER"
    listing = PdfReader(io.BytesIO(dunning_handover.handover_pdf(db, result.run_id))).pages[0].extract_text()
    assert "Übergabeliste" in listing and "Übergabe an: Betreibung" in listing and "Keller" in listing
    assert "300.00" in listing and "Marktgasse 3, 3011 Bern" in listing
    with pytest.raises(ValidationError, match="nichts übergeben"):
        dunning_handover.handover_pdf(db, dunning.list_runs(db, org.id)[-1].run_id)
    assert all(l.item.id != item for a in dunning.preview(db, org.id, day + timedelta(days=60)).proposal.accounts
               for l in a.lines)


def test_fees_ride_along_in_the_next_letter(db, org):
    account = payer(db, org, "Frei")
    receivable(db, account, "300.00", date(2026, 8, 31))
    dunning.confirm(db, dunning.preview(db, org.id, date(2026, 10, 1)))
    dunning.confirm(db, dunning.preview(db, org.id, date(2026, 10, 15)))  # level 2 with fee 20.00, due 25.10.
    shown = dunning.preview(db, org.id, date(2026, 10, 29))
    [line] = shown.proposal.accounts
    assert [(l.item.category, l.level) for l in line.reminded] == [("FEE_MONTH", 3), ("REMINDER_FEE", 3)]
    assert line.amount_minor == 30_000 + 2_000 + 3_000


def test_blocks_exclusions_and_minimum_amount(db, org):
    blocked, partly, small, clerk = (payer(db, org, n) for n in ("Ammann", "Bucher", "Christen", "Dubach"))
    receivable(db, blocked, "100.00", date(2026, 9, 30))
    first = receivable(db, partly, "100.00", date(2026, 9, 30))
    second = receivable(db, partly, "80.00", date(2026, 10, 31))
    receivable(db, small, "9.95", date(2026, 9, 30))  # CH default minimum 10.00
    excluded = receivable(db, clerk, "60.00", date(2026, 9, 30))
    blocks.add_block(db, organization_id=org.id, account_id=blocked.id, reason="Klärung Sozialdienst",
                     valid_until=RUN)
    blocks.add_block(db, organization_id=org.id, account_id=partly.id, item_id=first, reason="bestritten")
    shown = dunning.preview(db, org.id, RUN).with_exclusions([], [excluded])
    lines = {a.account.id: a for a in shown.proposal.accounts}
    assert lines[blocked.id].reason == "Mahnsperre: Klärung Sozialdienst (bis 24.11.2026)"
    assert [(l.item.id, l.action) for l in lines[partly.id].lines] == [(first, Action.SKIP), (second, Action.REMIND)]
    assert "unter dem Mindestbetrag 10.00" in lines[small.id].reason
    assert lines[clerk.id].reason == "Alle Posten gesperrt oder ausgenommen"
    dunning.confirm(db, shown)
    assert [n.account_id for n in dunning_history.run_notices(db, dunning.list_runs(db, org.id)[0].run_id)] == [
        partly.id]
    # the account block ended with its date: the next day the account is reminded
    later = dunning.preview(db, org.id, RUN + timedelta(days=1))
    assert [a.account.id for a in later.proposal.letters] == [blocked.id, clerk.id]


def test_a_stale_or_cancelled_confirmation_stores_nothing(db, org):
    account = payer(db, org, "Egger")
    item = receivable(db, account, "200.00", date(2026, 9, 30))
    receivable(db, account, "100.00", date(2026, 8, 31))
    dunning.confirm(db, dunning.preview(db, org.id, date(2026, 10, 15)))
    shown = dunning.preview(db, org.id, RUN)  # level 2 with a fee for both
    ledger.book_payment(db, account.id, RUN, chf("50.00"), designation=[item])  # a payment comes in between
    before = (count(db, DunningRun), count(db, Posting), count(db, CollectionMeasure))
    with pytest.raises(ValidationError, match="neu berechnen"):
        dunning.confirm(db, shown)
    fresh = dunning.preview(db, org.id, RUN)
    calls = []
    with pytest.raises(CancelledError):
        dunning.confirm(db, fresh, cancelled=lambda: calls.append(1) or len(calls) > 0)
    assert (count(db, DunningRun), count(db, Posting), count(db, CollectionMeasure)) == before
    assert count(db, DunningNoticeItem) == 2


def test_accounts_without_postal_address_are_not_proposed(db, org):
    account = payer(db, org, "Ohneort", town="")
    receivable(db, account, "100.00", date(2026, 9, 30))
    [line] = dunning.preview(db, org.id, RUN).proposal.accounts
    assert line.letter_level == 0 and "Postadresse" in line.reason


def test_policy_is_saved_validated_and_versioned(db, org):
    loaded = dunning_settings.load_policy(db, org.id)
    assert loaded.version is None and loaded.policy.levels[0].name == "Zahlungserinnerung"
    policy = replace(loaded.policy, minimum_minor=5000)
    saved = dunning_settings.save_policy(db, org.id, policy)
    assert saved.policy.minimum_minor == 5000 and saved.version is not None
    bad = replace(policy, levels=(replace(policy.levels[0], text="Zahlen Sie {summe}"),))
    with pytest.raises(ValidationError, match=r"Stufe 1, Brieftext: Den Platzhalter \{summe\}"):
        dunning_settings.save_policy(db, org.id, bad, saved.version)
    dunning_settings.save_policy(db, org.id, replace(policy, levels=policy.levels[:2]), saved.version)
    with pytest.raises(ConflictError):
        dunning_settings.save_policy(db, org.id, policy, saved.version)
    assert len(dunning_settings.load_policy(db, org.id).policy.levels) == 2


def test_enforcement_sub_accounts_are_not_dunned(db, org):
    main = payer(db, org, "Amsler")
    case = ledger.open_account(db, org.id, main.holder_id, key="enforcement:1", parent_id=main.id)
    receivable(db, case, "800.00", date(2026, 6, 30))
    assert dunning.preview(db, org.id, RUN).proposal.accounts == ()


def test_an_error_while_storing_leaves_nothing_half_stored(db, org):
    from sollhaben.services.receivables.dunning_text import default_iban, reference_for
    from sollhaben.services.receivables.references import register_issued_reference
    from sollhaben.services.unit_of_work import unit_of_work

    policy = dunning_settings.load_policy(db, org.id).policy
    dunning_settings.save_policy(db, org.id, replace(policy, levels=(replace(policy.levels[0], fee_minor=500),
                                                                     *policy.levels[1:])))
    first, other = payer(db, org, "Aebi"), payer(db, org, "Zaugg")
    receivable(db, first, "300.00", date(2026, 9, 30))
    shown = dunning.preview(db, org.id, RUN)
    assert shown.proposal.fees_minor == 500  # the fee is posted before the references are registered
    with unit_of_work(db) as session:  # the reference the first letter will get, taken by another account
        taken = reference_for(default_iban(session, org.id), first.id, 1)
        register_issued_reference(session, organization_id=org.id, account_id=other.id, reference=taken,
                                  kind="STATEMENT")
    before = (count(db, Posting), count(db, CollectionMeasure))
    with pytest.raises(ValidationError, match="anderes Konto"):
        dunning.confirm(db, shown)
    assert (count(db, DunningRun), count(db, DunningNotice), count(db, DunningNoticeItem)) == (0, 0, 0)
    assert (count(db, Posting), count(db, CollectionMeasure)) == before
