"""Each exercise's tests reject the plausible wrong answers to it (``tests/mutants/``).

For every lesson the student version (``lectures/``) with the model answers pasted in
runs top to bottom in one kernel, as a student who pastes the solutions would run it:
every cell must run without an error. At each exercise's test cell, before it runs, the
model answer and then every wrong answer of ``tests/mutants/lNN.py`` are put in the
answer cell's place and two parts are run on their own: the visible tests (the test cell
the student sees) and the hidden tests (the block the grader adds, from ``solutions/``).
The model answer must pass both; every wrong answer must fail the hidden tests, and at
least two in three must fail the visible ones, each failed assertion with a message that
tells the student what is wrong. Then the model answer is restored and the lesson goes
on, so later exercises see the state a student would have.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from coursetools import grading
from tests.mutants import for_lesson

ROOT = Path(__file__).resolve().parent.parent
LESSONS = grading.lesson_ids(ROOT)
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS\n?", re.DOTALL)
EXERCISE = re.compile(r"^(l\d+-ex\d+)-(answer|tests)$")


@dataclass(frozen=True)
class Failure:
    """The first error a snippet raised: its exception name and message."""

    name: str
    message: str

    def __str__(self) -> str:
        return f"{self.name}: {self.message}" if self.message else self.name


@dataclass(frozen=True)
class Verdict:
    """What the visible and the hidden tests said of one answer (None: passed)."""

    answer: str
    visible: Failure | None
    hidden: Failure | None


def exercise_of(cell) -> tuple[str, str] | None:
    match = EXERCISE.match(cell.metadata.get("nbgrader", {}).get("grade_id", ""))
    return (match[1], match[2]) if match else None


def split_tests(source: str) -> tuple[str, str]:
    """The visible part of a test cell (hidden block cut out) and the hidden block alone."""
    hidden = HIDDEN.search(source)
    assert hidden, "a test cell without hidden tests"
    return HIDDEN.sub("", source), hidden[1]


class Kernel:
    """One kernel running a notebook's cells, and snippets in between."""

    def __init__(self, client: NotebookClient):
        self.client = client

    def run(self, source: str, index: int) -> Failure | None:
        cell = nbformat.v4.new_code_cell(source)
        self.client.execute_cell(cell, index, store_history=False)
        for output in cell.outputs:
            if output.output_type == "error":
                return Failure(output.ename, output.evalue.strip())
        return None

    def judge(self, answer: str, source: str, tests: tuple[str, str], index: int) -> Verdict:
        visible, hidden = tests
        defined = self.run(source, index)
        if defined is not None:
            return Verdict(answer, Failure("the answer cell itself fails", str(defined)), None)
        # hidden first: it must stand alone, without names the visible part defines
        said_hidden = self.run(hidden, index)
        return Verdict(answer, self.run(visible, index), said_hidden)


def judge_lesson(lesson: str, tmp_path: Path) -> dict[str, list[Verdict]]:
    """Per exercise: the model answer's verdict first, then each wrong answer's."""
    solution = nbformat.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb", as_version=4)
    nb = nbformat.read(ROOT / "lectures" / lesson / f"{lesson}.ipynb", as_version=4)
    mutants = for_lesson(int(lesson[:2]))
    answers, hidden = {}, {}
    for cell in solution.cells:
        if exercise_of(cell):
            exercise, part = exercise_of(cell)
            if part == "answer":
                answers[exercise] = cell.source
            else:
                hidden[exercise] = split_tests(cell.source)[1]
    verdicts: dict[str, list[Verdict]] = {}
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    with client.setup_kernel():
        kernel = Kernel(client)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            which = exercise_of(cell)
            if which and which[1] == "answer":
                cell.source = answers[which[0]]
            elif which:
                exercise = which[0]
                assert "HIDDEN TESTS" not in cell.source
                tests = (cell.source, hidden[exercise])
                verdicts[exercise] = [kernel.judge("the model answer", answers[exercise],
                                                   tests, index)]
                verdicts[exercise] += [kernel.judge(m.mistake, m.source, tests, index)
                                       for m in mutants.get(exercise, [])]
                kernel.run(answers[exercise], index)  # restore what the lesson expects
            client.execute_cell(cell, index)
            failed = [o for o in cell.outputs if o.output_type == "error"]
            assert not failed, (f"{lesson}: with the model answers pasted, cell "
                                f"{cell.metadata.nbgrader.grade_id} fails: {failed[0].ename}")
    return verdicts


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_pasted_solutions_pass_and_the_wrong_answers_fail(lesson, tmp_path):
    nb = nbformat.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb", as_version=4)
    exercises = sorted({exercise_of(c)[0] for c in nb.cells if exercise_of(c)})
    assert sorted(for_lesson(int(lesson[:2]))) == exercises, (
        f"tests/mutants/l{lesson[:2]}.py must list wrong answers for exactly {exercises}")
    problems = []
    for exercise, (model, *wrong) in judge_lesson(lesson, tmp_path).items():
        if model.visible or model.hidden:
            problems.append(f"{exercise}: the model answer fails: "
                            f"visible {model.visible}, hidden {model.hidden}")
        if len(wrong) < 3:
            problems.append(f"{exercise}: {len(wrong)} wrong answers, at least 3 wanted")
        caught = [v for v in wrong if v.visible]
        if len(caught) < math.ceil(2 * len(wrong) / 3):
            missed = [v.answer for v in wrong if not v.visible]
            problems.append(f"{exercise}: the visible tests pass {missed}")
        for verdict in wrong:
            failure = verdict.visible
            if failure and failure.name == "the answer cell itself fails":
                problems.append(f"{exercise}: {verdict.answer!r} is not a runnable answer "
                                f"({failure.message})")
                continue
            if verdict.hidden is None:
                problems.append(f"{exercise}: the hidden tests alone pass {verdict.answer!r}")
            if failure and failure.name == "AssertionError" and not failure.message:
                problems.append(f"{exercise}: {verdict.answer!r} fails a visible assert "
                                "that says nothing: give it a message")
    assert not problems, "\n".join(problems)
