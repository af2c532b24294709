"""JupyterLab as `make lab` opens it, driven by a headless Chromium, for the end-to-end tests.

:class:`LabServer` starts ``jupyter lab`` with the course's ``jupyter_lab_config.py`` (the
file `make lab` passes), overriding only what a test must: a free port on 127.0.0.1, no
token, no browser. :func:`open_browser` launches the system's Chromium through Playwright
with a fresh, empty profile. Both are stopped by process id, and a :class:`Watchdog` kills
whatever a test started if it runs past its deadline, so a hung page or server cannot hang CI.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "jupyter_lab_config.py"
LECTURES = ROOT / "lectures"
# Debian's Chromium (the Makefile installs it); CHROMIUM names another one.
CHROMIUM = Path(os.environ.get("CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def children_of(pid: int) -> list[int]:
    """Every live descendant of ``pid``, read from /proc (no dependency, no name matching)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name, in parentheses, may itself contain spaces or parentheses
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill(pids: list[int], sig: int = signal.SIGKILL) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


class LabServer:
    """``jupyter lab`` on a free local port, with Jupyter's per-user folders in ``state``.

    The per-user folders (settings, workspaces, runtime files, IPython profile) start empty,
    as on a student's first run, so a developer's own settings cannot change what is tested.
    """

    def __init__(self, state: Path, log_path: Path, root: Path | None = None) -> None:
        self.state = state
        self.log_path = log_path
        self.root = root  # the folder the lab opens, if not the config's lectures/
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.process: subprocess.Popen | None = None

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for name, sub in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                          ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")]:
            env[name] = str(self.state / sub)
            (self.state / sub).mkdir(parents=True, exist_ok=True)
        settings = self.state / "config" / "lab" / "user-settings" / "@jupyterlab"
        # User preferences, as a student could set them: no autosave, so that running the
        # lessons never writes into lectures/ (the test checks that nothing was written), and
        # the news question already answered, so its pop-up does not cover the pictures.
        for plugin, values in [("docmanager-extension/plugin", {"autosave": False}),
                               ("apputils-extension/notification", {"fetchNews": "false"})]:
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        return env

    def start(self, timeout: float = 90.0, attempts: int = 3) -> None:
        """Start the server and wait until it answers; on a new port if another process took
        the free one first."""
        for attempt in range(attempts):
            if attempt:
                self.port = free_port()
                self.url = f"http://{HOST}:{self.port}"
            if self._start(timeout):
                return
        raise RuntimeError(f"jupyter lab did not start:\n{self.log_tail()}")

    def _start(self, timeout: float) -> bool:
        command = [
            sys.executable, "-m", "jupyterlab", f"--config={CONFIG}",
            f"--ServerApp.ip={HOST}", f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0", "--IdentityProvider.token=", "--no-browser",
        ]
        if self.root is not None:
            command.append(f"--ServerApp.root_dir={self.root}")
        self.log = self.log_path.open("a")
        # From the repository root, as `make lab` runs it (nbgrader reads its config there).
        self.process = subprocess.Popen(command, cwd=ROOT, env=self._environment(),
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                self.log.close()
                return False
            try:
                self.api("GET", "/api/status")
                return True
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"jupyter lab did not answer within {timeout} s:\n"
                                       f"{self.log_tail()}") from None
                time.sleep(0.2)

    def api(self, method: str, path: str, timeout: float = 10.0):
        request = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, lines: int = 40) -> str:
        if not self.log.closed:
            self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM (the server then stops its kernels), SIGKILL after ``grace`` seconds;
        then SIGKILL any kernel the server left behind."""
        if self.process is None:
            return
        started = children_of(self.process.pid)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        kill([pid for pid in started if alive(pid)])
        if not self.log.closed:
            self.log.close()


class Watchdog:
    """Kills every process this test process started if the test runs past ``seconds``.

    Playwright's calls then fail at once instead of waiting on a browser or server that no
    longer answers, so the test ends (failing) instead of hanging CI.
    """

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self.timer = threading.Timer(seconds, self._fire)
        self.timer.daemon = True

    def _fire(self) -> None:
        self.fired = True
        kill(children_of(os.getpid()))

    def __enter__(self) -> Watchdog:
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.cancel()


def chromium_missing_message() -> str:
    return (f"{CHROMIUM} is missing: the end-to-end test drives Debian's Chromium. Install it "
            "with `sudo apt-get install chromium` (`make test` does it when run as root), or "
            "name another Chromium with CHROMIUM=/path/to/chromium.")


def open_browser(playwright, profile: Path, pixel_ratio: float = 1.0):
    """Chromium, headless, with a new empty profile; Playwright never downloads a browser.

    ``pixel_ratio`` is the screen's device pixel ratio (2 for a high-density screen)."""
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 1000}, device_scale_factor=pixel_ratio,
        timeout=60_000,
    )


class LecturesUnchanged:
    """Records what a test changes in lectures/.

    Opening a notebook makes JupyterLab create a checkpoint folder beside it; the ones this
    test created are removed. ``changed`` lists the notebooks whose bytes changed (the lab
    saved into the student versions): the test fails on them.
    """

    def __enter__(self) -> LecturesUnchanged:
        self.notebooks = {p: p.read_bytes() for p in LECTURES.rglob("*.ipynb")
                          if ".ipynb_checkpoints" not in p.parts}
        self.checkpoints = set(LECTURES.rglob(".ipynb_checkpoints"))
        self.changed: list[Path] = []
        return self

    def __exit__(self, *exc) -> None:
        for folder in set(LECTURES.rglob(".ipynb_checkpoints")) - self.checkpoints:
            shutil.rmtree(folder, ignore_errors=True)
        self.changed = [p for p, data in self.notebooks.items()
                        if not p.exists() or p.read_bytes() != data]


def drag_across(page, slider, seconds: float, steps: int, each_step=None) -> None:
    """Drag the range input ``slider`` with the mouse from the left end of its track to the
    right end in ``steps`` even moves over ``seconds``, calling ``each_step(step)`` after each
    move (the last one just before the button is released)."""
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    x0, x1 = box["x"] + 2, box["x"] + box["width"] - 2
    mouse = page.mouse
    mouse.move(x0, y)
    mouse.down()
    start = time.monotonic()
    for step in range(1, steps + 1):
        mouse.move(x0 + (x1 - x0) * step / steps, y)
        if each_step is not None:
            each_step(step)
        time.sleep(max(0.0, start + seconds * step / steps - time.monotonic()))
    mouse.up()
