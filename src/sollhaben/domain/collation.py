"""Alphabetical order as a German or Swiss clerk expects it (DIN 5007-1, "dictionary" order).

Umlauts sort with their base letter (Ä = A, Ö = O, Ü = U), ß as ss, accented letters with their
base letter (é = e, ç = c, ğ = g), case is ignored: "Öztürk" sorts between "Otto" and "Paul",
not after "Zürcher" as a byte comparison in the database would put it. `sort_key` is a
`casefold` (plus a `str.translate` for the non-ASCII names), so 100 000 names sort in a fraction
of a second.
"""
from __future__ import annotations

import unicodedata


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {ord("ß"): "ss", ord("ẞ"): "ss", ord("æ"): "ae", ord("Æ"): "ae", ord("œ"): "oe",
                             ord("Œ"): "oe", ord("ø"): "o", ord("Ø"): "o", ord("ł"): "l", ord("Ł"): "l",
                             ord("đ"): "d", ord("Đ"): "d", ord("ı"): "i"}
    for code in range(0xC0, 0x250):  # Latin-1 Supplement, Latin Extended-A and -B
        char = chr(code)
        if code in table:
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if base and base != char and base.isascii():
            table[code] = base
    return table


_TABLE = _build_table()


def sort_key(text: str) -> str:
    """The key that puts names in dictionary order (ties broken by the caller, e.g. by id)."""
    return text.casefold() if text.isascii() else text.translate(_TABLE).casefold()


def name_key(last_name: str, first_name: str) -> str:
    """One key for (last name, first name): NUL sorts before every letter, so "Meier\0Zoe"
    precedes "Meierhans\0Anna" exactly as the pair would."""
    return sort_key(f"{last_name}\x00{first_name}")
