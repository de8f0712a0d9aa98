"""Qt threads around plain-Python services: the one serial background worker.

Importing the package installs the PySide6 6.12 signal refcount fix (see qt_fixes)."""
from sollhaben.workers import qt_fixes as _qt_fixes  # noqa: F401
