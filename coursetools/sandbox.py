"""The sandbox a submission's code runs in while it is graded.

Each kernel that runs a student's notebook is started inside Debian's bubblewrap
(``bwrap``) with its own mount, PID, network, IPC and UTS namespaces:

- the file system is read-only and holds only what Python needs (``/usr``, ``/etc``,
  the interpreter, the virtual environment and ``emlib``); the course root, with
  ``solutions/``, the gradebook, ``grading/`` and every other submission, is not
  there at all;
- the only writable places are a scratch folder (the kernel's working and home
  folder) and ``/tmp``, both in-memory file systems of capped size that vanish with
  the kernel, so a full disk is impossible;
- there is no network (only a loopback device of its own);
- the kernel runs as an unprivileged user with no capabilities, under resource
  limits (address space, processes, file size), so an allocation beyond the cap
  fails and a fork bomb runs out of processes;
- the kernel is PID 1's child in its own PID namespace, and bubblewrap dies with
  its parent: when the grader kills the kernel or exits, every process the
  submission started dies with it, whatever signals it ignores.

The kernel talks to the grader over Unix sockets in a folder of its own (the
``ipc`` transport of Jupyter), since it has no network.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer

# Set to "off" (by ``autograde --unsafe``) for nbgrader to run kernels unsandboxed.
SWITCH = "COURSETOOLS_SANDBOX"
BWRAP = "bwrap"
SETPRIV = "setpriv"
PRLIMIT = "prlimit"
SCRATCH = "/scratch"
# Uids the kernels run as: one of these per kernel, so each sandbox has its own
# process count (RLIMIT_NPROC counts processes per user).
FIRST_UID, UIDS = 61000, 4000
# A second interrupt this soon after the first ends the kernel (see interrupt_kernel).
IGNORED_WITHIN_S = 120
GIB = 1024**3
MIB = 1024**2


@dataclass(frozen=True)
class Limits:
    """What one sandboxed kernel may use."""

    memory_bytes: int = 2 * GIB
    processes: int = 64
    file_bytes: int = 64 * MIB
    scratch_bytes: int = 256 * MIB


def _emlib_folder() -> str:
    """Where emlib's source is (the course installs it in editable mode)."""
    spec = importlib.util.find_spec("emlib")
    return str(Path(spec.origin).resolve().parent)


def _system_binds() -> list[str]:
    """bwrap arguments that mount what Python needs, read-only."""
    args = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for top in ("/bin", "/lib", "/lib64", "/sbin"):
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), top]
        elif path.is_dir():
            args += ["--ro-bind", top, top]
    prefixes = {sys.base_prefix, sys.prefix, _emlib_folder()}
    made: set[Path] = set()
    for prefix in sorted(prefixes):
        if prefix.startswith("/usr/"):
            continue
        # bwrap would make the folders on the way 0700, closed to the kernel's user
        for parent in reversed(Path(prefix).parents[:-1]):
            if parent not in made and str(parent) not in ("/tmp", SCRATCH):
                args += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        args += ["--ro-bind", prefix, prefix]
    return args


def command(argv: list[str], *, uid: int, limits: Limits = Limits(),
            binds: tuple[str, ...] = ()) -> list[str]:
    """``argv`` wrapped so that it runs in the sandbox as ``uid`` (see the module doc).

    ``binds`` are extra folders mounted read-write at the same path (the kernel's socket
    folder).
    """
    sandbox = [
        BWRAP, "--die-with-parent", "--new-session",
        "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
        "--hostname", "sandbox",
        # the in-memory folders first: binds below /tmp (a course or venv there) go on top
        "--size", str(limits.scratch_bytes), "--tmpfs", "/tmp",
        "--size", str(limits.scratch_bytes), "--tmpfs", SCRATCH,
        "--chmod", "1777", SCRATCH, "--chmod", "1777", "/tmp",
        *_system_binds(),
        "--proc", "/proc", "--dev", "/dev",
    ]
    for folder in binds:
        sandbox += ["--bind", folder, folder]
    sandbox += [
        "--chdir", SCRATCH,
        "--clearenv", "--setenv", "HOME", SCRATCH, "--setenv", "TMPDIR", "/tmp",
        "--setenv", "PATH", f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "--setenv", "MPLBACKEND", "Agg", "--setenv", "MPLCONFIGDIR", f"{SCRATCH}/.matplotlib",
        "--setenv", "OPENBLAS_NUM_THREADS", "1", "--setenv", "OMP_NUM_THREADS", "1",
        "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
        "--",
        SETPRIV, f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
        "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
        "--",
    ]
    # rlimits are inherited through bwrap and setpriv; the process limit only binds once
    # the uid is no longer root's.
    rlimits = [PRLIMIT, f"--as={limits.memory_bytes}", f"--nproc={limits.processes}",
               f"--fsize={limits.file_bytes}", "--core=0", "--"]
    return rlimits + sandbox + argv


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # the parent's pid is the 4th field, after the name in parentheses
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def kill_leftovers(root_pid: int, rounds: int = 10) -> int:
    """Kill every process the kernel below ``root_pid`` started; return how many.

    The kernel is the first ``ipykernel`` process at or below ``root_pid`` that is not one
    of the sandbox's wrappers (prlimit, bubblewrap and its namespace's init sit above it).
    Whatever it forked or spawned, and whatever those spawned, is killed, whatever signals
    they ignore; again while any are left (a fork bomb forks while it is being killed).
    """
    killed = 0
    for _ in range(rounds):
        doomed = _below_kernel(root_pid)
        if not doomed:
            break
        for pid in doomed:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except OSError:
                pass
    return killed


def _below_kernel(root_pid: int) -> list[int]:
    tree = _children()

    def is_kernel(pid: int) -> bool:
        try:
            wrapper = Path(f"/proc/{pid}/comm").read_text().strip() in (BWRAP, PRLIMIT, SETPRIV)
            return not wrapper and b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False

    todo, kernel = [root_pid], None
    while todo and kernel is None:
        pid = todo.pop(0)
        if is_kernel(pid):
            kernel = pid
        todo.extend(tree.get(pid, []))
    if kernel is None:
        return []
    below, todo = [], list(tree.get(kernel, []))
    while todo:
        pid = todo.pop()
        if Path(f"/proc/{pid}/stat").exists() and _state(pid) != "Z":
            below.append(pid)
        todo.extend(tree.get(pid, []))
    return below


def _state(pid: int) -> str:
    try:
        return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split() or ["?"])[0]
    except OSError:
        return "Z"


def unavailable() -> str | None:
    """None if sandboxed kernels can be started here, else why not."""
    missing = [tool for tool in (BWRAP, SETPRIV, PRLIMIT) if shutil.which(tool) is None]
    if missing:
        return (f"{', '.join(missing)} not found (Debian: apt-get install bubblewrap "
                "util-linux)")
    if os.geteuid() != 0:
        return "grading in the sandbox needs root (to switch to an unprivileged user)"
    probe = command([sys.executable, "-c", "print('ok')"], uid=FIRST_UID)
    try:
        result = subprocess.run(probe, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"the sandbox does not start: {error}"
    if result.stdout.strip() != "ok":
        return f"the sandbox does not start: {result.stderr.strip()[:300]}"
    return None


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in the sandbox, connected over Unix sockets."""

    memory_bytes = Integer(Limits.memory_bytes, config=True,
                           help="Address-space cap of a sandboxed kernel, in bytes.")
    processes = Integer(Limits.processes, config=True,
                        help="Most processes (and threads) a sandboxed kernel may run.")

    def __init__(self, **kwargs):
        self._socket_dir = Path(tempfile.mkdtemp(prefix="coursetools-kernel-"))
        self._uid = FIRST_UID + secrets.randbelow(UIDS)
        self._interrupted_at: float | None = None
        os.chown(self._socket_dir, self._uid, self._uid)
        kwargs.setdefault("transport", "ipc")
        kwargs.setdefault("connection_file", str(self._socket_dir / "kernel.json"))
        super().__init__(**kwargs)

    def write_connection_file(self, **kwargs) -> None:
        super().write_connection_file(**kwargs)
        # the kernel, running as its own uid, must read it; the folder is its alone
        os.chown(self.connection_file, self._uid, self._uid)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        argv = super().format_kernel_cmd(extra_arguments)
        limits = Limits(memory_bytes=self.memory_bytes, processes=self.processes)
        return command(argv, uid=self._uid, limits=limits, binds=(str(self._socket_dir),))

    async def interrupt_kernel(self) -> None:
        """Interrupt the running cell; kill the kernel if the last interrupt was ignored.

        The interrupt is a message on the control channel (the kernel then signals
        itself): a signal from here would reach bubblewrap, outside the sandbox. A second
        interrupt within two minutes means a cell swallowed the first (or a second cell
        ran past its limit): the sandbox is killed, with every process in it, and the
        rest of the notebook is not run.
        """
        now = time.monotonic()
        if self._interrupted_at is not None and now - self._interrupted_at < IGNORED_WITHIN_S:
            self.log.warning("The kernel ignored an interrupt: killing its sandbox")
            await self._async_kill_kernel()
            return
        self._interrupted_at = now
        self._connect_control_socket()
        self.session.send(self._control_socket, self.session.msg("interrupt_request", content={}))

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
