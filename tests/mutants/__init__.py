"""Plausible wrong answers to the exercises, one module per lesson (``lNN.py``).

Each module defines ``MUTANTS``: a dict from an exercise's grade-id prefix (``"l2-ex1"``)
to the wrong answers a student might type in its answer cell. ``tests/test_mutants.py``
runs every one of them through the lesson's visible and hidden tests.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    """A wrong answer: what mistake it makes, and the full source of the answer cell."""

    mistake: str
    source: str


def for_lesson(number: int) -> dict[str, list[Mutant]]:
    """The wrong answers to lesson ``number``'s exercises, by exercise."""
    return importlib.import_module(f"tests.mutants.l{number:02d}").MUTANTS
