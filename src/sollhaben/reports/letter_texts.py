"""Fixed letter texts in the four languages, the date line and recipient address lines."""
from __future__ import annotations

from datetime import date

LANGUAGES = ("de", "fr", "it", "en")

MONTHS = {
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
           "ottobre", "novembre", "dicembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}

PAGE = {"de": "Seite {page} von {pages}", "fr": "Page {page} sur {pages}", "it": "Pagina {page} di {pages}",
        "en": "Page {page} of {pages}"}
CLOSING = {"CH-de": "Freundliche Grüsse", "DE-de": "Mit freundlichen Grüßen", "fr": "Meilleures salutations",
           "it": "Cordiali saluti", "en": "Kind regards"}
AMOUNT = {"de": "Betrag: {amount}", "fr": "Montant : {amount}", "it": "Importo: {amount}", "en": "Amount: {amount}"}
USE_BILL = {
    "de": "Bitte verwenden Sie für die Zahlung den QR-Einzahlungsschein.",
    "fr": "Veuillez utiliser la section paiement avec code QR pour le paiement.",
    "it": "Per il pagamento La preghiamo di utilizzare la sezione pagamento con codice QR.",
    "en": "Please use the QR payment part for your payment.",
}
BILL_PAGE = {"de": "QR-Rechnung", "fr": "QR-facture", "it": "QR-fattura", "en": "QR-bill"}  # own last page
COUNTRY_NAMES = {"CH": "SCHWEIZ", "DE": "DEUTSCHLAND", "AT": "ÖSTERREICH", "LI": "LIECHTENSTEIN",
                 "FR": "FRANKREICH", "IT": "ITALIEN"}


def language_of(language: str) -> str:
    return language if language in LANGUAGES else "de"


def closing(country: str, language: str) -> str:
    language = language_of(language)
    return CLOSING.get(f"{country}-{language}") or CLOSING.get(language) or CLOSING["CH-de"]


def date_line(country: str, language: str, place: str, day: date) -> str:
    """CH: the month in words ("Bern, 25. November 2026", "Bern, le 25 novembre 2026");
    DE: numeric as DIN 5008 allows it ("Stuttgart, 25.11.2026")."""
    language = language_of(language)
    if country == "DE" and language == "de":
        text = f"{day.day:02d}.{day.month:02d}.{day.year}"
    else:
        month = MONTHS[language][day.month - 1]
        if language == "de":
            text = f"{day.day}. {month} {day.year}"
        elif language == "fr":
            text = f"le {'1er' if day.day == 1 else day.day} {month} {day.year}"
        else:
            text = f"{day.day} {month} {day.year}"
    return f"{place}, {text}" if place else text


def recipient_lines(name: str, extra: str, street: str, house_number: str, postal_code: str, town: str,
                    country: str, sender_country: str) -> tuple[str, ...]:
    """Address lines for the window: name, c/o line, street, postal code and town, and the
    country in capitals when the letter goes abroad."""
    street_line = f"{street} {house_number}".strip()
    place = f"{postal_code} {town}".strip()
    lines = [name, extra, street_line, place]
    if country and country != sender_country:
        lines.append(COUNTRY_NAMES.get(country, country))
    return tuple(line for line in lines if line)
