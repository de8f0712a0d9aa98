"""Writing a planned billing run: the run row, the payers' accounts, the postings, the resets and
the billed-through marks — Core bulk statements (executemany) inside the caller's unit of work.

Nothing here commits; `billing_run.post_run` runs it in one transaction, so a crash or a cancel
before the commit leaves the database as it was.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sollhaben.domain.kita.model import LineKind
from sollhaben.domain.kita.run_types import PlannedPosting, PostingKind, RunPlan
from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.months import Month
from sollhaben.persistence.bulk_read import fetch_tuples
from sollhaben.persistence.models import (
    Account,
    BillingPeriod,
    BillingRunReset,
    ExtraLine,
    FeeLine,
)
from sollhaben.services.kita.billing_run_dto import (
    CATEGORY_EXTRA,
    CATEGORY_FEE,
    CATEGORY_MEALS,
)
from sollhaben.services.kita.billing_run_load import CHUNK, RunInputs

MONTH_NAMES = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
               "November", "Dezember")
RECALCULATION = "Nachberechnung"
#: billing_run_reset.line_kind of a billed-through mark: line_id is the period, old_count the
#: previous mark as a month index (NULL: none). Restored on undo like a count.
MARK = "MARK"
ACCOUNT_KEY = "main"
ACCOUNT_MODULE = "kita"


def category(posting: PlannedPosting) -> str:
    if posting.line_kind is LineKind.FEE:
        return CATEGORY_FEE
    return CATEGORY_MEALS if posting.is_meal else CATEGORY_EXTRA


def month_text(month: Month) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def posting_text(posting: PlannedPosting, child_first_name: str) -> str:
    """"Ganztag 45 h März 2026 – Mia"; a recalculation starts with "Nachberechnung"."""
    text = f"{posting.name} {month_text(posting.value_month)}"
    if posting.is_recalculation:
        text = f"{RECALCULATION} {text}"
    if child_first_name:
        text = f"{text} – {child_first_name}"
    return text[:200]


_QUANTITIES: dict[Decimal, str] = {}


def _quantity(value: Decimal | None) -> str:
    """A quantity as a JSON string value ("17", "0.580645"), or null."""
    if value is None:
        return "null"
    found = _QUANTITIES.get(value)
    if found is None:
        text = str(int(value)) if value == value.to_integral_value() else str(value.normalize())
        found = _QUANTITIES[value] = f'"{text}"'
    return found


def _j(value) -> str:
    """A JSON scalar: null, an int."""
    return "null" if value is None else str(value)


class DetailWriter:
    """The posting's detail as JSON text, written by hand (json.dumps of a dict per posting was a
    fifth of the run). The part that describes the line (entry, version, tier, quantity, amounts,
    deductions) does not depend on the child or the payer, so `posting_rows` writes it once per
    distinct line of the run. Names are escaped by `json.dumps`. The keys are documented in
    docs/kita-billing.md → Billing run."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def name(self, text: str) -> str:
        found = self.names.get(text)
        if found is None:
            found = self.names[text] = json.dumps(text, ensure_ascii=False)
        return found

    def line_part(self, p: PlannedPosting) -> str:
        """`"line": …, …, "meal": …, ` of the posting's line (the same for every posting of an equal line)."""
        line = p.line
        if line is not None:
            mode, version, tier = f'"{line.mode.value}"', _j(line.version_id), _j(line.tier)
            gross, net, deductions = str(line.gross.minor), str(line.net.minor), line.deductions
        else:
            mode = version = tier = gross = net = "null"
            deductions = ()
        listed = ", ".join(f'{{"name": {self.name(d.name)}, "amount": {d.amount.minor}, '
                           f'"discount_id": {_j(d.discount_id)}}}' for d in deductions)
        unit = p.unit_amount.minor if p.unit_amount is not None else None
        part = (f'"line": "{p.line_key}", "line_kind": "{p.line_kind.value}", '
                f'"name": {self.name(p.name)}, "catalogue_id": {p.catalogue_id}, "version_id": {version}, '
                f'"mode": {mode}, "tier": {tier}, "quantity": {_quantity(p.quantity)}, "unit_amount": {_j(unit)}, '
                f'"gross": {gross}, "net": {net}, "deductions": [{listed}], '
                f'"meal": {"true" if p.is_meal else "false"}, ')
        return part


def detail_head(facility_id: int, run_month: Month, child_id: int) -> str:
    return f'{{"module": "kita", "facility": {facility_id}, "run_month": "{run_month.iso()}", "child": {child_id}, '


def posting_detail(posting: PlannedPosting) -> dict:
    """The detail of one posting as a dict (what the run stores as JSON)."""
    recalculation = posting.kind is PostingKind.RECALCULATION
    month = f'"{posting.value_month.iso()}"' if recalculation else "null"
    return json.loads(detail_head(posting.facility_id, posting.run_month, posting.child_id)
                      + DetailWriter().line_part(posting)
                      + f'"payer": {posting.payer_id}, "share": {posting.share.minor}, "posted_before": '
                        f'{posting.posted_before.minor}, "kind": "{posting.kind.value}", '
                        f'"recalculation_month": {month}}}')


@dataclass
class WriteCounts:
    postings: int = 0
    accounts_opened: int = 0
    resets: int = 0
    periods_marked: int = 0


class Sums:
    """Totals of a run by fee group, extra cost and payer, and regular / recalculation."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, int], list[int]] = {}  # (FEE|EXTRA, catalogue id) → [minor, postings]
        self.payers: dict[int, list[int]] = {}
        self.regular = self.recalculation = 0
        self.posted: dict[int, list[str]] = {}  # child id → `posted_item` of its postings (filled by posting_rows)

    def add(self, p: PlannedPosting) -> None:
        minor = p.amount.minor
        key = (p.line_kind.value, p.catalogue_id)
        entry = self.groups.get(key)
        if entry is None:
            self.groups[key] = [minor, 1]
        else:
            entry[0] += minor
            entry[1] += 1
        payer = self.payers.get(p.payer_id)
        if payer is None:
            self.payers[p.payer_id] = [minor, 1]
        else:
            payer[0] += minor
            payer[1] += 1
        if p.is_recalculation:
            self.recalculation += minor
        else:
            self.regular += minor

    @classmethod
    def of(cls, postings) -> Sums:
        sums = cls()
        for p in postings:
            sums.add(p)
        return sums

    def as_json(self) -> dict:
        return {"regular": self.regular, "recalculation": self.recalculation,
                "total": self.regular + self.recalculation,
                "fee_groups": {str(k[1]): v[0] for k, v in self.groups.items() if k[0] == "FEE"},
                "extra_costs": {str(k[1]): v[0] for k, v in self.groups.items() if k[0] == "EXTRA"},
                "payers": len(self.payers)}


# --- plain DBAPI statements (no per-value type processing: tens of thousands of rows) ----------------

class Dbapi:
    """Values as the driver takes them, and executemany of handwritten statements.

    SQLAlchemy would run a bind processor per value (half the time of the insert); here dates are
    ISO text, timestamps ISO text (SQLite: naive UTC, the format SQLAlchemy's DateTime reads back;
    PostgreSQL: with offset), months their index, JSON the serialized text — all of which both
    drivers accept for the column types of the tables."""

    def __init__(self, session: Session) -> None:
        self.connection = session.connection()
        self.sqlite = self.connection.dialect.name == "sqlite"
        self.mark = "?" if self.connection.dialect.paramstyle == "qmark" else "%s"

    def timestamp(self, value: datetime) -> str:
        value = value.astimezone(UTC)
        if self.sqlite:
            return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        return value.isoformat()

    def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """SQLite: one executemany (the driver loops in C). PostgreSQL: COPY … FROM STDIN inside
        the same transaction — psycopg adapts every parameter of an executemany or a multi-row
        VALUES in Python (about 7 s for the run's 56 000 postings), COPY streams them (about 1 s)."""
        if not rows:
            return
        names = ", ".join(columns)
        if self.sqlite:
            marks = ", ".join(["?"] * len(columns))
            self.connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            return
        statement = f"COPY {table} ({names}) FROM STDIN"
        try:
            with self.connection.connection.dbapi_connection.cursor() as cursor:
                with cursor.copy(statement) as copy:
                    write = copy.write_row
                    for row in rows:
                        write(row)
        except self.connection.dialect.loaded_dbapi.IntegrityError as exc:  # as SQLAlchemy reports it
            raise IntegrityError(statement, None, exc) from exc

    def update_by_id(self, table: str, columns: tuple[tuple[str, str], ...], rows: list[tuple],
                     also: str = "") -> None:
        """UPDATE rows by id: each row is (id, value of each column); `columns` are (name, PostgreSQL
        type); `also` an extra assignment ("version = version + 1"). SQLite: executemany;
        PostgreSQL: COPY into a temporary table (dropped at commit), then one UPDATE … FROM it."""
        if not rows:
            return
        extra = f", {also}" if also else ""
        if self.sqlite:
            # rows with the same values in one statement per chunk of ids (a run sets most rows alike:
            # counts to 0, every period to the run month), instead of one statement per row
            sets = ", ".join(f"{name} = ?" for name, _type in columns)
            by_values: dict[tuple, list[int]] = {}
            for row in rows:
                by_values.setdefault(tuple(row[1:]), []).append(row[0])
            for values, ids in by_values.items():
                for start in range(0, len(ids), CHUNK):
                    chunk = ids[start:start + CHUNK]
                    marks = ", ".join(["?"] * len(chunk))
                    self.connection.exec_driver_sql(f"UPDATE {table} SET {sets}{extra} WHERE id IN ({marks})",
                                                    (*values, *chunk))
            return
        scratch = f"run_update_{table}"
        definition = ", ".join(["id integer"] + [f"{name} {kind}" for name, kind in columns])
        self.connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {scratch} ({definition}) ON COMMIT DROP")
        self.insert(scratch, ("id", *(name for name, _type in columns)), rows)
        sets = ", ".join(f"{name} = v.{name}" for name, _type in columns)
        self.connection.exec_driver_sql(f"UPDATE {table} AS t SET {sets}{extra} FROM {scratch} AS v WHERE t.id = v.id")
        self.connection.exec_driver_sql(f"DROP TABLE {scratch}")


def open_accounts(session: Session, organization_id: int, currency: str, holder_ids: set[int],
                  now: datetime) -> tuple[dict[int, int], int]:
    """holder id → main account id, creating the missing ones (as `ledger.open_account` does:
    key "main", number = holder id with six digits, the organization's currency) in one bulk
    insert. Returns the map and how many were opened."""
    connection = session.connection()
    query = select(Account.holder_id, Account.id).where(Account.organization_id == organization_id,
                                                        Account.key == ACCOUNT_KEY)
    found = dict(fetch_tuples(connection, query))
    missing = sorted(h for h in holder_ids if h not in found)
    if missing:
        dbapi = Dbapi(session)
        stamp = dbapi.timestamp(now)
        dbapi.insert("account", ("organization_id", "holder_id", "parent_id", "key", "number", "label", "module",
                                 "currency", "created_at"),
                     [(organization_id, h, None, ACCOUNT_KEY, f"{h:06d}", "", ACCOUNT_MODULE, currency, stamp)
                      for h in missing])
        found = dict(fetch_tuples(connection, query))  # with the new ones (one read, plain tuples)
    return found, len(missing)


POSTING_COLUMNS = ("account_id", "booking_date", "value_month", "due_date", "category", "amount_minor", "currency",
                   "source", "source_id", "reverses_id", "reference", "text", "detail", "idempotency_key",
                   "created_by", "created_at")


def write_postings(session: Session, inputs: RunInputs, plan: RunPlan, run_id: int, user: str, today: date,
                   now: datetime) -> tuple[int, int, Sums]:
    """Insert every planned posting (one executemany); returns (postings, accounts opened, sums).

    The loop is the run's hottest Python after the plan. What depends only on the line (the
    detail's line part, category, the totals' key, the text up to the child's name) is made once
    per distinct line object (the engine shares equal lines between children); what depends on the
    child once per child; each posting then adds its payer, share and kind."""
    postings = plan.postings
    sums = Sums()
    if not postings:
        return 0, 0, sums
    accounts, opened = open_accounts(session, inputs.organization_id, inputs.currency.value,
                                     {p.payer_id for p in postings}, now)
    dbapi = Dbapi(session)
    rows = posting_rows(inputs, plan, accounts, run_id, user, today.isoformat(), dbapi.timestamp(now), sums)
    dbapi.insert("posting", POSTING_COLUMNS, rows)
    return len(rows), opened, sums


def posting_rows(inputs: RunInputs, plan: RunPlan, accounts: dict[int, int], run_id: int, user: str, booking: str,
                 stamp: str, sums: Sums) -> list[tuple]:
    """The plan's postings as rows of POSTING_COLUMNS (plain values), adding them to `sums`."""
    names = inputs.child_names
    currency = inputs.currency.value
    source = PostingSource.BILLING_RUN.value
    details = DetailWriter()
    dates: dict[date, str] = {}
    months: dict[Month, tuple[int, str, str]] = {}  # value month → (index, "März 2026", '"2026-03"')
    per_line: dict[tuple, tuple] = {}  # line signature → (deductions, text before the name, category, sums key, part)
    groups, payers = sums.groups, sums.payers
    recalculation_kind = PostingKind.RECALCULATION
    fee_kind = LineKind.FEE
    regular_total = recalculation_total = 0
    child_id = head = suffix = state_child = state_items = None
    state = sums.posted  # child id → its postings for billing_run_child
    rows = []
    append = rows.append
    for p in plan.postings:
        if p.child_id != child_id:
            child_id = p.child_id
            head = detail_head(p.facility_id, p.run_month, child_id)
            first_name = names.get(child_id, ("", ""))[1]
            suffix = f" – {first_name}" if first_name else ""
        value_month = p.value_month
        month = months.get(value_month)
        if month is None:
            month = months[value_month] = (value_month.year * 12 + value_month.month - 1, month_text(value_month),
                                           f'"{value_month.iso()}"')
        line = p.line
        if line is not None:
            # What the line part says is fixed by these values within a run (the key fixes entry, name, mode
            # and meal flag); equal lines of different children share their deductions tuple (LineMemo).
            deductions = line.deductions
            signature = (p.line_key, value_month, line.version_id, line.tier, line.quantity, line.unit_amount.minor,
                         line.gross.minor, line.net.minor, id(deductions))
            shared = per_line.get(signature)
            if shared is not None and shared[0] is not deductions:
                shared = None
        else:
            deductions = signature = shared = None
        if shared is None:
            kind = p.line_kind
            quantity = _quantity(p.quantity)
            shared = (deductions, f"{p.name} {month[1]}",
                      CATEGORY_FEE if kind is fee_kind else CATEGORY_MEALS if p.is_meal else CATEGORY_EXTRA,
                      (kind.value, p.catalogue_id), details.line_part(p), f"{month[0]},{p.line_key},",
                      f",{quantity[1:-1] if quantity != 'null' else ''},"
                      f"{p.unit_amount.minor if p.unit_amount is not None else ''}")
            if signature is not None:
                per_line[signature] = shared
        _deductions, text, category_code, group_key, part, state_head, state_tail = shared
        text = text + suffix
        minor = p.amount.minor
        if p.kind is recalculation_kind:
            text = f"{RECALCULATION} {text}"
            kind_text, recalculation_month = "RECALCULATION", month[2]
            recalculation_total += minor
        else:
            kind_text, recalculation_month = "REGULAR", "null"
            regular_total += minor
        entry = groups.get(group_key)
        if entry is None:
            groups[group_key] = [minor, 1]
        else:
            entry[0] += minor
            entry[1] += 1
        payer_id = p.payer_id
        entry = payers.get(payer_id)
        if entry is None:
            payers[payer_id] = [minor, 1]
        else:
            entry[0] += minor
            entry[1] += 1
        due = dates.get(p.due_date)
        if due is None:
            due = dates[p.due_date] = p.due_date.isoformat()
        if child_id != state_child:  # billing_run_child.posted: the child's postings (see posted_item)
            state_child = child_id
            state_items = state[child_id] = []
        state_items.append(f"{state_head}{payer_id},{minor}{state_tail}")
        append((accounts[payer_id], booking, month[0], due, category_code, minor, currency, source, run_id, None, "",
                text[:200],
                f'{head}{part}"payer": {payer_id}, "share": {p.share.minor}, "posted_before": {p.posted_before.minor}, '
                f'"kind": "{kind_text}", "recalculation_month": {recalculation_month}}}',
                p.idempotency_key, user, stamp))
    sums.regular, sums.recalculation = regular_total, recalculation_total
    return rows


def posted_item(p: PlannedPosting) -> str:
    """One posting in `billing_run_child.posted`: value month index, line key, payer, amount, quantity
    (as the detail writes it, or empty), unit amount (minor units, or empty)."""
    quantity = _quantity(p.quantity)
    return (f"{p.value_month.index},{p.line_key},{p.payer_id},{p.amount.minor},"
            f"{quantity[1:-1] if quantity != 'null' else ''},"
            f"{p.unit_amount.minor if p.unit_amount is not None else ''}")


def write_child_state(session: Session, inputs: RunInputs, plan: RunPlan, run_id: int, sums: Sums) -> int:
    """One `billing_run_child` row per child of the run: the digest of its inputs through the run
    month and what the run posted for it (for the next run's change detection). `sums.posted`
    holds the postings' items when `posting_rows` made them; otherwise they are made here."""
    posted = sums.posted
    if not posted and plan.postings:
        for p in plan.postings:
            posted.setdefault(p.child_id, []).append(posted_item(p))
    rows = [(run_id, child_id, digest, ";".join(posted.get(child_id, ()))) for child_id, digest in inputs.digests.items()]
    Dbapi(session).insert("billing_run_child", ("run_id", "child_id", "inputs", "posted"), rows)
    return len(rows)


def write_resets(session: Session, inputs: RunInputs, plan: RunPlan, run_id: int, now: datetime) -> tuple[int, int]:
    """Set billed counts and reset-flagged amounts to 0 and mark the periods billed through the run
    month (their version moves on, so a form loaded before the run cannot overwrite it); the old
    values go to billing_run_reset for undo. Returns (resets, periods marked)."""
    dbapi = Dbapi(session)
    reset_rows, fee_updates, extra_updates = [], [], []
    for reset in plan.resets:
        line_id = inputs.line_ids.get((reset.period_id, reset.line_kind.value, reset.index))
        if line_id is None:
            continue
        old_amount = reset.amount_before.minor if reset.amount_before is not None else None
        reset_rows.append((run_id, reset.line_kind.value, line_id, reset.count_before, old_amount))
        target = fee_updates if reset.line_kind is LineKind.FEE else extra_updates
        target.append((line_id, 0, 0 if old_amount is not None else None))
    periods = sorted({b.period_id for b in plan.billed_periods if b.period_id is not None})
    for period_id in periods:
        old = inputs.periods[period_id].billed_through
        reset_rows.append((run_id, MARK, period_id, old.index if old is not None else None, None))
    dbapi.insert("billing_run_reset", ("run_id", "line_kind", "line_id", "old_count", "old_amount_minor"), reset_rows)
    line_columns = (("count", "integer"), ("amount_minor", "bigint"))
    dbapi.update_by_id("fee_line", line_columns, fee_updates)
    dbapi.update_by_id("extra_line", line_columns, extra_updates)
    stamp = dbapi.timestamp(now)
    dbapi.update_by_id("billing_period", (("billed_through", "integer"), ("updated_at", "timestamptz")),
                       [(pid, plan.month.index, stamp) for pid in periods], also="version = version + 1")
    return len(reset_rows) - len(periods), len(periods)


def restore_resets(session: Session, run_id: int, now: datetime) -> tuple[int, int, list[str]]:
    """Undo of `write_resets`: counts are added back (counts entered since the run stay), reset
    amounts restored where the line still holds 0, marks set back. Returns (restored, periods, notes)."""
    connection = session.connection()
    rows = fetch_tuples(connection, select(BillingRunReset.line_kind, BillingRunReset.line_id,
                                           BillingRunReset.old_count, BillingRunReset.old_amount_minor)
                        .where(BillingRunReset.run_id == run_id).order_by(BillingRunReset.id))
    notes: list[str] = []
    restored = 0
    marks = [(line_id, old) for kind, line_id, old, _a in rows if kind == MARK]
    lines = [(kind, line_id, old_count, old_amount) for kind, line_id, old_count, old_amount in rows if kind != MARK]
    for kind in ("FEE", "EXTRA"):
        table = FeeLine.__table__ if kind == "FEE" else ExtraLine.__table__
        wanted = [(line_id, c, a) for k, line_id, c, a in lines if k == kind]
        current: dict[int, tuple[int, int | None, int]] = {}
        ids = [line_id for line_id, _c, _a in wanted]
        for start in range(0, len(ids), CHUNK):
            for line_id, count, amount, period_id in connection.execute(select(
                    table.c.id, table.c.count, table.c.amount_minor, table.c.period_id)
                    .where(table.c.id.in_(ids[start:start + CHUNK]))):
                current[line_id] = (count or 0, amount, period_id)
        updates = []
        for line_id, old_count, old_amount in wanted:
            if line_id not in current:
                notes.append(f"Zeile {line_id}: gibt es nicht mehr; Anzahl/Betrag nicht wiederhergestellt.")
                continue
            count, amount, _period = current[line_id]
            new_amount = amount
            if old_amount is not None:
                if amount in (None, 0):
                    new_amount = old_amount
                else:
                    notes.append(f"Zeile {line_id}: Der Betrag wurde seit der Sollstellung geändert und bleibt "
                                 f"{amount / 100:.2f}; der zurückgesetzte Betrag {old_amount / 100:.2f} wurde nicht "
                                 "wiederhergestellt.")
            updates.append({"b_id": line_id, "b_count": count + (old_count or 0), "b_amount": new_amount})
        if updates:
            connection.execute(update(table).where(table.c.id == bindparam("b_id"))
                               .values(count=bindparam("b_count"), amount_minor=bindparam("b_amount")), updates)
            restored += len(updates)
    periods = BillingPeriod.__table__
    if marks:
        connection.execute(
            update(periods).where(periods.c.id == bindparam("b_id"))
            .values(billed_through=bindparam("b_old", type_=periods.c.billed_through.type),
                    version=periods.c.version + 1, updated_at=now),
            [{"b_id": pid, "b_old": Month.from_index(old) if old is not None else None} for pid, old in marks])
    # touch the periods whose lines were restored (a form loaded before the undo cannot overwrite it)
    return restored, len(marks), notes
