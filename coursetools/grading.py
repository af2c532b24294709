"""The instructor's cycle on one machine: release, collect, autograde, score, export, feedback.

Every step is nbgrader's own command run from the course root (where
``nbgrader_config.py`` says where things live and plugs in
:mod:`coursetools.integrity`); this module adds what a class needs around it:

- ``release`` generates every student version and keeps ``lectures/`` clean;
- ``collect`` copies submissions from a folder in nbgrader's layout or a flat
  folder of ``student_id.ipynb`` files, never touching the originals;
- ``autograde`` grades each student in a separate nbgrader process (the
  submission's cells in a kernel in the sandbox of :mod:`coursetools.sandbox`, the
  tests in a kernel of their own: :mod:`coursetools.isolation`), so an
  unreadable notebook, a crash or a kill loses nothing already recorded; an
  unreadable submission is recorded with zero; a per-student report says what
  happened (timeouts, errors, the integrity check);
- ``manual`` enters hand-graded scores from a CSV file into the gradebook;
- ``export`` and ``feedback`` are nbgrader's, with hidden tests kept out of feedback.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import sandbox

SOLUTIONS = "solutions"
LECTURES = "lectures"
SUBMITTED = Path("grading") / "submitted"
AUTOGRADED = Path("grading") / "autograded"
FEEDBACK = Path("grading") / "feedback"
REPORTS = Path("grading") / "reports"
BACKUPS = Path("grading") / "backups"
GRADEBOOK = "gradebook.db"
BACKUPS_KEPT = 5
# Written into a student's graded folder once grading finished and its scores
# are in the gradebook: a resumed batch skips exactly these students.
DONE_MARKER = ".graded"
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# A safety net around one student's whole grading run; cells have their own
# timeout (nbgrader_config.py), this only catches a wedged process.
STUDENT_TIMEOUT_S = 900


class GradingError(RuntimeError):
    """An nbgrader command failed for the course as a whole (not for one student)."""


def lesson_ids(root: Path) -> list[str]:
    """The assignments: one folder per lesson under solutions/."""
    return sorted(p.name for p in (root / SOLUTIONS).iterdir()
                  if p.is_dir() and (p / f"{p.name}.ipynb").exists())


def nbgrader(root: Path, *args: str, timeout: float | None = None,
             sandboxed: bool = True) -> subprocess.CompletedProcess:
    """Run one nbgrader command from the course root (autograde's kernels sandboxed or not)."""
    env = dict(os.environ)
    env[sandbox.SWITCH] = "on" if sandboxed else "off"
    # nbgrader runs alembic and jupyter as programs: use this environment's.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _check(result: subprocess.CompletedProcess, what: str) -> None:
    if result.returncode != 0:
        raise GradingError(f"{what} failed:\n{result.stdout}\n{result.stderr}")


# -- student versions -------------------------------------------------------------------
def release(root: Path, assignments: list[str] | None = None) -> list[Path]:
    """Generate the student version of each lesson into lectures/ (nbgrader generate_assignment).

    Solutions become stubs, hidden tests and outputs go, grade and read-only
    cells are locked, and the lesson's cells are recorded in the gradebook so
    that autograding can restore them.
    """
    written = []
    for assignment in assignments or lesson_ids(root):
        _check(nbgrader(root, "generate_assignment", assignment, "--force"),
               f"generate_assignment {assignment}")
        path = root / LECTURES / assignment / f"{assignment}.ipynb"
        _normalise_lecture(path)
        written.append(path)
    return written


def _normalise_lecture(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("widgets", None)  # widget state belongs to a session, not the lesson
    nbformat.write(nb, path)


# -- collecting -------------------------------------------------------------------------
def collect(root: Path, inbox: Path, assignment: str) -> list[str]:
    """Copy submissions of one assignment from ``inbox`` into grading/submitted/.

    ``inbox`` holds either nbgrader's layout (``STUDENT/ASSIGNMENT/*.ipynb``) or a
    flat folder of ``STUDENT.ipynb`` files. Files are copied byte for byte, even
    when they are not valid notebooks (the grader reports those). Returns the
    student ids collected.
    """
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise GradingError(f"inbox {inbox} is not a folder")
    found: dict[str, Path] = {}
    for entry in sorted(inbox.iterdir()):
        if entry.is_file() and entry.suffix == ".ipynb":
            found[entry.stem] = entry
        elif entry.is_dir() and (entry / assignment / f"{assignment}.ipynb").exists():
            found[entry.name] = entry / assignment / f"{assignment}.ipynb"
    bad = [s for s in found if not STUDENT_ID.match(s)]
    if bad:
        raise GradingError(f"student ids must be letters, digits, '.', '_' or '-': {bad}")
    for student, source in found.items():
        target = root / SUBMITTED / student / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return list(found)


# -- autograding ------------------------------------------------------------------------
@dataclass
class StudentReport:
    """What happened when one student's submission was graded."""

    student: str
    status: str                      # graded, unreadable, failed, skipped
    score: float = 0.0
    max_score: float = 0.0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def _readable(path: Path) -> str | None:
    """None if ``path`` is a notebook nbgrader can grade, else why not."""
    if not path.exists():
        return "no notebook named after the assignment in the submission"
    if path.stat().st_size == 0:
        return "the file is empty"
    try:
        nbformat.validate(nbformat.read(path, as_version=4))
    except Exception as error:  # any parse or schema error means the same to the student
        return f"not a valid notebook ({type(error).__name__}: {str(error).splitlines()[0][:120]})"
    return None


def _gradebook(root: Path):
    """nbgrader's gradebook of the course at ``root`` (a context manager)."""
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{root / GRADEBOOK}")


def _record_zero(root: Path, assignment: str, student: str) -> None:
    """Put the submission in the gradebook with no score, so that it exports as zero."""
    from nbgrader.api import MissingEntry

    with _gradebook(root) as gb:
        try:
            gb.find_submission(assignment, student)
            return
        except MissingEntry:
            pass
        try:
            gb.find_student(student)
        except MissingEntry:
            gb.add_student(student)
        # nbgrader builds the submission's objects before adding them to the
        # session; without this, SQLAlchemy flushes half-built ones and warns.
        with gb.db.no_autoflush:
            gb.add_submission(assignment, student)


def _scores(root: Path, assignment: str, student: str) -> tuple[float, float]:
    from nbgrader.api import MissingEntry

    with _gradebook(root) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return 0.0, 0.0
        return float(submission.code_score), float(submission.max_code_score)


NOTEWORTHY = [
    (re.compile(r"Timeout waiting for execute reply \((\d+)s\)"),
     "a cell ran past the {0} s limit"),
    # the submission's kernel is killed (its sandbox with it); the tests still run
    (re.compile(r"The kernel ignored an interrupt"),
     "a cell ignored the interrupt at its time limit: its sandbox was killed, the cells "
     "after it not run"),
    (re.compile(r"the kernel running this submission died"),
     "the submission's kernel died (out of memory or killed): the cells after it not run"),
    (re.compile(r"Killed \d+ processes a cell left running"),
     "processes a cell left running were killed"),
    (re.compile(r"Integrity check removed cell (.*)"), "integrity check removed cell {0}"),
    (re.compile(r"Cell (\S+) was deleted; restoring it"), "deleted cell {0} restored"),
    (re.compile(r"Locked cell (\S+) was edited; restoring it"), "locked cell {0} was edited "
                                                                "(restored)"),
]


def _notes(log: str) -> list[str]:
    notes = []
    for pattern, text in NOTEWORTHY:
        for match in pattern.finditer(log):
            note = text.format(*match.groups())
            if note not in notes:
                notes.append(note)
    return notes


def autograde(root: Path, assignment: str, *, force: bool = False,
              students: list[str] | None = None, jobs: int = 1,
              unsafe: bool = False, memory_bytes: int | None = None,
              echo=print) -> list[StudentReport]:
    """Grade every collected submission of ``assignment``, one nbgrader process per student.

    Without ``force``, students already graded are skipped, so a batch that was
    interrupted (even killed) resumes where it stopped: each student's scores are
    committed by their own nbgrader process before the student is marked done.
    ``jobs`` students are graded at a time. Writes grading/reports/ASSIGNMENT.csv.

    Each submission's kernel runs in the sandbox of :mod:`coursetools.sandbox`
    (``memory_bytes`` caps its memory, default 2 GiB). Where the sandbox cannot be
    set up, grading refuses to start unless ``unsafe`` is given.
    """
    problem = None if unsafe else sandbox.unavailable()
    if problem:
        raise GradingError(f"cannot grade in the sandbox: {problem}. Grade on a machine where "
                           "it works, or pass --unsafe to run student code with your own "
                           "permissions.")
    back_up_gradebook(root)
    options = [] if memory_bytes is None else [
        f"--SandboxedKernelManager.memory_bytes={int(memory_bytes)}"]
    submitted = root / SUBMITTED
    everyone = sorted(p.name for p in submitted.iterdir()
                      if (p / assignment).is_dir()) if submitted.exists() else []
    reports = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for report in pool.map(
                lambda s: _grade_one(root, assignment, s, force, not unsafe, options),
                students or everyone):
            reports.append(report)
            echo(f"{report.student:<24} {report.status:<10} {report.score:5.1f} / "
                 f"{report.max_score:4.1f}  {report.seconds:5.1f} s  {'; '.join(report.notes)}")
    _write_report(root, assignment, reports)
    return reports


def back_up_gradebook(root: Path) -> Path | None:
    """Copy the gradebook to grading/backups/ (SQLite's online backup, so the copy is
    consistent even while it is being written), keeping the last five copies."""
    source = root / GRADEBOOK
    if not source.exists():
        return None
    folder = root / BACKUPS
    folder.mkdir(parents=True, exist_ok=True)
    # one clock reading for both parts of the name, so that names sort as times do
    seconds, nanoseconds = divmod(time.time_ns(), 10**9)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(seconds))
    target = folder / f"gradebook-{stamp}-{nanoseconds:09d}.db"
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy)
    for old in sorted(folder.glob("gradebook-*.db"))[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)  # two lessons graded at once may prune the same copy
    return target


def _grade_one(root: Path, assignment: str, student: str, force: bool, sandboxed: bool,
               options: list[str]) -> StudentReport:
    start = time.perf_counter()
    done = root / AUTOGRADED / student / assignment / DONE_MARKER
    notebook = root / SUBMITTED / student / assignment / f"{assignment}.ipynb"
    if done.exists() and not force:
        report = StudentReport(student, "skipped", *_scores(root, assignment, student),
                               notes=["already graded (use --force to grade again)"])
    elif (problem := _readable(notebook)) is not None:
        _record_zero(root, assignment, student)
        report = StudentReport(student, "unreadable", 0.0, 0.0, notes=[problem])
    else:
        try:
            result = nbgrader(root, "autograde", assignment, "--student", student, "--force",
                              *options, timeout=STUDENT_TIMEOUT_S, sandboxed=sandboxed)
            log, ok = result.stdout + result.stderr, result.returncode == 0
        except subprocess.TimeoutExpired:
            log, ok = f"grading took longer than {STUDENT_TIMEOUT_S} s", False
        if ok:
            report = StudentReport(student, "graded", *_scores(root, assignment, student),
                                   notes=_notes(log))
        else:
            _record_zero(root, assignment, student)
            last = [line for line in log.splitlines() if line.strip()][-1:] or ["?"]
            report = StudentReport(student, "failed", 0.0, 0.0,
                                   notes=_notes(log) + [f"nbgrader failed: {last[0][:200]}"])
    if report.status != "skipped":
        done.parent.mkdir(parents=True, exist_ok=True)
        done.write_text(report.status + "\n")
    report.seconds = time.perf_counter() - start
    return report


def _write_report(root: Path, assignment: str, reports: list[StudentReport]) -> None:
    path = root / REPORTS / f"{assignment}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "status", "auto_score", "auto_max", "seconds", "notes"])
        for r in reports:
            writer.writerow([r.student, r.status, r.score, r.max_score, f"{r.seconds:.1f}",
                             " | ".join(r.notes)])


# -- manual scores, export, feedback ----------------------------------------------------
def enter_manual_scores(root: Path, scores_csv: Path) -> int:
    """Enter hand-graded scores from a CSV with columns student_id, assignment, grade_id,
    score and optionally comment. Returns the number of scores entered.
    """
    from nbgrader.api import MissingEntry

    entered = 0
    with _gradebook(root) as gb, Path(scores_csv).open() as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            where = f"{scores_csv}:{line}"
            try:
                grade = gb.find_grade(row["grade_id"], row["assignment"], row["assignment"],
                                      row["student_id"])
            except MissingEntry:
                raise GradingError(f"{where}: no graded submission with cell {row['grade_id']} "
                                   f"for {row['student_id']} in {row['assignment']}") from None
            score = float(row["score"])
            if not 0 <= score <= grade.max_score:
                raise GradingError(f"{where}: score must be between 0 and {grade.max_score}; "
                                   f"got {score}")
            grade.manual_score = score
            grade.needs_manual_grade = False
            if row.get("comment"):
                comment = gb.find_comment(row["grade_id"], row["assignment"], row["assignment"],
                                          row["student_id"])
                comment.manual_comment = row["comment"]
            entered += 1
        gb.db.commit()
    return entered


def export(root: Path, to: Path) -> Path:
    """The gradebook as CSV (nbgrader export): one row per student and assignment."""
    to = Path(to).resolve()
    to.parent.mkdir(parents=True, exist_ok=True)
    _check(nbgrader(root, "export", "--to", str(to)), "export")
    return to


def feedback(root: Path, assignment: str) -> list[Path]:
    """HTML feedback per student (nbgrader generate_feedback), hidden tests removed."""
    _check(nbgrader(root, "generate_feedback", assignment, "--force"),
           f"generate_feedback {assignment}")
    return sorted((root / FEEDBACK).glob(f"*/{assignment}/*.html"))
