"""End to end: the lessons' sliders in JupyterLab, used as a student uses them.

The widget tests drive the explorers from Python; they cannot see whether a slider renders in
the lab, whether the picture under it is drawn, or whether a move updates it. Here JupyterLab
runs as `make lab` configures it (jupyter_lab_config.py) and a headless Chromium opens each
lesson with sliders from lectures/, runs it, and moves the sliders with the keyboard. After
the explorer cell first runs, after the whole lesson has run, and after each move, it reads
from the page the sliders' readouts, the summary printed under the picture and the picture
itself, and compares them with the same explorer class built in this process for the same
values: the summary must be the same text, the picture the same PNG, showing one curve per
component.

Screenshots of each step go to test-artifacts/e2e/<test>/, with the server's log and the
browser's console. The server and the browser are stopped by process id however a test ends,
and a watchdog kills them if the module overruns its time, so the test cannot hang CI.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import json
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from emlib import widgets

from . import lab_session
from .lab_session import LabServer, LecturesUnchanged, Watchdog
from .plot_colours import component_curves, decode_png, ink_fraction

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
# Deadlines in seconds. A lesson takes 15 to 20 s on a 2-core machine; each wait allows
# several times its usual length, and the watchdog (MODULE_DEADLINE, below) ends the module
# within 7 minutes if something still hangs.
KERNEL_READY = 120
RUN_CELLS = 180
UPDATE = 30


@dataclass(frozen=True)
class Move:
    """Keyboard targets: K, and sigma^2 as its base-10 exponent (the slider's own scale)."""

    k: int
    exponent: float


# Per lesson and explorer: two moves, to K = 2 and to a larger K, at values of sigma^2 where
# the picture shows every component curve apart from the others, so that counting curves
# checks K (in lesson 5 the fitted components merge at K = 5 for every sigma^2 the keyboard
# reaches, hence K = 7). An explorer not listed here gets DEFAULT_MOVES, and its curves are
# compared with Python's picture without being counted.
CHOSEN_MOVES = {
    ("01_generative_model", "explorer"): (Move(k=2, exponent=0.6), Move(k=5, exponent=0.2)),
    ("03_e_step", "explorer"): (Move(k=2, exponent=-0.6), Move(k=5, exponent=0.6)),
    ("05_em_algorithm", "explorer"): (Move(k=2, exponent=0.6), Move(k=7, exponent=-0.2)),
}
DEFAULT_MOVES = (Move(k=2, exponent=0.6), Move(k=5, exponent=0.2))


# -- what a lesson does to its explorers, read from the notebook ----------------------------------

@dataclass
class ExplorerCell:
    name: str  # the variable the lesson binds it to
    index: int  # position of its cell in the notebook
    source: str
    cls: type
    kwargs: dict  # the constructor's arguments
    after_lesson: dict  # sigma2 and k once every cell before the exercises has run


def literal_kwargs(call: ast.Call) -> dict:
    return {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords}


def explorer_class(node: ast.AST) -> type | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        cls = getattr(widgets, node.func.id, None)
        if isinstance(cls, type) and node.func.id.endswith("Explorer"):
            return cls
    return None


def changes_explorer(node: ast.AST, names) -> bool:
    """Whether ``node`` changes an explorer other than by a top-level ``name.set(...)``."""
    if isinstance(node, ast.Call):
        return ast.unparse(node.func) in {f"{n}.set" for n in names}
    if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(isinstance(t, ast.Attribute) and ast.unparse(t).split(".")[0] in names
                   for t in targets)
    return False


def lesson_cells(lesson: str) -> list[dict]:
    return json.loads((lab_session.LECTURES / lesson / f"{lesson}.ipynb").read_text())["cells"]


def first_exercise(cells: list[dict]) -> int:
    """Position of the first cell a student answers; Run All stops at the test after it."""
    return next((i for i, cell in enumerate(cells)
                 if cell["metadata"].get("nbgrader", {}).get("solution")), len(cells))


def read_explorers(lesson: str) -> list[ExplorerCell]:
    """The cells that show the lesson's explorers, and what the later cells set them to."""
    cells = lesson_cells(lesson)
    found: dict[str, ExplorerCell] = {}
    for index, cell in enumerate(cells[:first_exercise(cells)]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        try:
            statements = ast.parse(source).body
        except SyntaxError:  # IPython syntax (magics): no explorer is made there
            continue
        for statement in statements:
            if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                    and isinstance(statement.targets[0], ast.Name)
                    and (cls := explorer_class(statement.value))):
                kwargs = literal_kwargs(statement.value)
                name = statement.targets[0].id
                found[name] = ExplorerCell(name, index, source, cls, kwargs, after_lesson={
                    "sigma2": kwargs["sigma2"], "k": kwargs["k"]})
            elif (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
                  and ast.unparse(statement.value.func) in {f"{n}.set" for n in found}):
                name = ast.unparse(statement.value.func).split(".")[0]
                found[name].after_lesson.update(literal_kwargs(statement.value))
            elif any(changes_explorer(node, found) for node in ast.walk(statement)):
                raise AssertionError(f"{lesson}: cannot follow `{ast.unparse(statement)}`")
    return sorted(found.values(), key=lambda e: e.index)


def lessons_with_sliders() -> list[str]:
    return [p.name for p in sorted(lab_session.LECTURES.iterdir())
            if (p / f"{p.name}.ipynb").exists() and read_explorers(p.name)]


LESSONS = lessons_with_sliders()
MODULE_DEADLINE = min(60 + 90 * len(LESSONS), 420)


# -- expected values ------------------------------------------------------------------------------

def readout_text(value: float) -> str:
    """The slider's readout: d3-format ".3g", which is JavaScript's toPrecision(3)."""
    return f"{value:#.3g}".rstrip(".")


def sigma2_keys(exponent: float, slider) -> tuple[list[str], float]:
    """Keys that take the sigma^2 slider to ``exponent`` from its nearer end, and the exponent
    they reach. Without a step the slider moves a tenth of its range per arrow key."""
    step = slider.step or (slider.max - slider.min) / 10
    up = round((exponent - slider.min) / step)
    down = round((slider.max - exponent) / step)
    reached = slider.min + up * step
    assert abs(reached - exponent) < 1e-9, f"{exponent} is not on the slider's grid"
    # PageUp and PageDown move five steps
    if up <= down:
        return ["Home"] + ["PageUp"] * (up // 5) + ["ArrowRight"] * (up % 5), reached
    return ["End"] + ["PageDown"] * (down // 5) + ["ArrowLeft"] * (down % 5), reached


def k_keys(k: int, slider) -> list[str]:
    """Keys that take the K slider to ``k``: from the nearer end, so both ends are used."""
    if k - slider.min <= slider.max - k:
        return ["Home"] + ["ArrowRight"] * (k - slider.min)
    return ["End"] + ["ArrowLeft"] * (slider.max - k)


# -- the page -------------------------------------------------------------------------------------

PNG_OF_IMAGE = """async img => {
    if (!img.complete || img.naturalWidth === 0) await img.decode();
    const blob = await (await fetch(img.src)).blob();
    return await new Promise(done => {
        const reader = new FileReader();
        reader.onload = () => done(reader.result);
        reader.readAsDataURL(blob);
    });
}"""


def kernel_status(page) -> str:
    return page.locator(".jp-StatusBar-Widget").first.text_content() or ""


def wait_for_idle_kernel(page, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not re.search(r"\|\s*Idle", kernel_status(page)):
        if time.monotonic() > deadline:
            raise AssertionError(f"no idle kernel after {timeout} s: {kernel_status(page)!r}")
        time.sleep(0.2)


def prompts(page) -> list[str]:
    return page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").all_text_contents()


def wait_until_run(page, done, timeout: float) -> None:
    """Until ``done(page)`` holds, no cell is queued or running ([*]) and the kernel is idle."""
    deadline = time.monotonic() + timeout
    while not (done(page) and not any("*" in p for p in prompts(page))
               and re.search(r"\|\s*Idle", kernel_status(page))):
        if time.monotonic() > deadline:
            raise AssertionError(f"after {timeout} s the run has not ended as expected; "
                                 f"prompts: {prompts(page)}, status: {kernel_status(page)!r}")
        time.sleep(0.25)


def run_menu(page, item: str) -> None:
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-item").filter(
        has=page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$"))
    ).click()


def tracebacks(page) -> list[tuple[int, str]]:
    """(cell position, text) of every error shown in the notebook, in order."""
    return page.locator(".jp-Notebook .jp-Cell").evaluate_all("""cells => cells.flatMap(
        (cell, i) => [...cell.querySelectorAll('.jp-OutputArea-output')]
            .map(o => o.textContent).filter(t => t.includes('Traceback')).map(t => [i, t]))""")


class ExplorerView:
    """The explorer's widgets in the page, found by the sliders' labels."""

    def __init__(self, page, cell) -> None:
        self.page = page
        self.box = cell.locator(".jp-OutputArea-output .widget-vbox").first
        self.sigma2 = self._slider("σ²")
        self.k = self._slider("K")
        self.image = self.box.locator("img.widget-image")
        self.summary = self.box.locator(".widget-html .widget-html-content")

    def _slider(self, label: str):
        return self.box.locator(".widget-slider").filter(
            has=self.page.locator(".widget-label", has_text=re.compile(f"^{label}$")))

    def handle(self, slider):
        return slider.locator(".noUi-handle")

    def readout(self, slider):
        return slider.locator(".widget-readout")

    def png(self) -> bytes:
        data_url = self.image.evaluate(PNG_OF_IMAGE)
        return base64.b64decode(data_url.split(",", 1)[1])

    def press(self, slider, keys: list[str]) -> None:
        handle = self.handle(slider)
        handle.focus()
        for key in keys:
            handle.press(key)
        # the lab must leave the keys to the slider: focus still on the handle
        assert handle.evaluate("h => document.activeElement === h"), (
            "the slider lost the keyboard focus to the lab")


@dataclass
class Step:
    """One state to check, and the name of its screenshots."""

    name: str
    sigma2: float
    k: int
    every_curve_visible: bool  # the values were chosen so that all K curves show apart


def screenshot(view: ExplorerView, folder: Path, name: str) -> None:
    """The window and the explorer alone; never hides the failure that led here."""
    with contextlib.suppress(PlaywrightError):
        view.page.screenshot(path=folder / f"{name}.png")
        view.box.screenshot(path=folder / f"{name}-explorer.png")


def check_state(view: ExplorerView, python_explorer, step: Step, folder: Path) -> None:
    """The page shows what ``python_explorer`` shows for the step's values."""
    python_explorer.set(sigma2=step.sigma2, k=step.k)
    want_summary, want_png = python_explorer.summary, python_explorer.image.value
    view.box.scroll_into_view_if_needed()
    try:
        expect(view.readout(view.sigma2)).to_have_text(readout_text(step.sigma2))
        expect(view.readout(view.k)).to_have_text(str(step.k))
        expect(view.summary).to_have_text(want_summary)
        # The picture is sent just after the summary; wait for it.
        deadline = time.monotonic() + UPDATE
        while (shown := view.png()) != want_png and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        screenshot(view, folder, step.name)
    (folder / f"{step.name}-picture.png").write_bytes(shown)
    if shown != want_png:
        (folder / f"{step.name}-picture-expected.png").write_bytes(want_png)
    assert ink_fraction(decode_png(shown)) > 0.05, f"{step.name}: the picture is blank"
    painted = decode_png((folder / f"{step.name}-explorer.png").read_bytes())
    assert ink_fraction(painted) > 0.05, f"{step.name}: nothing is painted on the screen"
    curves, want_curves = component_curves(shown, python_explorer), component_curves(
        want_png, python_explorer)
    assert curves == want_curves, (
        f"{step.name}: the page shows component curves {curves}, Python draws {want_curves}")
    if step.every_curve_visible:
        assert curves == list(range(step.k)), (
            f"{step.name}: {len(curves)} component curves for K = {step.k}")
    assert shown == want_png, (
        f"{step.name}: the picture is not the one Python draws for σ² = {step.sigma2:g}, "
        f"K = {step.k} (both saved in {folder})")


# -- fixtures -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server and a Chromium with an empty profile, for the whole module."""
    if not lab_session.CHROMIUM.exists():
        pytest.fail(lab_session.chromium_missing_message())
    state = tmp_path_factory.mktemp("lab")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "jupyter-server.log").unlink(missing_ok=True)
    server = LabServer(state, ARTIFACTS / "jupyter-server.log")
    with Watchdog(MODULE_DEADLINE) as watchdog, LecturesUnchanged() as lectures:
        try:
            server.start()
            with sync_playwright() as playwright:
                context = lab_session.open_browser(playwright, state / "chromium-profile")
                context.set_default_timeout(UPDATE * 1000)
                expect.set_options(timeout=UPDATE * 1000)
                try:
                    yield server, context
                finally:
                    context.close()
        finally:
            server.stop()
    assert not watchdog.fired, f"the end-to-end tests ran past {MODULE_DEADLINE} s"
    assert not lectures.changed, f"the lab wrote into {lectures.changed}"


@pytest.fixture
def artifacts(request) -> Path:
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


# -- the tests ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("lesson", "name"), list(CHOSEN_MOVES))
def test_curve_count_reads_k_from_the_picture(lesson, name):
    """The pixel count that the browser test relies on, on Python's own pictures: at the
    chosen values it finds K curves for K = 2 and for the larger K, none for other colours."""
    (cell,) = [e for e in read_explorers(lesson) if e.name == name]
    explorer = cell.cls(**cell.kwargs)
    for move in CHOSEN_MOVES[lesson, name]:
        explorer.set(sigma2=10.0 ** move.exponent, k=move.k)
        assert component_curves(explorer.image.value, explorer) == list(range(move.k))


@pytest.mark.parametrize("lesson", LESSONS)
def test_sliders_redraw_in_jupyterlab(lab, lesson: str, artifacts: Path):
    server, context = lab
    explorers = read_explorers(lesson)
    page = context.new_page()
    console = (artifacts / "console.log").open("w")
    page.on("console", lambda m: console.write(f"{m.type}: {m.text}\n"))
    page.on("pageerror", lambda e: console.write(f"pageerror: {e}\n"))

    def refuse(route) -> None:
        console.write(f"blocked: {route.request.url}\n")
        route.abort()

    # Only local traffic: anything else the page asks for is refused and logged.
    page.route(re.compile(rf"^(?!{re.escape(server.url)}/)https?://"), refuse)
    try:
        # A workspace of its own, so the lab opens just this notebook.
        page.goto(f"{server.url}/lab/workspaces/e2e-{lesson}/tree/{lesson}/{lesson}.ipynb",
                  timeout=60_000)
        wait_for_idle_kernel(page, KERNEL_READY)
        cells = page.locator(".jp-Notebook .jp-Cell")
        views, pythons = {}, {}
        prefix = "" if len(explorers) == 1 else "{}-"

        # The lesson up to each explorer: its first picture, as the student first sees it.
        for e in explorers:
            expect(cells.nth(e.index).locator(".jp-InputArea")).to_contain_text(
                e.source.splitlines()[0])
            cells.nth(e.index + 1).locator(".jp-InputPrompt").click()
            expect(cells.nth(e.index + 1)).to_have_class(re.compile(r"\bjp-mod-active\b"))
            run_menu(page, "Run All Above Selected Cell")
            wait_until_run(page, lambda p, i=e.index: re.search(r"\[\d+\]", prompts(p)[i]),
                           RUN_CELLS)
            views[e.name] = ExplorerView(page, cells.nth(e.index))
            pythons[e.name] = e.cls(**e.kwargs)
            check_state(views[e.name], pythons[e.name], Step(
                prefix.format(e.name) + "1-first-run", e.kwargs["sigma2"], e.kwargs["k"],
                False), artifacts)

        # The rest: it stops at the first exercise's test, which fails until the student
        # answers. The lesson's own cells move the explorers from code on the way.
        run_menu(page, "Run Selected Cell and All Below")
        wait_until_run(page, tracebacks, RUN_CELLS)
        errors = tracebacks(page)
        assert len(errors) == 1 and "NotImplementedError" in errors[0][1], errors
        assert errors[0][0] > first_exercise(lesson_cells(lesson)), (
            f"cell {errors[0][0]}, before the exercises, failed")
        for e in explorers:
            check_state(views[e.name], pythons[e.name], Step(
                prefix.format(e.name) + "2-lesson-run", e.after_lesson["sigma2"],
                e.after_lesson["k"], False), artifacts)

        # The student's turn: each slider moved with the keyboard.
        for e in explorers:
            view, python_explorer = views[e.name], pythons[e.name]
            chosen = (lesson, e.name) in CHOSEN_MOVES
            for number, move in enumerate(CHOSEN_MOVES.get((lesson, e.name), DEFAULT_MOVES),
                                          start=3):
                view.press(view.k, k_keys(move.k, python_explorer.k_slider))
                keys, reached = sigma2_keys(move.exponent, python_explorer.sigma2_slider)
                view.press(view.sigma2, keys)
                check_state(view, python_explorer, Step(
                    prefix.format(e.name) + f"{number}-keys-K{move.k}", 10.0 ** reached,
                    move.k, chosen), artifacts)
    finally:
        page.close()
        console.close()
