"""Demo data on SQLite and PostgreSQL: content, validity, determinism, all-or-nothing, extension."""
from __future__ import annotations

import re
import shutil
from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import func, select

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.ledger import check_account_invariant
from sollhaben.domain.references import is_qr_iban, is_valid_iban
from sollhaben.persistence.database import open_database
from sollhaben.persistence.models import (
    Allocation,
    AuditEntry,
    HouseholdMembership,
    Organization,
    Person,
    PersonBankAccount,
    PersonRole,
    Posting,
)
from sollhaben.services import demo, import_export, ledger, organizations
from sollhaben.services.demo_data import make_iban

SIZE = 60


@pytest.fixture
def fresh_sqlite(tmp_path, sqlite_template):
    path = tmp_path / "fresh.sqlite"
    shutil.copy(sqlite_template, path)
    database = open_database(f"sqlite:///{path}", user="demo")
    yield database
    database.dispose()


def count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_demo_creates_both_organizations_with_valid_master_data(db):
    summary = demo.load_demo(db, size=SIZE)

    orgs = {o.name: o for o in organizations.list_organizations(db)}
    assert set(orgs) == {demo.KITA_NAME, demo.SOCIAL_NAME} == set(summary.organization_names)
    kita, social = orgs[demo.KITA_NAME], orgs[demo.SOCIAL_NAME]
    assert summary.organization_id == kita.id
    assert (kita.legal_country, kita.currency, kita.address.town, kita.sepa_creditor_id) == (
        "DE", "EUR", "Stuttgart", "DE98ZZZ09999999999")
    assert (social.legal_country, social.currency, social.address.town) == ("CH", "CHF", "Bern")
    assert [b.iban for b in social.bank_accounts if is_qr_iban(b.iban)] == ["CH4431999123000889012"]
    assert any(not is_qr_iban(b.iban) for b in social.bank_accounts)
    assert [(u.kind, u.name) for u in organizations.list_units(db, kita.id)] == [
        ("FACILITY", "Kinderhaus Am Park"), ("FACILITY", "Kita Regenbogen"), ("FACILITY", "Kita Sonnenschein")]
    social_units = organizations.list_units(db, social.id)
    assert {"Gemeinde Muri bei Bern", "Gemeinde Belp"} <= {u.name for u in social_units if u.kind == "MUNICIPALITY"}
    assert any(u.kind == "OFFICE" for u in social_units)

    with db.session() as session:
        people = session.execute(select(Person.organization_id, Person.kind, Person.last_name, Person.postal_code,
                                        Person.country, Person.birth_date)).all()
        ibans = session.scalars(select(PersonBankAccount.iban)).all()
        roles = set(session.execute(select(Person.organization_id, PersonRole.module, PersonRole.role)
                                    .join(Person, Person.id == PersonRole.person_id)).all())
        memberships = session.execute(select(HouseholdMembership.person_id, HouseholdMembership.valid_from,
                                             HouseholdMembership.valid_to)).all()
    per_org = defaultdict(int)
    for org_id, kind, last, postal_code, country, birth in people:
        per_org[org_id] += 1
        assert re.fullmatch(r"\d{5}" if country == "DE" else r"\d{4}", postal_code)
        assert (birth is None) == (kind == "INSTITUTION") and (birth is None or birth <= demo.REFERENCE_DATE)
    assert all(SIZE <= n <= SIZE + 10 for n in per_org.values())
    assert {"Jugendamt Stuttgart", "Sozialamt Stuttgart"} <= {p[2] for p in people if p[1] == "INSTITUTION"}
    assert ibans and all(is_valid_iban(iban) for iban in ibans)
    assert {(kita.id, "kita", "guardian"), (kita.id, "kita", "payer"), (social.id, "alimony", "debtor"),
            (social.id, "alimony", "creditor"), (social.id, "alimony", "beneficiary")} <= roles
    periods = defaultdict(list)
    for person_id, start, end in memberships:
        periods[person_id].append((start, end or date.max))
    for spans in periods.values():  # one household at a time
        spans.sort()
        assert all(a_end < b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))
    assert any(end != date.max for spans in periods.values() for _, end in spans)


def test_demo_ledger_has_receivables_payments_and_a_reversal(db):
    summary = demo.load_demo(db, size=SIZE)
    kita_id, social_id = summary.organization_ids
    assert any(balance.minor > 0 for _, balance in ledger.list_accounts(db, kita_id))  # open Kita fees
    accounts = ledger.list_accounts(db, social_id)
    assert accounts and any(balance.minor > 0 for _, balance in accounts)
    with db.session() as session:
        postings = session.execute(select(Posting.id, Posting.amount_minor, Posting.source, Posting.reverses_id)).all()
        allocations = session.execute(select(Allocation.credit_id, Allocation.item_id, Allocation.amount_minor)).all()
    assert {"PAYMENT", "REVERSAL", "BILLING_RUN"} <= {p.source for p in postings}
    # the social service's statement shows a reversal; the Kita ledger corrects by recalculation instead
    assert sum(1 for p in postings if p.reverses_id is not None) == 1
    assert check_account_invariant({p.id: p.amount_minor for p in postings}, [tuple(a) for a in allocations]) == []
    reversed_account = next(a for a, _ in accounts if any(
        line.posting.reverses_id for line in ledger.statement(db, a.id).lines))
    statement = ledger.statement(db, reversed_account.id)
    assert statement.open_items and statement.closing_balance.minor == sum(
        p.open_amount.minor for p in statement.open_items) - statement.unallocated_credit.minor


def test_same_size_gives_the_same_data(db, fresh_sqlite):
    first = demo.load_demo(db, size=SIZE)
    second = demo.load_demo(fresh_sqlite, size=SIZE)
    assert first.counts == second.counts
    for one, two in zip(first.organization_ids, second.organization_ids):
        assert import_export.export_organization(db, one) == import_export.export_organization(fresh_sqlite, two)


def test_demo_export_passes_the_import_validation(db, fresh_sqlite):
    summary = demo.load_demo(db, size=SIZE)
    for org_id in summary.organization_ids:
        data = import_export.export_organization(db, org_id)
        result = import_export.import_organization(fresh_sqlite, data)
        assert import_export.export_organization(fresh_sqlite, result.organization_id) == data


def test_refuses_to_load_twice(db):
    demo.load_demo(db, size=10)
    persons = count(db, Person)
    with pytest.raises(ValidationError, match="bereits geladen"):
        demo.load_demo(db, size=10)
    assert count(db, Person) == persons and count(db, Organization) == 2
    with pytest.raises(ValidationError, match="mindestens 1"):
        demo.load_demo(db, size=0)


def test_progress_reaches_the_total(db):
    seen = []
    demo.load_demo(db, size=30, progress=lambda done, total, text: seen.append((done, total, text)))
    assert seen[-1][0] == seen[-1][1] and [s[0] for s in seen] == sorted(s[0] for s in seen)
    assert any("Personen" in s[2] for s in seen) and any("Debitorenkonten" in s[2] for s in seen)


@pytest.mark.parametrize("checks_before_cancel", [1, 8, 30])
def test_cancel_rolls_everything_back(db, checks_before_cancel):
    calls = []

    def cancelled() -> bool:  # true after a number of checks: in the organizations, the bulk part, the ledger
        calls.append(1)
        return len(calls) > checks_before_cancel

    with pytest.raises(demo.DemoCancelled, match="nichts angelegt"):
        demo.load_demo(db, size=SIZE, cancelled=cancelled)
    assert [count(db, m) for m in (Organization, Person, AuditEntry, HouseholdMembership, Posting)] == [0] * 5


def test_modules_can_register_demo_parts(db, monkeypatch):
    demo.demo_parts()
    monkeypatch.setattr(demo, "_PARTS", list(demo._PARTS))
    seen = {}

    def kita_children(ctx: demo.DemoContext) -> None:
        seen["children"] = sum(len(f.children) for f in ctx.families["kita"])
        seen["facilities"] = [u.name for u in ctx.units["kita"]]
        seen["same"] = ctx.rng("x").random() == ctx.rng("x").random()

    demo.register_demo_part("Kinder", kita_children, after="Personen und Haushalte")
    assert [p.name for p in demo.demo_parts()].index("Kinder") == 2
    demo.load_demo(db, size=20)
    assert seen["children"] > 0 and len(seen["facilities"]) == 3 and seen["same"]

    def broken(ctx: demo.DemoContext) -> None:
        raise RuntimeError("kaputt")

    demo.register_demo_part("Kinder", broken)  # replaces the part of the same name
    with db.engine.begin() as connection:
        connection.execute(Organization.__table__.update().values(name=Organization.name + " alt"))
    before = count(db, Person)
    with pytest.raises(RuntimeError, match="kaputt"):
        demo.load_demo(db, size=20)
    assert count(db, Person) == before and count(db, Organization) == 2


def test_make_iban_computes_check_digits():
    assert make_iban("DE", "370400440532013000") == "DE89370400440532013000"
    assert make_iban("CH", "00762011623852957") == "CH9300762011623852957"
