"""Work around the reference-counting bugs of PySide6 6.12.0 on Python < 3.12.

pyproject.toml excludes 6.12 (docs/architecture.md, "PySide6 version"); this module is the second
line of defence should such a build be installed anyway.

- `SignalInstance.emit()` and `.disconnect()` return `True`/`False` without a new reference: every
  call drops one reference to the bool singleton, and CPython aborts ("bool_dealloc") after a few
  hundred emits. When a probe shows it, the two methods are wrapped to give the reference back.
- Void methods (`QLineEdit.setText`, `QObject.setObjectName` …) and an empty `currentData()` return
  `None` without a reference; an editor makes tens of thousands of such calls. When a probe shows
  it, None gets a reference count no session can use up (Python 3.12 made None immortal).

Nothing is assumed: without the bug nothing is patched. Importing this module is idempotent;
`sollhaben.workers` and the UI modules import it before any widget or signal is used.
"""
from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal, SignalInstance

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def _loses_reference(call) -> bool:
    before = sys.getrefcount(True) + sys.getrefcount(False)
    for _ in range(8):
        call()
    return sys.getrefcount(True) + sys.getrefcount(False) < before


def _wrap(original):
    def wrapper(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        if result is True or result is False:
            _incref(result)
        return result

    wrapper.__name__ = original.__name__  # not __doc__: PySide6 builds it from signatures (~45 ms)
    wrapper._sollhaben_fixed = True  # type: ignore[attr-defined]
    return wrapper


def install() -> bool:
    """Patch emit/disconnect when they lose references; True when a patch is active."""
    if getattr(SignalInstance.emit, "_sollhaben_fixed", False):
        return True
    probe = _Probe()
    patched = False
    if _loses_reference(probe.ping.emit):
        SignalInstance.emit = _wrap(SignalInstance.emit)
        patched = True

    def connect_and_disconnect() -> None:
        probe.ping.connect(_noop)
        probe.ping.disconnect(_noop)

    if _loses_reference(connect_and_disconnect):
        SignalInstance.disconnect = _wrap(SignalInstance.disconnect)
        patched = True
    probe.deleteLater()
    return patched


def _noop() -> None:
    pass


_NONE_MARGIN = 1 << 40


def _none_loses_reference() -> bool:
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(16):
        probe.setObjectName("probe")  # a void method: returns None
    return sys.getrefcount(None) < before


def protect_none() -> bool:
    """True when None is protected (now or before)."""
    if sys.version_info >= (3, 12):
        return False
    if sys.getrefcount(None) > _NONE_MARGIN // 2:
        return True
    if not _none_loses_reference():
        return False
    ctypes.c_ssize_t.from_address(id(None)).value += _NONE_MARGIN
    return True


ACTIVE = install()
NONE_PROTECTED = protect_none()
