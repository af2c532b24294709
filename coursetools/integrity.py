"""What the grading defends against, beyond nbgrader's own restoring of locked cells.

nbgrader already overwrites every locked cell (the tests) with the instructor's
version before it runs a submission. Two holes remain, and this module closes
them with nbgrader preprocessors that ``nbgrader_config.py`` plugs into
``nbgrader autograde``:

- :class:`RestoreCells`: a *deleted* test cell is put back in its place (by
  default nbgrader leaves it out and the exercise is simply not graded), even
  when the answer cell before it was deleted too.
- :class:`QuarantineTampering`: student code can change what the tests rely on
  (redefine ``numpy.allclose``, emlib's reference functions, builtins such as
  ``abs`` or ``AssertionError``) so that a wrong answer passes. Before anything
  runs, every cell the student could edit is read (not run) and checked by
  :func:`audit_source`; a cell that breaks a rule is replaced by one that raises
  an error naming the rule, so the exercise it belongs to scores nothing, the
  rest of the notebook is graded as usual, and the reason shows in the graded
  notebook and in the feedback. :class:`HideHiddenTests` keeps the hidden tests
  out of that feedback.

The rules (see :func:`audit_source`) are about what a correct answer to this
course's exercises never needs. The check is a first line that explains itself, not
the defence: the tests run in a kernel no student code runs in
(:mod:`coursetools.isolation`), so no score depends on these rules being complete, and
what the student's kernel can reach outside itself is the sandbox's business
(:mod:`coursetools.sandbox`).
"""

from __future__ import annotations

import ast
import builtins
import re
from dataclasses import dataclass

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells

# Modules an answer never needs: they reach into the interpreter, the import
# system or the file system.
FORBIDDEN_MODULES = frozenset({
    "builtins", "sys", "os", "importlib", "ctypes", "gc", "inspect", "types", "unittest",
    "subprocess", "shutil", "pathlib", "pickle", "marshal", "code", "codeop", "runpy",
    "signal", "threading", "multiprocessing", "socket", "io", "tempfile", "atexit", "site",
})
# Calls that bypass ordinary name binding or run code from strings.
FORBIDDEN_CALLS = frozenset({
    "setattr", "delattr", "exec", "eval", "compile", "globals", "locals", "vars",
    "__import__", "open", "breakpoint", "get_ipython", "input",
})
# Dunder attributes that are harmless to read.
ALLOWED_DUNDERS = frozenset({"__name__", "__doc__", "__init__"})
BUILTIN_NAMES = frozenset(dir(builtins))


@dataclass(frozen=True)
class Finding:
    """One broken rule: where, and what."""

    line: int
    rule: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.rule}"


def _python_source(source: str) -> str:
    """The cell as Python: IPython magics and shell escapes become calls."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


class _Auditor(ast.NodeVisitor):
    def __init__(self, imports: dict[str, str]) -> None:
        self.imports = imports
        self.protected = frozenset(imports) | BUILTIN_NAMES
        self.findings: list[Finding] = []
        self.depth = 0  # 0 = the notebook's global namespace

    def flag(self, node: ast.AST, rule: str) -> None:
        self.findings.append(Finding(getattr(node, "lineno", 0), rule))

    # -- binding names ---------------------------------------------------------
    def check_target(self, target: ast.AST, node: ast.AST) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.check_target(element, node)
        elif isinstance(target, ast.Starred):
            self.check_target(target.value, node)
        elif isinstance(target, ast.Name):
            if self.depth == 0 and target.id in self.protected:
                self.flag(node, f"rebinds '{target.id}', which the tests rely on")
        elif isinstance(target, ast.Attribute):
            # No exercise needs it, and through an alias (m = np; m.allclose = f)
            # it is how a module would be patched.
            self.flag(node, f"assigns to the attribute '{ast.unparse(target)}'")
        elif isinstance(target, ast.Subscript) and _root_name(target) in self.protected:
            self.flag(node, f"modifies '{ast.unparse(target)}', part of a module or builtin "
                            "the tests rely on")

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self.check_target(target, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.check_target(node.target, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.check_target(node.target, node)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self.check_target(target, node)
        self.generic_visit(node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.check_target(node.target, node)
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        self.check_target(node.target, node)
        self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self.check_target(item.optional_vars, node)
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        for name in node.names:
            if name in self.protected:
                self.flag(node, f"declares '{name}' global, which the tests rely on")

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.visit_Global(node)  # same rule

    def _scoped(self, node: ast.AST, name: str | None) -> None:
        if name is not None and self.depth == 0 and name in self.protected:
            self.flag(node, f"redefines '{name}', which the tests rely on")
        for decorator in getattr(node, "decorator_list", []):
            self.visit(decorator)
        self.depth += 1
        for child in ast.iter_child_nodes(node):
            if child not in getattr(node, "decorator_list", []):
                self.visit(child)
        self.depth -= 1

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._scoped(node, node.name)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._scoped(node, node.name)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._scoped(node, node.name)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._scoped(node, None)

    # -- imports, calls, attributes --------------------------------------------
    def _check_import(self, node: ast.AST, module: str, bound: str, target: str) -> None:
        if module.split(".")[0] in FORBIDDEN_MODULES:
            self.flag(node, f"imports '{module}', which a correct answer never needs")
        elif self.depth == 0 and bound in self.protected and self.imports.get(bound) != target:
            self.flag(node, f"rebinds '{bound}' by an import, which the tests rely on")

    def visit_Import(self, node: ast.Import) -> None:
        for alias, (bound, target) in zip(node.names, _import_bindings(node), strict=True):
            self._check_import(node, alias.name, bound, target)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if any(alias.name == "*" for alias in node.names):
            self.flag(node, f"imports everything from '{node.module}' into the notebook")
            return
        for bound, target in _import_bindings(node):
            self._check_import(node, node.module or "", bound, target)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
            self.flag(node, f"calls '{node.func.id}()', which a correct answer never needs")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr.startswith("__") and node.attr.endswith("__") \
                and node.attr not in ALLOWED_DUNDERS:
            self.flag(node, f"uses the special attribute '{node.attr}'")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id.startswith("__") and node.id.endswith("__") and node.id not in ALLOWED_DUNDERS:
            self.flag(node, f"uses the special name '{node.id}'")


def _import_bindings(node: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
    """(name bound, what it is bound to) for each alias of an import statement."""
    if isinstance(node, ast.Import):
        return [(a.asname or a.name.split(".")[0], a.name if a.asname else a.name.split(".")[0])
                for a in node.names]
    return [(a.asname or a.name, f"{node.module}:{a.name}") for a in node.names if a.name != "*"]


def audit_source(source: str, imports: dict[str, str] | None = None) -> list[Finding]:
    """Rules a student cell breaks, read from its source without running it.

    ``imports`` maps the names the instructor's cells import to what they are
    bound to (see :func:`import_bindings`). A cell may not, in the notebook's
    global namespace, rebind a builtin or one of those names (re-importing the
    same module under the same name is fine); may not assign to any attribute,
    nor to items of those names; may not import modules that reach into the
    interpreter or the file system; may not call ``setattr``, ``exec``,
    ``eval``, ``globals``, ``open`` and the like; and may not use special
    ``__dunder__`` names. Names local to the student's own functions are free.
    A cell that is not valid Python breaks no rule (it fails when it runs).
    """
    try:
        tree = ast.parse(_python_source(source))
    except SyntaxError:
        return []
    auditor = _Auditor(dict(imports or {}))
    auditor.visit(tree)
    return auditor.findings


def import_bindings(sources: list[str]) -> dict[str, str]:
    """Name -> module (or ``module:attribute``) for every import in ``sources``."""
    bindings: dict[str, str] = {}
    for source in sources:
        try:
            tree = ast.parse(_python_source(source))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                bindings.update(_import_bindings(node))
    return bindings


QUARANTINE_TEMPLATE = '''raise RuntimeError(
    "This cell was removed before grading by the course's integrity check: "
    {reasons!r}
)'''


class QuarantineTampering(NbGraderPreprocessor):
    """Replace each student-editable code cell that breaks a rule by an error.

    Runs after :class:`RestoreCells`, so the locked cells are the instructor's.
    The names protected are those the locked cells import. Findings are
    listed in ``resources['integrity']`` and in a Markdown note at the top of
    the graded notebook.
    """

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        locked = [c.source for c in nb.cells if c.cell_type == "code" and utils.is_locked(c)]
        imports = import_bindings(locked)
        report = []
        for cell in nb.cells:
            if cell.cell_type != "code" or utils.is_locked(cell):
                continue
            findings = audit_source(cell.source, imports)
            if findings:
                where = cell.metadata.get("nbgrader", {}).get("grade_id") or cell.get("id", "?")
                reasons = "; ".join(str(f) for f in findings)
                report.append(f"cell {where}: {reasons}")
                self.log.warning("Integrity check removed cell %s: %s", where, reasons)
                cell.source = QUARANTINE_TEMPLATE.format(reasons=reasons)
        resources["integrity"] = report
        if report:
            note = NotebookNode(cell_type="markdown", metadata={}, source=(
                "**Integrity check.** Before grading, these cells were replaced by an error "
                "because they change what the tests rely on:\n\n"
                + "\n".join(f"- {line}" for line in report)))
            nb.cells.insert(0, note)
        return nb, resources


class RestoreCells(OverwriteCells):
    """nbgrader's OverwriteCells, also putting back deleted locked cells.

    nbgrader can put back deleted *grade* cells itself (``add_missing_cells``),
    but fails when the cell before one was deleted too, and leaves out deleted
    read-only cells, such as the cell whose imports the integrity check
    protects. Here every deleted locked or grade cell is restored, after the
    nearest earlier source cell still present (or first).
    """

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        nb, resources = super().preprocess(nb, resources)  # overwrite what is present
        with Gradebook(self.db_url) as gradebook:
            source_nb = gradebook.find_notebook(self.notebook_id, self.assignment_id)
            order = [cell.name for cell in source_nb.source_cells]
            max_score = {cell.name: cell.max_score for cell in source_nb.grade_cells}
            solutions = {cell.name for cell in source_nb.solution_cells}
            for source_cell in source_nb.source_cells:
                if source_cell.name in self._present(nb):
                    continue
                if not (source_cell.locked or source_cell.name in max_score):
                    continue  # a deleted answer stays deleted: its own loss
                self.log.warning("Cell %s was deleted; restoring it", source_cell.name)
                if source_cell.name in max_score:
                    cell = self.missing_cell_transform(
                        source_cell, max_score[source_cell.name],
                        is_solution=source_cell.name in solutions)
                else:
                    cell = self._restored_read_only(source_cell)
                where = self._present(nb)
                earlier = [where[name] for name in order[: order.index(source_cell.name)]
                           if name in where]
                nb.cells.insert(earlier[-1] + 1 if earlier else 0, cell)
        return nb, resources

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, index: int):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id:
            try:
                source = self.gradebook.find_source_cell(grade_id, self.notebook_id,
                                                         self.assignment_id)
            except MissingEntry:
                source = None
            # what the student was given: the instructor's cell without hidden tests
            if source is not None and source.locked and \
                    HIDDEN_BLOCK.sub("", source.source).strip() != cell.source.strip():
                self.log.warning("Locked cell %s was edited; restoring it", grade_id)
        return super().preprocess_cell(cell, resources, index)

    @staticmethod
    def _present(nb: NotebookNode) -> dict[str, int]:
        # plain dict access: nbgrader's restored cells hold plain dicts, not NotebookNodes
        ids = (c["metadata"].get("nbgrader", {}).get("grade_id") for c in nb.cells)
        return {grade_id: i for i, grade_id in enumerate(ids) if grade_id}

    @staticmethod
    def _restored_read_only(source_cell) -> NotebookNode:
        cell = NotebookNode(
            cell_type=source_cell.cell_type, source=source_cell.source,
            metadata=NotebookNode(deletable=False, editable=False, nbgrader=NotebookNode(
                grade=False, grade_id=source_cell.name, locked=True, solution=False,
                task=False, schema_version=3, checksum=source_cell.checksum,
                cell_type=source_cell.cell_type)))
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        return cell


HIDDEN_BLOCK = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?",
                          re.DOTALL | re.MULTILINE)


class HideHiddenTests(NbGraderPreprocessor):
    """Remove hidden tests, and what their failures reveal, from feedback.

    The graded notebook holds the hidden tests (nbgrader restores them to run
    them). In feedback each test cell shows only its visible part; an error in
    a cell that had hidden tests is reduced to its type, since the traceback
    would quote the failing hidden line.
    """

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, index: int):
        if cell.cell_type != "code" or not HIDDEN_BLOCK.search(cell.source):
            return cell, resources
        cell.source = HIDDEN_BLOCK.sub("# (hidden tests not shown)\n", cell.source)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["evalue"] = "a test in this cell failed"
                output["traceback"] = [f"{output.get('ename', 'Error')}: a test in this cell "
                                       "failed (hidden tests are not shown)"]
        return cell, resources
