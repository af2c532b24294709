"""The tests' side of the wall: a submission's functions, called from the tests' kernel.

When a submission is graded (:mod:`coursetools.isolation`), its cells run in a
kernel of their own, in the sandbox; the lesson's own cells and the test cells run
in a second kernel that no student code ever runs in. There, each name an exercise
asks for (``sample_mixture``, ``run_em``, ...) is bound to a *proxy* made here: a
function that sends its arguments across (:mod:`coursetools.wire`), has the
submission's function called in the submission's kernel, and returns what came
back, rebuilt from plain data. Warnings the call issued are issued again here, an
exception it raised is raised again here (as a built-in type, or RuntimeError), and
what it printed is printed. A call that changes an array argument in place fails:
the tests' arguments are never touched, so the change would otherwise go unseen.

For the tests that read a function's source, the proxy's code object points at the
submission's cell as the grader read it from the notebook, so ``inspect.getsource``
returns the student's ``def``, and its globals are the lesson's names plus what the
student's cells import.
"""

from __future__ import annotations

import builtins
import linecache
import queue
import sys
import time
import types
import warnings

import numpy as np

from . import wire
from .student_side import MIME, MODULE

# How long an interrupted call may take to stop before its kernel counts as wedged.
STOP_WITHIN_S = 3.0
# What a single call may print into the tests' output.
PRINT_LIMIT = 20_000


class StudentKernel:
    """A client of the submission's kernel, from inside the tests' kernel."""

    def __init__(self, connection_file: str):
        import zmq
        from jupyter_client import BlockingKernelClient

        context = zmq.Context()
        # a reply larger than this is dropped by ZeroMQ before it reaches memory here
        context.setsockopt(zmq.MAXMSGSIZE, wire.MAX_BYTES)
        self.client = BlockingKernelClient(connection_file=connection_file, context=context)
        self.client.load_connection_file()
        self.client.start_channels()
        self.dead: str | None = None

    def request(self, function: str, name: str, args: tuple, kwargs: dict):
        """``function`` of the submission's side run on ``name`` and the arguments; its reply."""
        if self.dead:
            raise RuntimeError(self.dead)
        payload = wire.encode((list(args), kwargs))
        code = f"__import__({MODULE!r}).{function}({name!r}, {payload!r})"
        msg_id = self.client.execute(code, silent=False, store_history=False,
                                     allow_stdin=False, stop_on_error=False)
        try:
            return self._collect(msg_id)
        except KeyboardInterrupt:  # the test cell reached its time limit
            self._stop(msg_id)
            raise TimeoutError(f"{name} was still running at the cell's time limit, and was "
                               "stopped") from None

    def _collect(self, msg_id: str):
        text, failure, printed = None, None, 0
        while True:
            try:
                msg = self.client.get_iopub_msg(timeout=1.0)
            except queue.Empty:
                if not self.client.is_alive():
                    self.dead = "the submission's kernel has stopped"
                    raise RuntimeError(self.dead) from None
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and printed < PRINT_LIMIT:
                piece = str(content.get("text", ""))[: PRINT_LIMIT - printed]
                printed += len(piece)
                (sys.stderr if content.get("name") == "stderr" else sys.stdout).write(piece)
            elif kind == "display_data" and MIME in content.get("data", {}):
                text = content["data"][MIME]
            elif kind == "error":
                failure = f"{content.get('ename')}: {content.get('evalue')}"
            elif kind == "status" and content.get("execution_state") == "idle":
                break
        self._drain_replies()
        if text is None:
            raise RuntimeError("the submission's kernel did not answer the call"
                               + (f" ({failure})" if failure else ""))
        return wire.decode(text)

    def _drain_replies(self) -> None:
        while True:
            try:
                self.client.get_shell_msg(timeout=0)
            except queue.Empty:
                return

    def _stop(self, msg_id: str) -> None:
        """Interrupt the submission's kernel; if it does not stop, give up on it."""
        self.client.control_channel.send(self.client.session.msg("interrupt_request", {}))
        deadline = time.monotonic() + STOP_WITHIN_S
        while time.monotonic() < deadline:
            try:
                msg = self.client.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                continue
            if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"):
                return
        self.dead = "the submission's kernel did not stop when interrupted"


_kernel: StudentKernel | None = None


def connect(connection_file: str) -> None:
    """Connect this kernel to the submission's (once, before any proxy is bound)."""
    global _kernel
    _kernel = StudentKernel(connection_file)


def mark_dead(reason: str) -> None:
    """Every later call fails at once with ``reason`` (the grader stopped the kernel)."""
    if _kernel is not None:
        _kernel.dead = reason


def _exception(kind: str, message: str) -> BaseException:
    found = getattr(builtins, kind, None)
    if isinstance(found, type) and issubclass(found, Exception) and not issubclass(
            found, Warning):
        return found(message)
    if kind == "WireError":
        return TypeError(message)
    if kind == "LinAlgError":
        return np.linalg.LinAlgError(message)
    return RuntimeError(f"{kind}: {message}")


def _warning(kind: str) -> type[Warning]:
    found = getattr(builtins, kind, None)
    if isinstance(found, type) and issubclass(found, Warning):
        return found
    import emlib

    found = getattr(emlib, kind, None)
    return found if isinstance(found, type) and issubclass(found, Warning) else UserWarning


def _result(name: str, reply):
    if type(reply) is not dict:
        raise RuntimeError(f"the call of {name} came back unreadable")
    if "error" in reply:
        kind, message = (list(reply["error"]) + ["", ""])[:2]
        raise _exception(str(kind), str(message))
    for kind, message in reply.get("warnings", []):
        warnings.warn(str(message), _warning(str(kind)), stacklevel=3)
    changed = reply.get("changed")
    if changed:
        which = ", ".join(str(int(i) + 1) for i in changed)
        raise AssertionError(
            f"{name} changed its array argument(s) number {which} in place: work on a copy "
            "(the tests reuse what they pass in)")
    return reply.get("value")


def bind(namespace: dict, name: str, source: str | None = None, lineno: int = 1,
         filename: str = "<answer>", scope: dict | None = None) -> None:
    """Bind ``name`` in ``namespace`` to a proxy of the submission's function of that name.

    ``source`` is the student's cell that defines it, with the ``def`` at ``lineno``;
    ``scope`` what the student's cells import, added to the proxy's globals.
    """
    kernel, finish = _kernel, _result  # closure cells: the proxy's globals are the lesson's

    def proxy(*args, **kwargs):
        return finish(name, kernel.request("call", name, args, kwargs))

    def lines_run(*args):
        return _result(name, kernel.request("count_lines", name, args, {}))

    code = proxy.__code__.replace(co_name=name, co_qualname=name)
    if source is not None:
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        code = code.replace(co_filename=filename, co_firstlineno=lineno)
    where = {k: v for k, v in namespace.items() if not k.startswith("_")}
    where.update(scope or {})
    function = types.FunctionType(code, where, name, None, proxy.__closure__)
    function.__qualname__ = name
    function.__module__ = "__main__"
    function.lines_run = lines_run
    namespace[name] = function
