"""The core demo parts: organizations with units and institutions, persons and households, and a
few debtor accounts with receivables, payments and a reversal. Registered on import (the pattern
for modules that add their own demo data)."""
from __future__ import annotations

from datetime import date, timedelta

from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput, PersonInput, UnitInput
from sollhaben.domain.money import Currency, Money
from sollhaben.domain.months import Month
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.demo import KITA_NAME, SOCIAL_NAME, DemoContext, insert_people, register_demo_part
from sollhaben.services.demo_data import make_iban, plan_kita, plan_social

KITA = OrganizationInput(
    name=KITA_NAME, legal_country="DE", currency="EUR",
    address=Address("Königstraße", "10", "70173", "Stuttgart", "DE"),
    phone="0711 2345670", email="verwaltung@kita-verbund.example.com", website="https://kita-verbund.example.com",
    sepa_creditor_id="DE98ZZZ09999999999", enabled_modules=("kita", "income", "receivables"),
    bank_accounts=(BankAccountInput(make_iban("DE", "600501017481503944"), "SOLADEST600", "BW-Bank Girokonto", True),))
SOCIAL = OrganizationInput(
    name=SOCIAL_NAME, legal_country="CH", currency="CHF",
    address=Address("Schwarztorstrasse", "71", "3007", "Bern", "CH"),
    phone="031 321 60 00", email="info@sozialdienst-aaretal.example.com", rounding_rule="0.05",
    enabled_modules=("alimony", "child_protection", "receivables"),
    bank_accounts=(BankAccountInput("CH44 3199 9123 0008 8901 2", "", "QR-Konto", True),
                   BankAccountInput(make_iban("CH", "00790016245386100"), "KBBECH22XXX", "Postkonto")))
UNITS = {
    "kita": (UnitInput("Kita Sonnenschein", "FACILITY", Address("Sonnenbergstraße", "21", "70184", "Stuttgart", "DE"),
                       "SON"),
             UnitInput("Kita Regenbogen", "FACILITY", Address("Rosenweg", "4", "70469", "Stuttgart", "DE"), "REG"),
             UnitInput("Kinderhaus Am Park", "FACILITY", Address("Parkstraße", "9", "70372", "Stuttgart", "DE"),
                       "PARK")),
    "social": (UnitInput("Geschäftsstelle Bern", "OFFICE", Address("Schwarztorstrasse", "71", "3007", "Bern", "CH"),
                         "BE"),
               UnitInput("Aussenstelle Belp", "OFFICE", Address("Gürbestrasse", "3", "3123", "Belp", "CH"), "BEL"),
               UnitInput("Gemeinde Muri bei Bern", "MUNICIPALITY",
                         Address("Thunstrasse", "74", "3074", "Muri bei Bern", "CH"), "MUR"),
               UnitInput("Gemeinde Belp", "MUNICIPALITY", Address("Gartenstrasse", "2", "3123", "Belp", "CH"), "BLP"),
               UnitInput("Gemeinde Kehrsatz", "MUNICIPALITY", Address("Bernstrasse", "7", "3122", "Kehrsatz", "CH"),
                         "KEH"),
               UnitInput("Gemeinde Rubigen", "MUNICIPALITY", Address("Thunstrasse", "3", "3113", "Rubigen", "CH"),
                         "RUB")),
}
INSTITUTIONS = {
    "kita": (("Jugendamt Stuttgart", Address("Wilhelmstraße", "3", "70182", "Stuttgart", "DE"), (("kita", "payer"),)),
             ("Sozialamt Stuttgart", Address("Eberhardstraße", "33", "70173", "Stuttgart", "DE"), (("kita", "payer"),)),
             ("Landratsamt Esslingen, Kreisjugendamt",
              Address("Pulverwiesen", "11", "73728", "Esslingen am Neckar", "DE"),
              (("kita", "payer"), ("income", "payer"))),
             ("Härtefallfonds der Stadt Stuttgart", Address("Marktplatz", "1", "70173", "Stuttgart", "DE"),
              (("kita", "payer"),))),
    "social": (("Kantonales Sozialamt Bern", Address("Rathausgasse", "1", "3011", "Bern", "CH"),
                (("receivables", "creditor"),)),
               ("KESB Bern", Address("Gutenbergstrasse", "1", "3011", "Bern", "CH"), (("child_protection", "payer"),)),
               ("Ausgleichskasse des Kantons Bern", Address("Chutzenstrasse", "10", "3007", "Bern", "CH"),
                (("alimony", "creditor"),))),
}


def create_organizations(ctx: DemoContext) -> None:
    """Both organizations, their units and institutions through the services (validated, audited)."""
    for n, (key, data) in enumerate((("kita", KITA), ("social", SOCIAL))):
        org = organizations.create_organization(ctx.db, data)
        ctx.organizations[key] = org
        ctx.units[key] = [organizations.save_unit(ctx.db, org.id, unit) for unit in UNITS[key]]
        ctx.institutions[key] = [persons.save_person(ctx.db, org.id, PersonInput(
            "INSTITUTION", name, address=address, roles=roles), today=ctx.reference_date).id
            for name, address, roles in INSTITUTIONS[key]]
        ctx.counts["organizations"] += 1
        ctx.counts["units"] += len(UNITS[key])
        ctx.counts["persons"] += len(INSTITUTIONS[key])
        ctx.report(n + 1, 2, f"Organisation {org.name}")


def create_people(ctx: DemoContext) -> None:
    plans = {"kita": plan_kita(ctx.rng("people:kita"), ctx.size, ctx.reference_date),
             "social": plan_social(ctx.rng("people:social"), ctx.size, ctx.reference_date)}
    total = sum(len(p.persons) + len(p.accounts) + len(p.roles) + len(p.households) + len(p.members)
                for p in plans.values())
    done = 0
    for key, plan in plans.items():
        done = insert_people(ctx, key, plan, done, total)


ACCOUNTS_PER_ORGANIZATION = 12
MONTHS = (Month(2026, 7), Month(2026, 8), Month(2026, 9), Month(2026, 10))


def _account_holders(ctx: DemoContext, key: str) -> list[int]:
    holders = [f.debtor for f in ctx.families[key] if f.debtor is not None]
    return holders[:ACCOUNTS_PER_ORGANIZATION]


def create_ledger(ctx: DemoContext) -> None:
    """Monthly receivables for a few debtors of the social service; payments in full, in part, late
    or not at all; one reversal with a corrected receivable, so the statement has something to show.
    The Kita organization's ledger comes from its billing runs and payments (`demo_kita`): a manual
    reversal of a run's posting would contradict what the next run recalculates."""
    holders = {key: _account_holders(ctx, key) for key in ("social",)}
    total, done = sum(len(h) for h in holders.values()), 0
    for key, holder_ids in holders.items():
        org, rng = ctx.organizations[key], ctx.rng(f"ledger:{key}")
        currency = Currency(org.currency)
        category, label, low, high, module = ("MAINTENANCE", "Bevorschusste Alimente", 400, 950, "alimony")
        for i, holder in enumerate(holder_ids):
            account = ledger.open_account(ctx.db, org.id, holder, module=module)
            amount = Money(rng.randrange(low, high) * 100 + rng.choice((0, 50)), currency)
            items = [ledger.post(ctx.db, ledger.NewPosting(
                account.id, date(m.year, m.month, 1), category, amount, text=f"{label} {m}", value_month=m,
                due_date=date(m.year, m.month, 15),
                source=PostingSource.MANUAL)) for m in MONTHS]
            ctx.counts["accounts"] += 1
            ctx.counts["postings"] += len(items)
            pattern = i % 4  # 0 pays all, 1 all but the last month, 2 in part, 3 nothing
            paid_months = {0: MONTHS, 1: MONTHS[:-1], 2: MONTHS[:2], 3: ()}[pattern]
            for m in paid_months:
                paid = amount if pattern != 2 else Money(amount.minor // 2, currency)
                day = date(m.year, m.month, 15) + timedelta(days=rng.randrange(-10, 12))
                ledger.book_payment(ctx.db, account.id, min(day, ctx.reference_date), paid,
                                    text="Zahlung" if pattern != 2 else "Teilzahlung")
                ctx.counts["postings"] += 1
            if pattern == 1 and i < 4:  # the open month was billed wrong: reverse and bill again
                ledger.reverse(ctx.db, items[-1], date(2026, 10, 20), "Storno: Betrag falsch berechnet")
                corrected = Money(amount.minor - 2000, currency)
                ledger.post(ctx.db, ledger.NewPosting(
                    account.id, date(2026, 10, 20), category, corrected, text=f"{label} {MONTHS[-1]} (berichtigt)",
                    value_month=MONTHS[-1], due_date=date(2026, 11, 5)))
                ctx.counts["postings"] += 2
            done += 1
            ctx.report(done, total, f"{org.name}: Debitorenkonten")


register_demo_part("Organisationen", create_organizations)
register_demo_part("Personen und Haushalte", create_people, weight=20)
register_demo_part("Debitorenkonten", create_ledger, weight=2)
