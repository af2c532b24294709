"""The student versions: generated from solutions/, in sync, without answers, runnable."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from coursetools import grading

ROOT = Path(__file__).resolve().parent.parent
LESSONS = grading.lesson_ids(ROOT)
SOLUTION_BLOCK = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.DOTALL)
HIDDEN_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.DOTALL)


def read(kind: str, lesson: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / kind / lesson / f"{lesson}.ipynb", as_version=4)


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_test(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("grade") and not meta.get("solution")


def execute(nb: nbformat.NotebookNode, where: Path) -> nbformat.NotebookNode:
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(where)}}).execute()
    return nb


def errors(cell) -> list[str]:
    return [o["ename"] for o in cell.get("outputs", []) if o["output_type"] == "error"]


def test_the_course_has_its_lessons_and_a_lecture_for_each():
    assert LESSONS == ["01_generative_model", "02_likelihood", "03_e_step", "04_m_step",
                       "05_em_algorithm", "06_beyond_the_notes", "07_real_data"]
    assert sorted(p.name for p in (ROOT / "lectures").iterdir() if p.is_dir()) == LESSONS


@pytest.mark.parametrize("lesson", LESSONS)
def test_solutions_are_marked_up_for_grading(lesson):
    nb = read("solutions", lesson)
    ids = [grade_id(c) for c in nb.cells if grade_id(c)]
    assert len(ids) == len(set(ids)), "grade ids must be unique"
    for cell in nb.cells:
        if cell.cell_type == "code":
            meta = cell.metadata.get("nbgrader")
            assert meta, f"code cell {cell.get('id')} has no nbgrader metadata"
            assert meta["solution"] or meta["locked"], f"code cell {meta['grade_id']} is editable"
    tests = [c for c in nb.cells if is_test(c)]
    assert len(tests) >= 2
    for cell in tests:
        assert "assert" in cell.source.split("### BEGIN HIDDEN TESTS")[0], grade_id(cell)
        assert HIDDEN_BLOCK.search(cell.source), f"{grade_id(cell)} has no hidden tests"
    written = [c for c in nb.cells
               if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")]
    assert written, "each lesson has a question graded by hand"


def test_lectures_are_what_release_generates_from_solutions(tmp_path):
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    grading.release(tmp_path)
    for lesson in LESSONS:
        fresh = nbformat.read(tmp_path / "lectures" / lesson / f"{lesson}.ipynb", as_version=4)
        assert fresh == read("lectures", lesson), (
            f"lectures/{lesson} is out of date with solutions/: run `make release`")


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_answer_or_hidden_test_leaks_into_the_lecture(lesson):
    solution = read("solutions", lesson)
    lecture_text = "\n".join(c.source for c in read("lectures", lesson).cells)
    secrets, public = [], []
    for cell in solution.cells:
        if cell.cell_type == "code":
            for block in SOLUTION_BLOCK.findall(cell.source) + HIDDEN_BLOCK.findall(cell.source):
                secrets += [line.strip() for line in block.splitlines()]
            rest = HIDDEN_BLOCK.sub("", SOLUTION_BLOCK.sub("", cell.source))
            public += [line.strip() for line in rest.splitlines()]
        elif cell.metadata.get("nbgrader", {}).get("solution"):
            secrets += [line.strip() for line in cell.source.splitlines()]  # model answers
        else:
            public += [line.strip() for line in cell.source.splitlines()]
    # a line that the solution also shows in the open (a visible test repeated in
    # the hidden ones, say) gives nothing away
    secrets = [s for s in secrets if len(s) >= 12 and not s.startswith("#") and s not in public]
    assert secrets
    lecture_lines = {line.strip() for line in lecture_text.splitlines()}
    leaked = [s for s in secrets if s in lecture_lines]
    assert not leaked, f"lines from answers or hidden tests in lectures/{lesson}: {leaked}"
    assert "BEGIN SOLUTION" not in lecture_text and "HIDDEN TESTS" not in lecture_text


@pytest.mark.parametrize("lesson", LESSONS)
def test_a_student_who_answers_nothing_runs_every_cell_but_the_exercise_tests(lesson, tmp_path):
    nb = execute(read("lectures", lesson), tmp_path)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if is_test(cell):
            assert errors(cell) == ["NotImplementedError"], grade_id(cell)
            message = "".join(o.get("evalue", "") for o in cell.outputs)
            assert "Not answered yet" in message
        else:
            assert errors(cell) == [], f"cell {grade_id(cell)} failed: {errors(cell)}"


# A student who pastes the solutions into the lecture passes every visible test:
# tests/test_mutants.py runs exactly that, with the wrong answers at each test cell.
