"""Time to grade a class: N submissions of one lesson through the real commands.

Builds a course in a temporary folder (this repository's nbgrader_config.py and
the lesson), releases it, makes N submissions (a mix: model answers, answers
that fail the hidden tests, unanswered), collects and autogrades them, and
prints the wall time, the time per submission and the score distribution. The
same class is graded three times: as the course grades it (two kernels per submission,
the student's in the sandbox: coursetools/isolation.py), the same without the sandbox
(``--unsafe``), and with nbgrader's own one-kernel Execute, its kernel in the sandbox (how
the course graded before the tests got a kernel of their own). The ratios of the times
are printed (the machine's noise cancels in them).

Run: ``python benchmarks/bench_grading.py [--n 100] [--lesson 01_generative_model] [--jobs 2]``.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

import nbformat

from coursetools import grading

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--lesson", default="01_generative_model")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    walls = {}
    for setup in ("isolated", "unsafe", "one kernel"):
        walls[setup], reports = grade_class(args.n, args.lesson, args.jobs, setup)
        wall = walls[setup]
        print(f"{args.n} submissions of {args.lesson}, {args.jobs} at a time, {setup}: "
              f"{wall:.1f} s in all, {wall / args.n:.2f} s per submission "
              f"({wall / 60:.1f} min for the class)")
        print("  statuses:", dict(Counter(r.status for r in reports)))
        print("  automatic scores:", dict(sorted(Counter(r.score for r in reports).items())))
    print(f"isolated / unsafe: {walls['isolated'] / walls['unsafe']:.2f}")
    print(f"isolated / one kernel: {walls['isolated'] / walls['one kernel']:.2f}")
    return 0


# nbgrader's Execute with its one kernel in the sandbox, for the comparison above.
ONE_KERNEL = """
from nbgrader.converters import Autograde as _Autograde
from nbgrader.preprocessors import Execute as _Execute
from coursetools.sandbox import SandboxedKernelManager as _Sandboxed


class _OneKernel(_Execute):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", _Sandboxed)
        super().__init__(*args, **kwargs)


c.Autograde.autograde_preprocessors = [
    _OneKernel if step is _Execute else step
    for step in _Autograde.class_traits()["autograde_preprocessors"].default()]
"""


def grade_class(n: int, lesson: str, jobs: int, setup: str):
    """Wall time to autograde n made-up submissions of ``lesson``, and the reports."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "course"
        (root / "solutions").mkdir(parents=True)
        shutil.copytree(ROOT / "solutions" / lesson, root / "solutions" / lesson)
        config = (ROOT / "nbgrader_config.py").read_text()
        (root / "nbgrader_config.py").write_text(config + (ONE_KERNEL if setup == "one kernel"
                                                           else ""))
        grading.release(root, [lesson])
        lecture = nbformat.read(root / "lectures" / lesson / f"{lesson}.ipynb", 4)
        solution = nbformat.read(root / "solutions" / lesson / f"{lesson}.ipynb", 4)
        answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution.cells
                   if c.metadata.get("nbgrader", {}).get("solution")}

        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        for i in range(n):
            nb = copy.deepcopy(lecture)
            kind = ("model", "first wrong", "unanswered")[i % 3]
            answer_cells = [c for c in nb.cells
                            if c.metadata.get("nbgrader", {}).get("grade_id") in answers]
            for position, cell in enumerate(answer_cells):
                if kind == "unanswered":
                    break
                cell.source = answers[cell.metadata["nbgrader"]["grade_id"]]
                if kind == "first wrong" and position == 0:
                    # the function returns before its body: every test of it fails
                    cell.source = cell.source.replace("### BEGIN SOLUTION", "return None", 1)
            nbformat.write(nb, inbox / f"student{i:03d}.ipynb")

        grading.collect(root, inbox, lesson)
        start = time.perf_counter()
        reports = grading.autograde(root, lesson, jobs=jobs, unsafe=setup == "unsafe",
                                    echo=lambda line: None)
        return time.perf_counter() - start, reports


if __name__ == "__main__":
    raise SystemExit(main())
