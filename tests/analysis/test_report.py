"""The HTML reports parse and hold every chart as inline SVG, with no external assets."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from summitgame.analysis.html import CHARTS, chart_ids
from summitgame.cli import cli
from summitgame.rules.loader import default_rules_path


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.figures: list[str] = []
        self.svgs = 0
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "figure" and a.get("id"):
            self.figures.append(str(a["id"]))
        if tag == "svg":
            self.svgs += 1
        if tag in ("script", "img", "link") and (a.get("src") or a.get("href")):
            self.external.append(tag)


def test_balance_html_has_every_chart(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    res = CliRunner().invoke(cli, ["balance", "--agents", "greedy", "--games", "8", "--html", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    p = Collect()
    p.feed(page)
    assert p.figures == [f"chart-{c}" for c in CHARTS]
    assert p.svgs >= len(CHARTS) and not p.external
    assert chart_ids(page) == list(CHARTS)
    assert "8. Provenance" in page


def test_compare_html(tmp_path: Path) -> None:
    out = tmp_path / "cmp.html"
    rules = str(default_rules_path())
    res = CliRunner().invoke(cli, ["compare", rules, rules, "--agents", "greedy", "--games", "4", "--html", str(out)])
    assert res.exit_code == 0, res.output
    p = Collect()
    p.feed(out.read_text(encoding="utf-8"))
    assert p.figures == ["chart-compare"] and p.svgs >= 1


def test_schemas_are_printed_and_are_valid_json_schema() -> None:
    import json

    import jsonschema

    from summitgame.analysis.schema import json_schema

    for cmd in ("balance", "compare"):
        res = CliRunner().invoke(cli, [cmd, "--schema"])
        assert res.exit_code == 0 and json.loads(res.output) == json_schema(cmd)
        jsonschema.Draft202012Validator.check_schema(json_schema(cmd))


def _row(metric: str, kind: str, a: float, b: float, sig: bool = True) -> dict[str, object]:
    d = b - a
    return {
        "metric": metric,
        "kind": kind,
        "a": {"value": a, "low": None, "high": None},
        "b": {"value": b, "low": None, "high": None},
        "difference": {"n": 100, "value": d, "low": d - 0.01, "high": d + 0.01},
        "significant": sig,
        "verdict": "higher under B" if d > 0 else "lower under B",
    }


def test_compare_page_opens_with_a_short_verdict_coloured_by_direction() -> None:
    """Before: one bullet per significant metric (25 of them) and every significant bar red."""
    from summitgame.analysis.html import HUES, compare_html, compare_verdict, direction

    metrics = [_row(f"track:t{i}", "rate", 0.5, 0.5 + i / 100) for i in range(1, 24)]
    metrics += [_row("score_gap", "mean", 2.0, 0.5), _row("walkout:moscow", "rate", 0.1, 0.3)]
    metrics.append(_row("rounds", "mean", 6.0, 6.1, sig=False))
    doc = {
        "a": {"label": "A", "name": "x", "fingerprint": "f"},
        "b": {"label": "B", "name": "y", "fingerprint": "g"},
        "games": 100,
        "agents": ["greedy"],
        "seed": 0,
        "metrics": metrics,
        "significant": [m["metric"] for m in metrics if m["significant"]],
        "command": "summitgame compare",
    }
    lines = compare_verdict(doc)
    assert len(lines) == 4 and lines[0].startswith("B differs from A in 25 of 26 metrics")
    assert lines[1] == "Better balanced: score_gap -1.50."
    assert lines[2] == "Worse balanced: walkout:moscow +20.0 pts."
    assert lines[3].startswith("Changed: track:t23 +23.0 pts") and lines[3].endswith("and 19 more.")
    assert direction(metrics[-3]) == "better" and direction(metrics[-2]) == "worse" and direction(metrics[0]) is None
    page = compare_html(doc)
    assert page.count("<li>") == 0 and HUES["better"] in page and HUES["worse"] in page
