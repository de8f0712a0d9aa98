"""Building frozen dataclasses on the run's hot path without their generated `__init__`.

A frozen dataclass sets every field through `object.__setattr__`, about 0.25 µs per field on the
reference machine; a run creates one `ComputedLine` (15 fields) per line and one `PlannedPosting`
(21 fields) per posting, which made up a third of the planning time of 10 000 children. `build`
fills the instance's `__dict__` in one step instead. It is only used for dataclasses without
`slots`, `__post_init__` or default factories, with every field given;
`tests/unit/domain/kita/test_kita_fast.py` checks that the result equals the normal constructor's.
"""
from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def build(cls: type[T], /, **fields) -> T:
    obj = object.__new__(cls)
    obj.__dict__.update(fields)
    return obj
