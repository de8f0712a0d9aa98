"""The German texts of the calculation sheet (Berechnungsblatt) of the income scale.

Pure functions over the sheet's data; `reports.income_sheet` places what they return. Amounts use the
project's formats (`domain.formatting`: 1.234,50 DE, 1'234.50 CH); Swiss sheets write "ss" for "ß".
"""
from __future__ import annotations

from decimal import Decimal

from sollhaben.domain.formatting import format_date, format_money
from sollhaben.domain.income.model import ItemSign
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.reports.income_sheet_model import IncomeSheet, SheetItem
from sollhaben.reports.kita_assessment_texts import amount_with_currency, for_country, month_name

MINUS = "\u2212"  # the minus sign (typographic), used as an operator and item sign
HIGHEST_TIER = "höchste Staffel – kein Einkommensnachweis"
ITEM_HEADERS = ("Einkommensposition", "+/−", "Berechnung", "Jahresbetrag")
FEE_HEADERS = ("Beitragsgruppe", "Staffel", "Monatsbeitrag")


def subject(valid_from: Month) -> str:
    """"Berechnung des Elternbeitrags ab 01.2026"."""
    return f"Berechnung des Elternbeitrags ab {valid_from}"


def amount(value: Money | None, country: str) -> str:
    """1.234,50 (DE), 1'234.50 (CH); "–" for a figure that could not be computed."""
    return "–" if value is None else format_money(value, country)


def with_currency(value: Money | None, country: str) -> str:
    """"180,00 EUR" (DE), "CHF 180.00" (CH)."""
    return "–" if value is None else amount_with_currency(value, country)


def percent(value: Decimal, country: str) -> str:
    """"5 %", "2,5 %" (DE), "2.5 %" (CH)."""
    text = format(Decimal(value).normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return (text if country == "CH" else text.replace(".", ",")) + " %"


def sign(item_sign: ItemSign) -> str:
    return "+" if item_sign is ItemSign.PLUS else MINUS


def item_calculation(item: SheetItem, country: str) -> str:
    """"800,00 × 12 =" for a monthly-entered item, "" for an annual one."""
    return f"{amount(item.entered, country)} × 12 =" if item.monthly_entry else ""


def validity(sheet: IncomeSheet) -> str:
    """"ab Januar 2026 (01.2026)" or "Januar 2026 bis Dezember 2026"."""
    if sheet.valid_to is None:
        return f"ab {month_name(sheet.valid_from)}"
    return f"{month_name(sheet.valid_from)} bis {month_name(sheet.valid_to)}"


def child_line(sheet: IncomeSheet) -> str:
    if sheet.child_birth_date is None:
        return sheet.child_name
    return f"{sheet.child_name}, geb. {format_date(sheet.child_birth_date)}"


def persons_line(sheet: IncomeSheet) -> str:
    names = [p.name for p in sheet.persons if p.name]
    return ", ".join(names) if names else "–"


def household(size: int | None) -> str:
    if size is None:
        return "–"
    return "1 Person" if size == 1 else f"{size} Personen"


def salutation(sheet: IncomeSheet) -> str:
    if sheet.salutation:
        return sheet.salutation
    return "Sehr geehrte Damen und Herren" + ("" if sheet.country == "CH" else ",")


def intro(sheet: IncomeSheet) -> str:
    """The first paragraph (lower case after the comma of a German salutation). Names keep their ß."""
    country = sheet.country
    text = (for_country("nachfolgend erhalten Sie die Berechnung des einkommensabhängigen Elternbeitrags für ", country)
            + f"{sheet.child_name} in der Einrichtung {sheet.facility_name} ab {month_name(sheet.valid_from)}.")
    if sheet.highest_tier_option:
        text += (" Da uns kein Einkommensnachweis vorliegt, gilt die höchste Staffel; eine Berechnung aus dem "
                 "Einkommen entfällt.")
    else:
        text += for_country(" Aus dem Einkommen und der Größe Ihres Haushalts ergibt sich die Staffel Ihres "
                            "Beitrags.", country)
    if country == "CH" or not salutation(sheet).endswith(","):
        text = text[0].upper() + text[1:]
    return text


def person_heading(name: str, monthly_entry: bool) -> str:
    return f"{name or 'Person'} – " + ("monatlich erfasst (× 12)" if monthly_entry else "Jahresbeträge")


def exemption_detail(sheet: IncomeSheet) -> str:
    """"5 % von 3.000,00 = 150,00, zuzüglich fester Betrag 50,00"."""
    country = sheet.country
    parts = []
    fixed = sheet.exemption_fixed
    if sheet.exemption_percent:
        if sheet.monthly_income is not None and sheet.monthly_income.minor <= 0:
            parts.append(f"{percent(sheet.exemption_percent, country)} entfallen (kein positives Einkommen)")
        else:
            parts.append(f"{percent(sheet.exemption_percent, country)} von {amount(sheet.monthly_income, country)} "
                         f"= {amount(sheet.exemption_percent_amount, country)}")
    if fixed is not None and not fixed.is_zero():
        parts.append(("zuzüglich fester Betrag " if parts else "fester Betrag ") + amount(fixed, country))
    return ", ".join(parts) if parts else "kein Befreiungsbetrag"


def threshold_label(sheet: IncomeSheet) -> str:
    if sheet.household_size is None:
        return for_country("Einkommensgrenze (Haushaltsgröße fehlt)", sheet.country)
    return for_country(f"Einkommensgrenze für einen Haushalt mit {household(sheet.household_size)}", sheet.country)


def threshold_detail(sheet: IncomeSheet) -> str:
    """"2.400,00 für 4 Personen + 2 × 300,00 je weitere Person" when the size is above the table."""
    if sheet.threshold_base is None or sheet.increment_per_person is None or sheet.household_size is None:
        return ""
    size, base = sheet.threshold_base
    more = sheet.household_size - size
    return (f"{amount(base, sheet.country)} für {household(size)} + {more} × "
            f"{amount(sheet.increment_per_person, sheet.country)} je weitere Person")


def tier_detail(sheet: IncomeSheet) -> str:
    """The bracket of the tier: "maßgeblicher Betrag über 250,00 bis 500,00"."""
    if sheet.highest_tier_option:
        return HIGHEST_TIER
    above, up_to = sheet.bracket_above, sheet.bracket_up_to
    if above is None and up_to is None:
        return ""
    country = sheet.country
    if above is None:
        text = f"maßgeblicher Betrag bis {amount(up_to, country)}"
    elif up_to is None:
        text = f"maßgeblicher Betrag über {amount(above, country)}"
    else:
        text = f"maßgeblicher Betrag über {amount(above, country)} bis {amount(up_to, country)}"
    return for_country(text, country)


def tier(sheet: IncomeSheet) -> str:
    return "–" if sheet.tier is None else str(sheet.tier)


def fee_tier(tier_no: int | None, label: str) -> str:
    if label:
        return label
    return "–" if tier_no is None else f"Staffel {tier_no}"


def no_fee_lines() -> str:
    return "Für das Kind sind zurzeit keine einkommensabhängigen Beiträge erfasst."


def closing_paragraphs(sheet: IncomeSheet) -> list[str]:
    """The closing sentence and the office's contact."""
    country = sheet.country
    first = (f"Die Staffel gilt {validity(sheet)} für die einkommensabhängigen Beiträge. Bitte prüfen Sie die "
             "Angaben. Ändern sich Ihr Einkommen oder die Zahl der Personen in Ihrem Haushalt, teilen Sie uns "
             "dies bitte mit; wir berechnen den Beitrag dann neu.")
    contact = sheet.contact or sheet.sender.contact_line()
    second = f"Für Fragen erreichen Sie uns: {contact}" if contact else ""
    return [for_country(first, country)] + ([second] if second else [])
