"""Sweep and sensitivity pages: the right charts for one, two and three parameters, inline SVG only, the
same bytes every time; and the --json documents of sweep, sensitivity and targets match their schemas."""

from __future__ import annotations

import copy
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from report_check import problems
from summitgame.analysis.schema import json_schema
from summitgame.analysis.sweep_html import chart_ids, measure_ids, sensitivity_html, slug, sweep_html
from summitgame.cli import cli

DEFAULT = ["failed", "incremental", "symbolic", "role_gap", "win_gap", "median_end_round"]
TRUST = "--param=meters.trust.start=1..3"
ROUNDS = "--param=rounds.count=4,6"


def run_json(*args: str) -> dict[str, Any]:
    res = CliRunner().invoke(cli, [*args, "--agents", "greedy", "-n", "8", "--json"])
    assert res.exit_code == 0, res.output
    doc: dict[str, Any] = json.loads(res.output)
    return doc


@pytest.fixture(scope="module")
def one() -> dict[str, Any]:
    return run_json("sweep", TRUST)


@pytest.fixture(scope="module")
def two() -> dict[str, Any]:
    return run_json("sweep", TRUST, ROUNDS)


@pytest.fixture(scope="module")
def three() -> dict[str, Any]:
    return run_json("sweep", "--param=meters.trust.start=2,3", ROUNDS, "--param=hands.size=2,3")


@pytest.fixture(scope="module")
def sens() -> dict[str, Any]:
    return run_json("sweep", "--sensitivity", "--param=meters.trust.start", "--param=rounds.count")


class Collect(HTMLParser):
    """Figure ids, SVG count and anything that would load from outside the page."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: list[str] = []
        self.svgs = 0
        self.outside: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "figure" and a.get("id"):
            self.figures.append(str(a["id"]))
        if tag == "svg":
            self.svgs += 1
        if tag == "script" or (
            tag in ("img", "link", "image") and not str(a.get("xlink:href") or "data:").startswith("data:")
        ):
            self.outside.append(tag)


def parse(page: str) -> Collect:
    p = Collect()
    p.feed(page)
    return p


def test_one_parameter_draws_each_measure_with_its_band(one: dict[str, Any]) -> None:
    page = sweep_html(one)
    p = parse(page)
    assert p.figures == [f"chart-measure-{n}" for n in DEFAULT]
    assert chart_ids(page) == [f"measure-{n}" for n in DEFAULT]
    assert p.svgs == len(DEFAULT) and not p.outside
    assert "meters.trust.start" in page and "failed (%)" in page and "role_gap (points)" in page
    assert "<pre>Sweep of Summit: 3 points" in page
    assert f"<code>{one['command']}</code>" in page


def test_two_parameters_add_a_heat_map_per_measure(two: dict[str, Any]) -> None:
    page = sweep_html(two)
    assert chart_ids(page) == [f"heat-{n}" for n in DEFAULT] + [f"measure-{n}" for n in DEFAULT]
    assert "meters.trust.start (rows) × rounds.count (columns)" in page
    assert not parse(page).outside


def test_three_parameters_draw_lines_while_few_and_then_only_the_table(three: dict[str, Any]) -> None:
    page = sweep_html(three)
    assert chart_ids(page) == [f"measure-{n}" for n in DEFAULT]  # 2 × 2 combinations: four lines each
    many = copy.deepcopy(three)
    many["params"][1]["values"] = [4, 5, 6, 7]  # 4 × 2 = 8 combinations (points not played are gaps)
    page = sweep_html(many)
    assert chart_ids(page) == []
    assert "8 combinations" in page and "only the table is shown" in page and "<pre>Sweep of" in page


def test_sensitivity_draws_a_tornado_per_measure(sens: dict[str, Any]) -> None:
    page = sensitivity_html(sens)
    p = parse(page)
    assert p.figures == [f"chart-tornado-{n}" for n in DEFAULT] and not p.outside
    assert "percentage points" in page and "rounds.count (step 1)" in page
    assert "<pre>Sensitivity of Summit" in page


@pytest.mark.slow
def test_pages_are_the_same_bytes_every_time(one: dict[str, Any], two: dict[str, Any], sens: dict[str, Any]) -> None:
    assert sweep_html(two) == sweep_html(copy.deepcopy(two))
    assert sweep_html(one) == sweep_html(one)
    assert sensitivity_html(sens) == sensitivity_html(sens)


def test_html_option_writes_the_page_and_odd_names_make_safe_ids(tmp_path: Path) -> None:
    out = tmp_path / "sweep.html"
    args = ["sweep", "--param=rounds.count=6", "--measure=peak:pressure:moscow", "--measure=failed"]
    res = CliRunner().invoke(cli, [*args, "--agents", "greedy", "-n", "4", "--html", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert chart_ids(page) == ["measure-peak-pressure-moscow", "measure-failed"]  # one point: an error bar
    assert slug("Tier:Failed") == "tier-failed"
    assert measure_ids(["a:b", "a-b"]) == {"a:b": "a-b", "a-b": "a-b-2"}


def test_escaping_in_table_and_command(one: dict[str, Any]) -> None:
    doc = copy.deepcopy(one)
    doc["command"] = "summitgame sweep --rules '<x>&.toml'"
    page = sweep_html(doc)
    assert "<x>" not in page and "&lt;x&gt;&amp;.toml" in page


def test_documents_match_their_schemas(one: dict[str, Any], two: dict[str, Any], sens: dict[str, Any]) -> None:
    assert problems(one, "sweep") == []
    assert problems(two, "sweep") == []
    assert problems(sens, "sensitivity") == []
    assert problems(sens, "sweep") != []  # the formats are told apart


def test_targets_document_matches_its_schema(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('failed = "< 40%"\nrole_gap = "< 3 points"\n', encoding="utf-8")
    res = CliRunner().invoke(cli, ["targets", str(path), "--agents", "greedy", "-n", "4", "--json"])
    assert res.exit_code in (0, 1), res.output
    doc = json.loads(res.stdout)
    assert problems(doc, "targets") == []
    broken = copy.deepcopy(doc)
    broken["verdicts"][0]["measured"]["kind"] = "percent"
    del broken["met"]
    errors = problems(broken, "targets")
    assert any("'met' is a required property" in e for e in errors) and any("percent" in e for e in errors)


def test_a_broken_sweep_is_refused(two: dict[str, Any], sens: dict[str, Any]) -> None:
    bad = copy.deepcopy(two)
    bad["points"][0]["measures"]["failed"]["value"] = "high"
    bad["params"][0]["values"] = "1..3"
    bad["extra"] = 1
    errors = problems(bad, "sweep")
    assert len(errors) == 3, errors
    bad = copy.deepcopy(sens)
    bad["params"][0]["effects"]["failed"]["paired"] = "yes"
    assert problems(bad, "sensitivity") != []


def test_schemas_are_valid_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    for kind in ("sweep", "sensitivity", "targets"):
        jsonschema.Draft202012Validator.check_schema(json_schema(kind))


def test_heat_map_outlines_the_current_cell_and_tells_best_from_worst() -> None:
    """Before: no mark of the current rules' cell or of a target band, and viridis painted a gap of 0 (best)
    and the largest gap (worst) as two ends of one scale with no better side."""
    from summitgame.analysis.sweep_html import _colouring, heat_chart

    cells = {
        (r, c): {"value": v, "low": v - 0.5, "high": v + 0.5, "kind": "number", "unit": "points"}
        for (r, c), v in {(1, 1): 0.0, (1, 2): 1.0, (2, 1): 2.5, (2, 2): 4.0}.items()
    }
    svg = heat_chart("role_gap", ("a", [1, 2]), ("b", [1, 2]), cells, current=(2, 1), band=None)
    assert "current" in svg and "✓" not in svg
    band = {"low": None, "high": 2.0, "wanted": "<= 2 points"}
    svg = heat_chart("role_gap", ("a", [1, 2]), ("b", [1, 2]), cells, current=(2, 1), band=band)
    assert svg.count("✓") == 2  # 0.0 and 1.0 meet the target
    values, cmap, lo, hi, _ = _colouring("role_gap", [[0.0, 1.0], [2.5, 4.0]], band, 1.0)
    assert values == [[0.0, 0.0], [0.5, 2.0]] and cmap == "RdBu_r" and lo == -hi
    values, cmap, lo, hi, suffix = _colouring("role_gap", [[0.0, 1.0], [2.5, 4.0]], None, 1.0)
    assert cmap == "Reds" and lo == 0.0 and hi == 4.0 and "0 is best" in suffix
    _, cmap, lo, hi, _ = _colouring("score_gap", [[-3.0, 1.0]], None, 1.0)
    assert cmap == "RdBu_r" and (lo, hi) == (-3.0, 3.0)


def test_sweep_json_gives_each_parameters_current_value_and_the_target_bands(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from report_check import problems
    from summitgame.cli import cli

    targets = tmp_path / "t.toml"
    targets.write_text('role_gap = "<= 2 points"\nfailed = "<= 20%"\n', encoding="utf-8")
    args = ["sweep", "--param=rounds.count=5,6", "--measure=role_gap", "--agents", "random", "-n", "2"]
    res = CliRunner().invoke(cli, [*args, "--targets", str(targets), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert problems(doc, "sweep") == []
    assert doc["params"][0]["current"] == 6
    assert doc["targets"] == {"role_gap": {"low": None, "high": 2.0, "wanted": "<= 2 points"}}
