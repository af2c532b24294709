"""The sandbox of a submission's kernel (coursetools/sandbox.py), attacked from inside.

Each test starts a sandboxed kernel as autograding does and runs in it what a hostile
submission would, then checks from outside that nothing leaked.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from traitlets.config import Config

from coursetools import grading, sandbox

ROOT = Path(__file__).resolve().parent.parent
# Only where the sandbox cannot exist (a developer's machine without root); never in CI.
WHY_NOT = sandbox.unavailable()
pytestmark = pytest.mark.skipif(WHY_NOT is not None and os.environ.get("CI") != "true",
                                reason=f"no sandbox here: {WHY_NOT}")


def client(nb, timeout: int = 30, **limits) -> NotebookClient:
    """A client that runs ``nb`` in a sandboxed kernel, and shuts it down at the end."""
    config = Config()
    for name, value in limits.items():
        setattr(config.SandboxedKernelManager, name, value)
    return NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                          interrupt_on_timeout=True, config=config,
                          kernel_manager_class=sandbox.SandboxedKernelManager)


def run_sandboxed(*sources: str, timeout: int = 30, **limits) -> list[dict]:
    """Run each source as a cell in a sandboxed kernel: per cell, its text and error name."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    client(nb, timeout, **limits).execute()
    return [{"text": "".join(o.get("text", "") for o in c.outputs),
             "error": next((o.ename for o in c.outputs if o.output_type == "error"), None)}
            for c in nb.cells]


def processes_of(uid: int) -> list[str]:
    found = subprocess.run(["pgrep", "-u", str(uid), "-a"], capture_output=True, text=True)
    return found.stdout.splitlines()


def test_the_course_and_the_grader_files_are_not_there(tmp_path):
    secret = tmp_path / "gradebook.db"
    secret.write_bytes(b"scores")
    paths = [ROOT / "solutions", ROOT / "gradebook.db", ROOT / "grading", ROOT / "README.md",
             secret, Path.home() / ".bashrc"]
    (out,) = run_sandboxed("import os\n" + "\n".join(
        f"print(os.path.exists({str(p)!r}) and os.listdir({str(p)!r}) != [])" for p in paths))
    assert out["error"] is None and out["text"].split() == ["False"] * len(paths), out


def test_it_writes_only_to_its_scratch_folder(tmp_path):
    outside = tmp_path / "outside.txt"
    cells = run_sandboxed(
        f"open({str(outside)!r}, 'w').write('x')",
        "import emlib, pathlib; (pathlib.Path(emlib.__file__).parent / 'x.py').write_text('')",
        "open('scratch.txt', 'w').write('x'); print(open('scratch.txt').read())",
        "open('/tmp/t.txt', 'w').write('x'); print('tmp ok')")
    assert cells[0]["error"] in {"FileNotFoundError", "PermissionError", "OSError"}
    assert cells[1]["error"] in {"PermissionError", "OSError"}
    assert cells[2] == {"text": "x\n", "error": None}
    assert cells[3] == {"text": "tmp ok\n", "error": None}
    assert not outside.exists()


def test_it_cannot_fill_the_disk():
    (out,) = run_sandboxed("with open('big', 'wb') as f:\n"
                           "    for _ in range(1024):\n"
                           "        f.write(b'0' * 2**20)")
    assert out["error"] in {"OSError", "OverflowError"}, out  # ENOSPC or the file-size cap


def test_it_has_no_network_not_even_the_graders_loopback():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        (out,) = run_sandboxed(
            "import socket\n"
            f"socket.create_connection(('127.0.0.1', {port}), timeout=5)")
        assert out["error"] in {"ConnectionRefusedError", "OSError", "TimeoutError"}, out
        server.settimeout(0.5)
        with pytest.raises(TimeoutError):
            server.accept()  # nothing reached the grader's side


def test_memory_is_capped_and_the_cap_is_configurable():
    big = run_sandboxed("import numpy as np; a = np.ones(30 * 2**30 // 8)",
                        "print('alive')")
    assert big[0]["error"] == "MemoryError" and big[1]["text"] == "alive\n"
    small = run_sandboxed("import numpy as np; a = np.ones(2**30 // 8); a[:] = 2",
                          memory_bytes=1024**3)
    assert small[0]["error"] == "MemoryError"


def test_a_fork_bomb_runs_out_of_processes_and_dies_with_the_kernel():
    cells = run_sandboxed(
        "import subprocess, sys, time\n"
        "bomb = subprocess.Popen([sys.executable, '-c', 'import os\\nwhile True:\\n"
        "    try:\\n        os.fork()\\n    except OSError:\\n        pass'])\n"
        "time.sleep(3)\nprint('kernel still answers')",
        "import os; print(os.getuid())")
    assert cells[0]["text"] == "kernel still answers\n", cells
    time.sleep(1)
    assert processes_of(int(cells[1]["text"])) == []


def test_processes_left_running_die_with_the_kernel_whatever_they_ignore():
    cells = run_sandboxed(
        "import subprocess, os\n"
        "subprocess.Popen(['sh', '-c', 'trap \"\" INT TERM HUP; sleep 600'])\n"
        "subprocess.Popen(['setsid', 'sleep', '600'])\n"
        "print(os.getuid())")
    uid = int(cells[0]["text"])
    time.sleep(1)
    assert processes_of(uid) == []


def test_an_interrupt_stops_a_busy_cell_and_the_kernel_goes_on():
    cells = run_sandboxed("while True:\n    pass", "print('next')", timeout=3)
    assert cells[0]["error"] == "KeyboardInterrupt" and cells[1]["text"] == "next\n", cells


def test_a_loop_that_swallows_interrupts_is_killed_at_the_time_limit():
    started = time.perf_counter()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import os, subprocess, time\nprint(os.getuid(), flush=True)\n"
        "subprocess.Popen(['sh', '-c', 'trap \"\" INT TERM; sleep 600'])\n"
        "while True:\n    try:\n        time.sleep(0.1)\n    except KeyboardInterrupt:\n"
        "        pass")]
    with pytest.raises(Exception, match="Kernel died"):
        client(nb, timeout=3).execute()
    uid = int(nb.cells[0].outputs[0]["text"].split()[0])
    assert time.perf_counter() - started < 30
    time.sleep(1)
    assert processes_of(uid) == []


def test_autograde_refuses_without_the_sandbox_unless_unsafe(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "unavailable", lambda: "bwrap not found")
    (tmp_path / "grading" / "submitted").mkdir(parents=True)
    with pytest.raises(grading.GradingError, match="--unsafe"):
        grading.autograde(tmp_path, "01_generative_model", echo=lambda line: None)
    assert grading.autograde(tmp_path, "01_generative_model", unsafe=True,
                             echo=lambda line: None) == []
