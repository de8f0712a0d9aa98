"""The flow of a module letter's body (fee assessment, calculation sheet): items of texts and rules
placed one below the other and broken onto pages — an item never splits, keeps with the next one
where asked, an empty gap is dropped at the top of a page, and a table's header is repeated where
one of its rows continues on a new page. The letters draw the placed items themselves."""
from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.lib.units import mm

from sollhaben.reports.fonts import LETTER_REGULAR
from sollhaben.reports.kita_assessment_pdf import width as string_width
from sollhaben.reports.letter import BODY_BOTTOM, BODY_TOP_NEXT, LEFT, first_page_head, y_from_top

ROW_SIZE = 9.0  # pt, the table rows of the module letters


@dataclass
class FlowItem:
    """A piece of the flow: texts and rules relative to its first baseline."""

    height: float  # mm from its first baseline to the next item's first baseline
    # x, dy, text, font, size, right-aligned
    texts: list[tuple[float, float, str, str, float, bool]] = field(default_factory=list)
    rules: list[tuple[float, float, float, float]] = field(default_factory=list)  # x1, x2, dy, width (pt)
    extent: float = 0.0  # mm from the first to the last baseline
    keep_with_next: bool = False
    space: bool = False  # an empty gap: dropped at the top of a page
    header: list["FlowItem"] | None = None  # repeated at the top of a page where this row continues a table

    def text(self, x: float, dy: float, text: str, font: str = LETTER_REGULAR, size: float = ROW_SIZE,
             right: bool = False, centre: bool = False) -> None:
        if text:
            if centre:
                x -= string_width(text, font, size) / mm / 2
            self.texts.append((x, dy, text, font, size, right))
            self.extent = max(self.extent, dy)


@dataclass
class Page:
    items: list[tuple[float, FlowItem]] = field(default_factory=list)  # (baseline mm from the top, item)
    bill: bool = False  # the page carries a QR-bill at its foot


def space(height: float) -> FlowItem:
    return FlowItem(height, space=True)


def fits(items: list[FlowItem], i: int, y: float, bottom: float) -> bool:
    """Item i (and every item it keeps with) fits between y and bottom."""
    offset = 0.0
    while True:
        item = items[i]
        if y + offset + item.extent > bottom:
            return False
        if not item.keep_with_next or i + 1 >= len(items):
            return True
        offset += item.height
        i += 1


def flow(items: list[FlowItem], first_top: float, first_bottom: float = BODY_BOTTOM) -> list[Page]:
    """The items on pages: the first page's body runs from `first_top` to `first_bottom` (mm from
    the top), the next pages' from BODY_TOP_NEXT to BODY_BOTTOM."""
    pages = [Page()]
    y, bottom = first_top, first_bottom
    for i, item in enumerate(items):
        if item.space:
            if pages[-1].items or len(pages) == 1:
                y += item.height
            continue
        if pages[-1].items and not fits(items, i, y, bottom):
            pages.append(Page())
            y, bottom = BODY_TOP_NEXT, BODY_BOTTOM
            for repeated in item.header or ():
                pages[-1].items.append((y, repeated))
                y += repeated.height
        pages[-1].items.append((y, item))
        y += item.height
    return pages


Rule = tuple[float, float, float, float]  # x1, x2 (mm), y (mm from the top), width (pt)


def put_page(canvas, words, letter, sender_name: str, number: int, page: Page) -> list[Rule]:
    """The page's head (the house letter's first-page head, or a running head naming sender and
    subject) and its items' texts into `words`; returns the items' rules (x1, x2, y mm from the top,
    width pt) for `draw_rules` after the texts are drawn."""
    if number == 1:
        first_page_head(canvas, words, letter)
    else:
        words.put(LEFT, 13, f"{sender_name} – {letter.subject}"[:120], size=8)
    rules = []
    for y, item in page.items:
        for x, dy, text, font, size, right in item.texts:
            words.put(x, y + dy, text, font, size, right=right)
        rules.extend((x1, x2, y + dy, width) for x1, x2, dy, width in item.rules)
    return rules


def draw_rules(canvas, rules: list[Rule]) -> None:
    for x1, x2, y, width in rules:
        canvas.setLineWidth(width)
        canvas.line(x1 * mm, y_from_top(y), x2 * mm, y_from_top(y))
