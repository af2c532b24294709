"""The grading round trip: fake submissions of lesson 1 graded through the real commands.

One course in a temporary folder (the repository's nbgrader_config.py and
lesson 1), with a per-cell timeout of 10 s. Each fake student is one of the
cases the grading must survive; the scores asserted are what a fair grader
gives. Lesson 1 has two autograded exercises (3 and 2 points) and one written
question (2 points, by hand).
"""

from __future__ import annotations

import copy
import hashlib
import html
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from coursetools import grading

ROOT = Path(__file__).resolve().parent.parent
LESSON = "01_generative_model"
CELL_TIMEOUT_S = 10

WRONG_SAMPLE = '''def sample_mixture(means, weights, sigma2, n, rng):
    """Labels right, spread wrong: scale sigma2 instead of its square root."""
    means = np.asarray(means, dtype=float)
    z = rng.choice(means.size, size=n, p=weights)
    return rng.normal(means[z], sigma2), z
'''
# Right on the visible tests' three components, wrong otherwise.
SAMPLE_FOR_THE_VISIBLE_TESTS = '''def sample_mixture(means, weights, sigma2, n, rng):
    if len(means) == 3 and means[0] == -2.0:
        return emlib.sample(emlib.MixtureParams(means, weights, sigma2), n, rng)
    return np.zeros(n), np.zeros(n, dtype=int)
'''
DENSITY_FOR_THE_VISIBLE_TESTS = '''def mixture_density(x, means, weights, sigma2):
    if len(means) == 3:
        return emlib.mixture_pdf(x, emlib.MixtureParams(means, weights, sigma2))
    return np.ones(len(x))
'''
WRONG_DENSITY = '''def mixture_density(x, means, weights, sigma2):
    return np.zeros(len(x))
'''


def solution_sources() -> dict[str, str]:
    nb = nbformat.read(ROOT / "solutions" / LESSON / f"{LESSON}.ipynb", as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if "nbgrader" in c.metadata}


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def answered(lecture, **answers):
    """The lecture with answer cells (by grade id) replaced; others get the model answer."""
    nb = copy.deepcopy(lecture)
    model = solution_sources()
    for c in nb.cells:
        meta = c.metadata.get("nbgrader", {})
        if meta.get("solution") and c.cell_type == "code":
            c.source = answers.get(meta["grade_id"], model[meta["grade_id"]])
    return nb


# Reaches outside its folder with calls no static rule forbids: writes the gradebook,
# the solutions and another submission, reads the hidden tests.
ESCAPE = """for target in {targets!r}:
    try:
        np.savetxt(target, [0])
        print("wrote", target)
    except OSError as error:
        print("cannot write", type(error).__name__)
print(np.genfromtxt({solution!r}, dtype=str, delimiter="\\n")[:3])
"""


# Swallows the interrupt, with nothing the integrity check would flag.
SWALLOWS = """import time
while True:
    try:
        time.sleep(0.1)
    except KeyboardInterrupt:
        pass
"""


def make_inbox(lecture, inbox: Path, root: Path) -> None:
    """One fake submission per case, mostly as a flat folder of STUDENT.ipynb files."""
    def save(name, nb):
        nbformat.write(nb, inbox / f"{name}.ipynb")

    inbox.mkdir()
    # 1. correct answers
    save("s01_correct", answered(lecture))
    # 2. answers that pass the visible tests but not the hidden ones
    save("s02_visible_only", answered(lecture, **{
        "l1-ex1-answer": SAMPLE_FOR_THE_VISIBLE_TESTS,
        "l1-ex2-answer": DENSITY_FOR_THE_VISIBLE_TESTS}))
    # 3. a test cell edited to `assert True` (wrong answer), another deleted (right answer)
    nb = answered(lecture, **{"l1-ex1-answer": WRONG_SAMPLE})
    cell(nb, "l1-ex1-tests").source = "assert True"
    nb.cells.remove(cell(nb, "l1-ex2-tests"))
    save("s03_tampered_tests", nb)
    # 4. an infinite loop in an answer
    save("s04_infinite_loop", answered(lecture, **{"l1-ex1-answer": "while True:\n    pass"}))
    # 5. an exception at import, a syntax error, not JSON, an empty file
    save("s05_import_error", answered(lecture, **{
        "l1-ex1-answer": "import no_such_module_here\n" + solution_sources()["l1-ex1-answer"]}))
    save("s06_syntax_error", answered(lecture, **{
        "l1-ex2-answer": "def mixture_density(x, means, weights, sigma2)\n    return x"}))
    (inbox / "s07_not_json.ipynb").write_text('{"cells": [ this is not json')
    (inbox / "s08_empty.ipynb").write_bytes(b"")
    # 6. monkeypatching what the tests rely on, so that a wrong answer passes
    save("s09_patches_numpy", answered(lecture, **{"l1-ex2-answer": WRONG_DENSITY + (
        "\nnp.allclose = lambda *args, **kwargs: True\nabs = lambda value: 0\n")}))
    save("s10_patches_emlib", answered(lecture, **{"l1-ex1-answer": WRONG_SAMPLE + (
        "\nemlib.sample = lambda p, n, rng: sample_mixture(p.means, p.weights, p.variance,"
        " n, rng)\nabs = lambda value: 0\nAssertionError = Exception\n")}))
    # 7. escaping the sandbox: write the grader's files, read the solutions
    solution = root / "solutions" / LESSON / f"{LESSON}.ipynb"
    targets = [str(root / "gradebook.db"), str(solution),
               str(root / "grading" / "submitted" / "s01_correct" / LESSON / f"{LESSON}.ipynb")]
    save("s12_escapes", answered(lecture, **{"l1-ex1-answer": WRONG_SAMPLE, "l1-ex2-answer":
        ESCAPE.format(targets=targets, solution=str(solution))
        + solution_sources()["l1-ex2-answer"]}))
    # 8. a loop that swallows the interrupt
    save("s13_swallows_interrupts", answered(lecture, **{"l1-ex1-answer": SWALLOWS}))
    # and one in nbgrader's own layout
    layout = inbox / "s11_layout" / LESSON
    layout.mkdir(parents=True)
    nbformat.write(answered(lecture), layout / f"{LESSON}.ipynb")


EXPECTED = {  # automatic points: exercise 1 (of 3), exercise 2 (of 2)
    "s01_correct": (3, 2),
    "s02_visible_only": (0, 0),
    "s03_tampered_tests": (0, 2),
    "s04_infinite_loop": (0, 2),
    "s05_import_error": (0, 2),
    "s06_syntax_error": (3, 0),
    "s07_not_json": (0, 0),
    "s08_empty": (0, 0),
    "s09_patches_numpy": (3, 0),
    "s10_patches_emlib": (0, 2),
    "s11_layout": (3, 2),
    "s12_escapes": (0, 0),
    "s13_swallows_interrupts": (0, 0),
}


def new_course(base: Path) -> Path:
    root = base / "course"
    (root / "solutions").mkdir(parents=True)
    shutil.copytree(ROOT / "solutions" / LESSON, root / "solutions" / LESSON)
    config = (ROOT / "nbgrader_config.py").read_text()
    (root / "nbgrader_config.py").write_text(config + f"\nc.Execute.timeout = {CELL_TIMEOUT_S}\n")
    grading.release(root, [LESSON])
    return root


def gradebook_scores(root: Path) -> dict[str, dict[str, tuple]]:
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for submission in gb.assignment_submissions(LESSON):
            out[submission.student.id] = {
                g.name: (g.auto_score, g.manual_score)
                for nb in submission.notebooks for g in nb.grades}
    return out


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading")
    root = new_course(base)
    lecture = nbformat.read(root / "lectures" / LESSON / f"{LESSON}.ipynb", as_version=4)
    inbox = base / "inbox"
    make_inbox(lecture, inbox, root)
    before = digest(inbox)
    solutions_before = digest(root / "solutions")
    assert sorted(grading.collect(root, inbox, LESSON)) == sorted(EXPECTED)
    submitted_before = digest(root / "grading" / "submitted")
    started = time.perf_counter()
    reports = {r.student: r
               for r in grading.autograde(root, LESSON, jobs=2, echo=lambda line: None)}
    seconds = time.perf_counter() - started
    return dict(root=root, inbox=inbox, lecture=lecture, reports=reports, seconds=seconds,
                inbox_digest=before, submitted_digest=submitted_before,
                solutions_digest=solutions_before)


def test_each_case_scores_what_a_fair_grader_gives(graded):
    scores = gradebook_scores(graded["root"])
    got = {s: (scores[s]["l1-ex1-tests"][0] or 0, scores[s]["l1-ex2-tests"][0] or 0)
           for s in scores}
    assert got == EXPECTED
    assert {s: graded["reports"][s].score for s in EXPECTED} == {
        s: float(sum(v)) for s, v in EXPECTED.items()}


def test_reports_say_what_happened(graded):
    reports = graded["reports"]
    assert reports["s01_correct"].status == "graded" and reports["s01_correct"].notes == []
    assert "deleted cell l1-ex2-tests restored" in reports["s03_tampered_tests"].notes
    assert "locked cell l1-ex1-tests was edited (restored)" in reports["s03_tampered_tests"].notes
    assert f"a cell ran past the {CELL_TIMEOUT_S} s limit" in reports["s04_infinite_loop"].notes
    for student in ("s07_not_json", "s08_empty"):
        assert reports[student].status == "unreadable"
    assert "not a valid notebook" in reports["s07_not_json"].notes[0]
    assert reports["s08_empty"].notes == ["the file is empty"]
    for student, cell_id in (("s09_patches_numpy", "l1-ex2-answer"),
                             ("s10_patches_emlib", "l1-ex1-answer")):
        assert any(note.startswith(f"integrity check removed cell {cell_id}")
                   for note in reports[student].notes), reports[student].notes
    swallowed = reports["s13_swallows_interrupts"]
    assert swallowed.status == "graded", swallowed
    assert ("a cell ignored the interrupt at its time limit: its sandbox was killed, the cells "
            "after it not run" in swallowed.notes), swallowed.notes
    report_csv = (graded["root"] / "grading" / "reports" / f"{LESSON}.csv").read_text()
    assert report_csv.count("\n") == len(EXPECTED) + 1


def test_an_infinite_loop_costs_one_cell_timeout_not_the_batch(graded):
    assert graded["reports"]["s04_infinite_loop"].seconds < CELL_TIMEOUT_S + 20
    # one that swallows the interrupt costs one, and a few seconds more: its sandbox is killed
    assert graded["reports"]["s13_swallows_interrupts"].seconds < 2 * CELL_TIMEOUT_S + 20
    assert graded["reports"]["s05_import_error"].status == "graded"  # graded after it


def test_the_cheats_would_pass_without_the_integrity_check(graded):
    """Run the cheating notebooks as nbgrader alone would: locked cells restored, all run."""
    tests = {k: v for k, v in solution_sources().items() if k.endswith("-tests")}
    for student, test_id in (("s09_patches_numpy", "l1-ex2-tests"),
                             ("s10_patches_emlib", "l1-ex1-tests")):
        nb = nbformat.read(graded["inbox"] / f"{student}.ipynb", as_version=4)
        for c in nb.cells:
            grade_id = c.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in tests:
                c.source = tests[grade_id]  # hidden tests included, as nbgrader restores them
        NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(graded["root"])}}).execute()
        outputs = cell(nb, test_id).outputs
        assert not [o for o in outputs if o["output_type"] == "error"], (student, outputs)


def test_manual_scores_export_and_feedback(graded, tmp_path):
    root = graded["root"]
    scores = tmp_path / "written.csv"
    scores.write_text("student_id,assignment,grade_id,score,comment\n"
                      f"s01_correct,{LESSON},l1-written1,2,clear and complete\n"
                      f"s02_visible_only,{LESSON},l1-written1,1,\n")
    assert grading.enter_manual_scores(root, scores) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(f"student_id,assignment,grade_id,score\ns01_correct,{LESSON},l1-written1,9\n")
    with pytest.raises(grading.GradingError, match="between 0 and 2"):
        grading.enter_manual_scores(root, bad)

    table = grading.export(root, tmp_path / "grades.csv").read_text().splitlines()
    header = table[0].split(",")
    rows = {r.split(",")[header.index("student_id")]: r.split(",") for r in table[1:]}
    assert float(rows["s01_correct"][header.index("score")]) == 7.0
    assert float(rows["s02_visible_only"][header.index("score")]) == 1.0
    assert float(rows["s08_empty"][header.index("score")]) == 0.0
    assert len(rows) == len(EXPECTED)

    pages = grading.feedback(root, LESSON)
    # the two unreadable ones have no graded notebook
    assert len(pages) == len(EXPECTED) - 2
    solution = "\n".join(solution_sources().values())
    hidden = re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", solution, re.DOTALL)
    visible = {line.strip() for line in re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS",
                                               "", solution, flags=re.DOTALL).splitlines()}
    secrets = [line.strip() for block in hidden for line in block.splitlines()
               if len(line.strip()) > 12 and line.strip() not in visible]
    assert secrets
    for page in pages:
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
        assert "Exercise 1.2: all visible tests passed" in text or "Error" in text
        leaked = [s for s in secrets if s in text]
        assert not leaked, (page, leaked)


def test_grading_again_gives_the_same_gradebook(graded):
    root = graded["root"]
    first = gradebook_scores(root)
    again = ["s01_correct", "s02_visible_only", "s03_tampered_tests", "s09_patches_numpy"]
    grading.autograde(root, LESSON, force=True, students=again, jobs=2, echo=lambda line: None)
    second = gradebook_scores(root)
    # manual scores entered in between are kept; automatic ones are recomputed identically
    assert {s: {k: v[0] for k, v in g.items()} for s, g in second.items()} == {
        s: {k: v[0] for k, v in g.items()} for s, g in first.items()}


def test_submitted_files_are_never_modified(graded):
    assert digest(graded["inbox"]) == graded["inbox_digest"]
    assert digest(graded["root"] / "grading" / "submitted") == graded["submitted_digest"]


def test_a_submission_reaches_nothing_outside_its_sandbox(graded):
    """s12 writes the gradebook, the solutions and another submission, and reads the
    solutions, with calls no static rule forbids: the sandbox has none of them."""
    root = graded["root"]
    assert digest(root / "solutions") == graded["solutions_digest"]
    graded_nb = nbformat.read(root / "grading" / "autograded" / "s12_escapes" / LESSON
                              / f"{LESSON}.ipynb", as_version=4)
    outputs = cell(graded_nb, "l1-ex2-answer").outputs
    text = "".join(o.get("text", "") for o in outputs)
    assert text.count("cannot write") == 3 and "wrote" not in text, text
    assert [o.ename for o in outputs if o.output_type == "error"] == ["FileNotFoundError"]
    with sqlite3.connect(root / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_each_batch_backs_up_the_gradebook_and_keeps_the_last_five(graded):
    root = graded["root"]
    for _ in range(6):
        grading.back_up_gradebook(root)
    backups = sorted((root / grading.BACKUPS).glob("gradebook-*.db"))
    assert len(backups) == grading.BACKUPS_KEPT
    live = gradebook_scores(root)
    for backup in backups:
        with closing(sqlite3.connect(backup)) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    shutil.copy(backups[-1], root / "restored.db")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'restored.db'}") as gb:
        assert {s.student.id for s in gb.assignment_submissions(LESSON)} == set(live)


def test_a_crash_mid_batch_loses_no_recorded_score_and_the_batch_resumes(graded, tmp_path):
    root = new_course(tmp_path)
    students = ["s01_correct", "s03_tampered_tests", "s09_patches_numpy"]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for s in students:
        shutil.copy(graded["inbox"] / f"{s}.ipynb", inbox)
    grading.collect(root, inbox, LESSON)
    batch = subprocess.Popen([sys.executable, "-m", "coursetools", "autograde", LESSON],
                             cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    marker = root / "grading" / "autograded" / students[0] / LESSON / grading.DONE_MARKER
    deadline = time.time() + 120
    while not marker.exists() and time.time() < deadline:
        time.sleep(0.2)
    os.killpg(batch.pid, signal.SIGKILL)  # the whole batch dies, mid-way through student 2
    batch.wait()
    assert gradebook_scores(root)[students[0]]["l1-ex1-tests"][0] == 3

    reports = {r.student: r for r in grading.autograde(root, LESSON, echo=lambda line: None)}
    assert reports[students[0]].status == "skipped"
    assert all(reports[s].status == "graded" for s in students[1:])
    final = gradebook_scores(root)
    assert {s: (final[s]["l1-ex1-tests"][0], final[s]["l1-ex2-tests"][0]) for s in students} == {
        s: EXPECTED[s] for s in students}


def test_every_lesson_gives_its_model_answers_full_marks(tmp_path):
    """The round trip for all lessons: release, submit the model answers, autograde (two
    lessons at a time, as an instructor grading two lessons in two terminals would)."""
    root = tmp_path / "course"
    shutil.copytree(ROOT / "solutions", root / "solutions")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    lessons = grading.release(root)
    assert len(lessons) == len(grading.lesson_ids(ROOT))
    for path in lessons:
        lesson = path.parent.name
        model = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbformat.read(
            root / "solutions" / lesson / f"{lesson}.ipynb", as_version=4).cells
            if c.metadata.get("nbgrader", {}).get("solution")}
        nb = nbformat.read(path, as_version=4)
        for c in nb.cells:
            if c.metadata.get("nbgrader", {}).get("grade_id") in model:
                c.source = model[c.metadata["nbgrader"]["grade_id"]]
        inbox = tmp_path / f"inbox-{lesson}"
        inbox.mkdir()
        nbformat.write(nb, inbox / "model_student.ipynb")
        grading.collect(root, inbox, lesson)
    with ThreadPoolExecutor(max_workers=2) as pool:
        graded = pool.map(lambda path: (path.parent.name, grading.autograde(
            root, path.parent.name, echo=lambda line: None)), lessons)
        for lesson, (report,) in graded:
            assert report.status == "graded" and report.notes == [], (lesson, report)
            assert report.max_score >= 4 and report.score == report.max_score, (lesson, report)
