"""Work around a reference-counting bug in PySide6 6.12.0 on Python < 3.12.

`SignalInstance.emit()` and `SignalInstance.disconnect()` return `True`/`False` without taking a
new reference. Every call from Python therefore drops one reference to the bool singleton; after
a few hundred emits CPython aborts with "bool_dealloc: deallocating True or False" (Python 3.12+
has immortal bools and is not affected). The fix is probed, not assumed: only when a probe emit
really loses a reference are the two methods wrapped to give the reference back. Importing this
module is idempotent; `sollhaben.workers` and the UI modules import it before any signal is used.
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


ACTIVE = install()
