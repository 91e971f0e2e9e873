"""Rule and card data that cannot break the engine: files read safely, strict types, plain text, validation in
linear time, and agenda decks from which every deal succeeds (issue #11)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from conftest import CLASSIC_FINGERPRINT, CLASSIC_PATH, bundled
from summitgame import rng as _rng
from summitgame.cli import cli
from summitgame.engine import new_game
from summitgame.errors import MAX_PROBLEMS_SHOWN, Problem, RulesError
from summitgame.rules.crossref import cross_check
from summitgame.rules.loader import bundled_rule_files, check_file, load_rules, locate, parse_override
from summitgame.rules.ruleset import compile_ruleset
from summitgame.rules.schema import AgendaCard, AgendaDeck
from summitgame.safeio import MAX_DATA_BYTES

ROOT = Path(__file__).resolve().parents[2]
SUMMIT = ROOT / "rules" / "summit.toml"
TRADE = ROOT / "rules" / "trade.toml"
CARDS = ROOT / "cards"
BAD = ROOT / "tests" / "data" / "bad"

# FILE[:LINE]: [key.path: ]message, one line, nothing a terminal would act on
PROBLEM = re.compile(r"^[^\n]+?(:\d+)?: .+$")
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def problems_of(path: Path, overrides: tuple[str, ...] = ()) -> list[Problem]:
    with pytest.raises(RulesError) as info:
        load_rules(path, overrides)
    return info.value.problems


def rules_file(tmp_path: Path, body: str, name: str = "rules.toml") -> Path:
    """A rule file in ``tmp_path`` that extends the bundled rules and adds ``body``."""
    f = tmp_path / name
    f.write_text(f'extends = "{SUMMIT.as_posix()}"\n{body}', encoding="utf-8")
    return f


# --- 1. every file the loader reads goes through safeio ------------------------------------------------------


def test_a_fifo_as_rule_file_extends_parent_or_deck_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    rules_file(tmp_path, "", "a.toml").write_text(f'extends = "{fifo.name}"\n', encoding="utf-8")
    rules_file(tmp_path, f'[decks]\nevents = "{fifo.name}"\n', "b.toml")
    for target, where, fragment in [
        (fifo, "pipe.toml", "is a named pipe, not a regular file"),
        (tmp_path / "a.toml", "a.toml", "extends: cannot load"),
        (tmp_path / "b.toml", "b.toml", "decks.events: cannot load deck file"),
    ]:
        # a subprocess, so that a regression hangs only it: the timeout is a hang guard, not a timing
        done = subprocess.run(
            [sys.executable, "-m", "summitgame", "validate", str(target)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        first = done.stderr.splitlines()[0]
        assert Path(first.split(":")[0]).name == where and fragment in first, done.stderr


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_as_deck_or_parent_is_refused(tmp_path: Path, device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device} here")
    (p,) = problems_of(rules_file(tmp_path, f'[decks]\ngestures = "{device}"\n'))
    assert (p.path, p.line) == ("decks.gestures", 3)
    assert p.message == f"cannot load deck file {device}: is a device, not a regular file"
    parent = tmp_path / "child.toml"
    parent.write_text(f'extends = "{device}"\n', encoding="utf-8")
    (p,) = problems_of(parent)
    assert (Path(p.file).name, p.path, p.line) == ("child.toml", "extends", 1)
    assert "is a device" in p.message


def test_a_nul_byte_a_symlink_loop_a_folder_and_a_huge_file(tmp_path: Path) -> None:
    (tmp_path / "l1").symlink_to(tmp_path / "l2")
    (tmp_path / "l2").symlink_to(tmp_path / "l1")
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (MAX_DATA_BYTES + 1))
    cases = {
        '[decks]\nevents = "a\\u0000b.toml"\n': "holds a control character (\\x00",  # refused before any read
        '[decks]\nevents = "l1"\n': "a loop of symbolic links",
        f'[decks]\nevents = "{tmp_path.as_posix()}"\n': "is a folder",
        '[decks]\nevents = "big.toml"\n': "over the limit",
    }
    for body, fragment in cases.items():
        problems = problems_of(rules_file(tmp_path, body))
        assert any(fragment in p.message for p in problems), (body, [str(p) for p in problems])
        assert all(PROBLEM.match(str(p)) and not CONTROL.search(str(p)) for p in problems)
    (tmp_path / "nul.toml").write_text('extends = "x\\u0000y.toml"\n', encoding="utf-8")
    (p,) = problems_of(tmp_path / "nul.toml")
    assert p.path == "extends" and "NUL byte" in p.message and "\0" not in str(p)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("[rounds]\ncount = " + "[" * 5000 + "]" * 5000 + "\n", "nested deeper than"),
        ("[rounds]\ncount = " + "[" * 60 + "]" * 60 + "\n", "nested deeper than 48 levels"),
        ("[rounds]\ncount = " + "9" * 5000 + "\n", "holds an integer of more than 30 digits"),
        ("[rounds]\ncount = " + "9" * 31 + "\n", "holds an integer of more than 30 digits"),
        ("[rounds\n", "TOML syntax error"),
    ],
)
def test_deep_nesting_and_huge_integers_in_a_rule_file(tmp_path: Path, body: str, fragment: str) -> None:
    (p,) = problems_of(rules_file(tmp_path, body))
    assert fragment in p.message and len(str(p)) < 400


def test_deep_nesting_and_huge_integers_in_a_deck(tmp_path: Path) -> None:
    deck = tmp_path / "events.toml"
    for text, fragment in [
        ('deck = "events"\nx = ' + "[" * 3000 + "]" * 3000 + "\n", "nested deeper"),
        ('deck = "events"\nx = ' + "1" * 4400 + "\n", "more than 30 digits"),
    ]:
        deck.write_text(text, encoding="utf-8")
        (p,) = problems_of(rules_file(tmp_path, '[decks]\nevents = "events.toml"\n'))
        assert Path(p.file).name == "events.toml" and fragment in p.message
        with pytest.raises(RulesError, match=fragment):
            check_file(deck)


def test_files_named_by_data_are_found_relative_to_the_file_that_names_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # base/ names its decks and is extended from top/; the decks are found next to base, whatever the cwd
    base, top = tmp_path / "base", tmp_path / "top"
    (base / "cards").mkdir(parents=True)
    top.mkdir()
    for kind in ("events", "gestures", "agendas"):
        (base / "cards" / f"{kind}.toml").write_text((CARDS / f"{kind}.toml").read_text("utf-8"), encoding="utf-8")
    text = SUMMIT.read_text("utf-8").replace('"../cards/', '"cards/')
    (base / "rules.toml").write_text(text, encoding="utf-8")
    (top / "rules.toml").write_text('extends = "../base/rules.toml"\n[rounds]\ncount = 3\n', encoding="utf-8")
    monkeypatch.chdir(top)
    r = load_rules(top / "rules.toml")
    assert r.rounds == 3 and r.fingerprint == load_rules(base / "rules.toml", ["rounds.count=3"]).fingerprint
    # a deck named in top/ is found next to top/ (here: missing, and reported where top/ names it)
    (top / "rules.toml").write_text('extends = "../base/rules.toml"\n[decks]\nevents = "cards/events.toml"\n')
    (p,) = problems_of(top / "rules.toml")
    assert (p.file, p.path, p.line) == ("rules.toml", "decks.events", 3)
    assert p.message == f"deck file not found: {'cards/events.toml'}"


def test_a_file_named_by_data_that_is_no_rule_or_card_file_is_not_echoed(tmp_path: Path) -> None:
    # a shared rule file must not make validate print the keys and values of some other TOML file of yours
    secret = tmp_path / "secret.toml"
    secret.write_text('password = "hunter2"\n[database]\nuser_name = "admin"\n', encoding="utf-8")
    (tmp_path / "a.toml").write_text(f'extends = "{secret.name}"\n', encoding="utf-8")
    (p,) = problems_of(tmp_path / "a.toml")
    assert (Path(p.file).name, p.path, p.line) == ("a.toml", "extends", 1)
    assert "is not a rule file" in p.message
    (q,) = problems_of(rules_file(tmp_path, f'[decks]\nevents = "{secret.name}"\n'))
    assert "not a card file" in q.message
    for shown in (str(p), str(q)):
        assert not re.search("password|hunter2|database|user_name|admin", shown)


def test_a_targets_file_goes_through_safeio(tmp_path: Path) -> None:
    from summitgame.analysis.targets import load_targets

    rules = load_rules(SUMMIT)
    for text, fragment in [
        ("failed = " + "[" * 3000 + "]" * 3000 + "\n", "nested deeper"),
        ("failed = " + "9" * 5000 + "\n", "more than 30 digits"),
    ]:
        f = tmp_path / "targets.toml"
        f.write_text(text, encoding="utf-8")
        with pytest.raises(RulesError, match=fragment):
            load_targets(f, rules)
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    with pytest.raises(RulesError, match="named pipe"):
        load_targets(fifo, rules)


# --- 2. strict types -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "path", "message"),
    [
        ("rounds.count=true", "rounds.count", "expected an integer, got a boolean (true)"),
        ("rounds.count='5'", "rounds.count", "expected an integer, got a string ('5')"),
        ("rounds.count=5.0", "rounds.count", "expected an integer, got a float (5.0)"),
        ("rounds.count=inf", "rounds.count", "expected an integer, got a float (inf)"),
        ("rounds.count=nan", "rounds.count", "expected an integer, got a float (nan)"),
        ("rounds.count=1e308", "rounds.count", "expected an integer, got a float (1e+308)"),
        ("tracks.arms.stake=false", "tracks.arms.stake", "expected an integer or a table, got a boolean (false)"),
        ("tracks.arms.stake.moscow=2.5", "tracks.arms.stake.moscow", "expected an integer, got a float (2.5)"),
        ("meters.trust.start='3'", "meters.trust.start", "expected an integer or a table, got a string ('3')"),
        ("hands.size=[3]", "hands.size", "expected an integer, got an array"),
        ("name=5", "name", "expected a string, got an integer (5)"),
        ("schema_version=true", "schema_version", "must be the whole number 1"),
        ("schema_version=1.0", "schema_version", "must be the whole number 1"),
        ("roles.moscow={ name = 1 }", "roles.moscow.name", "expected a string, got an integer (1)"),
    ],
)
def test_set_refuses_values_of_the_wrong_type(override: str, path: str, message: str) -> None:
    (p,) = problems_of(SUMMIT, (override,))
    assert (p.file, p.path) == (f"--set {override}", path)
    assert message in p.message


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        ("[rounds]\ncount = true\n", "rounds.count", "got a boolean (true)"),
        ("[tracks.arms]\nstake = false\n", "tracks.arms.stake", "got a boolean (false)"),
        ('[rounds]\ncount = "5"\n', "rounds.count", "got a string ('5')"),
        ("[rounds]\ncount = 5.0\n", "rounds.count", "got a float (5.0)"),
        ("[hands]\nsize = 2021-01-01\n", "hands.size", "got a date or time (2021-01-01)"),
        ('[tunable]\n"rounds.count" = { min = "1", max = 8 }\n', 'tunable."rounds.count".min', "expected a number"),
        ('[tunable]\n"rounds.count" = { min = true, max = 8 }\n', 'tunable."rounds.count".min', "a boolean"),
        ('[tunable]\n"rounds.count" = { min = 1, max = inf }\n', 'tunable."rounds.count".max', "finite number"),
        ('[tunable]\n"rounds.count" = { min = 1, max = 8, step = 1.0 }\n', 'tunable."rounds.count"', "whole number"),
        # a key path the pattern allows but no rule value can have: a problem, not a ValueError
        (
            '[tunable]\n"' + "a." * 40 + 'b" = { min = 1, max = 2 }\n',
            'tunable."' + "a." * 40 + 'b"',
            "more than 32 keys",
        ),
        ('[tunable]\n"hands.size[9999999999]" = { min = 1, max = 2 }\n', 'tunable."hands.size[9999999999]"', "bad key"),
    ],
)
def test_files_refuse_values_of_the_wrong_type(tmp_path: Path, body: str, path: str, message: str) -> None:
    problems = problems_of(rules_file(tmp_path, body))
    p = next(p for p in problems if p.path == path)
    assert message in p.message and p.line is not None, [str(p) for p in problems]


def test_floats_accept_whole_numbers_and_the_bundled_rules_keep_their_fingerprints() -> None:
    # a [tunable] bound may be a float or an int; the bundled rules load exactly as before strict types (the
    # first edition of the default rules, rules/classic.toml, is the default file as it was then)
    assert load_rules(CLASSIC_PATH).fingerprint == CLASSIC_FINGERPRINT
    assert load_rules(TRADE).fingerprint == "52bdf44be3a7a20d"
    # the default rules change with each edition; whatever their numbers, no two bundled files share a fingerprint
    # (a record names the file it was played under by its fingerprint)
    prints = [load_rules(path).fingerprint for path in bundled_rule_files()]
    assert len(set(prints)) == len(prints) >= 3
    assert load_rules(SUMMIT).fingerprint in prints
    r = load_rules(None, ["rounds.count=5"])
    assert r.rounds == 5 and isinstance(r.spec.rounds.count, int)


# --- 3. control characters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "path"),
    [
        ('roles.washington.name="W\\u001b[31m"', "roles.washington.name"),
        ('roles.washington.description="a\\u202eb"', "roles.washington.description"),
        ('tracks.arms.name="Arms\\u0007"', "tracks.arms.name"),
        ('tracks.arms.short="\\u009b2J"', "tracks.arms.short"),
        ('name="Two\\nlines"', "name"),
        ('tiers.failed.name="\\u2066x"', "tiers.failed.name"),
        ('rounds.first_initiative="\\u001b"', "rounds.first_initiative"),
        ('decks.events="x\\u0000.toml"', "decks.events"),
    ],
)
def test_control_characters_in_names_and_texts_are_refused(override: str, path: str) -> None:
    (p,) = problems_of(SUMMIT, (override,))
    assert p.path == path
    assert "holds a control character" in p.message and "plain text" in p.message
    assert not CONTROL.search(str(p))


def test_descriptions_may_hold_newlines_and_tabs() -> None:
    r = load_rules(None, ['roles.moscow.description="One.\\n\\tTwo."'])
    assert r.spec.roles["moscow"].description == "One.\n\tTwo."


def test_control_characters_in_a_card_are_refused(tmp_path: Path) -> None:
    text = (CARDS / "gestures.toml").read_text("utf-8").replace('name = "Photo op"', 'name = "Photo\\u001b[2Jop"')
    (tmp_path / "gestures.toml").write_text(text, encoding="utf-8")
    (p,) = problems_of(rules_file(tmp_path, '[decks]\ngestures = "gestures.toml"\n'))
    assert p.path.endswith(".name") and "\\x1b" in p.message and p.line is not None


def test_keys_and_values_quoted_in_messages_are_printable_and_short(tmp_path: Path) -> None:
    long_key = "k" * 5000
    body = f'[rounds]\n"\\u001b[2J{long_key}" = 1\n"{long_key}x" = 2\ncount = "{"v" * 5000}"\n'
    problems = problems_of(rules_file(tmp_path, body))
    assert len(problems) == 3
    for p in problems:
        line = str(p)
        assert not CONTROL.search(line) and len(line) < 400 and PROBLEM.match(line), line
    assert any(str(p).startswith(f"{p.file}:") and "\\x1b[2J" in p.path for p in problems)
    # a --set that long is cut short too
    (p,) = problems_of(SUMMIT, ("rounds.count=" + "x" * 10_000,))
    assert len(str(p)) < 400 and "…" in p.file


# --- 4. validation in linear time -------------------------------------------------------------------------------


def test_problems_printed_are_capped() -> None:
    err = RulesError([Problem("a.toml", f"k{i}", "bad", i) for i in range(MAX_PROBLEMS_SHOWN + 50)])
    lines = str(err).splitlines()
    assert len(lines) == MAX_PROBLEMS_SHOWN + 1
    assert lines[-1] == "... and 50 more"
    assert len(err.problems) == MAX_PROBLEMS_SHOWN + 50


def many_problems(tmp_path: Path, keys: int, cards: int) -> list[str]:
    """A rule file with ``keys`` unknown keys in one table and a gesture deck of ``cards`` bad cards, in
    ``tmp_path``: the arguments of ``validate`` for both."""
    f = rules_file(tmp_path, "[rounds]\n" + "".join(f"unknown_key_{i} = {i}\n" for i in range(keys)))
    deck = "".join(
        f'[[cards]]\nid = "c{i}"\nname = "N"\nflavor = "f"\neffects = [{{ kind = "draw", count = "x" }}]\n'
        for i in range(cards)
    )
    (tmp_path / "gestures.toml").write_text(f'deck = "gestures"\n{deck}', encoding="utf-8")
    return ["validate", str(f), str(tmp_path / "gestures.toml")]


def check_problem_lines(stderr: str, total: int) -> None:
    """Every problem found in one go: the first ones shown, then how many more, then the count."""
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == MAX_PROBLEMS_SHOWN + 2
    assert lines[-2] == f"... and {total - MAX_PROBLEMS_SHOWN} more"
    assert lines[-1] == f"{total} problems found."
    assert lines[0] == "rules.toml:3: rounds.unknown_key_0: unknown key (not in the schema; a typo?)"


def test_a_file_with_thousands_of_problems_validates_in_one_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 2,000 unknown keys and 200 bad cards, in this process; the slow twin below has ten times as many
    args = many_problems(tmp_path, 2_000, 200)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit)
    check_problem_lines(res.stderr, 2_200)


@pytest.mark.slow
def test_a_file_with_tens_of_thousands_of_problems_validates_in_one_go(tmp_path: Path) -> None:
    # 20,000 unknown keys in one table (~460 kB) and 2,000 bad cards: quadratic validation took hours on this
    args = many_problems(tmp_path, 20_000, 2_000)
    done = subprocess.run(
        [sys.executable, "-m", "summitgame", *args],
        capture_output=True,
        text=True,
        timeout=300,  # a hang guard: it takes a few seconds
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        cwd=tmp_path,
    )
    assert done.returncode == 1
    check_problem_lines(done.stderr, 22_000)


def _old_locate(text: str, path: str) -> int | None:
    """The line finder before it was indexed (scan per lookup), kept as the reference it must agree with."""
    parts = [p for p in re.split(r"\.|\[|\]", path) if p]
    lines = text.splitlines()
    if all(p.isdigit() for p in parts):
        return None
    start, header_depth = 0, 0
    for depth in range(len(parts), 0, -1):
        prefix = parts[:depth]
        if prefix[-1].isdigit():
            name = ".".join(p for p in prefix[:-1] if not p.isdigit())
            hits = [i for i, ln in enumerate(lines) if ln.strip() == f"[[{name}]]"]
            if int(prefix[-1]) < len(hits):
                start, header_depth = hits[int(prefix[-1])], depth
                break
        else:
            name = ".".join(p for p in prefix if not p.isdigit())
            hits = [i for i, ln in enumerate(lines) if ln.strip().startswith(f"[{name}]")]
            if hits:
                start, header_depth = hits[0], depth
                break
    rest = parts[header_depth:]
    if all(p.isdigit() for p in rest):
        return start + 1
    end = len(lines)
    if header_depth:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
    line, found = start + (1 if header_depth else 0), None
    for part in rest:
        if part.isdigit():
            rows = [i for i in range(line, end) if lines[i].lstrip().startswith("{")]
            if int(part) < len(rows):
                line = rows[int(part)]
            continue
        key_re = re.compile(rf"(^|[{{,\s]){re.escape(part)}\s*=")
        hit = next((i for i in range(line, end) if key_re.search(lines[i])), None)
        if hit is None:
            break
        line = found = hit
    return found + 1 if found is not None else (start + 1 if header_depth else None)


def _paths(node: object, prefix: str = "") -> list[str]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, f"{prefix}[{i}]")
    return out


def test_the_indexed_line_finder_agrees_with_the_scanning_one() -> None:
    import tomllib

    files = [SUMMIT, TRADE, *CARDS.rglob("*.toml"), *BAD.rglob("*.toml")]
    checked = 0
    for f in files:
        text = f.read_text("utf-8")
        try:
            data = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError):
            continue
        for path in [*_paths(data), "no.such.key", "cards[999].id", "rounds.nope"]:
            assert locate(text, path) == _old_locate(text, path), (f.name, path)
            checked += 1
    assert checked > 2000


# --- 5. the deal always works ---------------------------------------------------------------------------------


def _old_deal(allowed: tuple[tuple[int, ...], ...], seed: int) -> tuple[int, int] | None:
    """The agenda deal as it was (None where it raised): a deal that succeeded must still deal the same."""
    state = _rng.seed_state(seed)
    state, i = _rng.below(state, len(allowed[0]))
    a0 = allowed[0][i]
    choices = [a for a in allowed[1] if a != a0]
    if not choices:
        return None
    state, i = _rng.below(state, len(choices))
    return a0, choices[i]


ROLE_SETS = st.sampled_from([(), ("washington",), ("moscow",), ("washington", "moscow")])


@given(st.lists(ROLE_SETS, min_size=1, max_size=5))
def test_an_agenda_deck_that_validates_deals_for_every_seed(role_sets: list[tuple[str, ...]]) -> None:
    base = bundled("summit")
    deck = AgendaDeck(
        deck="agendas",
        cards=[
            AgendaCard(id=f"a{i}", name=f"A{i}", flavor="f", roles=list(roles), stakes={"arms": 1})
            for i, roles in enumerate(role_sets)
        ],
    )
    problems = cross_check(
        base.spec, base.events_deck, base.gestures_deck, deck, lambda p: ("r", None), lambda k, p: ("d", None)
    )
    deal_problems = [p for p in problems if "agenda" in p.message]
    assert deal_problems == problems
    eligible = [[c for c in deck.cards if not c.roles or r in c.roles] for r in ("washington", "moscow")]
    some_pair = any(a is not b for a in eligible[0] for b in eligible[1])
    assert (not problems) == some_pair  # exact: refused iff no pair of distinct cards fits the two roles
    if problems:
        assert len(problems) == 1 and re.search(r"'(washington|moscow)'", problems[0].message)
        return
    rules = compile_ruleset(base.spec, base.events_deck, base.gestures_deck, deck)
    for seed in range(100):
        s = new_game(rules, seed)  # never raises
        a0, a1 = s.agendas
        assert a0 != a1 and a0 in rules.agenda_allowed[0] and a1 in rules.agenda_allowed[1]
        old = _old_deal(rules.agenda_allowed, seed)
        if old is not None:  # a deal that worked before is the same deal now
            assert (a0, a1) == old


def test_the_issue_deck_now_deals_every_seed(tmp_path: Path) -> None:
    # one agenda for either role and one only for Washington: Washington drawing the shared one crashed the deal
    (tmp_path / "agendas.toml").write_text(
        'deck = "agendas"\n'
        '[[cards]]\nid = "any"\nname = "Any"\nflavor = "f"\nstakes = { arms = 1 }\n'
        '[[cards]]\nid = "w_only"\nname = "W"\nflavor = "f"\nroles = ["washington"]\nstakes = { cyber = 1 }\n',
        encoding="utf-8",
    )
    rules = load_rules(rules_file(tmp_path, '[decks]\nagendas = "agendas.toml"\n'))
    assert sum(_old_deal(rules.agenda_allowed, seed) is None for seed in range(17)) > 0  # these used to crash
    deals = {tuple(rules.agenda_ids[a] for a in new_game(rules, seed).agendas) for seed in range(200)}
    assert deals == {("w_only", "any")}


def test_a_deck_both_roles_can_only_draw_one_card_from_is_refused(tmp_path: Path) -> None:
    (tmp_path / "agendas.toml").write_text(
        'deck = "agendas"\n[[cards]]\nid = "only"\nname = "Only"\nflavor = "f"\nstakes = { arms = 1 }\n',
        encoding="utf-8",
    )
    (p,) = problems_of(rules_file(tmp_path, '[decks]\nagendas = "agendas.toml"\n'))
    assert p.path == "cards"
    assert p.message == (
        "cannot deal one distinct agenda to each of 'washington' and 'moscow': both can only be dealt 'only'"
    )


def test_bundled_deals_are_unchanged() -> None:
    for path in (SUMMIT, TRADE):
        rules = load_rules(path)
        for seed in range(300):
            assert new_game(rules, seed).agendas == _old_deal(rules.agenda_allowed, seed)


# --- 6. --set values that overflow ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("rounds.count=" + "9" * 5000, "holds an integer of more than 30 digits"),
        ("rounds.count=" + "9" * 31, "holds an integer of more than 30 digits"),
        ("rounds.count=" + "[" * 3000 + "]" * 3000, "nested deeper than"),
        ("rounds.count=" + "[" * 50 + "]" * 50, "nested deeper than"),
        (".".join(["a"] * 40) + "=1", "more than 32 keys"),
    ],
)
def test_set_values_that_overflow_are_one_line_problems(override: str, fragment: str) -> None:
    (p,) = problems_of(SUMMIT, (override,))
    assert fragment in p.message and len(str(p)) < 300


def test_parse_override_takes_text_that_is_not_one_value_as_it_is() -> None:
    assert parse_override("name=1\n[x]\ny=2") == (["name"], "1\n[x]\ny=2")
    (p,) = problems_of(SUMMIT, ("name=1\n[x]\ny=2",))
    assert "control character" in p.message  # then refused as a name, not silently read as 1


def test_cli_prints_one_line_per_problem_and_no_traceback(tmp_path: Path) -> None:
    f = rules_file(tmp_path, '[roles.washington]\nname = "W\\u001b[2J"\n[rounds]\ncount = true\n')
    result = CliRunner().invoke(cli, ["validate", str(f)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert lines[-1] == "2 problems found."
    assert all(PROBLEM.match(line) and not CONTROL.search(line) for line in lines[:-1])
    result = CliRunner().invoke(cli, ["rules", "--set", "rounds.count=true"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "--set rounds.count=true: rounds.count: expected an integer, got a boolean (true)"
    )
