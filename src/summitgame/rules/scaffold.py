"""``summitgame init DIR``: the files a designer starts a variant from.

A small, commented rule set of its own (two roles, two tracks, a handful of cards), or with ``--from NAME`` a
copy of a bundled rule set and its decks; either way a targets file for ``summitgame targets`` and ``tune``,
and the JSON Schemas the ``#:schema`` first lines point at, so an editor checks every file as it is typed.
Nothing is ever overwritten: if any file to write exists, nothing is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import safeio
from ..errors import SummitError
from .loader import bundled_rule_files, data_dir, did_you_mean, display, load_rules, model_json_schemas

DECK_KINDS = ("events", "gestures", "agendas")
SCHEMA_KINDS = ("rules", "rules-partial", "events", "gestures", "agendas")


class InitError(SummitError):
    """``init`` would overwrite a file, or cannot write one."""


def schema_line(kind: str, depth: int = 0) -> str:
    """The first line that points a TOML language server at a schema ``init`` writes beside the rules."""
    return f"#:schema {'../' * depth or './'}summitgame-{kind}.schema.json\n"


def bundled_names() -> list[str]:
    """The bundled rule sets ``--from`` can copy (``summit``, ``classic``, ``trade``)."""
    return [p.stem for p in bundled_rule_files()]


@dataclass(frozen=True)
class Skeleton:
    """The files to write: path relative to the folder -> text."""

    files: dict[str, str]


def _from_bundled(name: str) -> Skeleton:
    """A copy of a bundled rule set: its rule file and decks, comments and all, the decks moved beside it."""
    path = next((p for p in bundled_rule_files() if p.stem == name), None)
    if path is None:
        guess = did_you_mean(name, bundled_names())
        hint = f"did you mean {guess!r}? " if guess else ""
        raise InitError(f"no bundled rule set {name!r}; {hint}choose one of {', '.join(bundled_names())}")
    rules = load_rules(path)
    text = safeio.read_text(path, name=display(path))
    files: dict[str, str] = {}
    for kind in DECK_KINDS:
        ref = getattr(rules.spec.decks, kind)
        deck = (path.parent / ref).resolve()
        text = re.sub(rf'(?m)^({kind}\s*=\s*)"[^"\n]*"', rf'\1"cards/{kind}.toml"', text, count=1)
        files[f"cards/{kind}.toml"] = schema_line(kind, 1) + safeio.read_text(deck, name=display(deck))
    files["rules.toml"] = schema_line("rules") + text
    targets = data_dir() / "rules" / "targets" / f"{name}.toml"
    files["targets.toml"] = (
        safeio.read_text(targets, name=display(targets))
        if targets.is_file()
        else _targets_for(rules.name, rules.tier_ids)
    )
    return Skeleton(files)


def _targets_for(name: str, tiers: Sequence[str]) -> str:
    """A targets file asking that every tier happen and neither side be favoured."""
    lines = [
        f"# Balance targets for {name}: check them with `summitgame targets targets.toml --rules rules.toml`,",
        "# or search the [tunable] ranges for rules that meet them with",
        "#   summitgame tune --rules rules.toml --targets targets.toml",
        "# Each key names a measure (`summitgame sweep --help` lists them); each value a wanted range.",
        "",
        *(f'{t} = "5%..80%"' for t in tiers),
        'role_gap = "< 3 points"        # neither side is favoured by more than 3 points a game',
        'median_end_round = ">= 3"      # summits rarely collapse early',
        "",
        "[run]",
        "games = 400",
        'agents = ["greedy", "boulware", "linear", "titfortat"]',
        "",
    ]
    return "\n".join(lines)


def skeleton(source: str | None = None) -> Skeleton:
    """The files of a new variant: the small skeleton, or a copy of the bundled rule set ``source``."""
    sk = _from_bundled(source) if source is not None else Skeleton(dict(SKELETON))
    schemas = model_json_schemas()
    files = dict(sk.files)
    for kind in SCHEMA_KINDS:
        files[f"summitgame-{kind}.schema.json"] = json.dumps(schemas[kind], indent=2) + "\n"
    return Skeleton(files)


def write_skeleton(folder: Path, sk: Skeleton) -> list[Path]:
    """Write every file of ``sk`` under ``folder`` (created if need be); InitError, before writing anything,
    if one of them exists."""
    paths = [folder / rel for rel in sk.files]
    taken = [p for p in paths if p.exists() or p.is_symlink()]
    if taken:
        shown = ", ".join(display(p) for p in taken[:5]) + (f" and {len(taken) - 5} more" if len(taken) > 5 else "")
        raise InitError(f"{shown} already exist{'s' if len(taken) == 1 else ''}; init never overwrites a file")
    if folder.exists() and not folder.is_dir():
        raise InitError(f"{display(folder)} is not a folder")
    written = []
    try:
        for path, text in zip(paths, sk.files.values(), strict=True):
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8", newline="\n") as f:  # "x": never replace a file
                f.write(text)
            written.append(path)
    except OSError as exc:
        raise InitError(f"cannot write {display(path)}: {exc.strerror or exc}") from None
    return written


RULES = '''\
# River summit: a small rule set to start a variant from (written by `summitgame init`).
#
# Two neighbours share a river. Each wants concessions that matter at home, gives only what is cheap
# for it, and must not be the one who walks out. Every number the engine plays with is in this file
# or in the card files it names. The README's designers' part explains each section;
# `summitgame validate rules.toml` checks the file, `summitgame rules --rules rules.toml` prints the
# rulebook, `summitgame simulate --rules rules.toml` plays it.

schema_version = 1
name = "River summit"
description = """
Upstream and downstream neighbours meet over a shared river: who gets the water, and who may
sell what to whom. Mistrust limits what can be agreed; pressure at home limits what each can give."""

# Every track moves through these stages, first to last; a package moves a track one stage per step.
stages = ["deadlock", "talks", "framework", "accord"]

[rounds]
count = 5
first_initiative = "random"     # a role id, or "random"
# Between rounds, a leader who won nothing this round feels impatience at home.
end_effects = [
    { kind = "change_meter", meter = "pressure", who = "self", by = 1, when = [{ kind = "gained", value = false }] },
]

[decks]                         # relative to this file
events = "cards/events.toml"
gestures = "cards/gestures.toml"
agendas = "cards/agendas.toml"

[roles.upstream]
name = "Upstream"
description = "Holds the dams, and the water."

[roles.downstream]
name = "Downstream"
description = "Holds the port, and the markets."

[meters.trust]
name = "Trust"
description = "Shared: it caps how big a deal can be and opens hard tracks."
scope = "shared"
min = 0
max = 10
start = 2
breakdown_at = 0                # at the end of a round with trust at 0, talks break down

[meters.pressure]
name = "Pressure at home"
description = "How hard each leader is pushed at home. At the limit, that leader walks out."
scope = "per_role"
min = 0
max = 10
start = { upstream = 2, downstream = 2 }
walkout_at = { upstream = 10, downstream = 10 }
score_penalty = 1               # points lost per point of pressure left at the end

# stake: points per step a role scores when the other side concedes here (and loses conceding);
# cost: pressure per step a role suffers conceding here; relief: pressure it sheds gaining here;
# gate: the trust a track needs before any package may touch it.
[tracks.water]
name = "Water sharing"
short = "Water"
start = "deadlock"
gate = { meter = "trust", at_least = 3 }
stake = { upstream = 2, downstream = 5 }
cost = { upstream = 2, downstream = 1 }
relief = 1

[tracks.trade]
name = "Trade and transit"
short = "Trade"
start = "deadlock"
stake = { upstream = 4, downstream = 2 }
cost = { upstream = 1, downstream = 2 }
relief = 1

[proposals]
max_items_per_side = 2
max_steps_per_item = 2
max_counters = 1                # counter-proposals per round
two_sided = true                # every package is a trade: something from each side
auto_offer = true               # a full package is offered at once
cap_meter = "trust"             # total steps in a package, by trust:
cap = [{ at_least = 0, steps = 2 }, { at_least = 5, steps = 4 }]
cost_meter = "pressure"
on_accept = [{ kind = "change_meter", meter = "trust", by = 1 }]
on_reject = [
    { kind = "change_meter", meter = "trust", by = -1 },
    { kind = "change_meter", meter = "pressure", who = "self", by = 1 },
]

[hands]
size = 2                        # gesture cards dealt to each leader
limit = 4
draw_per_round = 1
plays_per_turn = 1

# Tiers are checked in this order; the first that holds is the outcome. The last has no conditions.
[outcome]
order = ["failed", "deal", "symbolic"]
walkout_penalty = 5             # extra points lost by a leader who walks out

[tiers.failed]
name = "Failed"
bonus = -5
any = [
    { kind = "ended_by", reasons = ["walkout", "breakdown"] },
    { kind = "meter", meter = "trust", at_most = 1 },
]

[tiers.deal]
name = "Deal"
description = "At least one track reached an accord."
bonus = 5
all = [{ kind = "tracks", at_least = "accord", count = 1 }]

[tiers.symbolic]
name = "Symbolic"
description = "They met and talked; nothing was signed."
bonus = 2

# The numbers a designer may move, and how far: `--set`, `summitgame sweep` and `summitgame tune`
# refuse values outside these ranges. Key paths reach the cards too (`cards.DECK.CARD_ID.FIELD`);
# a card file may declare ranges for its own cards.
[tunable]
"rounds.count" = { min = 3, max = 8 }
"meters.trust.start" = { min = 1, max = 5 }
"tracks.water.gate.at_least" = { min = 1, max = 5 }
"cards.gestures.open_the_sluices.effects[0].by" = { min = 1, max = 2, description = "Trust a gift of water buys." }
'''

EVENTS = """\
# River summit: the event deck. One event is drawn at the start of each round; its effects apply at
# once ('self' = the leader with the initiative).
deck = "events"

[[cards]]
id = "drought"
name = "Drought"
flavor = "The river runs low and tempers run high."
copies = 2
effects = [{ kind = "change_meter", meter = "pressure", who = "both", by = 1 }]

[[cards]]
id = "flood_warning"
name = "Flood warning"
flavor = "Both sides need each other's gauges."
copies = 2
effects = [{ kind = "change_meter", meter = "trust", by = 1 }]

[[cards]]
id = "border_incident"
name = "Border incident"
flavor = "A patrol boat strays across the line."
effects = [{ kind = "change_meter", meter = "trust", by = -1 }]
"""

GESTURES = """\
# River summit: the gesture deck. Each leader holds a hand; the initiative may play one before
# proposing ('self' = the player, 'other' the opponent). Every gesture buys something at a price.
deck = "gestures"

[[cards]]
id = "open_the_sluices"
name = "Open the sluices"
flavor = "A week of extra water, as a sign of good faith."
copies = 2
effects = [
    { kind = "change_meter", meter = "trust", by = 1 },
    { kind = "change_meter", meter = "pressure", who = "self", by = 1 },
]

[[cards]]
id = "trade_fair"
name = "Trade fair"
flavor = "Merchants from both banks, one marquee."
copies = 2
effects = [
    { kind = "change_meter", meter = "pressure", who = "self", by = -1 },
    { kind = "change_meter", meter = "trust", by = -1, when = [{ kind = "meter", meter = "trust", at_most = 2 }] },
]

[[cards]]
id = "envoy"
name = "Quiet envoy"
flavor = "A trusted go-between learns what the other side really wants."
copies = 2
effects = [
    { kind = "reveal_agenda", who = "other" },
    { kind = "change_meter", meter = "pressure", who = "self", by = 1 },
]

# A card file may declare ranges for its own cards' numbers, named as --set names them:
[tunable]
"cards.gestures.open_the_sluices.copies" = { min = 1, max = 4 }
"""

AGENDAS = """\
# River summit: the secret agendas. One is dealt to each leader at setup; it adds to its holder's
# stakes, unseen by the opponent.
deck = "agendas"

[[cards]]
id = "thirsty_farms"
name = "Thirsty farms"
flavor = "The farm lobby wants water, and wants it now."
stakes = { water = 2 }

[[cards]]
id = "export_drive"
name = "Export drive"
flavor = "The ministry wants the port open to every barge."
stakes = { trade = 2 }

[[cards]]
id = "quiet_border"
name = "Quiet border"
flavor = "Calm is worth more than any single clause."
stakes = { water = 1, trade = 1 }
"""

SKELETON = {
    "rules.toml": schema_line("rules") + RULES,
    "cards/events.toml": schema_line("events", 1) + EVENTS,
    "cards/gestures.toml": schema_line("gestures", 1) + GESTURES,
    "cards/agendas.toml": schema_line("agendas", 1) + AGENDAS,
    "targets.toml": _targets_for("River summit", ("failed", "deal", "symbolic")),
}
