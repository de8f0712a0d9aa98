"""Benchmark: a dunning run over 10 000 accounts of which 2 000 get a letter (not a test; prints figures
and PASS/FAIL).

Budget (issue 5): proposal + confirmation + PDFs ≤ 15 s — what "Vorschlag" and "Mahnlauf buchen und
drucken" do on the worker: read the organization's open items, history, credit and blocks, compute the
proposal; in one transaction post 2 000 reminder fees, record run, notices, history, measures and
registered QR references; render the 2 000 letters with QR-bill into one PDF.

Data (SQLite file; the organization and policy through the services, the rest by bulk inserts): a Swiss
organization (CHF, QR-IBAN), 10 000 payers with one account each, six monthly receivables per account
(May–October 2026, due on the 15th) and a payment allocated to each — except that 2 000 accounts have
not paid October (level 1, fee CHF 5.00) and 400 of those have not paid September either, which a
run on 1 October already reminded (level 2, fee CHF 20.00, both items on the letter); 100 accounts
carry an account block. Run date 24.11.2026. Also shown: one PDF per recipient for a sample.
Run: .venv/bin/python bench/bench_dunning.py [ACCOUNTS] [LETTERS]
"""
from __future__ import annotations

import random
import resource
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import insert

from sollhaben.domain.master_data import Address, BankAccountInput, OrganizationInput
from sollhaben.persistence import migrate
from sollhaben.persistence.database import open_database
from sollhaben.persistence.models import Account, Allocation, Person, Posting
from sollhaben.persistence.models.dunning import DunningBlock, DunningNotice, DunningNoticeItem, DunningRun
from sollhaben.services import organizations
from sollhaben.services.receivables import dunning, dunning_letters, dunning_settings

BUDGET = 15.0
RUN_DATE = date(2026, 11, 24)
LAST = ["Müller", "Meier", "Schneider", "Fischer", "Weber", "Keller", "Huber", "Gerber", "Brunner", "Baumann",
        "Frei", "Zimmermann", "Moser", "Widmer", "Wyss", "Steiner", "Graf", "Roth", "Kälin", "Bühler"]
FIRST = ["Anna", "Reto", "Laura", "Marco", "Sarah", "Urs", "Nina", "Beat", "Lea", "Jürg", "Sophie", "Luca"]
TOWNS = [("3000", "Bern"), ("3006", "Bern"), ("3018", "Bern"), ("3097", "Liebefeld"), ("3084", "Wabern")]


def setup(folder: Path, accounts: int, letters: int):
    db = open_database(f"sqlite:///{folder / 'bench.sqlite'}", user="bench")
    migrate.upgrade(db.engine, backup=False)
    org = organizations.create_organization(db, OrganizationInput(
        "Gemeinde Musterdorf", "CH", Address("Dorfstrasse", "1", "3000", "Bern", "CH"),
        bank_accounts=(BankAccountInput("CH44 3199 9123 0008 8901 2", label="QR-Konto", is_default=True),),
        enabled_modules=("kita", "receivables")))
    policy = dunning_settings.load_policy(db, org.id).policy
    levels = (replace(policy.levels[0], fee_minor=500),) + policy.levels[1:]
    dunning_settings.save_policy(db, org.id, replace(policy, levels=levels))
    rng = random.Random(20261124)
    now = datetime.now(timezone.utc)
    rows: dict[type, list[dict]] = {m: [] for m in (Person, Account, Posting, Allocation, DunningRun, DunningNotice,
                                                    DunningNoticeItem, DunningBlock)}
    ids = {m: 1 for m in rows}
    with db.engine.connect() as connection:
        ids[Person] = connection.exec_driver_sql("SELECT coalesce(max(id), 0) + 1 FROM person").scalar()

    def add(model, **values) -> int:
        values["id"] = ids[model]
        ids[model] += 1
        rows[model].append(values)
        return values["id"]

    earlier = add(DunningRun, organization_id=org.id, run_date=date(2026, 10, 1), run_key="bench-earlier",
                  currency="CHF", letters=letters // 5, handovers=0, fees_minor=0, excluded={}, created_at=now,
                  created_by="bench")
    unpaid = set(rng.sample(range(accounts), letters))
    twice = set(rng.sample(sorted(unpaid), letters // 5))
    blocked = set(rng.sample(sorted(set(range(accounts)) - unpaid), 100))
    for i in range(accounts):
        postal_code, town = rng.choice(TOWNS)
        person = add(Person, organization_id=org.id, kind="NATURAL", last_name=rng.choice(LAST),
                     first_name=rng.choice(FIRST), salutation=rng.choice(("Frau", "Herr")), birth_date=None,
                     version=1, created_at=now, updated_at=now, street="Marktgasse", house_number=str(i % 90 + 1),
                     postal_code=postal_code, town=town, country="CH", address_extra="", phone="", email="",
                     language="de", note="")
        account = add(Account, organization_id=org.id, holder_id=person, parent_id=None, key="main",
                      number=f"{person:06d}", label="", module="kita", currency="CHF", created_at=now)
        amount = rng.choice((18_000, 24_500, 31_000, 42_000))
        for month in range(5, 11):
            item = add(Posting, account_id=account, booking_date=date(2026, month, 1), value_month=None,
                       due_date=date(2026, month, 15), category="FEE_MONTH", amount_minor=amount, currency="CHF",
                       source="BILLING_RUN", source_id=None, reverses_id=None, reference="",
                       text=f"Elternbeitrag {month:02d}.2026", detail={}, idempotency_key=None, created_by="bench",
                       created_at=now)
            if (i in unpaid and month == 10) or (i in twice and month == 9):
                if month == 9:
                    notice = add(DunningNotice, run_id=earlier, account_id=account, kind="LETTER", level=1,
                                 level_name="Zahlungserinnerung", fee_minor=0, fee_posting_id=None,
                                 amount_minor=amount, payment_due=date(2026, 10, 11), qr_bill=True, reference="",
                                 subject="Zahlungserinnerung", body="")
                    add(DunningNoticeItem, notice_id=notice, item_id=item, level=1, open_minor=amount)
                continue
            payment = add(Posting, account_id=account, booking_date=date(2026, month, 14), value_month=None,
                          due_date=None, category="PAYMENT", amount_minor=-amount, currency="CHF", source="PAYMENT",
                          source_id=None, reverses_id=None, reference="", text="Zahlung", detail={},
                          idempotency_key=None, created_by="bench", created_at=now)
            add(Allocation, credit_id=payment, item_id=item, amount_minor=amount, created_by="bench", created_at=now)
        if i in blocked:
            add(DunningBlock, organization_id=org.id, account_id=account, item_id=None, reason="Klärung",
                valid_until=None, agreement_id=None, created_at=now, created_by="bench", lifted_at=None,
                lifted_by="", lift_reason="")
    with db.engine.begin() as connection:
        for model, values in rows.items():
            for start in range(0, len(values), 20_000):
                connection.execute(insert(model.__table__), values[start:start + 20_000])
    return db, org.id, sum(len(v) for v in rows.values())


def main(accounts: int = 10_000, letters: int = 2_000, sample: int = 200) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench_dunning_"))
    t = time.perf_counter()
    db, org_id, count = setup(folder, accounts, letters)
    print(f"setup: {accounts} accounts, {count} rows in SQLite ({time.perf_counter() - t:.1f} s)")

    t = time.perf_counter()
    shown = dunning.preview(db, org_id, RUN_DATE)
    proposal_s = time.perf_counter() - t
    got = len(shown.proposal.letters)
    levels = {level: sum(1 for a in shown.proposal.letters if a.letter_level == level) for level in (1, 2)}
    print(f"proposal: {proposal_s:.2f} s — {got} letters ({levels[1]} level 1, {levels[2]} level 2), "
          f"{len(shown.proposal.accounts) - got} accounts shown but not reminded")

    t = time.perf_counter()
    result = dunning.confirm(db, shown)
    confirm_s = time.perf_counter() - t
    print(f"confirm (fees, run, notices, history, measures, references; one transaction): {confirm_s:.2f} s, "
          f"fees {result.fees}")

    done = []
    t = time.perf_counter()
    pdf = dunning_letters.render_run(db, result.run_id, progress=lambda d, n, _t: done.append(d))
    print_s = time.perf_counter() - t
    (folder / "mahnungen.pdf").write_bytes(pdf)
    print(f"letters (load + QR-bill + render, one PDF): {print_s:.2f} s for {result.letters} letters "
          f"({print_s / max(result.letters, 1) * 1000:.2f} ms per letter), {len(pdf) / 1e6:.1f} MB")

    total = proposal_s + confirm_s + print_s
    t = time.perf_counter()
    each = dunning_letters.render_run(db, result.run_id, per_recipient=True,
                                      account_ids=[a.account.id for a in shown.proposal.letters[:sample]])
    single = time.perf_counter() - t
    print(f"one PDF per recipient (sample, not judged): {single:.2f} s for {len(each)} letters")

    again = dunning.preview(db, org_id, RUN_DATE)
    try:
        from pypdf import PdfReader

        reader = PdfReader(folder / "mahnungen.pdf")
        print(f"check: {len(reader.pages)} pages, page 1 is a reminder: "
              f"{'Total zu bezahlen' in reader.pages[0].extract_text()}; a new proposal the same day has "
              f"{len(again.proposal.letters)} letters (expected 0)")
    except ImportError:
        pass
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"total proposal + confirm + PDFs: {total:.2f} s, budget {BUDGET:.0f} s, ratio {total / BUDGET:.2f}")
    ok = total <= BUDGET and got == letters and result.letters == letters and not again.proposal.letters \
        and len(done) == letters
    print("PASS" if ok else "FAIL")
    db.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:3])))
