"""The set-up files agree with each other and with the README."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def split_requirement(text: str) -> tuple[str, str]:
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", text)
    assert match, f"cannot parse requirement {text!r}"
    return normalise(match.group(1)), match.group(2).replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for group in project["optional-dependencies"].values():
        reqs.extend(group)
    out = dict(split_requirement(r) for r in reqs)
    out["python"] = project["requires-python"]
    return out


def conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    specs = [d for d in env["dependencies"] if isinstance(d, str) and d != "pip"]
    return dict(split_requirement(s) for s in specs)


def test_environment_yml_lists_the_same_packages_and_versions_as_pyproject():
    assert conda_requirements() == pyproject_requirements()


def test_environment_yml_installs_emlib_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_sections == [["-e ."]]


def test_widget_stack_is_pinned_as_a_matched_set():
    reqs = pyproject_requirements()
    assert reqs["jupyterlab"] == ">=4.2,<5"
    assert reqs["ipywidgets"] == ">=8.1,<9"
    assert reqs["jupyterlab-widgets"] == ">=3.0.10,<4"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    first_screen = "\n".join(readme.splitlines()[:40])
    assert "make lab" in first_screen and "make test" in first_screen
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [line for line in ci.splitlines() if line.strip() and not line.startswith("#")]
    assert commands[-1].strip() in ("make test", "exec make test")


def test_readme_three_line_example_runs():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## emlib in three lines", 1)[1].split("```python", 1)[1].split("```")[0]
    assert len([line for line in block.splitlines() if line.strip()]) == 3
    namespace: dict = {}
    exec(block, namespace)
    result = namespace["result"]
    assert result.converged
    assert sorted(result.means.round(1).tolist()) == [-2.0, 0.0, 3.0]
