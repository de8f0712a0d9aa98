"""The open-item list at a key date on SQLite and PostgreSQL: ageing buckets at their boundaries
per account and in total, the filters, the collections per month, the CSV and XLSX content, and
the SQL of the list agreeing with the statement's rule over random histories."""
from __future__ import annotations

import io
import random
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.persistence.models import Allocation
from sollhaben.reports.table_xlsx import render_table_xlsx
from sollhaben.services import ledger
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables.open_items import OpenItemsFilter, collections_per_month, open_item_list
from sollhaben.services.receivables.open_items_export import (ageing_section, collections_section, items_section,
                                                              list_report, section_csv)
from sollhaben.services.receivables.open_items_rules import BUCKETS
from sollhaben.services.receivables.statement import load_statement
from sollhaben.services.unit_of_work import read_only
from tests.integration.receivables.test_statement import payer

KEY = date(2026, 11, 25)


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


def item(db, account, days: int, amount: str, category: str = "KITA_FEE", text: str = "") -> int:
    """A receivable due `days` days before the key date (booked ten days before it is due)."""
    due = KEY - timedelta(days=days)
    return ledger.post(db, NewPosting(account.id, min(due, KEY) - timedelta(days=10), category, eur(amount),
                                      text or f"{days} Tage", value_month=Month.of(due), due_date=due))


@pytest.fixture
def aged(db):
    org, anna = payer(db, "DE", "Keller", "Anna")
    _org, bernd = payer(db, "DE", "Abt", "Bernd")
    ids = {days: item(db, anna, days, f"{days + 1}.00") for days in (0, 30, 31, 60, 61, 90, 91)}
    ids["future"] = item(db, anna, -5, "7.00")
    ids["fee"] = item(db, bernd, 45, "5.00", "REMINDER_FEE", "Mahngebühr")
    ids["bernd"] = item(db, bernd, 10, "100.00")
    ledger.book_payment(db, bernd.id, KEY - timedelta(days=1), eur("30.00"))  # fee 5, then 25 of the 100
    return db, org, anna, bernd, ids


def minor(amounts) -> list[int]:
    return [a.minor for a in amounts]


def test_ageing_buckets_at_their_boundaries(aged):
    db, org, anna, bernd, ids = aged
    result = open_item_list(db, org.id, OpenItemsFilter(KEY))
    assert [a.holder_name for a in result.ageing] == ["Abt, Bernd", "Keller, Anna"]
    abt, keller = result.ageing
    assert dict(zip(BUCKETS, minor(keller.buckets))) == {
        "NOT_DUE": 700, "0-30": 100 + 3100, "31-60": 3200 + 6100, "61-90": 6200 + 9100, "90+": 9200}
    assert keller.open_total.minor == keller.balance.minor == 700 + 100 + 3100 + 3200 + 6100 + 6200 + 9100 + 9200
    assert dict(zip(BUCKETS, minor(abt.buckets))) == {"NOT_DUE": 0, "0-30": 7500, "31-60": 0, "61-90": 0, "90+": 0}
    assert abt.balance.minor == 7500 and abt.credit.minor == 0
    assert minor(result.total.buckets) == [sum(x) for x in zip(minor(abt.buckets), minor(keller.buckets))]
    by_id = {r.item_id: r for r in result.items}
    assert [by_id[ids[d]].days_overdue for d in (0, 30, 31, 60, 61, 90, 91)] == [0, 30, 31, 60, 61, 90, 91]
    assert by_id[ids["future"]].bucket == "NOT_DUE" and ids["fee"] not in by_id


def test_filters_category_overdue_and_minimum(aged):
    db, org, anna, bernd, ids = aged
    overdue = open_item_list(db, org.id, OpenItemsFilter(KEY, overdue_only=True))
    assert ids[0] not in {r.item_id for r in overdue.items} and ids["future"] not in {r.item_id for r in overdue.items}
    assert all(r.days_overdue >= 1 for r in overdue.items)
    fees = open_item_list(db, org.id, OpenItemsFilter(KEY, categories=("REMINDER_FEE",)))
    assert fees.items == () and fees.ageing == ()  # Bernd's fee is paid
    assert "REMINDER_FEE" in fees.categories and "KITA_FEE" in fees.categories
    minimum = open_item_list(db, org.id, OpenItemsFilter(KEY, minimum=eur("75.01")))
    assert [a.holder_name for a in minimum.ageing] == ["Keller, Anna"]
    assert open_item_list(db, org.id, OpenItemsFilter(KEY, minimum=eur("75.00"))).ageing[0].holder_name == "Abt, Bernd"
    with pytest.raises(ValidationError) as error:
        open_item_list(db, org.id, OpenItemsFilter(KEY, minimum=Money.of("1.00", "CHF")))
    assert error.value.errors[0].field == "minimum"


def test_a_credit_shows_with_the_account(aged):
    db, org, anna, bernd, ids = aged
    ledger.book_payment(db, bernd.id, KEY, eur("100.00"))  # 75 to the open item, 25 stay as credit
    later = ledger.post(db, NewPosting(bernd.id, KEY - timedelta(days=3), "KITA_FEE", eur("10.00"), "Nachzahlung",
                                       due_date=KEY + timedelta(days=20)))
    result = open_item_list(db, org.id, OpenItemsFilter(KEY))
    abt = result.ageing[0]
    assert abt.holder_name == "Abt, Bernd"
    assert (abt.open_total.minor, abt.credit.minor, abt.balance.minor) == (1000, 2500, -1500)
    assert [r.item_id for r in result.items if r.account_id == bernd.id] == [later]
    ledger.book_payment(db, bernd.id, KEY, eur("20.00"))  # 10 to the item, 10 more credit: 35
    credit_only = open_item_list(db, org.id, OpenItemsFilter(KEY)).ageing[0]
    assert (credit_only.holder_name, credit_only.open_total.minor, credit_only.credit.minor) == ("Abt, Bernd", 0, 3500)
    assert [a.holder_name for a in open_item_list(db, org.id, OpenItemsFilter(KEY, overdue_only=True)).ageing] == [
        "Keller, Anna"]  # filtered: only accounts with listed items
    # the day before, the payment was not booked: the item was open, no credit
    before = open_item_list(db, org.id, OpenItemsFilter(KEY - timedelta(days=1))).ageing[0]
    assert (before.open_total.minor, before.credit.minor, before.balance.minor) == (8500, 0, 8500)


def test_collections_per_month_net_of_reversals(db):
    org, account = payer(db, "DE")
    item_id = ledger.post(db, NewPosting(account.id, date(2026, 1, 1), "KITA_FEE", eur("500.00"), "Beitrag"))
    ledger.book_payment(db, account.id, date(2026, 1, 20), eur("100.00"))
    wrong = ledger.book_payment(db, account.id, date(2026, 2, 3), eur("80.00"))
    ledger.book_payment(db, account.id, date(2026, 2, 28), eur("20.00"))
    ledger.reverse(db, wrong, date(2026, 3, 2))
    ledger.book_payment(db, account.id, date(2025, 12, 31), eur("1.00"))  # another year
    months = collections_per_month(db, org.id, 2026)
    assert [m.month for m in months] == [Month(2026, n) for n in range(1, 13)]
    assert [(m.received.minor, m.reversed.minor, m.net.minor) for m in months[:4]] == [
        (10000, 0, 10000), (10000, 0, 10000), (0, 8000, -8000), (0, 0, 0)]
    assert item_id


def test_csv_and_xlsx_content_exact(aged):
    db, org, anna, bernd, ids = aged
    result = open_item_list(db, org.id, OpenItemsFilter(KEY, overdue_only=True, minimum=eur("10.00")))
    data = section_csv(ageing_section(result), "DE")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.split("\r\n") == [
        "Konto;Inhaber/in;nicht fällig;0–30 Tage;31–60 Tage;61–90 Tage;> 90 Tage;Summe offen;Guthaben;Saldo",
        f"{bernd.number};Abt, Bernd;0,00;75,00;0,00;0,00;0,00;75,00;0,00;75,00",
        f"{anna.number};Keller, Anna;0,00;31,00;93,00;153,00;92,00;369,00;0,00;377,00",
        ";Summe;0,00;106,00;93,00;153,00;92,00;444,00;0,00;452,00", ""]
    items_text = section_csv(items_section(result), "CH").decode("utf-8-sig").split("\r\n")
    assert items_text[0] == "Konto;Inhaber/in;Nr.;Fällig;Monat;Kategorie;Text;Betrag;Offen;Tage;Altersklasse"
    due = (KEY - timedelta(days=10)).strftime("%d.%m.%Y")
    month = Month.of(KEY - timedelta(days=10))
    assert items_text[1] == f"{bernd.number};Abt, Bernd;{ids['bernd']};{due};{month};Kita-Beitrag;10 Tage;" \
                            "100.00;75.00;10;0–30 Tage"
    assert items_text[-2] == ";Summe;;;;;;;444.00;;"
    workbook = load_workbook(io.BytesIO(render_table_xlsx(list_report(result, collections_per_month(db, org.id, 2026),
                                                                      2026))))
    assert workbook.sheetnames == ["Offene Posten", "Altersstruktur", "Zahlungseingänge 2026"]
    ageing = list(workbook["Altersstruktur"].iter_rows(min_row=3, values_only=True))
    assert ageing[-1] == (None, "Summe", 0, 106, 93, 153, 92, 444, 0, 452)
    collections = list(workbook["Zahlungseingänge 2026"].iter_rows(min_row=3, values_only=True))
    assert collections[10] == ("11.2026", 30, 0, 30) and collections[-1] == ("Summe", 30, 0, 30)
    sections = collections_section(collections_per_month(db, org.id, 2026), 2026)
    assert section_csv(sections, "DE").decode("utf-8-sig").split("\r\n")[11] == "11.2026;30,00;0,00;30,00"


def _allocate_a_free_credit(db, account) -> None:
    """What a clerk does with a credit (e.g. freed by a reversal): allocate it to an open item."""
    statement = load_statement(db, account.id)
    credits = [line.posting for line in statement.lines if line.posting.amount.minor < 0
               and line.posting.open_amount.minor > 0 and line.posting.reversed_by_id is None]
    if credits and statement.open_items:
        credit, item_ = credits[0], statement.open_items[-1]
        part = min(credit.open_amount.minor, item_.open_amount.minor)
        ledger.allocate(db, credit.id, item_.id, Money(part, "EUR"))


def test_sql_list_agrees_with_the_statement_rule_over_random_histories(db):
    """Random postings, payments and reversals on several accounts; at random key dates the list's
    open items (SQL) equal those of each account's statement (Python rule)."""
    org, first = payer(db, "DE", "Zufall", "Eins")
    accounts = [first] + [payer(db, "DE", "Zufall", name)[1] for name in ("Zwei", "Drei")]
    rng = random.Random(5)
    start = date(2026, 1, 1)
    postings: list[int] = []
    for _ in range(80):
        account = rng.choice(accounts)
        day = start + timedelta(days=rng.randrange(150))
        action = rng.random()
        if action < 0.45:
            postings.append(ledger.post(db, NewPosting(
                account.id, day, rng.choice(["KITA_FEE", "REMINDER_FEE"]), Money(rng.randrange(100, 20000), "EUR"),
                "Posten", due_date=day + timedelta(days=rng.randrange(0, 40)))))
        elif action < 0.85:
            postings.append(ledger.book_payment(db, account.id, day, Money(rng.randrange(100, 30000), "EUR")))
        elif action < 0.92:
            _allocate_a_free_credit(db, account)
        elif postings:
            target = rng.choice(postings)
            try:
                postings.append(ledger.reverse(db, target, day + timedelta(days=rng.randrange(0, 30))))
            except ValidationError:
                pass  # already reversed, or a reversal
    with read_only(db) as session:  # the history has releases (the list computes those accounts in Python)
        assert session.scalar(select(func.count()).where(Allocation.amount_minor < 0)) > 0
    for key in [start + timedelta(days=d) for d in (-1, 20, 60, 90, 130, 200)]:
        listed = {r.item_id: r.open_amount.minor for r in open_item_list(db, org.id, OpenItemsFilter(key)).items}
        expected = {}
        for account in accounts:
            statement = load_statement(db, account.id, date_to=key)
            expected.update({p.id: p.open_amount.minor for p in statement.open_items})
        assert listed == expected, key
