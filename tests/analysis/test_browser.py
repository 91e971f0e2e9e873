"""Every HTML page a designer gets, opened in a real headless Chromium: it loads, lays out every chart and
table the report's JSON promises, and paints them (slow: a browser start costs about a second)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from headless import coloured, dom, inspect, screenshot
from summitgame.analysis.html import CHARTS
from summitgame.cli import cli
from summitgame.rules.loader import default_rules_path

pytestmark = pytest.mark.slow


def _run(args: list[str]) -> str:
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    return res.stdout


def _figures(rendered: str) -> list[str]:
    """The ids of the figures that hold a drawn SVG in the rendered DOM."""
    return re.findall(r'<figure id="chart-([a-z0-9_-]+)"><svg', rendered)


def test_balance_page_renders_every_chart_and_the_exploits(tmp_path: Path) -> None:
    page = tmp_path / "balance.html"
    args = ["balance", "--agents", "greedy,random", "--games", "8", "--probe-games", "4", "--html", str(page)]
    doc: dict[str, Any] = json.loads(_run([*args, "--json"]))
    assert doc["exploits"]["pairings"]
    rendered = dom(page, tmp_path / "profile")
    assert _figures(rendered) == list(CHARTS)
    for row in doc["exploits"]["pairings"]:
        assert row["probe"] in rendered and row["agent"] in rendered
    colours = screenshot(page, tmp_path / "profile", tmp_path / "balance.png")
    assert coloured(colours) > 5_000  # the bars of the first charts are painted, not a blank page


def test_compare_page_renders(tmp_path: Path) -> None:
    page = tmp_path / "compare.html"
    rules = str(default_rules_path())
    _run(
        [
            "compare",
            rules,
            rules,
            "--set-b",
            "rounds.count=4",
            "--agents",
            "greedy",
            "--games",
            "6",
            "--html",
            str(page),
        ]
    )
    rendered = dom(page, tmp_path / "profile")
    assert _figures(rendered) == ["compare"]
    assert coloured(screenshot(page, tmp_path / "profile", tmp_path / "compare.png", "1100,2400")) > 2_000


def test_sweep_page_renders_a_chart_per_measure(tmp_path: Path) -> None:
    page = tmp_path / "sweep.html"
    args = ["sweep", "--param=rounds.count=4,6", "--measure=failed", "--measure=rounds"]
    # 8 games: enough for the two points to differ, so each chart draws a sloped line and its band
    _run([*args, "--agents", "greedy:lead=2,infer=0", "-n", "8", "--html", str(page)])
    rendered = dom(page, tmp_path / "profile")
    assert _figures(rendered) == ["measure-failed", "measure-rounds"]
    assert "rounds.count" in rendered
    # two points a chart: a line and a light band each (a page without charts paints none of these colours)
    assert coloured(screenshot(page, tmp_path / "profile", tmp_path / "sweep.png", "1100,2400")) > 1_000


def _check_page(page: Path, profile: Path) -> dict[str, Any]:
    """No script or console error, and every chart laid out at a visible size."""
    found = inspect(page, profile)
    assert found["errors"] == []
    assert found["charts"], "no chart on the page"
    for c in found["charts"]:
        assert c["shown"] and c["width"] > 100 and c["height"] > 50, c
    return found


def test_balance_page_has_its_sections_in_order_and_every_chart_visible(tmp_path: Path) -> None:
    """Before: the sections were numbered 1, 2, 5, 4, 7 and agents and negotiation were only a text dump."""
    page = tmp_path / "balance.html"
    _run(["balance", "--agents", "greedy,random,linear", "--games", "12", "--probe-games", "2", "--ablate",
          "photo_op", "--html", str(page)])  # fmt: skip
    found = _check_page(page, tmp_path / "profile")
    numbered = [h for h in found["headings"] if re.match(r"\d+\. ", h)]
    assert [int(h.split(".")[0]) for h in numbered] == list(range(1, 9))
    assert [c["id"] for c in found["charts"]] == [f"chart-{c}" for c in CHARTS]
    rendered = dom(page, tmp_path / "profile")
    for table in ("agents", "crosstable", "negotiation", "tracks", "cards-gestures", "cards-events", "ablations"):
        assert f'<table id="{table}"' in rendered or f'<table class="rates" id="{table}"' in rendered, table
    assert "Washington" in rendered and "Moscow" in rendered  # names, not ids


def test_compare_and_sweep_pages_have_no_console_error(tmp_path: Path) -> None:
    rules = str(default_rules_path())
    cmp = tmp_path / "compare.html"
    _run(["compare", rules, rules, "--set-b", "rounds.count=4", "--agents", "greedy", "--games", "6",
          "--html", str(cmp)])  # fmt: skip
    _check_page(cmp, tmp_path / "profile")
    sweep = tmp_path / "sweep.html"
    _run(["sweep", "--param=rounds.count=4,6", "--param=meters.trust.start=2,3", "--measure=role_gap",
          "--agents", "greedy", "-n", "4", "--html", str(sweep)])  # fmt: skip
    found = _check_page(sweep, tmp_path / "profile")
    assert any(c["id"] == "chart-heat-role_gap" for c in found["charts"])
