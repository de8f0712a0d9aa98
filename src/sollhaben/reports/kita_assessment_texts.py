"""The German texts of the fee assessment letter (Festsetzung der Elternbeiträge).

Pure functions over the letter's data: the report places what they return. Swiss letters write
"ss" for "ß" (`for_country`). The sentence on the statute is neutral by default; an organization
can replace it (option `kita.assessment_legal_text`, see `services.kita.fee_assessment_payment`).
"""
from __future__ import annotations

from sollhaben.domain.formatting import format_date, format_money
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.domain.references import compact
from sollhaben.reports.kita_assessment_model import FeeAssessment, Payment, PaymentMethod
from sollhaben.reports.letter_texts import MONTHS

OPEN_AMOUNT = "offener Betrag"
DEFAULT_LEGAL_TEXT = ("Die Beiträge werden nach der Beitragsordnung des Trägers in der jeweils geltenden Fassung "
                      "festgesetzt. Diese Festsetzung gilt, bis sie durch eine neue ersetzt wird.")
FEE_HEADERS = ("Beitragsgruppe", "Staffel", "Monatsbetrag", "Ermäßigungen", "Ihr Anteil")
EXTRA_HEADERS = ("Zusatzkosten", "Abrechnung", "Monatsbetrag", "", "Ihr Anteil")
MODE_LABELS = {"MONTHLY": "monatlich", "DAILY": "nach Tagen", "PER_UNIT": "nach Anzahl", "INDIVIDUAL": "individuell"}


def for_country(text: str, country: str) -> str:
    """Swiss German writes no ß."""
    return text.replace("ß", "ss") if country == "CH" else text


def month_name(month: Month) -> str:
    """"März 2026"."""
    return f"{MONTHS['de'][month.month - 1]} {month.year}"


def subject(from_month: Month) -> str:
    return f"Festsetzung der Elternbeiträge ab {month_name(from_month)}"


def amount(value: Money, country: str) -> str:
    """1.234,50 (DE), 1'234.50 (CH)."""
    return format_money(value, country)


def amount_with_currency(value: Money, country: str) -> str:
    """"1.234,50 EUR" (DE), "CHF 1'234.50" (CH, as Swiss letters write it)."""
    if country == "CH":
        return f"{value.currency.value} {format_money(value, country)}"
    return f"{format_money(value, country)} {value.currency.value}"


def salutation_line(salutation: str, first_name: str, last_name: str, institution: bool, country: str) -> str:
    """"Sehr geehrte Frau Gerber," (DE) / "Sehr geehrte Frau Gerber" (CH, no comma)."""
    end = "" if country == "CH" else ","
    if not institution and salutation in ("Frau", "Herr") and last_name:
        adjective = "Sehr geehrte" if salutation == "Frau" else "Sehr geehrter"
        return f"{adjective} {salutation} {last_name}{end}"
    if not institution and last_name:
        return f"Guten Tag {first_name} {last_name}".replace("  ", " ") + end
    return f"Sehr geehrte Damen und Herren{end}"


def _names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " und " + names[-1]


def intro(a: FeeAssessment) -> str:
    """The first paragraph after the salutation (lower case after the comma in DE)."""
    names = _names([c.name for c in a.children])
    start = month_name(a.from_month)
    if a.institution:
        text = (f"für die Betreuung von {names} in der Einrichtung {a.facility_name} setzen wir Ihren Anteil an "
                f"den monatlichen Beiträgen ab {start} wie folgt fest:")
    else:
        whose = "Ihres Kindes" if len(a.children) == 1 else "Ihrer Kinder"
        text = (f"für die Betreuung {whose} {names} in der Einrichtung {a.facility_name} setzen wir die "
                f"monatlichen Elternbeiträge ab {start} wie folgt fest:")
    if a.country == "CH":  # no comma after the salutation: the sentence starts in capitals
        text = text[0].upper() + text[1:]
    return text


def child_heading(child, from_month: Month) -> str:
    parts = [child.name]
    if child.birth_date is not None:
        parts[0] += f", geb. {format_date(child.birth_date)}"
    if child.month != from_month:
        parts.append(f"ab {month_name(child.month)}")
    if child.until is not None:
        parts.append(f"bis {month_name(child.until)}")
    return " – ".join(parts)


def partial_note(child) -> str:
    days, month_days = child.partial_days
    return (f"Im {month_name(child.month)} besteht der Vertrag an {days} von {month_days} Tagen; die Beträge für "
            f"diesen Monat sind entsprechend berechnet.")


def total_label(a: FeeAssessment, child=None) -> str:
    if child is not None:
        return f"Summe für {child.name.split(' ')[0]}"
    return "Monatlicher Gesamtbetrag" + (" (ohne offene Beträge)" if a.has_open else "")


def open_note() -> str:
    return (f"„{OPEN_AMOUNT}“: Diese Kosten werden jeden Monat nach Anzahl oder dem tatsächlichen Betrag "
            "berechnet; der Betrag steht erst mit der monatlichen Abrechnung fest.")


def fee_free_note(months: tuple[int, ...]) -> str:
    names = _names([MONTHS["de"][m - 1] for m in sorted(months)])
    word = "Im Monat" if len(months) == 1 else "In den Monaten"
    return (f"{word} {names} werden keine Beiträge und keine festen Zusatzkosten erhoben; Kosten nach Anzahl "
            "werden auch dann berechnet.")


def masked_iban(iban: str) -> str:
    """The payer's IBAN with the middle hidden: "DE89 XXXX XXXX XXXX XX30 00"."""
    text = compact(iban)
    if len(text) <= 8:
        return text
    hidden = text[:4] + "X" * (len(text) - 8) + text[-4:]
    return " ".join(hidden[i:i + 4] for i in range(0, len(hidden), 4))


def _first(p: Payment, country: str, verb_date: str) -> str:
    """", erstmals 94,50 EUR am 15.03.2026" — without the amount when the first month has no fixed part."""
    when = f"{verb_date} {format_date(p.first_due)}"
    if p.first_amount.minor > 0:
        return f", erstmals {amount_with_currency(p.first_amount, country)} {when}"
    return f", erstmals {when}"


def payment_paragraphs(a: FeeAssessment) -> list[str]:
    """The payment method: SEPA direct debit with the pre-notification, transfer, or QR-bill (CH)."""
    p, country = a.payment, a.country
    due = f"zum {p.due_day}. eines Monats"
    if p.method is PaymentMethod.SEPA_DEBIT:
        text = (f"Zahlungsweise: SEPA-Lastschrift. Wir ziehen den monatlichen Betrag jeweils {due} von Ihrem Konto "
                f"{masked_iban(p.iban)} ein{_first(p, country, 'am')}. Mandatsreferenz: {p.mandate_reference}, "
                f"Gläubiger-Identifikationsnummer: {p.creditor_id}. Diese Festsetzung gilt als Vorabankündigung "
                "(Pre-Notification) der Lastschriften. Fällt der Fälligkeitstag nicht auf einen Bankarbeitstag, "
                "erfolgt der Einzug am folgenden Bankarbeitstag.")
        paragraphs = [text]
        if a.has_open:
            paragraphs.append("Offene Beträge ziehen wir zusammen mit dem Beitrag des Monats ein, für den sie "
                              "abgerechnet werden.")
        return paragraphs
    if p.method is PaymentMethod.QR_BILL:
        text = f"Bitte bezahlen Sie den monatlichen Betrag jeweils bis {due}"
        if p.first_amount.minor > 0:
            first_month = Month.of(p.first_due)
            text += (f". Für den ersten Monat ({month_name(first_month)}, "
                     f"{amount_with_currency(p.first_amount, country)}, fällig am {format_date(p.first_due)}) liegt "
                     "der QR-Einzahlungsschein bei.")
        else:
            text += ". Der QR-Einzahlungsschein liegt bei; der Betrag ist offen."
        return [for_country(text, country) + f"\nReferenz: {p.reference} (bitte bei jeder Zahlung angeben)"]
    account = f"IBAN {p.iban}" + (f", BIC {p.bic}" if p.bic else "")
    text = (f"Zahlungsweise: Überweisung. Bitte überweisen Sie den monatlichen Betrag jeweils bis {due} auf das Konto "
            f"{account}{_first(p, country, 'bis zum')}.")
    return [text + f"\nVerwendungszweck: {p.reference} (bitte bei jeder Zahlung angeben)"]


def closing_paragraphs(a: FeeAssessment) -> list[str]:
    legal = a.legal_text or DEFAULT_LEGAL_TEXT
    changes = "Bitte teilen Sie uns Änderungen Ihrer Anschrift, Ihrer Bankverbindung oder der Betreuung umgehend mit."
    return [for_country(legal, a.country), for_country(changes, a.country)]

