"""The project's shape: pinned dependencies agree, the command line and make document every step."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import yaml

from analysis import paths


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"]) + [d for group in project["optional-dependencies"].values() for d in group]
    return dict(_pin(s) for s in specs)


def _pin(spec: str) -> tuple[str, str]:
    m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([\w.]+)", spec.strip())
    assert m, f"{spec!r} is not pinned with =="
    return m.group(1).lower(), m.group(2)


def test_environment_yml_declares_the_same_pins_as_pyproject():
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert dict(_pin(s) for s in pip_section) == _pyproject_pins()


def test_environment_yml_gives_conda_users_the_system_libraries():
    """WeasyPrint needs Pango and HarfBuzz, the reports a CJK font: conda-forge provides them."""
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = {d.split("=")[0] for d in env["dependencies"] if isinstance(d, str)}
    assert {"pango", "harfbuzz", "fontconfig", "font-ttf-noto-cjk", "poppler"} <= conda
    assert "conda-forge" in env["channels"]


def test_every_python_dependency_is_pinned():
    assert _pyproject_pins()  # _pin asserts on each


def test_command_line_help_lists_the_steps():
    done = subprocess.run([sys.executable, "-m", "analysis", "--help"], capture_output=True, text=True, check=True)
    assert "data" in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "data", "--help"], capture_output=True, text=True, check=True
    )
    assert "--raw" in done.stdout and "--out" in done.stdout


def test_make_help_lists_every_target_with_a_line():
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.M).group(1).split()
    done = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=paths.ROOT, capture_output=True, text=True, check=True
    )
    for target in phony:
        assert re.search(rf"\b{target}\b\s+\S", done.stdout), f"make help does not describe {target!r}"


def test_ci_runs_the_readme_commands():
    ci = (paths.ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("make reports", "make test"):
        assert command in ci and command in readme
    assert ci.index("make lint") < ci.index("make test")  # the gate runs before the tests
