"""Deterministic demo data: a German Kita-Träger and a Swiss social service with their persons.

`load_demo(db, size)` runs the registered demo parts in order, all in ONE transaction: either the
whole demo is there or nothing (a cancel or an error rolls everything back). The same `size` gives
the same data: every part draws from its own `random.Random` seeded with (SEED, size, part name).

Small things (organizations, units, institutions, the sample ledger) go through the services, so
they are validated and audited. The mass of persons, bank accounts, roles, households and
memberships is inserted with SQLAlchemy Core in chunks, which is fast but bypasses the ORM audit
listener: demo rows have no audit history (by design; see docs/architecture.md).

Modules add their own demo data with `register_demo_part(name, func, after=…)`; a part gets the
`DemoContext` (the joined `db` for service calls, the `connection` for bulk inserts, the created
organizations, units, families and a deterministic `rng(name)`). Put the module's name into
`DEMO_MODULES` so `load_demo` imports it before running the parts.
"""
from __future__ import annotations

import concurrent.futures
import importlib
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.orm import sessionmaker

from sollhaben.domain.errors import ValidationError
from sollhaben.persistence import audit
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import (
    Household,
    HouseholdMembership,
    Organization,
    Person,
    PersonBankAccount,
    PersonRole,
)
from sollhaben.services.demo_data import Family, PeoplePlan
from sollhaben.services.dto import OrganizationDTO, UnitDTO

SEED = 20261124
REFERENCE_DATE = date(2026, 10, 31)  # "today" of the demo world: birth dates, memberships, postings
KITA_NAME = "Kita-Verbund Musterstadt e. V."
SOCIAL_NAME = "Sozialdienst Aaretal"
DEMO_MODULES: tuple[str, ...] = ("sollhaben.services.demo_parts", "sollhaben.services.demo_kita",
                                 "sollhaben.services.receivables.sepa_demo", "sollhaben.services.demo_receivables")
CHUNK = 5000


class DemoCancelled(concurrent.futures.CancelledError):
    """Loading the demo data was cancelled; everything was rolled back."""

    def __init__(self) -> None:
        super().__init__("Demodaten: abgebrochen – es wurde nichts angelegt.")


@dataclass
class DemoContext:
    db: Database  # joined to the demo transaction: service calls commit nothing and roll back with it
    connection: Connection  # the same transaction, for bulk Core inserts
    size: int
    reference_date: date = REFERENCE_DATE
    organizations: dict[str, OrganizationDTO] = field(default_factory=dict)  # "kita", "social"
    units: dict[str, list[UnitDTO]] = field(default_factory=dict)
    institutions: dict[str, list[int]] = field(default_factory=dict)  # person ids
    families: dict[str, list[Family]] = field(default_factory=dict)  # indices replaced by database ids
    counts: Counter = field(default_factory=Counter)
    report: Callable[[int, int, str], None] = lambda done, total, text: None  # progress within the part

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{SEED}:{self.size}:{name}")


@dataclass(frozen=True)
class DemoPart:
    name: str
    run: Callable[[DemoContext], None]
    weight: int = 1  # share of the progress bar


_PARTS: list[DemoPart] = []


def register_demo_part(name: str, run: Callable[[DemoContext], None], weight: int = 1,
                       after: str | None = None) -> None:
    """Add (or replace) a part; parts run in order, a new one at the end or right after `after`."""
    part = DemoPart(name, run, weight)
    existing = [i for i, p in enumerate(_PARTS) if p.name == name]
    if existing:
        _PARTS[existing[0]] = part
        return
    names = [p.name for p in _PARTS]
    _PARTS.insert(names.index(after) + 1 if after in names else len(_PARTS), part)


def demo_parts() -> tuple[DemoPart, ...]:
    for module in DEMO_MODULES:
        importlib.import_module(module)
    return tuple(_PARTS)


@dataclass(frozen=True)
class DemoSummary:
    organization_ids: tuple[int, ...]
    organization_names: tuple[str, ...]
    counts: dict[str, int]
    seconds: float

    @property
    def organization_id(self) -> int:
        return self.organization_ids[0]

    def text(self) -> str:
        labels = {"persons": "Personen", "households": "Haushalte", "memberships": "Haushaltszugehörigkeiten",
                  "bank_accounts": "Bankkonten", "roles": "Rollen", "accounts": "Debitorenkonten",
                  "postings": "Buchungen", "kita_children": "Kita-Kinder", "billing_runs": "Sollstellungen"}
        figures = ", ".join(f"{self.counts[k]} {label}" for k, label in labels.items() if self.counts.get(k))
        return f"Demodaten angelegt: {' und '.join(self.organization_names)} – {figures} ({self.seconds:.1f} s)."


def demo_exists(db: Database) -> list[str]:
    with db.engine.connect() as connection:
        return list(connection.scalars(select(Organization.name).where(
            Organization.name.in_((KITA_NAME, SOCIAL_NAME))).order_by(Organization.name)))


def load_demo(db: Database, size: int = 200, progress: Callable[[int, int, str], None] | None = None,
              cancelled: Callable[[], bool] | None = None) -> DemoSummary:
    """Create both demo organizations with about `size` persons each; all or nothing."""
    if size < 1:
        raise ValidationError("Grösse: Bitte mindestens 1 Person je Organisation angeben.", "size")
    existing = demo_exists(db)
    if existing:
        raise ValidationError(f"Demodaten: Die Organisation „{existing[0]}“ gibt es schon; die Demodaten "
                              "sind bereits geladen.", "demo")
    started = time.perf_counter()
    parts = demo_parts()
    total = sum(p.weight for p in parts) * 1000
    with db.engine.connect() as connection, connection.begin():
        # Each service call's unit of work runs in a SAVEPOINT of the demo transaction: its commit
        # releases the savepoint (nothing is committed before the whole demo is done), a read-only
        # unit of work rolls back only its savepoint, and an error still ends the whole demo.
        sessions = sessionmaker(bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint")
        audit.install(sessions)
        ctx = DemoContext(Database(db.url, db.engine, sessions, db.user), connection, size)
        offset = 0
        for part in parts:
            def report(done: int, part_total: int, text: str, part=part, offset=offset) -> None:
                if cancelled is not None and cancelled():
                    raise DemoCancelled()
                if progress is not None:
                    share = part.weight * 1000 * min(done, part_total) // max(part_total, 1)
                    progress(offset + share, total, text)

            ctx.report = report
            report(0, 1, f"Demodaten: {part.name}")
            part.run(ctx)
            offset += part.weight * 1000
            report(1, 1, f"Demodaten: {part.name}")
    ids = tuple(ctx.organizations[k].id for k in ("kita", "social") if k in ctx.organizations)
    names = tuple(ctx.organizations[k].name for k in ("kita", "social") if k in ctx.organizations)
    return DemoSummary(ids, names, dict(ctx.counts), time.perf_counter() - started)


# --- bulk inserts -------------------------------------------------------------------------------------

def reserve_ids(connection: Connection, table, count: int) -> list[int]:
    """Primary keys for `count` new rows of `table`, so child rows can refer to them before the insert.
    PostgreSQL: taken from the table's sequence (safe with other writers). SQLite: after max(id); the
    demo transaction already holds SQLite's write lock, so no other writer can take them meanwhile."""
    if count == 0:
        return []
    if connection.dialect.name == "postgresql":
        return list(connection.scalars(text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
            {"table": table.name, "count": count}))
    start = (connection.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def _bulk(ctx: DemoContext, table, rows: list[dict], done: int, total: int, text: str) -> int:
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        ctx.connection.execute(insert(table), chunk)
        done += len(chunk)
        ctx.report(done, total, text)
    return done


def insert_people(ctx: DemoContext, key: str, plan: PeoplePlan, done: int, total: int) -> int:
    """Insert a plan's rows for one organization; store its families with database ids in `ctx`."""
    org_id, now = ctx.organizations[key].id, utcnow()
    pids = reserve_ids(ctx.connection, Person.__table__, len(plan.persons))
    hids = reserve_ids(ctx.connection, Household.__table__, len(plan.households))
    stamp = {"organization_id": org_id, "version": 1, "created_at": now, "updated_at": now}
    name = ctx.organizations[key].name
    done = _bulk(ctx, Person.__table__, [{**row, **stamp, "id": pid} for pid, row in zip(pids, plan.persons)],
                 done, total, f"{name}: Personen")
    done = _bulk(ctx, PersonBankAccount.__table__, [
        {"person_id": pids[p], "iban": iban, "bic": bic, "holder": holder} for p, iban, bic, holder in plan.accounts],
        done, total, f"{name}: Bankkonten")
    done = _bulk(ctx, PersonRole.__table__, [{"person_id": pids[p], "module": m, "role": r} for p, m, r in plan.roles],
                 done, total, f"{name}: Rollen")
    done = _bulk(ctx, Household.__table__, [{**stamp, "id": hid, "name": n} for hid, n in zip(hids, plan.households)],
                 done, total, f"{name}: Haushalte")
    done = _bulk(ctx, HouseholdMembership.__table__, [
        {"household_id": hids[h], "person_id": pids[p], "valid_from": start, "valid_to": end, "relation": rel}
        for h, p, start, end, rel in plan.members], done, total, f"{name}: Haushaltszugehörigkeiten")
    ctx.families[key] = [Family(hids[f.household], tuple(pids[p] for p in f.adults),
                                tuple(pids[p] for p in f.children), None if f.payer is None else pids[f.payer],
                                None if f.debtor is None else pids[f.debtor]) for f in plan.families]
    for label, rows in (("persons", plan.persons), ("bank_accounts", plan.accounts), ("roles", plan.roles),
                        ("households", plan.households), ("memberships", plan.members)):
        ctx.counts[label] += len(rows)
    return done
