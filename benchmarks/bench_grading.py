"""Time to grade a class: N submissions of one lesson through the real commands.

Builds a course in a temporary folder (this repository's nbgrader_config.py and
the lesson), releases it, makes N submissions (a mix: model answers, answers
that fail the hidden tests, unanswered), collects and autogrades them, and
prints the wall time, the time per submission and the score distribution.

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

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "course"
        (root / "solutions").mkdir(parents=True)
        shutil.copytree(ROOT / "solutions" / args.lesson, root / "solutions" / args.lesson)
        shutil.copy(ROOT / "nbgrader_config.py", root)
        grading.release(root, [args.lesson])
        lecture = nbformat.read(root / "lectures" / args.lesson / f"{args.lesson}.ipynb", 4)
        solution = nbformat.read(root / "solutions" / args.lesson / f"{args.lesson}.ipynb", 4)
        answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution.cells
                   if c.metadata.get("nbgrader", {}).get("solution")}

        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        for i in range(args.n):
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

        grading.collect(root, inbox, args.lesson)
        start = time.perf_counter()
        reports = grading.autograde(root, args.lesson, jobs=args.jobs, echo=lambda line: None)
        wall = time.perf_counter() - start

    scores = Counter(r.score for r in reports)
    print(f"{args.n} submissions of {args.lesson}, {args.jobs} at a time: {wall:.1f} s in all, "
          f"{wall / args.n:.2f} s per submission ({wall / 60:.1f} min for the class)")
    print("statuses:", dict(Counter(r.status for r in reports)))
    print("automatic scores:", dict(sorted(scores.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
