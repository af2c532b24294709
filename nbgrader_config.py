"""nbgrader configuration for the course; every nbgrader command run from here reads it.

Layout (relative to this file): instructor notebooks in solutions/ (nbgrader's
"source"), student versions in lectures/ ("release"), and the instructor's
working folders under grading/ (not in version control), with the gradebook in
gradebook.db. See the README's instructor section for the cycle.
"""

from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    OverwriteKernelspec,
)

from coursetools import isolation
from coursetools.integrity import HideHiddenTests, QuarantineTampering, RestoreCells

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "em-gmm"
c.CourseDirectory.root = str(Path(__file__).resolve().parent)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "lectures"
c.CourseDirectory.submitted_directory = "grading/submitted"
c.CourseDirectory.autograded_directory = "grading/autograded"
c.CourseDirectory.feedback_directory = "grading/feedback"

# What a student sees in place of a solution.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\n"
              "raise NotImplementedError(\"Not answered yet: replace this line with your code.\")"
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Each cell of a submission gets 30 s (the lessons' slowest cell takes under
# 3 s); a cell past it is interrupted and the rest of the notebook still runs.
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True

# Restore edited *and deleted* locked cells, then read every student-editable
# cell for tampering before anything runs (coursetools/integrity.py).
c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    DeduplicateIds,
    OverwriteKernelspec,
    RestoreCells,
    CheckCellMetadata,
    QuarantineTampering,
]
# Each submission runs in two kernels (coursetools/isolation.py): its own cells in the
# sandbox of coursetools/sandbox.py (no files of the course, no network, capped memory and
# processes; `autograde --unsafe` turns the sandbox off), the lesson's cells and the tests
# in a kernel no student code runs in.
c.Autograde.autograde_preprocessors = isolation.autograde_preprocessors()
# Feedback shows the graded notebook without its hidden tests.
c.GenerateFeedback.preprocessors = [HideHiddenTests, GetGrades, CSSHTMLHeaderPreprocessor]
