"""The documentation: the generated reference is current, every link the README gives leads somewhere, and the
site builds with ``mkdocs build --strict`` (a broken link, a missing heading or a page left out fails it)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
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
