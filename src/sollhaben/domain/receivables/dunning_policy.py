"""The dunning policy of an organization: levels, minimum amount, hand-over; its rules and texts.

Level 1 is reached `days` after the item's due date; level n+1 `days` after the level-n reminder.
Every level has a fee (0 allowed), the days the letter gives for payment, whether a CH letter
carries a QR-bill, and a letter text with placeholders ({name}, {betrag}, {frist} …). What the last
level hands over to (nothing, enforcement — CH Betreibung — or a collection agency — DE Inkasso) is
one setting of the organization. Pure: no database.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from string import Formatter

from sollhaben.domain.errors import ErrorCollector


class Handover(str, Enum):
    NONE = "NONE"
    ENFORCEMENT = "ENFORCEMENT"  # CH: Betreibung
    COLLECTION = "COLLECTION"  # DE: Inkasso

    @property
    def label(self) -> str:
        return {"NONE": "keine Übergabe", "ENFORCEMENT": "Betreibung", "COLLECTION": "Inkasso"}[self.value]


#: Placeholders a letter text may use, with what they stand for (shown in the settings dialog).
PLACEHOLDERS = {
    "name": "Name des Empfängers",
    "betrag": "Mahnbetrag inkl. Gebühr",
    "gebuehr": "Mahngebühr dieser Stufe",
    "frist": "Zahlungsfrist (Datum)",
    "datum": "Datum des Mahnlaufs",
    "stufe": "Name der Mahnstufe",
}
NAME_MAX, TEXT_MAX, MAX_LEVELS, DAYS_MAX = 60, 4000, 9, 365


@dataclass(frozen=True)
class DunningLevel:
    position: int  # 1, 2, 3 …
    name: str  # also the letter's subject: "Zahlungserinnerung", "1. Mahnung"
    days: int  # level 1: after the due date; later levels: after the previous level's reminder
    fee_minor: int
    payment_days: int  # the letter's deadline: run date + payment_days
    qr_bill: bool
    text: str


@dataclass(frozen=True)
class DunningPolicy:
    levels: tuple[DunningLevel, ...]
    minimum_minor: int  # accounts whose remindable amount is below this are not reminded
    handover: Handover = Handover.NONE

    def level(self, position: int) -> DunningLevel:
        return self.levels[position - 1]

    @property
    def last(self) -> int:
        return len(self.levels)


def placeholders_in(text: str) -> list[str]:
    """The field names of a text's {placeholders}; ValueError for a broken brace."""
    return [name for _lit, name, _spec, _conv in Formatter().parse(text) if name is not None]


def fill_text(text: str, values: dict[str, str]) -> str:
    """The letter text with its placeholders replaced (unknown ones are refused by the validation)."""
    return text.format_map({key: values.get(key, "") for key in PLACEHOLDERS})


def validate_policy(policy: DunningPolicy) -> DunningPolicy:
    """German messages per field (levels[i].days …); all problems at once."""
    errors = ErrorCollector()
    if not policy.levels:
        errors.add("levels", "Mahnstufen: Bitte mindestens eine Mahnstufe erfassen.")
    if len(policy.levels) > MAX_LEVELS:
        errors.add("levels", f"Mahnstufen: höchstens {MAX_LEVELS} Stufen.")
    if policy.minimum_minor < 0:
        errors.add("minimum", "Mindestbetrag: darf nicht negativ sein.")
    names = set()
    for i, level in enumerate(policy.levels):
        at = f"levels[{i}]"
        label = f"Stufe {i + 1}"
        if level.position != i + 1:
            errors.add(f"{at}.position", f"{label}: Die Stufen sind lückenlos 1, 2, 3 … nummeriert.")
        name = level.name.strip()
        if not name:
            errors.add(f"{at}.name", f"{label}, Bezeichnung: Bitte eine Bezeichnung eingeben.")
        elif len(name) > NAME_MAX:
            errors.add(f"{at}.name", f"{label}, Bezeichnung: höchstens {NAME_MAX} Zeichen.")
        elif name.lower() in names:
            errors.add(f"{at}.name", f"{label}, Bezeichnung: „{name}“ gibt es schon in einer anderen Stufe.")
        names.add(name.lower())
        after = "nach Fälligkeit" if i == 0 else "nach der vorigen Stufe"
        if not 1 <= level.days <= DAYS_MAX:
            errors.add(f"{at}.days", f"{label}, Tage {after}: 1 bis {DAYS_MAX} Tage.")
        if level.fee_minor < 0:
            errors.add(f"{at}.fee", f"{label}, Gebühr: darf nicht negativ sein (0 für keine Gebühr).")
        if not 1 <= level.payment_days <= DAYS_MAX:
            errors.add(f"{at}.payment_days", f"{label}, Zahlungsfrist: 1 bis {DAYS_MAX} Tage.")
        _check_text(errors, f"{at}.text", label, level.text)
    errors.raise_if_any()
    return policy


def _check_text(errors: ErrorCollector, field: str, label: str, text: str) -> None:
    if not text.strip():
        errors.add(field, f"{label}, Brieftext: Bitte einen Brieftext eingeben.")
        return
    if len(text) > TEXT_MAX:
        errors.add(field, f"{label}, Brieftext: höchstens {TEXT_MAX} Zeichen.")
    try:
        used = placeholders_in(text)
    except ValueError:
        errors.add(field, f"{label}, Brieftext: Eine geschweifte Klammer ist nicht geschlossen "
                          "(Platzhalter schreiben Sie als {name}).")
        return
    unknown = [u for u in used if u not in PLACEHOLDERS]
    if unknown:
        known = ", ".join("{" + k + "}" for k in PLACEHOLDERS)
        errors.add(field, f"{label}, Brieftext: Den Platzhalter {{{unknown[0]}}} gibt es nicht (erlaubt: {known}).")


def default_policy(country: str) -> DunningPolicy:
    """What a new organization starts with: a reminder without fee, two dunning letters; CH hands the
    last level over to enforcement (Betreibung), DE to a collection agency (Inkasso)."""
    ch = country == "CH"
    first = ("Für die unten aufgeführten Posten haben wir noch keine Zahlung erhalten. Sicher ist dies nur ein "
             "Versehen. Bitte überweisen Sie {betrag} bis {frist}. Haben Sie inzwischen bezahlt, betrachten Sie "
             "dieses Schreiben bitte als gegenstandslos.")
    second = ("Trotz unserer Zahlungserinnerung sind die unten aufgeführten Posten noch offen. Bitte überweisen "
              "Sie den Betrag von {betrag} (inkl. Mahngebühr {gebuehr}) bis spätestens {frist}.")
    then = "die Betreibung einleiten" if ch else "die Forderung einem Inkassobüro übergeben"
    third = ("Die unten aufgeführten Posten sind trotz zweier Mahnungen noch immer offen. Bitte überweisen Sie "
             f"den Betrag von {{betrag}} bis spätestens {{frist}}. Andernfalls werden wir ohne weitere Ankündigung "
             f"{then}.")
    fees = ("0.00", "20.00", "30.00") if ch else ("0.00", "5.00", "10.00")
    levels = tuple(
        DunningLevel(i + 1, name, days, int(fee.replace(".", "")), payment, ch, text)
        for i, (name, days, fee, payment, text) in enumerate((
            ("Zahlungserinnerung", 10, fees[0], 10, first),
            ("1. Mahnung", 14, fees[1], 10, second),
            ("2. Mahnung", 14, fees[2], 10, third))))
    return DunningPolicy(levels, 1000 if ch else 500, Handover.ENFORCEMENT if ch else Handover.COLLECTION)
