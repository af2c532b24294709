"""Command line: ``python -m coursetools COMMAND [...]``, run from the course root."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import grading


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursetools", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path.cwd(),
                        help="course root, holding nbgrader_config.py (default: here)")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("release", help="generate lectures/ from solutions/")
    p.add_argument("assignments", nargs="*", help="lessons (default: all)")

    p = commands.add_parser("collect", help="copy submissions into grading/submitted/")
    p.add_argument("assignment")
    p.add_argument("inbox", type=Path,
                   help="folder in nbgrader's layout, or of STUDENT_ID.ipynb files")

    p = commands.add_parser("autograde", help="grade the collected submissions")
    p.add_argument("assignment")
    p.add_argument("--force", action="store_true", help="grade again students already graded")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    p.add_argument("--jobs", type=int, default=1, help="students graded at a time (default 1)")
    p.add_argument("--memory-gib", type=float, default=2.0,
                   help="memory cap of each submission's sandboxed kernel (default 2)")
    p.add_argument("--unsafe", action="store_true",
                   help="grade without the sandbox (student code runs with your permissions)")

    p = commands.add_parser("manual", help="enter hand-graded scores from a CSV file")
    p.add_argument("scores", type=Path,
                   help="CSV with student_id, assignment, grade_id, score[, comment]")

    p = commands.add_parser("export", help="write the gradebook to a CSV file")
    p.add_argument("--to", type=Path, default=Path("grading") / "grades.csv")

    p = commands.add_parser("feedback", help="generate HTML feedback for students")
    p.add_argument("assignment")

    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        if args.command == "release":
            for path in grading.release(root, args.assignments or None):
                print(f"wrote {path.relative_to(root)}")
        elif args.command == "collect":
            students = grading.collect(root, args.inbox, args.assignment)
            print(f"collected {len(students)} submission(s) of {args.assignment}")
        elif args.command == "autograde":
            reports = grading.autograde(root, args.assignment, force=args.force,
                                        students=args.student, jobs=args.jobs,
                                        unsafe=args.unsafe,
                                        memory_bytes=int(args.memory_gib * 1024**3))
            bad = sum(r.status in ("unreadable", "failed") for r in reports)
            print(f"graded {len(reports)} submission(s); {bad} could not be run "
                  f"(see grading/reports/{args.assignment}.csv)")
        elif args.command == "manual":
            print(f"entered {grading.enter_manual_scores(root, args.scores)} score(s)")
        elif args.command == "export":
            print(f"wrote {grading.export(root, args.to)}")
        elif args.command == "feedback":
            paths = grading.feedback(root, args.assignment)
            print(f"wrote feedback for {len(paths)} student(s) under grading/feedback/")
    except grading.GradingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
