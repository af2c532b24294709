"""A bounded memo: the explorers keep what they computed for recent slider values only."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class Recent(OrderedDict):
    """A mapping that keeps its ``kept`` most recently used entries and forgets the oldest.

    Slider values come from a grid, but values set from code do not, so an unbounded memo
    would grow with every value a lesson or a student visits.
    """

    def __init__(self, kept: int) -> None:
        super().__init__()
        self.kept = kept

    def __setitem__(self, key: Hashable, value: Any) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        if len(self) > self.kept:
            self.popitem(last=False)

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value for ``key``, now the most recently used, or ``default``."""
        if key not in self:
            return default
        self.move_to_end(key)
        return self[key]

    def remember(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The value for ``key``, computed by ``make()`` the first time."""
        if key in self:
            return self.get(key)
        value = make()
        self[key] = value
        return value
