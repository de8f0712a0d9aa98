"""Reports of the billing run as `TableReport`s (render with `reports.table_pdf.render_table_pdf`
and `reports.table_xlsx.render_table_xlsx`):

- the run list (Sollstellungsliste / Hebeliste) of one run: every posting per child and line,
  the recalculations separately, totals by fee group, extra cost and payer;
- the subsidy list (Zuschussliste) of a facility and month: each child whose meals an institution
  pays under the standard-rate meal billing, the reason, the meal amounts, totals.

Both read what was posted (the postings' detail), never the current billing data.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import select

from sollhaben.domain.collation import sort_key
from sollhaben.domain.errors import NotFoundError
from sollhaben.domain.formatting import format_date
from sollhaben.domain.kita.model import MealCoverage
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.persistence.bulk_read import fetch_tuples
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import (Account, BillingPeriod, BillingRun, Child, Organization, Person, Posting,
                                          Unit)
from sollhaben.reports.table_model import ReportColumn, ReportSection, TableReport
from sollhaben.services.kita.billing_run_load import (
    CHUNK,
    key_prefix,
    key_range,
    person_names,
    require_facility,
    run_history,
)
from sollhaben.services.kita.billing_run_post import month_text
from sollhaben.services.kita.facility import settings_in
from sollhaben.services.unit_of_work import read_only


@dataclass(frozen=True)
class _Posted:
    child_id: int
    payer_id: int
    value_month: Month
    name: str
    line_kind: str
    catalogue_id: int
    tier: int | None
    quantity: Decimal | None
    unit_amount: Money | None
    amount: Money
    is_recalculation: bool
    is_meal: bool
    posted_before: Money
    share: Money


def _postings(connection, prefix: str, run_ids: set[int], currency: str, value_month: Month | None = None):
    """The postings of the given runs (by their key prefix), with their detail."""
    query = (select(Posting.source_id, Account.holder_id, Posting.value_month, Posting.amount_minor, Posting.text,
                    Posting.detail)
             .join(Account, Account.id == Posting.account_id)
             .where(key_range(connection, prefix)).order_by(Posting.id))
    if value_month is not None:
        query = query.where(Posting.value_month == value_month.index)
    result = []
    for source_id, holder, month, amount, text, detail in fetch_tuples(connection, query):
        if source_id not in run_ids:
            continue
        data = detail if isinstance(detail, dict) else json.loads(detail or "{}")
        quantity = data.get("quantity")
        unit = data.get("unit_amount")
        name = data.get("name") or text
        result.append(_Posted(
            int(data.get("child", 0)), holder, Month.from_index(month), name, data.get("line_kind", ""),
            int(data.get("catalogue_id", 0)), data.get("tier"), Decimal(quantity) if quantity is not None else None,
            Money(int(unit), currency) if unit is not None else None, Money(int(amount), currency),
            data.get("kind") == "RECALCULATION", bool(data.get("meal")),
            Money(int(data.get("posted_before") or 0), currency), Money(int(data.get("share") or 0), currency)))
    return result


def _child_names(connection, child_ids: set[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    ids = sorted(child_ids)
    for start in range(0, len(ids), CHUNK):
        for cid, last, first in connection.execute(
                select(Child.id, Person.last_name, Person.first_name).join(Person, Person.id == Child.person_id)
                .where(Child.id.in_(ids[start:start + CHUNK]))):
            names[cid] = f"{last}, {first}" if first else last
    return names


def _meal_coverage(connection, child_ids: set[int], month: Month) -> dict[int, MealCoverage]:
    """The meal coverage of each child's billing period valid in `month`."""
    coverage: dict[int, MealCoverage] = {}
    ids = sorted(child_ids)
    for start in range(0, len(ids), CHUNK):
        for cid, value in connection.execute(
                select(BillingPeriod.child_id, BillingPeriod.meal_coverage)
                .where(BillingPeriod.child_id.in_(ids[start:start + CHUNK]), BillingPeriod.valid_from <= month,
                       (BillingPeriod.valid_to.is_(None)) | (BillingPeriod.valid_to >= month))):
            if value and value != MealCoverage.NONE.value:
                coverage[cid] = MealCoverage(value)
    return coverage


def local_time(moment: datetime) -> datetime:
    """A stored UTC time in the clerk's time zone."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone()


def _org(session, organization_id: int) -> tuple[str, str]:
    row = session.execute(select(Organization.name, Organization.legal_country)
                          .where(Organization.id == organization_id)).one()
    return row[0], row[1]


def _sorted(rows: list[_Posted], names: dict[int, str]) -> list[_Posted]:
    """By child in dictionary order ("Öztürk" near "Otto"), month, fees before extra costs."""
    return sorted(rows, key=lambda p: (sort_key(names.get(p.child_id, "")), p.child_id, p.value_month,
                                       p.line_kind != "FEE", sort_key(p.name), p.payer_id))


def _total_section(heading: str, first: str, groups: dict[str, list[int]], currency: str) -> ReportSection:
    rows = [(name, count, Money(amount, currency)) for name, (amount, count) in
            sorted(groups.items(), key=lambda item: sort_key(item[0]))]
    total = (("Summe", sum(r[1] for r in rows), Money(sum(r[2].minor for r in rows), currency)),)
    return ReportSection(heading, (ReportColumn(first, 40), ReportColumn("Buchungen", 12, True),
                                   ReportColumn("Betrag", 16, True)), rows, total)


LINE_COLUMNS = (ReportColumn("Kind", 30), ReportColumn("Zeile", 28), ReportColumn("Monat", 10),
                ReportColumn("Staffel", 8, True), ReportColumn("Menge", 9, True), ReportColumn("Einzelbetrag", 13, True),
                ReportColumn("Zahler", 28), ReportColumn("Betrag", 14, True))
RECALC_COLUMNS = LINE_COLUMNS[:3] + (ReportColumn("Zahler", 28), ReportColumn("Soll jetzt", 14, True),
                                     ReportColumn("bisher", 14, True), ReportColumn("Differenz", 14, True))


def run_list_report(db: Database, run_id: int) -> TableReport:
    """Sollstellungsliste (Hebeliste) of one run."""
    with read_only(db) as session:
        run = session.get(BillingRun, run_id)
        if run is None or run.kind != "RUN":
            raise NotFoundError(f"Sollstellung {run_id} gibt es nicht.")
        facility = session.get(Unit, run.facility_id)
        org_name, country = _org(session, run.organization_id)
        connection = session.connection()
        attempt = int((run.counts or {}).get("attempt", 1))
        postings = _postings(connection, key_prefix(run.facility_id, run.month, attempt), {run.id}, run.currency)
        children = _child_names(connection, {p.child_id for p in postings})
        payers = person_names(connection, {p.payer_id for p in postings})
        currency, run_month, reversed_by, started_at, started_by = (run.currency, run.month, run.reversed_by_id,
                                                                    run.started_at, run.started_by)
        facility_name = facility.name
    postings = _sorted(postings, children)
    regular = [p for p in postings if not p.is_recalculation]
    recalculations = [p for p in postings if p.is_recalculation]

    def money_total(rows: list[_Posted]) -> Money:
        return Money(sum(p.amount.minor for p in rows), currency)

    line_rows = [(children.get(p.child_id, str(p.child_id)), p.name, p.value_month, p.tier, p.quantity, p.unit_amount,
                  payers.get(p.payer_id, str(p.payer_id)), p.amount) for p in regular]
    recalc_rows = [(children.get(p.child_id, str(p.child_id)), p.name, p.value_month,
                    payers.get(p.payer_id, str(p.payer_id)), p.share, p.posted_before, p.amount) for p in recalculations]
    groups: dict[str, dict[str, list[int]]] = {"FEE": defaultdict(lambda: [0, 0]), "EXTRA": defaultdict(lambda: [0, 0])}
    by_payer: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for p in postings:
        entry = groups.setdefault(p.line_kind, defaultdict(lambda: [0, 0]))[p.name]
        entry[0] += p.amount.minor
        entry[1] += 1
        payer = by_payer[payers.get(p.payer_id, str(p.payer_id))]
        payer[0] += p.amount.minor
        payer[1] += 1
    sections = (
        ReportSection(f"Sollstellung {run_month}", LINE_COLUMNS, line_rows,
                      (("Summe Sollstellung", "", "", None, None, None, f"{len(regular)} Buchungen",
                        money_total(regular)),)),
        ReportSection("Nachberechnungen", RECALC_COLUMNS, recalc_rows,
                      (("Summe Nachberechnungen", "", "", f"{len(recalculations)} Buchungen", None, None,
                        money_total(recalculations)),)),
        _total_section("Summen je Beitragsgruppe", "Beitragsgruppe", groups["FEE"], currency),
        _total_section("Summen je Zusatzkosten", "Zusatzkosten", groups["EXTRA"], currency),
        _total_section("Summen je Zahler", "Zahler", by_payer, currency),
    )
    status = " – rückgängig gemacht" if reversed_by is not None else ""
    stamp = local_time(started_at).strftime("%d.%m.%Y %H:%M")
    return TableReport(
        title=f"Sollstellungsliste {run_month}", organization=org_name, country=country, sections=sections,
        subtitle=f"{facility_name} – Sollstellung Nr. {run_id} vom {stamp} durch {started_by}{status}",
        landscape=True,
        notes=(f"Kinder: {len(children)}, Buchungen: {len(postings)}, Gesamtsumme: "
               f"{money_total(postings).amount:.2f} {currency}".replace(".", "," if country == "DE" else "."),))


def subsidy_list_report(db: Database, facility_id: int, month: Month) -> TableReport:
    """Zuschussliste: the meal costs an institution pays for covered children in `month`."""
    with read_only(db) as session:
        require_facility(session, facility_id)
        facility = session.get(Unit, facility_id)
        org_name, country = _org(session, facility.organization_id)
        currency = session.scalar(select(Organization.currency).where(Organization.id == facility.organization_id))
        settings = settings_in(session, facility_id)
        history = run_history(session, facility_id)
        live = set(session.scalars(select(BillingRun.id).where(
            BillingRun.facility_id == facility_id, BillingRun.kind == "RUN", BillingRun.reversed_by_id.is_(None))))
        connection = session.connection()
        postings = [p for p in _postings(connection, key_prefix(facility_id), live, currency, month) if p.is_meal]
        facility_name = facility.name
        reasons = {settings.hardship_fund_payer_id: MealCoverage.HARDSHIP_FUND,
                   settings.sibling_meal_payer_id: MealCoverage.FROM_SECOND_SIBLING}
        covered = [p for p in postings if p.payer_id in reasons and p.payer_id is not None]
        children = _child_names(connection, {p.child_id for p in covered})
        payers = person_names(connection, {p.payer_id for p in covered})
        coverage = _meal_coverage(connection, {p.child_id for p in covered}, month)
    merged: dict[tuple[int, str, int], list] = {}
    for p in _sorted(covered, children):
        key = (p.child_id, p.name, p.payer_id)
        if key not in merged:
            merged[key] = [p, 0]
        merged[key][1] += p.amount.minor
    rows, by_reason = [], defaultdict(lambda: [0, 0])
    for (child_id, name, payer_id), (first, amount) in merged.items():
        # the reason is the child's meal coverage in the month; one institution may pay for both
        reason = coverage.get(child_id, reasons[payer_id]).label
        rows.append((children.get(child_id, str(child_id)), reason, name, first.quantity, first.unit_amount,
                     payers.get(payer_id, str(payer_id)), Money(amount, currency)))
        by_reason[reason][0] += amount
        by_reason[reason][1] += 1
    columns = (ReportColumn("Kind", 30), ReportColumn("Grund", 24), ReportColumn("Zusatzkosten", 22),
               ReportColumn("Anzahl", 9, True), ReportColumn("Einzelpreis", 12, True), ReportColumn("Institution", 26),
               ReportColumn("Betrag", 14, True))
    total = Money(sum(r[6].minor for r in rows), currency)
    sections = (
        ReportSection(f"Zuschussliste {month}", columns, rows,
                      (("Summe", f"{len({r[0] for r in rows})} Kinder", "", None, None, "", total),)),
        _total_section("Summen je Grund", "Grund", {k: v for k, v in by_reason.items()}, currency),
    )
    note = () if history.posted_months and month in history.posted_months else (
        f"Für {month} ist noch keine Sollstellung gebucht.",)
    return TableReport(title=f"Zuschussliste Essensgeld {month_text(month)}", organization=org_name, country=country,
                       sections=sections, subtitle=f"{facility_name} – Richtsatzabrechnung, Stand "
                                                   f"{format_date(date.today())}",
                       landscape=True, notes=note)


def preview_report(preview, country: str, organization: str) -> TableReport:
    """The run list of a preview (nothing posted yet), same layout as `run_list_report`."""
    def rows_of(lines):
        return sorted(lines, key=lambda x: (sort_key(x.child_name), x.child_id, x.value_month, x.line_kind != "FEE",
                                            sort_key(x.name), x.payer_id))

    regular, recalculations = rows_of(preview.lines), rows_of(preview.recalculations)
    currency = preview.currency

    def money_total(lines) -> Money:
        return Money(sum(x.amount.minor for x in lines), currency)

    def groups(totals) -> dict[str, list[int]]:
        return {t.name: [t.amount.minor, t.postings] for t in totals}

    sections = (
        ReportSection(f"Sollstellung {preview.month}", LINE_COLUMNS,
                      [(x.child_name, x.name, x.value_month, x.tier, x.quantity, x.unit_amount, x.payer_name, x.amount)
                       for x in regular],
                      (("Summe Sollstellung", "", "", None, None, None, f"{len(regular)} Buchungen",
                        money_total(regular)),)),
        ReportSection("Nachberechnungen", RECALC_COLUMNS,
                      [(x.child_name, x.name, x.value_month, x.payer_name, x.share, x.posted_before, x.amount)
                       for x in recalculations],
                      (("Summe Nachberechnungen", "", "", f"{len(recalculations)} Buchungen", None, None,
                        money_total(recalculations)),)),
        _total_section("Summen je Beitragsgruppe", "Beitragsgruppe", groups(preview.totals.by_fee_group), currency),
        _total_section("Summen je Zusatzkosten", "Zusatzkosten", groups(preview.totals.by_extra_cost), currency),
        _total_section("Summen je Zahler", "Zahler", groups(preview.totals.by_payer), currency),
        ReportSection("Probleme", (ReportColumn("Kind", 30), ReportColumn("Monat", 10), ReportColumn("Problem", 120)),
                      [(p.child_name, p.month, p.message) for p in preview.problems]),
    )
    return TableReport(title=f"Vorschau Sollstellungsliste {preview.month}", organization=organization,
                       country=country, sections=sections,
                       subtitle=f"{preview.facility_name} – Vorschau, nichts gebucht", landscape=True)
