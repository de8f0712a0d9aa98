"""The fast QR encoder gives module for module the symbol of the `qrcode` package, and it decodes."""
from __future__ import annotations

import random

import pytest
import qrcode
import zxingcpp
from PIL import Image

from sollhaben.reports.qr_matrix import QRCapacityError, qr_matrix

ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 äöüÄÖÜéèàçß€Łő\r\n-./"


def reference(payload: str, mask: int | None = None) -> list[str]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=mask)
    code.add_data(payload, optimize=0)  # one byte-mode segment, as qr_matrix encodes
    code.make(fit=True)
    return ["".join("1" if module else "0" for module in row) for row in code.get_matrix()]


def payload(length: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(ALPHABET) for _ in range(length))


@pytest.mark.parametrize("length", [1, 14, 40, 90, 160, 250, 330, 420, 560, 700, 997])
def test_same_symbol_as_qrcode_including_the_mask_choice(length):
    text = payload(length, length)
    assert qr_matrix(text) == reference(text)


@pytest.mark.parametrize("mask", range(8))
def test_every_mask_pattern_matches_qrcode(mask):
    text = payload(300, mask)
    assert qr_matrix(text, mask) == reference(text, mask)


def test_version_grows_with_the_payload():
    assert len(qr_matrix("x")) == 21  # version 1
    assert len(qr_matrix(payload(997, 1))) > len(qr_matrix(payload(300, 1)))


def decode(rows: list[str]) -> str:
    n, scale, border = len(rows), 4, 4
    image = Image.new("L", ((n + 2 * border) * scale,) * 2, 255)
    pixels = image.load()
    for r, row in enumerate(rows):
        for c, bit in enumerate(row):
            if bit == "1":
                for dy in range(scale):
                    for dx in range(scale):
                        pixels[(c + border) * scale + dx, (r + border) * scale + dy] = 0
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1
    assert found[0].ec_level == "M"
    return found[0].text


def test_a_swiss_payload_decodes_unchanged():
    text = ("SPC\r\n0200\r\n1\r\nCH4431999123000889012\r\nS\r\nSozialdienst Aaretal\r\nBahnhofstrasse\r\n12\r\n"
            "3000\r\nBern\r\nCH\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n1234.50\r\nCHF\r\nS\r\nAnna Müller\r\nMarktgasse\r\n"
            "28\r\n9400\r\nRorschach\r\nCH\r\nQRR\r\n210000000003139471430009017\r\nRechnung 17 für Zoë\r\nEPD")
    assert decode(qr_matrix(text)) == text


def test_too_long_for_any_version():
    with pytest.raises(QRCapacityError):
        qr_matrix("x" * 3000)
