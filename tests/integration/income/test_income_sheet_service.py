"""The calculation sheet through the service: the stored assessment, the organization as sender, the
first person as recipient, the figures and the child's income-dependent fee at the assessed tier."""
from __future__ import annotations

import io

from pypdf import PdfReader

from sollhaben.services.income.sheet import sheet_pdf, sheets_pdf
from tests.integration.income.conftest import TODAY, example, family, save  # noqa: F401
from tests.integration.kita.conftest import kita  # noqa: F401  (fixture)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_sheet_of_the_example_names_everyone_and_the_fee_at_tier_3(db, family):  # noqa: F811
    stored = save(db, family, example(family))
    text = text_of(sheet_pdf(db, stored.assessment.id, TODAY))
    assert "Berechnung des Elternbeitrags ab 01.2026" in text
    assert "Laura Gerber" in text and "Mia Gerber" in text  # recipient / persons and the child
    for figure in ("36.000,00", "3.000,00", "200,00", "2.800,00", "2.400,00", "400,00"):
        assert figure in text, figure
    assert "Kindergarten einkommensabhängig" in text and "180,00" in text  # tier 3 of the fee group


def test_several_sheets_in_one_pdf(db, family):  # noqa: F811
    first = save(db, family, example(family, end="06.2026")).assessment.id
    second = save(db, family, example(family, start="07.2026")).assessment.id
    done = []
    pdf = sheets_pdf(db, [first, second], TODAY, progress=lambda d, n: done.append(d))
    text = text_of(pdf)
    assert "ab 01.2026" in text and "ab 07.2026" in text and done[-1] == 2
