"""The HTML reports parse and hold every chart as inline SVG, with no external assets."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from summitgame.analysis.html import CHARTS, chart_ids
from summitgame.cli import cli
from summitgame.loader import default_rules_path


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

    from summitgame.analysis.schema import BALANCE_SCHEMA, COMPARE_SCHEMA

    for cmd, want in (("balance", BALANCE_SCHEMA), ("compare", COMPARE_SCHEMA)):
        res = CliRunner().invoke(cli, [cmd, "--schema"])
        assert res.exit_code == 0 and json.loads(res.output) == want
    try:
        import jsonschema
    except ImportError:  # optional: the built-in validator is what the other tests use
        return
    jsonschema.Draft202012Validator.check_schema(BALANCE_SCHEMA)
    jsonschema.Draft202012Validator.check_schema(COMPARE_SCHEMA)
