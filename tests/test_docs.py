"""The documentation: the generated reference is current, every link the README gives leads somewhere, and the
site builds with ``mkdocs build --strict`` (a broken link, a missing heading or a page left out fails it)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDES = ("players.md", "researchers.md", "designers.md")


def gen_reference() -> ModuleType:
    """scripts/gen_reference.py, imported (it is a script, not a module of the package)."""
    spec = importlib.util.spec_from_file_location("gen_reference", ROOT / "scripts" / "gen_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def click_neutral(text: str) -> str:
    """A help page without what click's own version decides: the header naming it and the usage lines (click
    8.5 writes an optional choice argument as ``[a|b]`` where 8.4 wrote ``[[a|b]]``)."""
    return "\n".join(line for line in text.splitlines()[1:] if not line.startswith("Usage: "))


def test_the_generated_reference_is_up_to_date() -> None:
    """Byte for byte; the command-line page, written under another click than this one, without click's lines."""
    gen = gen_reference()
    files = gen.render()
    assert {"cli.md", "rule-files.md", "reports.md"} <= set(files)

    def current(rel: str, text: str) -> bool:
        path = gen.REFERENCE / rel
        stored = path.read_text(encoding="utf-8") if path.is_file() else None
        if stored is None or stored == text:
            return stored == text
        same_click = stored.splitlines()[0] == text.splitlines()[0]
        return rel == "cli.md" and not same_click and click_neutral(stored) == click_neutral(text)

    out_of_date = [rel for rel, text in files.items() if not current(rel, text)]
    assert not out_of_date, f"rerun python scripts/gen_reference.py (out of date: {', '.join(out_of_date)})"
    assert not gen.stale(files), "rerun python scripts/gen_reference.py (it removes schema files no longer made)"


def test_the_reference_holds_every_command_and_schema() -> None:
    """Every command's help is on the page, and the schema files are the ones the program prints."""
    from click.testing import CliRunner

    from summitgame.cli import cli

    page = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"\n## summitgame {name}\n" in page and f"Usage: summitgame {name} " in page
    printed = CliRunner().invoke(cli, ["schema", "rules"])
    stored = (ROOT / "docs" / "reference" / "schemas" / "summitgame-rules.schema.json").read_text(encoding="utf-8")
    assert printed.exit_code == 0 and printed.output == stored
    printed = CliRunner().invoke(cli, ["balance", "--schema"])
    stored = (ROOT / "docs" / "reference" / "schemas" / "report-balance.schema.json").read_text(encoding="utf-8")
    assert printed.exit_code == 0 and json.loads(printed.output) == json.loads(stored)


def test_a_changed_help_text_makes_the_reference_out_of_date(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: a command whose help changes renders a different page."""
    from summitgame.cli import cli

    gen = gen_reference()
    before = gen.cli_page()
    monkeypatch.setattr(cli.commands["simulate"], "help", "Play random games (a changed help text).")
    assert gen.cli_page() != before


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def test_every_relative_link_in_the_readme_and_the_changelog_leads_to_a_file() -> None:
    """The README and the changelog sit outside the site, so mkdocs does not check them: this does."""
    for name in ("README.md", "CHANGELOG.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            assert (ROOT / path).exists(), f"{name} links to {target}, which does not exist"
            if anchor and path.endswith(".md"):
                headings = re.findall(r"^#+ (.+)$", (ROOT / path).read_text(encoding="utf-8"), re.MULTILINE)
                slugs = {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in headings}
                assert anchor in slugs, f"{name} links to {target}: no such heading"


def test_the_readme_is_short_and_points_to_one_guide_per_reader() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) < 12_000
    for guide in GUIDES:
        assert f"](docs/{guide})" in readme
        assert (ROOT / "docs" / guide).read_text(encoding="utf-8").startswith("# For ")


@pytest.mark.slow
def test_the_site_builds_with_strict_checks(tmp_path: Path) -> None:
    """mkdocs (in the test extra) builds every page; under --strict a warning, such as a link to a missing page
    or heading, fails the build. Skipped where mkdocs is not installed, except under CI."""
    if importlib.util.find_spec("mkdocs") is None:
        if os.environ.get("CI"):
            pytest.fail("mkdocs is missing: install the test extra (pip install -e '.[test]')")
        pytest.skip("mkdocs is not installed")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    site = tmp_path / "site"
    assert (site / "index.html").exists()
    for page in ("players", "researchers", "designers", "protocol", "reference/cli", "reference/reports", "changelog"):
        assert (site / page / "index.html").exists(), page
    assert (tmp_path / "site" / "reference" / "schemas" / "summitgame-rules.schema.json").exists()


# Commands pasted with their output in the README and the guides that run in about a second and need no file a
# reader writes first: each must print what the page shows (the figures of the current rules, not an older
# edition's). A "..." line stands for lines left out; timing lines are not compared.
QUICK = re.compile(r"^summitgame (simulate|tunables|rules --set)\b[^|]*(\| head -(\d+))?$")
TIMING = re.compile(r"^\s*speed:")


def pasted_runs(text: str) -> list[tuple[int, str, list[str]]]:
    """Each ``$ command`` line inside a fenced block, with its line number and the lines pasted under it."""
    runs: list[tuple[int, str, list[str]]] = []
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            fenced = not fenced
            runs.append((0, "", []))  # closes the run before it
        elif fenced and line.startswith("$ "):
            runs.append((number, line[2:], []))
        elif fenced and runs and runs[-1][0]:
            runs[-1][2].append(line)
    return [run for run in runs if run[0]]


def quick_runs() -> list[tuple[str, str, list[str]]]:
    found = []
    for page in ("README.md", *(f"docs/{guide}" for guide in (*GUIDES, "development.md"))):
        for number, command, pasted in pasted_runs((ROOT / page).read_text(encoding="utf-8")):
            if QUICK.match(command):
                found.append((f"{page}:{number}", command, pasted))
    return found


def quick_params() -> list[object]:
    """The runs as test cases; those that play a thousand games or more are slow on a loaded machine."""
    return [
        pytest.param(*run, id=run[0], marks=[pytest.mark.slow] if re.search(r"--games \d{4}", run[1]) else [])
        for run in quick_runs()
    ]


def unmatched(pasted: list[str], printed: list[str]) -> list[str]:
    """The pasted lines (bar "..." and timings) not found in the printed ones, in order."""
    missing, at = [], 0
    for line in pasted:
        if line.strip() in ("", "...") or TIMING.match(line):
            continue
        if line in printed[at:]:
            at = printed.index(line, at) + 1
        else:
            missing.append(line)
    return missing


def test_pasted_runs_are_found() -> None:
    """The scan finds the quick commands (a guide rewritten without them would leave the test below empty)."""
    commands = [command for _, command, _ in quick_runs()]
    assert "summitgame simulate --games 2000 --seed 1" in commands
    assert any(command.startswith("summitgame tunables") for command in commands)
    assert len(commands) >= 6
    assert unmatched(["a", "...", "c", "  speed: 1 games/s"], ["a", "b", "c"]) == []
    assert unmatched(["c", "a"], ["a", "b", "c"]) == ["a"]


@pytest.mark.parametrize(("where", "command", "pasted"), quick_params())
def test_a_pasted_output_is_what_the_command_prints(
    where: str, command: str, pasted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from summitgame.cli import cli

    monkeypatch.chdir(ROOT)
    match = QUICK.match(command)
    assert match is not None
    args = shlex.split(command.partition("|")[0])[1:]
    result = CliRunner().invoke(cli, args)
    assert "Traceback" not in result.output, result.output
    printed = result.output.splitlines()
    if match[3]:
        printed = printed[: int(match[3])]
    missing = unmatched(pasted, printed)
    assert not missing, (
        f"{where}: `{command}` no longer prints:\n" + "\n".join(missing) + "\n\nit prints:\n" + result.output
    )
