"""The dunning proposal for a run date (pure: no database). Rules (docs/dunning.md):

- An open item reaches level 1 `days(1)` after its due date; level n+1 `days(n+1)` after its level-n
  reminder. Levels are never skipped: an item 200 days overdue and never reminded gets level 1.
- An item already reminded at the last level is proposed for hand-over (enforcement / collection)
  once the payment deadline of that last letter has passed — unless the policy hands over nothing;
  then it rests. A handed-over item is never proposed again.
- Blocked items (item block, account block, incl. blocks of kept payment agreements) and what the
  clerk excluded are shown with their reason and neither reminded nor handed over.
- Reminder fees (category REMINDER_FEE) never start a letter and do not count toward the minimum:
  they are listed, at the letter's level, in a letter the account gets anyway for its other items.
- An account with unallocated credit is not reminded: the credit must be allocated first.
- An account whose remindable amount (non-fee items reminded or handed over) is below the minimum
  amount is not reminded.
- One letter per account; its level is the highest level of its items; the fee of that level is
  charged once per letter.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from typing import Iterable

from sollhaben.domain.formatting import format_number_minor
from sollhaben.domain.receivables.dunning_policy import DunningPolicy, Handover

FEE_CATEGORY = "REMINDER_FEE"


class Action(str, Enum):
    REMIND = "REMIND"
    HANDOVER = "HANDOVER"
    SKIP = "SKIP"


@dataclass(frozen=True)
class ItemState:
    """An open receivable with its reminder history."""

    id: int
    account_id: int
    due_date: date | None
    category: str
    open_minor: int
    text: str = ""
    last_level: int = 0  # the highest level it was reminded at (0: never)
    last_reminded: date | None = None  # run date of that reminder
    last_deadline: date | None = None  # payment deadline of that letter
    handed_over: date | None = None

    @property
    def is_fee(self) -> bool:
        return self.category == FEE_CATEGORY


@dataclass(frozen=True)
class AccountState:
    id: int
    items: tuple[ItemState, ...]
    credit_minor: int = 0  # unallocated credit (≥ 0)
    name: str = ""


@dataclass(frozen=True)
class Blocks:
    """Active blocks on the run date: id → the reason shown to the clerk."""

    accounts: dict[int, str] = field(default_factory=dict)
    items: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemLine:
    item: ItemState
    action: Action
    level: int  # reached (REMIND), the last level (HANDOVER), or the one it would have reached (SKIP)
    reason: str = ""


@dataclass(frozen=True)
class AccountLine:
    account: AccountState
    lines: tuple[ItemLine, ...]
    letter_level: int = 0  # 0: no letter
    fee_minor: int = 0
    reason: str = ""  # why the account gets nothing (blocked, excluded, below minimum …)

    @property
    def reminded(self) -> tuple[ItemLine, ...]:
        return tuple(line for line in self.lines if line.action is Action.REMIND)

    @property
    def handed_over(self) -> tuple[ItemLine, ...]:
        return tuple(line for line in self.lines if line.action is Action.HANDOVER)

    @property
    def items_minor(self) -> int:
        return sum(line.item.open_minor for line in self.reminded)

    @property
    def amount_minor(self) -> int:
        """What the letter asks for: the open amount of its items plus the fee."""
        return self.items_minor + self.fee_minor if self.letter_level else 0


@dataclass(frozen=True)
class Proposal:
    run_date: date
    accounts: tuple[AccountLine, ...]

    @property
    def letters(self) -> tuple[AccountLine, ...]:
        return tuple(a for a in self.accounts if a.letter_level)

    @property
    def handovers(self) -> tuple[AccountLine, ...]:
        return tuple(a for a in self.accounts if a.handed_over)

    @property
    def fees_minor(self) -> int:
        return sum(a.fee_minor for a in self.accounts)

    def selection(self) -> dict[int, tuple[tuple[int, str, int, int], ...]]:
        """account → (item, action, level, open amount) of what would be stored: compared at confirm,
        so that a letter is only posted as the clerk saw it."""
        return {a.account.id: tuple((l.item.id, l.action.value, l.level, l.item.open_minor)
                                    for l in a.lines if l.action is not Action.SKIP)
                for a in self.accounts if a.letter_level or a.handed_over}


EXCLUDED = "Vom Sachbearbeiter ausgenommen"


def reached(item: ItemState, policy: DunningPolicy, run_date: date) -> tuple[Action, int] | None:
    """What the item reaches on the run date by its history alone (blocks aside); None: nothing."""
    if item.handed_over is not None or item.due_date is None or item.open_minor <= 0 or not policy.levels:
        return None
    last = min(item.last_level, policy.last)
    if last == 0:
        due = item.due_date + timedelta(days=policy.level(1).days)
        return (Action.REMIND, 1) if run_date >= due else None
    if last == policy.last:
        if policy.handover is Handover.NONE:
            return None
        deadline = item.last_deadline or item.last_reminded or item.due_date
        return (Action.HANDOVER, last) if run_date > deadline else None
    since = item.last_reminded or item.due_date
    return (Action.REMIND, last + 1) if run_date >= since + timedelta(days=policy.level(last + 1).days) else None


def _fee_rides_along(item: ItemState, run_date: date) -> bool:
    return item.is_fee and item.handed_over is None and item.open_minor > 0 and \
        item.due_date is not None and item.due_date < run_date


def propose_account(account: AccountState, policy: DunningPolicy, run_date: date, blocks: Blocks,
                    excluded_accounts: frozenset[int] = frozenset(), excluded_items: frozenset[int] = frozenset(),
                    country: str = "CH") -> AccountLine | None:
    """The account's line of the proposal; None when nothing of it is due for anything."""
    candidates: list[tuple[ItemState, Action, int]] = []
    fees: list[ItemState] = []
    for item in sorted(account.items, key=lambda i: (i.due_date or date.min, i.id)):
        if item.is_fee:
            if _fee_rides_along(item, run_date):
                fees.append(item)
            continue
        found = reached(item, policy, run_date)
        if found is not None:
            candidates.append((item, *found))
    if not candidates:
        return None
    account_reason = blocks.accounts.get(account.id) or (EXCLUDED if account.id in excluded_accounts else "")
    if not account_reason and account.credit_minor > 0:
        account_reason = (f"Nicht zugeordnetes Guthaben {format_number_minor(account.credit_minor, country)}: "
                          "bitte zuerst den offenen Posten zuordnen")
    lines: list[ItemLine] = []
    for item, action, level in candidates:
        reason = account_reason or blocks.items.get(item.id) or (EXCLUDED if item.id in excluded_items else "")
        lines.append(ItemLine(item, Action.SKIP if reason else action, level, reason))
    active = [line for line in lines if line.action is not Action.SKIP]
    remindable = sum(line.item.open_minor for line in active)
    if active and remindable < policy.minimum_minor:
        why = (f"Mahnbetrag {format_number_minor(remindable, country)} unter dem Mindestbetrag "
               f"{format_number_minor(policy.minimum_minor, country)}")
        lines = [ItemLine(l.item, Action.SKIP, l.level, l.reason or why) for l in lines]
        account_reason = why
    letter_level = max((l.level for l in lines if l.action is Action.REMIND), default=0)
    if letter_level:
        for item in fees:
            blocked = blocks.items.get(item.id) or (EXCLUDED if item.id in excluded_items else "")
            lines.append(ItemLine(item, Action.SKIP if blocked else Action.REMIND, letter_level, blocked))
    fee = policy.level(letter_level).fee_minor if letter_level else 0
    if not account_reason and not any(l.action is not Action.SKIP for l in lines):
        account_reason = "Alle Posten gesperrt oder ausgenommen"
    return AccountLine(account, tuple(lines), letter_level, fee, account_reason)


def propose(accounts: Iterable[AccountState], policy: DunningPolicy, run_date: date, blocks: Blocks | None = None,
            excluded_accounts: Iterable[int] = (), excluded_items: Iterable[int] = (),
            country: str = "CH") -> Proposal:
    """The proposal for the run date: every account with something due, in the given order."""
    blocks = blocks or Blocks()
    ex_accounts, ex_items = frozenset(excluded_accounts), frozenset(excluded_items)
    lines = (propose_account(a, policy, run_date, blocks, ex_accounts, ex_items, country) for a in accounts)
    return Proposal(run_date, tuple(line for line in lines if line is not None))


def deadline(policy: DunningPolicy, level: int, run_date: date) -> date:
    """The payment deadline a letter of this level gives."""
    return run_date + timedelta(days=policy.level(level).payment_days)


def describe(line: ItemLine) -> str:
    """A short German status of an item line for lists and the CLI."""
    if line.action is Action.REMIND:
        return f"Stufe {line.level}"
    if line.action is Action.HANDOVER:
        return "Übergabe"
    return line.reason


def waiting_until(item: ItemState, policy: DunningPolicy) -> date | None:
    """When an item with history reaches its next level (for the item's history view)."""
    last = min(item.last_level, policy.last)
    if item.handed_over or item.due_date is None or not policy.levels:
        return None
    if last == 0:
        return item.due_date + timedelta(days=policy.level(1).days)
    if last == policy.last:
        return (item.last_deadline + timedelta(days=1)) if item.last_deadline else None
    return (item.last_reminded or item.due_date) + timedelta(days=policy.level(last + 1).days)


__all__ = ["Action", "AccountLine", "AccountState", "Blocks", "FEE_CATEGORY", "ItemLine", "ItemState", "Proposal",
           "deadline", "describe", "propose", "propose_account", "reached", "waiting_until"]
