"""The SEPA character set (DK/EPC basic Latin set) for texts and identifiers in pain files.

Names and remittance texts are transliterated into the basic set (ä → ae, é → e, & → +) rather
than sent with the extended German set: every bank in the SEPA area accepts the basic set.
Identifiers (mandate reference, end-to-end id, message id) are not transliterated: they are
checked and refused, because a changed identifier would no longer match the mandate.
"""
from __future__ import annotations

import re
import unicodedata

#: Characters allowed in texts: letters, digits, space and / - ? : ( ) . , ' +
TEXT_CHARACTERS = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]")
#: Identifiers (EPC "restricted identification"): as texts but without the space.
IDENTIFIER = re.compile(r"[A-Za-z0-9/\-?:().,'+]+")

_REPLACEMENTS = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "&": "+",
                 "–": "-", "—": "-", "’": "'", "‘": "'", "„": "", "“": "", "”": "", "\"": "", "_": "-"}


def sepa_text(text: str, max_length: int) -> str:
    """The text in the basic SEPA character set, at most `max_length` characters (cut, not refused:
    a name or a remittance line longer than the field is shortened as every bank does)."""
    result = []
    for ch in text or "":
        ch = _REPLACEMENTS.get(ch, ch)
        for part in unicodedata.normalize("NFKD", ch):
            if TEXT_CHARACTERS.fullmatch(part):
                result.append(part)
            elif unicodedata.category(part) != "Mn":  # accents are dropped, other signs become a space
                result.append(" ")
    return re.sub(r" {2,}", " ", "".join(result)).strip()[:max_length].strip()


def identifier_problem(value: str, max_length: int = 35) -> str:
    """Why `value` cannot be a SEPA identifier (German rule text), or "" when it can."""
    if not value:
        return "darf nicht leer sein"
    if len(value) > max_length:
        return f"hat {len(value)} Zeichen, erlaubt sind höchstens {max_length}"
    if not IDENTIFIER.fullmatch(value):
        bad = sorted({ch for ch in value if not IDENTIFIER.fullmatch(ch)})
        shown = " ".join("Leerzeichen" if ch == " " else f"„{ch}“" for ch in bad)
        return (f"enthält {shown}; erlaubt sind A–Z, a–z, 0–9 und / - ? : ( ) . , ' + "
                "(keine Umlaute, keine Leerzeichen)")
    if value.startswith("/") or value.endswith("/") or "//" in value:
        return "darf nicht mit „/“ beginnen oder enden und kein „//“ enthalten"
    return ""
