"""The lessons' prose: corrections to the notes numbered and tabled, short cells, no cell numbers.

A correction to the notes is a blockquote headed ``⚠ Correction to the notes (Cn).``; a
clarification, numerical caveat or omission is headed ``ⓘ Note on the notes.`` The
corrections are numbered in reading order across the course, and README.md's table
"Corrections to the notes" lists each of them, with its lesson and section, and nothing else.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from coursetools import grading

ROOT = Path(__file__).resolve().parent.parent
LESSONS = grading.lesson_ids(ROOT)
CORRECTION = re.compile(r"^> \*\*⚠ Correction to the notes \(C(\d+)\)\.\*\* The notes write",
                        re.MULTILINE)
NOTE = re.compile(r"^> \*\*ⓘ Note on the notes\.\*\* ", re.MULTILINE)
HEADING = re.compile(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", re.MULTILINE)
TABLE_ROW = re.compile(r"^\| C(\d+) \|(.*)\| lesson (\d+), §([\d.]+)[^|]*\|$", re.MULTILINE)
MAX_WORDS = 250


def markdown_cells(lesson: str):
    nb = nbformat.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb", as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def corrections_in_reading_order() -> list[tuple[int, int, str]]:
    """(number, lesson, section) of each correction callout, lesson by lesson, top to bottom."""
    found = []
    for lesson in LESSONS:
        section = None
        for source in markdown_cells(lesson):
            marks = sorted([(m.start(), "heading", m[1]) for m in HEADING.finditer(source)]
                           + [(m.start(), "correction", m[1])
                              for m in CORRECTION.finditer(source)])
            for _, kind, value in marks:
                if kind == "heading":
                    section = value
                else:
                    found.append((int(value), int(lesson[:2]), section))
    return found


def readme_table() -> list[tuple[int, int, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Corrections to the notes")
    end = text.find("\n## ", start + 1)
    table = text[start: end if end > 0 else None]
    return [(int(m[1]), int(m[3]), m[4].rstrip(".")) for m in TABLE_ROW.finditer(table)]


def test_corrections_are_numbered_in_reading_order():
    numbers = [number for number, _, _ in corrections_in_reading_order()]
    assert numbers, "no correction callouts found"
    assert numbers == list(range(1, len(numbers) + 1)), numbers


def test_the_readme_table_lists_every_correction_and_nothing_else():
    assert readme_table() == corrections_in_reading_order()


@pytest.mark.parametrize("lesson", LESSONS)
def test_callouts_on_the_notes_are_one_of_two_kinds(lesson):
    for source in markdown_cells(lesson):
        assert "slip S" not in source, "old slip ids: use the correction numbers Cn"
        for line in source.splitlines():
            if re.match(r"> \*\*.*(Correction|Note on) ", line):
                assert CORRECTION.match(line) or NOTE.match(line), line


@pytest.mark.parametrize("lesson", LESSONS)
def test_markdown_cells_are_short_and_point_at_sections(lesson):
    for source in markdown_cells(lesson):
        words = len(re.sub(r"\$\$.*?\$\$", "", source, flags=re.DOTALL).split())
        assert words <= MAX_WORDS, f"{words} words: split the cell\n{source[:200]}"
        assert not re.search(r"\bcells? \d", source), f"points at a cell index:\n{source[:200]}"
