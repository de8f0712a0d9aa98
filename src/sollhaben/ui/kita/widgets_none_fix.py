"""Work around a reference-counting bug of PySide6 6.12.0 on Python < 3.12 that the Kita forms hit.

Calls of void methods (`QLineEdit.setText()`, `QObject.setObjectName()` …) or `QComboBox.currentData()` (returning an empty QVariant) hand
back `None` without taking a new reference, so each call from Python drops one reference to the
None singleton. The child editor makes tens of thousands of such calls (ten lines of ~25 widgets
per layer, filled on every record), and CPython aborts with "none_dealloc: deallocating None" —
at the latest when a long test run tears down. Python 3.12 made None immortal; here the fix is
probed, not assumed: only when a probe really loses references is None given a reference count
that no session can use up. Importing this module is idempotent.
"""
from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject

_MARGIN = 1 << 40


def _loses_reference() -> bool:
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(16):
        probe.setObjectName("probe")  # a void method: returns None
    return sys.getrefcount(None) < before


def install() -> bool:
    """True when None was protected (now or before)."""
    if sys.version_info >= (3, 12) or sys.getrefcount(None) > _MARGIN // 2:
        return sys.getrefcount(None) > _MARGIN // 2
    if not _loses_reference():
        return False
    ctypes.c_ssize_t.from_address(id(None)).value += _MARGIN
    return True


installed = install()
