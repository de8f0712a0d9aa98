"""Fast text output for print runs of fee letters: the PDF operators reportlab's text object writes,
written straight from per-document caches.

A fee letter has some 50 strings; 10 000 letters half a million. reportlab formats every string
anew (`PDFTextObject._formatText`: font lookup, subset split, escaping, number formatting) although
most of them — column heads, labels, amounts, the paragraphs — repeat in every letter. `Words`
emits exactly what `reportlab.letter._Words` (a text object with `setFont`, `setTextOrigin`,
`textOut`) would emit, byte for byte (a test compares the two), but remembers per document how each
(font, size, text) maps onto the embedded font's subsets: a character keeps its subset and code
once it has them in a document, so the mapping of a string never changes.

Only embedded TrueType fonts (the letter fonts) are supported.
"""
from __future__ import annotations

from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas

from sollhaben.reports.fonts import LETTER_REGULAR
from sollhaben.reports.letter import BODY_SIZE, PAGE_HEIGHT

_WIDTHS: dict[tuple[str, str, float], float] = {}


def width(text: str, font: str, size: float) -> float:
    """String width in points (cached across documents: it depends only on the font)."""
    key = (text, font, size)
    found = _WIDTHS.get(key)
    if found is None:
        if len(_WIDTHS) > 100_000:
            _WIDTHS.clear()
        found = _WIDTHS[key] = stringWidth(text, font, size)
    return found


class _DocCache:
    """What one document has already mapped: strings → (subset, "(…) Tj") parts, subsets → Tf."""

    def __init__(self) -> None:
        self.parts: dict[tuple[str, str], tuple[tuple[int, str], ...]] = {}
        self.fonts: dict[tuple[str, float, int], str] = {}


def _cache(c: Canvas) -> _DocCache:
    found = getattr(c, "_sollhaben_words", None)
    if found is None:
        found = _DocCache()
        c._sollhaben_words = found  # lives and dies with the canvas (one document)
    return found


class Words:
    """All texts of one page in one text object, as `reportlab.letter._Words` writes them."""

    def __init__(self, c: Canvas) -> None:
        self.c, self.doc, self.cache = c, c._doc, _cache(c)
        self.code = ["BT", "1 0 0 1 0 0 Tm"]  # what beginText() starts with
        self.font: tuple[str, float] | None = None
        self.subset = -1

    def put(self, x_mm: float, y_mm: float, text: str, font: str = LETTER_REGULAR, size: float = BODY_SIZE,
            right: bool = False) -> None:
        if self.font != (font, size):
            self.font = (font, size)
            self.subset = -1  # setFont of a TrueType font writes nothing and forgets the subset
        x = x_mm * mm - (width(text, font, size) if right else 0)
        code = self.code
        code.append(f"1 0 0 1 {fp_str(x, (PAGE_HEIGHT - y_mm) * mm)} Tm")
        parts = self.cache.parts.get((font, text))
        if parts is None:
            ttf = getFont(font)
            escape = self.c._escape
            parts = self.cache.parts[(font, text)] = tuple(
                (subset, f"({escape(chunk)}) Tj") for subset, chunk in ttf.splitString(text, self.doc))
        line = []
        for subset, shown in parts:
            if subset != self.subset:
                key = (font, size, subset)
                tf = self.cache.fonts.get(key)
                if tf is None:
                    name = getFont(font).getSubsetInternalName(subset, self.doc)
                    tf = self.cache.fonts[key] = f"{name} {fp_str(size)} Tf {fp_str(size * 1.2)} TL"
                line.append(tf)
                self.subset = subset
            line.append(shown)
        code.append(" ".join(line))

    def draw(self) -> None:
        self.c._code.append(" ".join(self.code) + " ET")
