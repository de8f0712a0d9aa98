"""The Swiss QR-bill (receipt and payment part) drawn natively on a reportlab canvas.

Dimensions and type sizes follow the SIX Style Guide QR-bill (see docs/printing.md): the slip is
210 × 105 mm at the bottom of an A4 page; receipt 62 mm, payment part 148 mm wide, 5 mm margins.
Receipt: title 11 pt bold, headings 6 pt bold, values 8 pt (9 pt line spacing). Payment part:
title 11 pt bold, headings 8 pt bold, values 10 pt (11 pt line spacing), QR code 46 × 46 mm at
17 mm from the top with the 7 × 7 mm Swiss cross in its centre. Open amounts and a missing debtor
get blank fields with corner marks (0.75 pt, 3 mm). Solid separation lines with scissors.

All positions below are in millimetres from the slip's top-left corner (`_Pen` converts).
"""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from sollhaben.reports.fonts import BILL_BOLD, BILL_REGULAR, LETTER_REGULAR, ascent, register_fonts, text_width, wrap
from sollhaben.reports.qr_bill_data import BillAddress, PreparedBill
from sollhaben.reports.qr_matrix import qr_matrix

SLIP_WIDTH, SLIP_HEIGHT = 210.0, 105.0  # mm
RECEIPT_WIDTH = 62.0
MARGIN = 5.0
QR_SIZE, QR_TOP = 46.0, 17.0
CROSS_SIZE = 7.0
PAYMENT_X = RECEIPT_WIDTH + MARGIN  # 67: title, QR code and amount of the payment part
INFO_X, INFO_WIDTH, INFO_BOTTOM = 118.0, 87.0, 90.0
AMOUNT_TOP = 68.0
ACCEPTANCE_TOP = 82.0
RECEIPT_INFO_TOP, RECEIPT_INFO_BOTTOM = 12.0, 68.0
CORNER_LENGTH, CORNER_WIDTH = 3.0, 0.75  # mm, pt

LABELS = {
    "receipt": {"de": "Empfangsschein", "fr": "Récépissé", "it": "Ricevuta", "en": "Receipt"},
    "payment_part": {"de": "Zahlteil", "fr": "Section paiement", "it": "Sezione pagamento", "en": "Payment part"},
    "account": {"de": "Konto / Zahlbar an", "fr": "Compte / Payable à", "it": "Conto / Pagabile a",
                "en": "Account / Payable to"},
    "reference": {"de": "Referenz", "fr": "Référence", "it": "Riferimento", "en": "Reference"},
    "additional": {"de": "Zusätzliche Informationen", "fr": "Informations supplémentaires",
                   "it": "Informazioni supplementari", "en": "Additional information"},
    "payable_by": {"de": "Zahlbar durch", "fr": "Payable par", "it": "Pagabile da", "en": "Payable by"},
    "payable_by_blank": {"de": "Zahlbar durch (Name/Adresse)", "fr": "Payable par (nom/adresse)",
                         "it": "Pagabile da (nome/indirizzo)", "en": "Payable by (name/address)"},
    "currency": {"de": "Währung", "fr": "Monnaie", "it": "Valuta", "en": "Currency"},
    "amount": {"de": "Betrag", "fr": "Montant", "it": "Importo", "en": "Amount"},
    "acceptance": {"de": "Annahmestelle", "fr": "Point de dépôt", "it": "Punto di accettazione",
                   "en": "Acceptance point"},
    "separate": {"de": "Vor der Einzahlung abzutrennen", "fr": "A détacher avant le versement",
                 "it": "Da staccare prima del versamento", "en": "Separate before paying in"},
}


class _Pen:
    """Draws at millimetre positions measured from the slip's top-left corner."""

    def __init__(self, canvas: Canvas, x: float, y: float) -> None:
        self.c, self.left, self.top = canvas, x, y + SLIP_HEIGHT * mm  # x, y: bottom-left in points
        self.words = canvas.beginText()  # one text object for all texts of the slip (fast)
        self._font: tuple[str, float] | None = None

    def px(self, x_mm: float) -> float:
        return self.left + x_mm * mm

    def py(self, y_mm: float) -> float:
        return self.top - y_mm * mm

    def text(self, x_mm: float, baseline_pt: float, text: str, font: str, size: float, right: bool = False) -> None:
        """`baseline_pt`: distance of the baseline from the slip's top edge, in points."""
        if self._font != (font, size):
            self.words.setFont(font, size)
            self._font = (font, size)
        x = self.px(x_mm) - (text_width(text, font, size) if right else 0)
        self.words.setTextOrigin(x, self.top - baseline_pt)
        self.words.textOut(text)

    def corners(self, x_mm: float, y_mm: float, width_mm: float, height_mm: float) -> None:
        """A blank field: only its four corners, 3 mm arms, 0.75 pt."""
        c, arm = self.c, CORNER_LENGTH * mm
        left, right = self.px(x_mm), self.px(x_mm + width_mm)
        top, bottom = self.py(y_mm), self.py(y_mm + height_mm)
        c.setLineWidth(CORNER_WIDTH)
        path = c.beginPath()
        for x, y, dx, dy in ((left, top, arm, -arm), (right, top, -arm, -arm),
                             (left, bottom, arm, arm), (right, bottom, -arm, arm)):
            path.moveTo(x, y + dy)
            path.lineTo(x, y)
            path.lineTo(x + dx, y)
        c.drawPath(path, stroke=1, fill=0)


def _wrap(lines: list[str], font: str, size: float, width_mm: float) -> list[str]:
    out: list[str] = []
    for line in lines:
        out.extend(wrap(line, font, size, width_mm * mm) or ("",))
    return out


def address_lines(address: BillAddress) -> list[str]:
    """Name, street and number, postal code and town (foreign: with the country code)."""
    street = f"{address.street} {address.house_number}".strip()
    place = f"{address.postal_code} {address.town}".strip()
    if address.country not in ("CH", "LI"):
        place = f"{address.country}-{place}"
    return [line for line in (address.name, street, place) if line]


def _blocks(bill: PreparedBill, receipt: bool) -> list[tuple[str, list[str] | None]]:
    """(heading key, value lines) in print order; None as lines marks the blank debtor field."""
    data = bill.data
    blocks: list[tuple[str, list[str] | None]] = [("account", [bill.account_text, *address_lines(data.creditor)])]
    if bill.reference_text:
        blocks.append(("reference", [bill.reference_text]))
    if data.additional_information and not receipt:
        blocks.append(("additional", [data.additional_information]))
    if data.debtor is not None:
        blocks.append(("payable_by", address_lines(data.debtor)))
    else:
        blocks.append(("payable_by_blank", None))
    return blocks


def _information(pen: _Pen, bill: PreparedBill, receipt: bool) -> None:
    """The information section: headings and values, one line spacing between the blocks
    (less when the section would overflow)."""
    lang = bill.data.language
    if receipt:
        x, top, bottom, width, head, value, leading, box = (MARGIN, RECEIPT_INFO_TOP, RECEIPT_INFO_BOTTOM - 1,
                                                            RECEIPT_WIDTH - 2 * MARGIN, 6, 8, 9.0, (52.0, 20.0))
    else:
        x, top, bottom, width, head, value, leading, box = (INFO_X, MARGIN, INFO_BOTTOM, INFO_WIDTH, 8, 10, 11.0,
                                                            (65.0, 25.0))
    blocks = [(key, None if lines is None else _wrap(lines, BILL_REGULAR, value, width)) for key, lines in _blocks(bill, receipt)]
    needed = sum(leading * (1 + (len(lines) if lines is not None else 0)) for _key, lines in blocks)
    needed += sum(box[1] * mm + 1 * mm for _key, lines in blocks if lines is None)
    room = (bottom - top) * mm - needed
    gap = max(0.0, min(leading, room / max(1, len(blocks) - 1)))
    y = top * mm + ascent(BILL_BOLD, head)
    for key, lines in blocks:
        pen.text(x, y, LABELS[key][lang], BILL_BOLD, head)
        if lines is None:
            pen.corners(x, (y - ascent(BILL_BOLD, head)) / mm + leading / mm, box[0], box[1])
            y += box[1] * mm + 1 * mm + leading
        else:
            for line in lines:
                y += leading
                pen.text(x, y, line, BILL_REGULAR, value)
            y += leading
        y += gap


def _amount(pen: _Pen, bill: PreparedBill, receipt: bool) -> None:
    lang = bill.data.language
    x, head, value, leading, amount_x = ((MARGIN, 6, 8, 11.0, MARGIN + 12) if receipt
                                         else (PAYMENT_X, 8, 10, 13.0, PAYMENT_X + 14))
    y = AMOUNT_TOP * mm + ascent(BILL_BOLD, head)
    pen.text(x, y, LABELS["currency"][lang], BILL_BOLD, head)
    pen.text(amount_x, y, LABELS["amount"][lang], BILL_BOLD, head)
    pen.text(x, y + leading, bill.currency, BILL_REGULAR, value)
    if bill.amount_text:
        pen.text(amount_x, y + leading, bill.amount_text, BILL_REGULAR, value)
    elif receipt:
        pen.corners(RECEIPT_WIDTH - MARGIN - 30, AMOUNT_TOP + 3, 30, 10)
    else:
        pen.corners(INFO_X - 40, AMOUNT_TOP + 5, 40, 15)


def _qr_code(pen: _Pen, payload: str) -> None:
    """The QR code as a 1-bit image mask, one sample per module, scaled to 46 mm without interpolation
    (the modules print as sharp squares at any resolution, like rectangles, but the page needs about
    500 bytes instead of 12 KB of rectangle operators and no Python loop over the modules), then the
    Swiss cross."""
    rows = qr_matrix(payload)
    n = len(rows)
    pad = "0" * (-n % 8)  # every image row starts on a byte boundary
    bits = pad.join(rows) + pad
    data = int(bits, 2).to_bytes(len(bits) // 8, "big").hex()
    size = QR_SIZE * mm
    pen.c.addLiteral(f"q 0 g {size:.5f} 0 0 {size:.5f} {pen.px(PAYMENT_X):.3f} {pen.py(QR_TOP + QR_SIZE):.3f} cm\n"
                     f"BI /W {n} /H {n} /IM true /BPC 1 /D [1 0] /I false /F /AHx ID\n{data}>\nEI Q")
    # Swiss cross: 7 mm white square, 6 mm black square, white cross (proportions of the SIX graphic)
    cx, cy = pen.px(PAYMENT_X + QR_SIZE / 2), pen.py(QR_TOP + QR_SIZE / 2)
    c = pen.c
    for size, gray in ((CROSS_SIZE, 1), (CROSS_SIZE - 1.0, 0)):
        c.setFillGray(gray)
        c.rect(cx - size * mm / 2, cy - size * mm / 2, size * mm, size * mm, stroke=0, fill=1)
    c.setFillGray(1)
    long, short = 4.05 * mm, 1.22 * mm
    c.rect(cx - short / 2, cy - long / 2, short, long, stroke=0, fill=1)
    c.rect(cx - long / 2, cy - short / 2, long, short, stroke=0, fill=1)
    c.setFillGray(0)


def _separation(pen: _Pen) -> None:
    """Solid lines above the slip and between receipt and payment part, each with scissors."""
    c = pen.c
    c.setLineWidth(0.5)
    c.setStrokeGray(0)
    c.line(pen.px(0), pen.py(0), pen.px(SLIP_WIDTH), pen.py(0))
    c.line(pen.px(RECEIPT_WIDTH), pen.py(0), pen.px(RECEIPT_WIDTH), pen.py(SLIP_HEIGHT))
    size = 10
    half = text_width("\u2702", LETTER_REGULAR, size) / 2
    c.setFont(LETTER_REGULAR, size)
    for x_mm, y_mm, angle in ((12.0, 0.0, 0), (RECEIPT_WIDTH, 12.0, -90)):
        c.saveState()
        c.translate(pen.px(x_mm), pen.py(y_mm))
        c.rotate(angle)
        c.setFillGray(1)
        c.rect(-half - 1, -size * 0.35, 2 * half + 2, size * 0.7, stroke=0, fill=1)  # gap in the line
        c.setFillGray(0)
        c.drawString(-half, -size * 0.35, "\u2702")
        c.restoreState()


def _fixed_parts_form(canvas: Canvas, lang: str) -> str:
    """What every slip of a language shows the same — white ground, separation lines with scissors,
    the titles „Empfangsschein“, „Zahlteil“ and „Annahmestelle“ — drawn once per document as a form
    XObject at the origin and placed for each bill (a print run of thousands writes it once)."""
    name = f"sollhaben_qr_fixed_{lang}"
    if canvas.hasForm(name):
        return name
    # the box reaches above the slip: the scissors sit on its top line
    canvas.beginForm(name, 0, 0, SLIP_WIDTH * mm, (SLIP_HEIGHT + 5) * mm)
    pen = _Pen(canvas, 0.0, 0.0)
    canvas.setFillGray(1)
    canvas.rect(0, 0, SLIP_WIDTH * mm, SLIP_HEIGHT * mm, stroke=0, fill=1)
    canvas.setFillGray(0)
    _separation(pen)
    title = MARGIN * mm + ascent(BILL_BOLD, 11)
    pen.text(MARGIN, title, LABELS["receipt"][lang], BILL_BOLD, 11)
    pen.text(RECEIPT_WIDTH - MARGIN, ACCEPTANCE_TOP * mm + ascent(BILL_BOLD, 6), LABELS["acceptance"][lang],
             BILL_BOLD, 6, right=True)
    pen.text(PAYMENT_X, title, LABELS["payment_part"][lang], BILL_BOLD, 11)
    canvas.drawText(pen.words)
    canvas.endForm()
    return name


def draw_bill(canvas: Canvas, bill: PreparedBill, x: float = 0.0, y: float = 0.0) -> None:
    """Draw receipt and payment part with the slip's bottom-left corner at (x, y) points."""
    register_fonts()
    pen = _Pen(canvas, x, y)
    lang = bill.data.language
    canvas.saveState()
    canvas.saveState()
    canvas.translate(x, y)
    canvas.doForm(_fixed_parts_form(canvas, lang))
    canvas.restoreState()
    _information(pen, bill, receipt=True)
    _amount(pen, bill, receipt=True)
    _qr_code(pen, bill.payload)
    _amount(pen, bill, receipt=False)
    _information(pen, bill, receipt=False)
    canvas.drawText(pen.words)
    canvas.restoreState()
