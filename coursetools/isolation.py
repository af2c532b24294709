"""Grading a submission in two kernels, so that no student code runs where the tests do.

nbgrader runs a whole notebook in one kernel, where the student's code could change
anything the tests rely on: NumPy, emlib, the lesson's data, the tests' helpers.
:class:`IsolatedExecute`, in nbgrader's place, starts two kernels per submission:

- the *submission's kernel*, in the sandbox of :mod:`coursetools.sandbox`, runs every
  cell except the tests: the lesson's cells (so the student's code sees the names it
  expects) and every cell the student could edit or add;
- the *tests' kernel* runs only cells whose source nbgrader restored from the
  gradebook (the lesson's locked cells and the test cells, hidden tests included),
  each exactly once, never a line the student wrote. Each name an exercise asks for
  is bound there, after the student's answer cell has run, to a proxy that calls the
  student's function in the other kernel and returns plain data
  (:mod:`coursetools.proxy`, :mod:`coursetools.wire`).

So whatever the student's code does to its own kernel (rebinding ``np.allclose``,
zeroing the lesson's data, returning objects that equal anything, silencing
tracebacks), the tests run on their own copies, with their own NumPy, and see only
numbers. The static check of :mod:`coursetools.integrity` still runs first, to tell a
student what is not allowed, but no score depends on it.

A cell of the submission that runs past its limit is interrupted; a kernel that does
not stop is killed (its sandbox with it) and the rest of the submission's cells are
reported as not run, while the tests still run, so earlier exercises keep their marks.
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import copy
import os
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.client import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbgrader.preprocessors import Execute

from . import sandbox
from .student_side import MODULE

# Modules whose names a student's top-level imports may bring into a proxy's globals (for
# the tests that ask where a name in the student's function comes from).
IMPORTABLE = ("numpy", "scipy", "emlib", "math", "statistics", "sklearn")
PROBE_S = 3.0


def _wire_source() -> str:
    here = Path(__file__).parent
    return (here / "wire.py").read_text() + "\n" + (here / "student_side.py").read_text()


SETUP_STUDENT = """\
import sys as _sys, types as _types
_m = _types.ModuleType({module!r})
exec(compile({source!r}, "<coursetools>", "exec"), _m.__dict__)
_sys.modules[{module!r}] = _m
del _sys, _types, _m
"""
# Neither kernel draws pictures: the figures are the lesson's (the student's kernel's
# outputs of the lesson's cells are thrown away anyway), and rendering each twice costs
# more than the rest of grading a lesson. Text outputs and the tests' errors stay.
NO_FIGURES = """\
import sys as _sys, warnings as _warnings
get_ipython().run_line_magic("matplotlib", "agg")
get_ipython().events.register("post_run_cell", lambda result, modules=_sys.modules: modules.get(
    "matplotlib.pyplot") and modules["matplotlib.pyplot"].close("all"))
_warnings.filterwarnings("ignore", message=".*non-interactive, and thus cannot be shown")
del _sys, _warnings
"""


def defined_names(source: str) -> dict[str, ast.AST]:
    """The names a cell binds at its top level, each with the statement that binds it last."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    found: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found[node.name] = node
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        found[name.id] = node
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                found[(alias.asname or alias.name).split(".")[0]] = node
    return found


# Names through which code can reach any global: a submission using one gets every cell.
BUILTINS = set(dir(builtins))
DYNAMIC = {"globals", "vars", "locals", "eval", "exec", "get_ipython", "__import__", "__main__"}


def _names(source: str) -> tuple[set[str], set[str], set[str]] | None:
    """(names read, names bound, names bound by imports) of a cell; None if it is not Python."""
    read = global_reads(source)
    if read is None:
        return None
    tree = ast.parse(source)
    imported = {(a.asname or a.name).split(".")[0] for n in ast.walk(tree)
                if isinstance(n, ast.Import | ast.ImportFrom) for a in n.names}
    return read, set(defined_names(source)) | imported, imported


def global_reads(source: str) -> set[str] | None:
    """The names a cell's code reads from the notebook's globals (not its functions' locals)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    reads: set[str] = set()
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ListComp, ast.SetComp,
              ast.DictComp, ast.GeneratorExp)

    def visit(node: ast.AST, local: frozenset[str]) -> None:
        if isinstance(node, scopes):
            declared = {n for g in ast.walk(node) if isinstance(g, ast.Global) for n in g.names}
            mine = {n.id for n in ast.walk(node)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            if not isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
                mine |= {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
                for outer in [*node.args.defaults, *node.args.kw_defaults,
                              *getattr(node, "decorator_list", [])]:
                    if outer is not None:
                        visit(outer, local)
                inner = node.body if isinstance(node.body, list) else [node.body]
            else:
                inner = [child for child in ast.iter_child_nodes(node)]
            for child in inner:
                visit(child, local | (mine - declared))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id not in local:
                reads.add(node.id)
        else:
            for child in ast.iter_child_nodes(node):
                visit(child, local)

    visit(tree, frozenset())
    return reads


def needed_by(student_sources: list[str], lesson_sources: list[str]) -> list[bool]:
    """Which of the lesson's cells the submission's kernel must run for the student's code.

    The tests' kernel runs every lesson cell; the submission's kernel needs only those
    that bind a name the student's code reads, or read or change a value it reads (a
    name bound by an import is taken not to be changed), and, in turn, what those read.
    A lesson cell that is not plain Python, or a submission that reaches names
    dynamically (``globals()``, ``eval``, ...), gets every cell.
    """
    wanted: set[str] = set()
    for source in student_sources:
        reads = global_reads(source)
        if reads is None:
            return [True] * len(lesson_sources)
        wanted |= reads
    if wanted & DYNAMIC:
        return [True] * len(lesson_sources)
    wanted -= BUILTINS
    cells = [_names(source) for source in lesson_sources]
    imported = set().union(*(c[2] for c in cells if c is not None))
    needed = [c is None for c in cells]
    changed = True
    while changed:
        changed = False
        for i, names in enumerate(cells):
            if needed[i] or names is None:
                continue
            read, bound, _ = names
            if bound & wanted or (read & wanted) - imported:
                needed[i] = changed = True
                wanted |= read - BUILTINS
    return needed


def imports_of(sources: list[str]) -> list[tuple[str, str, str | None]]:
    """(bound name, module, attribute) for each top-level import in the student's cells."""
    out = []
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    module = alias.name if alias.asname else alias.name.split(".")[0]
                    out.append((alias.asname or module, module, None))
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name != "*":
                        out.append((alias.asname or alias.name, node.module, alias.name))
    return [entry for entry in out if entry[1].split(".")[0] in IMPORTABLE]


class _Client(Execute):
    """nbgrader's Execute as one of the two clients, remembering its timeouts."""

    timed_out = False

    async def _async_handle_timeout(self, timeout, cell=None):
        self.timed_out = True
        return await super()._async_handle_timeout(timeout, cell)


class IsolatedExecute(_Client):
    """nbgrader's Execute step, with the submission's cells and the tests in separate kernels."""

    def __init__(self, *args, **kwargs):
        # the tests' kernel is an ordinary one; the submission's is set up in preprocess
        kwargs.setdefault("kernel_manager_class", AsyncKernelManager)
        super().__init__(*args, **kwargs)
        self.raise_on_iopub_timeout = False
        self.shutdown_kernel = "immediate"

    def preprocess(self, nb, resources=None, km=None):
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        run_sync(self._run)()
        self.set_widgets_metadata()
        return self.nb, self.resources

    # -- set-up ---------------------------------------------------------------------------
    def _roles(self) -> tuple[list[str], dict[int, list[str]], dict[str, str]]:
        """Each cell's role and, per answer cell, the names it owes.

        Roles: ``student`` (runs in the submission's kernel only), ``test`` (in the tests'
        kernel only), and the lesson's cells, ``both`` or, when no student code needs
        what they do, ``tests`` (see :func:`needed_by`).
        """
        from nbgrader.api import Gradebook

        info = self.resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
            sources = {c.name: (c.source, c.locked) for c in notebook.source_cells}
            tests = {c.name for c in notebook.grade_cells}
            answers = {c.name for c in notebook.solution_cells}
        roles, owed, names = [], {}, {}
        for index, cell in enumerate(self.nb.cells):
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            original = sources.get(grade_id)
            restored = (original is not None and grade_id not in answers
                        and (original[1] or grade_id in tests)
                        and cell.source == original[0])
            if cell.cell_type != "code":
                roles.append("text")
            elif restored:
                roles.append("test" if grade_id in tests else "lesson")
            else:
                roles.append("student")
                if grade_id in answers and original is not None:
                    owed[index] = [n for n in defined_names(original[0]) if n.isidentifier()]
                    names.update(dict.fromkeys(owed[index], grade_id))
        lesson = [i for i, role in enumerate(roles) if role == "lesson"]
        needed = needed_by([self.nb.cells[i].source for i, r in enumerate(roles)
                            if r == "student"], [self.nb.cells[i].source for i in lesson])
        for i, need in zip(lesson, needed, strict=True):
            roles[i] = "both" if need else "tests"
        return roles, owed, names

    async def _start(self, student: _Client) -> None:
        self.km = self.create_kernel_manager()
        student.km = student.create_kernel_manager()
        await asyncio.gather(self.async_start_new_kernel(), student.async_start_new_kernel())
        await asyncio.gather(self.async_start_new_kernel_client(),
                             student.async_start_new_kernel_client())
        info = await self.async_wait_for_reply(self.kc.kernel_info())
        self.nb.metadata["language_info"] = info["content"]["language_info"]
        await asyncio.gather(
            self._quietly(student, SETUP_STUDENT.format(module=MODULE,
                                                        source=_wire_source()) + NO_FIGURES),
            self._quietly(self, "__import__('coursetools.proxy').proxy.connect("
                                f"{student.km.connection_file!r})\n" + NO_FIGURES))

    async def _quietly(self, client: _Client, source: str) -> None:
        cell = nbformat.v4.new_code_cell(source)
        await client.async_execute_cell(cell, 0, store_history=False)
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if errors:
            raise RuntimeError(f"grading set-up failed: {errors[0].ename}: {errors[0].evalue}")

    def _student_client(self) -> _Client:
        kernel_manager = (AsyncKernelManager if os.environ.get(sandbox.SWITCH) == "off"
                          else sandbox.SandboxedKernelManager)
        client = _Client(config=self.config, kernel_manager_class=kernel_manager)
        client.nb = copy.deepcopy(self.nb)
        client.raise_on_iopub_timeout = False
        client.shutdown_kernel = "immediate"  # nothing in it is worth a graceful exit
        client.reset_execution_trackers()
        client._check_assign_resources(self.resources)
        return client

    # -- the run --------------------------------------------------------------------------
    async def _run(self) -> None:
        roles, owed, names = self._roles()
        student = self._student_client()
        self._dead: str | None = None
        self._student_sources: list[str] = []
        await self._start(student)
        async with self.async_setup_kernel(), student.async_setup_kernel():
            for index, cell in enumerate(self.nb.cells):
                role = roles[index]
                if role == "student":
                    await self._in_student(student, cell, index)
                    await self._bind(cell, index, owed.get(index, []), names)
                elif role == "both":
                    shadow = copy.deepcopy(cell)
                    await asyncio.gather(self.async_execute_cell(cell, index),
                                         self._in_student(student, shadow, index))
                elif role in ("test", "tests"):
                    await self.async_execute_cell(cell, index)
                await self._check_student(student)

    async def _in_student(self, student: _Client, cell, index: int) -> None:
        if cell.cell_type != "code" or not cell.source.strip():
            return
        if self._dead:
            cell.outputs = [nbformat.v4.new_output(
                "error", ename="NotRun", evalue=self._dead,
                traceback=[f"Not run: {self._dead}."])]
            return
        try:
            await student.async_execute_cell(cell, index)
            process = getattr(student.km.provisioner, "process", None)
            if process is not None and (killed := sandbox.kill_leftovers(process.pid)):
                self.log.warning("Killed %d processes a cell left running", killed)
        except DeadKernelError:
            await self._give_up(student, "the kernel running this submission died (out of "
                                         "memory, or killed at its time limit)")
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename="DeadKernelError", evalue=self._dead,
                traceback=[f"DeadKernelError: {self._dead}"]))

    async def _check_student(self, student: _Client) -> None:
        """After a time limit was hit anywhere, make sure the submission's kernel is idle."""
        if self._dead or not (student.timed_out or self.timed_out):
            return
        student.timed_out = self.timed_out = False
        msg_id = student.kc.kernel_info()
        try:
            while True:
                reply = await asyncio.wait_for(student.kc.get_shell_msg(), PROBE_S)
                if reply["parent_header"].get("msg_id") == msg_id:
                    return
        except TimeoutError:
            self.log.warning("The kernel ignored an interrupt: killing its sandbox")
            await self._give_up(student, "a cell of this submission ignored the interrupt at its "
                                         "time limit; its kernel was stopped")

    async def _give_up(self, student: _Client, reason: str) -> None:
        self._dead = reason
        self.log.warning("Stopping the submission's kernel: %s", reason)
        try:
            await student.km.shutdown_kernel(now=True)
        except Exception as error:  # already gone is as good as stopped
            self.log.debug("stopping the submission's kernel: %s", error)
        await self._quietly(self, f"__import__('coursetools.proxy').proxy.mark_dead({reason!r})")

    async def _bind(self, cell, index: int, owed: list[str], names: dict[str, str]) -> None:
        """Point the tests' names at the student's functions defined by this cell."""
        self._student_sources.append(cell.source)
        defined = defined_names(cell.source)
        due = [n for n in names if n in defined or n in owed]
        if not due:
            return
        scope = imports_of(self._student_sources)
        filename = f"<submission cell {index}>"
        lines = ["import coursetools.proxy as _proxy, importlib as _importlib",
                 "_scope = {}"]
        for bound, module, attribute in scope:
            value = (f"_importlib.import_module({module!r})" if attribute is None else
                     f"getattr(_importlib.import_module({module!r}), {attribute!r}, None)")
            # library code only (IMPORTABLE), yet any failure of it must not stop the grading
            lines.append(f"try:\n    _scope[{bound!r}] = {value}\nexcept Exception:\n    pass")
        for name in due:
            node = defined.get(name)
            is_def = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            lineno = min([node.lineno] + [d.lineno for d in node.decorator_list]) if is_def else 1
            source = cell.source if is_def else None
            lines.append(f"_proxy.bind(globals(), {name!r}, {source!r}, {lineno}, "
                         f"{filename!r}, _scope)")
        lines.append("del _proxy, _importlib, _scope")
        await self._quietly(self, "\n".join(lines))


def autograde_preprocessors() -> list:
    """nbgrader's autograde preprocessors, with Execute replaced by :class:`IsolatedExecute`."""
    from nbgrader.converters import Autograde

    defaults = Autograde.class_traits()["autograde_preprocessors"].default()
    return [IsolatedExecute if step is Execute else step for step in defaults]

