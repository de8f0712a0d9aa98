"""The embedded TrueType fonts, registered with reportlab once per process.

- DejaVu Sans (regular, bold) for letters: covers German, French and Italian (äöüß é è ç €).
- Liberation Sans (regular, bold) for the Swiss QR-bill: the SIX style guide permits only Arial,
  Frutiger, Helvetica and Liberation Sans; Liberation Sans is metrically compatible with Arial,
  free (SIL OFL) and covers the whole QR-bill character set (Latin-1, Latin Extended-A, Ș ș Ț ț, €).

Both are embedded (subset) in every PDF, so a document prints the same on every machine.
"""
from __future__ import annotations

import threading
from functools import lru_cache
from importlib import resources

from reportlab.pdfbase import pdfmetrics
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.ttfonts import TTFont

LETTER_REGULAR = "DejaVuSans"
LETTER_BOLD = "DejaVuSans-Bold"
BILL_REGULAR = "LiberationSans"
BILL_BOLD = "LiberationSans-Bold"

_FILES = {
    LETTER_REGULAR: "DejaVuSans.ttf",
    LETTER_BOLD: "DejaVuSans-Bold.ttf",
    BILL_REGULAR: "LiberationSans-Regular.ttf",
    BILL_BOLD: "LiberationSans-Bold.ttf",
}
_lock = threading.Lock()


class _MemoTTFont(TTFont):
    """A TTFont that remembers, per document, how each string maps onto its glyph subsets.

    reportlab maps every string character by character (`splitString`), the largest cost of a
    letter after the QR code. A print run repeats most strings (sender, labels, body, closing) in
    every letter; once a character has its code in a document it keeps it, so the result for the
    same string in the same document never changes and can be reused."""

    def splitString(self, text, doc, encoding="utf-8"):  # noqa: N802 (reportlab's name)
        state = self.state.get(doc)
        cache = getattr(state, "sollhaben_split", None)
        if cache is None:
            result = super().splitString(text, doc, encoding)
            self.state[doc].sollhaben_split = {text: result}
            return result
        result = cache.get(text)
        if result is None:
            result = cache[text] = super().splitString(text, doc, encoding)
        return result

_registered = False


def register_fonts() -> None:
    """Register the fonts (idempotent, thread-safe); call before drawing with them."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        folder = resources.files("sollhaben.resources") / "fonts"
        known = set(pdfmetrics.getRegisteredFontNames())
        for name, filename in _FILES.items():
            if name not in known:
                with resources.as_file(folder / filename) as path:
                    pdfmetrics.registerFont(_MemoTTFont(name, str(path)))
        _registered = True


def text_width(text: str, font: str, size: float) -> float:
    """Width of `text` in points (fonts must be registered)."""
    return pdfmetrics.stringWidth(text, font, size)


def ascent(font: str, size: float) -> float:
    """Height of the font's ascender above the baseline, in points."""
    return pdfmetrics.getAscent(font, size)


@lru_cache(maxsize=8192)
def wrap(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """`text` broken into lines of at most `width` points. Cached: in a print run most texts
    (body, sender, creditor) are the same in every letter."""
    return tuple(simpleSplit(text, font, size, width))
