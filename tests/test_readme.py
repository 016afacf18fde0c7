"""The README's promises: the Quick start is two commands, and CI runs the second one."""

import re

from tests.pages import ROOT


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```[a-z]*\n(.*?)```", section, re.S).group(1)
    return [line.strip() for line in block.splitlines() if line.strip()]


def test_quick_start_is_two_commands_build_then_test():
    commands = quick_start_commands()
    assert commands == ["make html", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    for target in ("html", "test"):
        assert re.search(rf"^{target}:", makefile, re.M), f"Makefile has no {target} target"


def test_ci_runs_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text()
    lines = [line.strip() for line in script.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert lines[-1] == quick_start_commands()[1]
