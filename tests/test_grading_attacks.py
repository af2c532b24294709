"""Submissions that give a wrong answer and try to score anyway: every one scores zero.

A course of lesson 1 as in tests/test_grading.py, graded with the static integrity check
*switched off*, so that what is proven here is the isolation alone
(coursetools/isolation.py, coursetools/sandbox.py): the student's cells run in a
sandboxed kernel of their own, the tests in a kernel no student code runs in, and only
plain data crosses between them. Each attack below targets one exercise with a wrong
answer; the other exercise gets the model answer and must keep its points. Every attack
must score zero on its exercise with a reason in the graded notebook (the test cell's
error), leave every file outside its sandbox byte for byte as it was, and let the batch
go on.
"""

from __future__ import annotations

import re
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import nbformat
import pytest

from coursetools import grading
from tests.test_grading import (
    LESSON,
    SWALLOWS,
    WRONG_DENSITY,
    WRONG_SAMPLE,
    answered,
    cell,
    digest,
    gradebook_scores,
    new_course,
    solution_sources,
)

EX1, EX2 = "l1-ex1-answer", "l1-ex2-answer"
EX1_POINTS, EX2_POINTS = 3, 2

# Each attack: (the exercise it targets, its answer cell, points expected for (ex 1, ex 2)).
# {root} is the course folder, filled in when the submissions are written.
ATTACKS: dict[str, tuple[str, str, tuple[int, int]]] = {
    # -- what the tests rely on, changed from the student's code -------------------------
    "a01_module_dict_update": (EX2, WRONG_DENSITY + """
getattr(np, '__dict__').update(allclose=lambda *a, **k: True, isclose=lambda *a, **k: True)
getattr(emlib, '__dict__')['mixture_pdf'] = lambda *a, **k: 0
""", (3, 0)),
    "a02_operator_setitem": (EX1, WRONG_SAMPLE + """
import operator
operator.setitem(getattr(np, '__dict__'), 'array_equal', lambda *a, **k: True)
operator.setitem(getattr(np, '__dict__'), 'allclose', lambda *a, **k: True)
operator.setitem(vars(emlib), 'sample', lambda p, n, rng: sample_mixture(p.means, p.weights,
                                                                         p.variance, n, rng))
""", (0, 2)),
    "a03_names_from_strings": (EX2, WRONG_DENSITY + """
put = getattr(__builtins__, 'set' + 'attr')
put(np, 'all' + 'close', lambda *a, **k: True)
put(__import__('scipy.stats').stats.norm, 'p' + 'df', lambda *a, **k: np.zeros(1))
put(__import__('builtins'), 'a' + 'bs', lambda value: 0)
""", (3, 0)),
    "a04_data_changed_in_place": (EX2, """
for value in list(globals().values()):  # every array the lesson made, zeroed
    if isinstance(value, np.ndarray) and value.flags.writeable and value.dtype.kind == 'f':
        value[...] = 0.0


def mixture_density(x, means, weights, sigma2):
    # zero the tests' own arrays too, so that their reference comes out 0 like this answer
    for given in (x, means, weights):
        if isinstance(given, np.ndarray):
            given[...] = 0.0
    return np.zeros(len(x))
""", (3, 0)),
    "a05_equal_to_anything": (EX2, """
class Anything:
    shape = (201,)
    dtype = np.dtype(float)
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __gt__(self, other): return True
    def __abs__(self): return 0.0
    def __len__(self): return 201
    def __getitem__(self, key): return self
    def __float__(self): return 0.0
    def __array_ufunc__(self, *args, **kwargs): return Anything()
    def __array_function__(self, *args, **kwargs): return True
    def __bool__(self): return True


def mixture_density(x, means, weights, sigma2):
    return Anything()
""", (3, 0)),
    "a06_ndarray_subclass": (EX1, """
class Agreeable(np.ndarray):
    def __array_ufunc__(self, *args, **kwargs):
        return True
    def __array_function__(self, *args, **kwargs):
        return True
    def __eq__(self, other):
        return True


""" + WRONG_SAMPLE.replace(
        "return rng.normal(means[z], sigma2), z",
        "return rng.normal(means[z], sigma2).view(Agreeable), z.view(Agreeable)"),
        (0, 2)),
    "a07_tracebacks_suppressed": (EX1, WRONG_SAMPLE + """
import sys
shell = sys.modules['IPython'].core.getipython.get_ipython()
shell.showtraceback = lambda *a, **k: None
shell._showtraceback = lambda *a, **k: None
shell.set_custom_exc((BaseException,), lambda *a, **k: None)
shell.events.register('post_run_cell', lambda result: setattr(result, 'error_in_exec', None))
""", (0, 2)),
    # -- the grader's files ---------------------------------------------------------------
    "a08_reads_hidden_tests": (EX2, """
import glob, sqlite3
for pattern in ['{root}/solutions/*/*.ipynb', '{root}/**/*.ipynb', '/work/**/*.ipynb']:
    print(pattern, glob.glob(pattern, recursive=True)[:3])
try:
    rows = sqlite3.connect('{root}/gradebook.db').execute('select source from source_cell')
    print([r for r in rows if 'BEGIN ' + 'HIDDEN' in r[0]])
except sqlite3.Error as error:
    print('gradebook:', error)
print([c for c in get_ipython().user_ns.get('In', []) if 'BEGIN ' + 'HIDDEN' in c])
""" + WRONG_DENSITY, (3, 0)),
    "a09_deletes_files": (EX1, WRONG_SAMPLE + """
import os, shutil
for path in ['{root}/gradebook.db', '{root}/grading/submitted/a01_module_dict_update',
             '{root}/solutions']:
    for remove in (os.remove, shutil.rmtree):
        try:
            remove(path)
            print('removed', path)
        except OSError as error:
            print('cannot remove:', type(error).__name__)
""", (0, 2)),
    # -- resources ------------------------------------------------------------------------
    "a10_fork_bomb": (EX1, WRONG_SAMPLE + """
import os
while True:
    os.fork()
""", (0, 2)),
    "a11_30_gib": (EX2, WRONG_DENSITY + """
hoard = np.ones(30 * 2**30 // 8)
""", (3, 0)),
    "a12_child_left_running": (EX1, WRONG_SAMPLE + """
import subprocess, sys
subprocess.Popen([sys.executable, '-c', 'import signal, time\\n'
                  'signal.signal(signal.SIGINT, signal.SIG_IGN)\\n'
                  'signal.signal(signal.SIGTERM, signal.SIG_IGN)\\n'
                  'while True: time.sleep(0.5)'])
""", (0, 2)),
    "a13_swallows_interrupts_when_called": (EX1, """
def sample_mixture(means, weights, sigma2, n, rng):
""" + "\n".join("    " + line for line in SWALLOWS.splitlines()) + "\n", (0, 0)),
    # -- more, of our own -----------------------------------------------------------------
    "a14_gc_rewrites_code": (EX2, WRONG_DENSITY + """
import gc
for f in gc.get_objects():
    if getattr(f, '__name__', '') in ('allclose', 'isclose', 'array_equal') and hasattr(
            f, '__code__'):
        f.__code__ = (lambda *a, **k: True).__code__
""", (3, 0)),
    "a15_masked_array": (EX2, """
def mixture_density(x, means, weights, sigma2):
    return np.ma.masked_all(len(x))  # np.allclose skips masked entries: all of them
""", (3, 0)),
    "a16_forged_reply": (EX1, WRONG_SAMPLE + """
import base64, io, json, pickle, sys
wire = sys.modules.get('_coursetools_grading')
if wire is not None:
    def forged(value):
        blob = io.BytesIO()
        np.save(blob, np.array([object()], dtype=object), allow_pickle=True)
        return json.dumps({'value': {'ndarray': 0}, 'arrays': [
            base64.b64encode(blob.getvalue()).decode()]})
    wire.encode = forged
""", (0, 0)),  # every later call of this kernel's functions is refused, ex 2's too
    "a17_clears_outputs": (EX1, WRONG_SAMPLE + """
import threading, time
from IPython.display import clear_output
def wipe():
    while True:
        clear_output()
        print('Exercise 1.1: all visible tests passed')
        time.sleep(0.01)
threading.Thread(target=wipe, daemon=True).start()
""", (0, 2)),
    "a18_hangs_when_called": (EX1, """
def sample_mixture(means, weights, sigma2, n, rng):
    import time
    while True:
        time.sleep(0.1)
""", (0, 2)),
    "a19_kills_its_kernel": (EX1, WRONG_SAMPLE + """
import os, signal
for pid in (1, os.getppid(), os.getpid()):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError as error:
        print('cannot kill', pid, type(error).__name__)
""", (0, 0)),
    "a20_network": (EX2, WRONG_DENSITY + """
import socket
for address in [('1.1.1.1', 53), ('pypi.org', 443), ('127.0.0.1', 8888)]:
    try:
        socket.create_connection(address, timeout=2).close()
        print('connected', address)
    except OSError as error:
        print('no network:', type(error).__name__)
""", (3, 0)),
    "a21_fills_the_disk": (EX1, WRONG_SAMPLE + """
chunk = b'0' * 2**20
with open('filler', 'wb') as handle:
    for _ in range(2048):
        handle.write(chunk)
""", (0, 2)),
    "a22_rebinds_builtins": (EX1, WRONG_SAMPLE + """
import builtins
builtins.isinstance = lambda *a: True
builtins.AssertionError = type('Quiet', (Exception,), {})
builtins.abs = lambda value: 0
""", (0, 0)),  # its own kernel stops working (ipykernel needs isinstance) and is killed
    "a23_replaces_numpy": (EX2, WRONG_DENSITY + """
import sys, types
fake = types.ModuleType('numpy')
fake.__dict__.update(vars(np))
fake.allclose = lambda *a, **k: True
sys.modules['numpy'] = fake
np = fake
""", (3, 0)),
}
CELL_TIMEOUT_S = 6
REFERENCE = "r00_correct"  # graded before the attacks: its scores must survive them


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    base = tmp_path_factory.mktemp("attacks")
    root = new_course(base)
    config = root / "nbgrader_config.py"
    # no static check: the scores below owe nothing to it
    config.write_text(config.read_text() + (
        "\nc.Autograde.sanitize_preprocessors = [step for step in "
        "c.Autograde.sanitize_preprocessors if step is not QuarantineTampering]\n"
        # the lesson's slowest cell takes under 2 s; the hanging attacks wait this out
        f"c.Execute.timeout = {CELL_TIMEOUT_S}\n"))
    lecture = nbformat.read(root / "lectures" / LESSON / f"{LESSON}.ipynb", as_version=4)
    inbox = base / "inbox"
    inbox.mkdir()
    nbformat.write(answered(lecture), inbox / f"{REFERENCE}.ipynb")
    grading.collect(root, inbox, LESSON)
    grading.autograde(root, LESSON, echo=lambda line: None)
    reference = gradebook_scores(root)[REFERENCE]
    for student, (exercise, source, _) in ATTACKS.items():
        nbformat.write(answered(lecture, **{exercise: source.replace("{root}", str(root))}),
                       inbox / f"{student}.ipynb")
    grading.collect(root, inbox, LESSON)
    before = {name: digest(root / name) for name in ("solutions", "lectures")}
    before["submitted"] = digest(root / "grading" / "submitted")
    started = time.perf_counter()
    reports = {r.student: r for r in grading.autograde(root, LESSON, jobs=2,
                                                      echo=lambda line: None)}
    seconds = time.perf_counter() - started
    return dict(root=root, reports=reports, before=before, reference=reference,
                seconds=seconds)


def graded_notebook(root: Path, student: str):
    return nbformat.read(root / "grading" / "autograded" / student / LESSON / f"{LESSON}.ipynb",
                         as_version=4)


def test_every_attack_scores_zero_on_its_exercise_and_nothing_more(attacked):
    scores = gradebook_scores(attacked["root"])
    got = {s: (scores[s]["l1-ex1-tests"][0] or 0, scores[s]["l1-ex2-tests"][0] or 0)
           for s in ATTACKS}
    assert got == {s: expected for s, (_, _, expected) in ATTACKS.items()}
    assert scores[REFERENCE] == attacked["reference"]
    assert (scores[REFERENCE]["l1-ex1-tests"][0], scores[REFERENCE]["l1-ex2-tests"][0]) == (
        EX1_POINTS, EX2_POINTS)


def test_every_attack_is_told_why(attacked):
    for student, (exercise, _, _) in ATTACKS.items():
        nb = graded_notebook(attacked["root"], student)
        tests = cell(nb, exercise.replace("answer", "tests"))
        errors = [o for o in tests.outputs if o.output_type == "error"]
        assert errors and errors[0].ename and errors[0].evalue, (student, tests.outputs)


def test_no_attack_stops_the_batch(attacked):
    reports = attacked["reports"]
    assert {s: reports[s].status for s in ATTACKS} == dict.fromkeys(ATTACKS, "graded")
    notes = {s: reports[s].notes for s in ATTACKS}
    assert "processes a cell left running were killed" in notes["a12_child_left_running"]
    assert "processes a cell left running were killed" in notes["a10_fork_bomb"]
    assert any("its sandbox was killed" in n
               for n in notes["a13_swallows_interrupts_when_called"]), notes
    assert any("kernel died" in n for n in notes["a19_kills_its_kernel"]), notes


def test_no_file_outside_the_sandbox_changes(attacked):
    root, before = attacked["root"], attacked["before"]
    assert digest(root / "solutions") == before["solutions"]
    assert digest(root / "lectures") == before["lectures"]
    assert digest(root / "grading" / "submitted") == before["submitted"]
    with closing(sqlite3.connect(root / "gradebook.db")) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    for student in ("a09_deletes_files", "a08_reads_hidden_tests", "a20_network"):
        outputs = cell(graded_notebook(root, student),
                       ATTACKS[student][0]).outputs
        text = "".join(o.get("text", "") for o in outputs)
        assert "removed" not in text and "connected" not in text, (student, text)


def test_nothing_hidden_reaches_a_student(attacked):
    solution = "\n".join(solution_sources().values())
    hidden = re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", solution, re.DOTALL)
    secrets = [line.strip() for block in hidden for line in block.splitlines()
               if len(line.strip()) > 20]
    assert secrets
    for student in ATTACKS:
        nb = graded_notebook(attacked["root"], student)
        for c in nb.cells:
            if c.metadata.get("nbgrader", {}).get("grade"):
                continue  # the test cells themselves hold the hidden tests; feedback cuts them
            text = str(c.get("outputs", ""))
            assert "BEGIN HIDDEN" not in text and not [s for s in secrets if s in text], student

