"""What a letter consists of: frozen data handed to `reports.letter` (no database, no Qt)."""
from __future__ import annotations

from dataclasses import dataclass
import datetime as dt

from sollhaben.reports.qr_bill_data import PreparedBill


@dataclass(frozen=True)
class Sender:
    """The organization in the letterhead and in the return address line of the window."""

    name: str
    street: str = ""
    house_number: str = ""
    postal_code: str = ""
    town: str = ""
    country: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""

    def address_line(self) -> str:
        street = f"{self.street} {self.house_number}".strip()
        place = f"{self.postal_code} {self.town}".strip()
        return ", ".join(part for part in (street, place) if part)

    def contact_line(self) -> str:
        parts = [f"Tel. {self.phone}" if self.phone else "", self.email, self.website]
        return " · ".join(part for part in parts if part)


@dataclass(frozen=True)
class Letter:
    """One letter. `country` chooses the layout (CH: window on the right, SN 010 130; DE: window
    on the left, DIN 5008 form B) and the date format; `language` the fixed texts (de, fr, it, en).

    `body` holds paragraphs separated by blank lines; single line breaks are kept. `payment_lines`
    are printed after the body (amount, IBAN, reference). With a `bill` the QR-bill is printed at the
    bottom of the first page, or on a page of its own at the end when the text is too long.
    """

    country: str
    language: str
    sender: Sender
    recipient: tuple[str, ...]
    place: str
    date: dt.date
    subject: str
    body: str
    payment_lines: tuple[str, ...] = ()
    closing: str = ""  # "" = the usual closing of country and language
    signature: str = ""  # "" = the sender's name
    bill: PreparedBill | None = None
    title: str = ""  # PDF title; "" = the subject
