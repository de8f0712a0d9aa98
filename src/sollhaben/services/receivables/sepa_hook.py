"""Installs the mandate lookup into `services.kita.fee_assessment_payment` (its `set_mandate_lookup`
hook), so fee assessment letters name the payer's valid SEPA mandate.

Called once by the composition roots (app start, CLI start). That module pulls in the reports
(reportlab, qrbill), which the start must not import (`tests/integration/test_startup.py`); so
when it is not loaded yet, a finder on `sys.meta_path` installs the lookup right after the module
is first imported — whoever imports it first (fee assessment page, CLI, a worker job).
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import sys

TARGET = "sollhaben.services.kita.fee_assessment_payment"


def _install_into(module) -> None:
    from sollhaben.services.receivables.sepa_mandates import mandate_lookup

    module.set_mandate_lookup(mandate_lookup)


class _InstallAfterImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != TARGET:
            return None
        sys.meta_path.remove(self)  # once; and the search below must not come back here
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module

        def exec_module(module) -> None:
            execute(module)
            _install_into(module)

        spec.loader.exec_module = exec_module
        return spec


def install() -> None:
    """Make fee assessment letters use the SEPA mandates (idempotent)."""
    module = sys.modules.get(TARGET)
    if module is not None:
        _install_into(module)
    elif not any(isinstance(finder, _InstallAfterImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _InstallAfterImport())
