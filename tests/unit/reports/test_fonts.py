"""Embedded fonts: registered once; the memoized glyph mapping equals reportlab's own."""
from __future__ import annotations

from importlib import resources

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from sollhaben.reports import fonts


class _Doc:  # stands for a reportlab document: fonts keep their state per document (weakly)
    pass


def test_fonts_are_registered_once_and_cover_the_letters_we_need():
    fonts.register_fonts()
    fonts.register_fonts()
    names = set(pdfmetrics.getRegisteredFontNames())
    assert {fonts.LETTER_REGULAR, fonts.LETTER_BOLD, fonts.BILL_REGULAR, fonts.BILL_BOLD} <= names
    for name in (fonts.LETTER_REGULAR, fonts.BILL_REGULAR):
        glyphs = pdfmetrics.getFont(name).face.charToGlyph
        assert all(ord(ch) in glyphs for ch in "äöüÄÖÜßéèàçëï€")
    assert all(ord(ch) in pdfmetrics.getFont(fonts.BILL_REGULAR).face.charToGlyph for ch in "ŁłőŒœȘșȚț")


def test_memoized_split_gives_what_reportlab_gives():
    fonts.register_fonts()
    memo = pdfmetrics.getFont(fonts.LETTER_REGULAR)
    path = resources.files("sollhaben.resources") / "fonts" / "DejaVuSans.ttf"
    with resources.as_file(path) as real:
        plain = TTFont("PlainDejaVuForTest", str(real))
    memo_doc, plain_doc = _Doc(), _Doc()
    texts = ["Müller", "Bern, 25. November 2026", "Müller", "Zoë € ß", "Bern, 25. November 2026", "Łódź", "Zoë € ß"]
    texts += [f"Zeile {i} mit Ümlaut {chr(0x100 + i)}" for i in range(300)]  # past the first 256-glyph subset
    for text in texts + texts:
        assert memo.splitString(text, memo_doc) == plain.splitString(text, plain_doc)


def test_wrap_breaks_at_the_width_and_is_cached():
    fonts.register_fonts()
    text = "Dieser Satz ist eindeutig zu lang für eine schmale Spalte von hundert Punkten."
    lines = fonts.wrap(text, fonts.LETTER_REGULAR, 10, 100)
    assert len(lines) > 2 and " ".join(lines) == text
    assert all(fonts.text_width(line, fonts.LETTER_REGULAR, 10) <= 100 for line in lines)
    assert fonts.wrap(text, fonts.LETTER_REGULAR, 10, 100) is lines
