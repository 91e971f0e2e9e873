"""The ``--json`` report documents (balance, compare, sweep, sensitivity, targets, exploit) as typed models.

Each document is a ``TypedDict``: the builders annotate what they return with it (a plain dict at run time,
so a report costs nothing more to build and prints as before), and ``json_schema(kind)`` generates its JSON
Schema (draft 2020-12) with pydantic for ``--schema`` and docs/reference; the tests validate real outputs
against it with ``jsonschema``. A class's docstring is its description in the schema. Every object lists all
its keys: a report's ``extra="forbid"`` reaches each model inside it (``additionalProperties: false``), so a
key a builder adds without adding it here fails the tests."""

from __future__ import annotations

import copy
from functools import cache
from typing import Annotated, Any, Literal, NotRequired

from pydantic import ConfigDict, Field, TypeAdapter, with_config
from typing_extensions import TypedDict

Count = Annotated[int, Field(ge=0)]
"""A count: a whole number, 0 or more."""
Num = float | None
"""A figure that is null when there is too little data."""


# --- figures with their intervals ------------------------------------------------------------------------


class Estimate(TypedDict):
    """A point estimate with its two-sided 95% interval (null when there is too little data)."""

    value: Num
    low: Num
    high: Num


class Rate(TypedDict):
    """A count out of n with its Wilson 95% interval."""

    count: float
    n: Count
    value: Num
    low: Num
    high: Num


class Share(TypedDict):
    """count out of n (summed over games) with a percentile bootstrap 95% interval that resamples whole games
    (the items of one game are not independent)."""

    count: Count
    n: Count
    games: Count
    value: Num
    low: Num
    high: Num


class Mean(TypedDict):
    """A mean over n values with its seeded percentile bootstrap 95% interval."""

    n: Count
    value: Num
    low: Num
    high: Num


class MatchedDifference(TypedDict):
    """mean(with the card) − mean(without it) among games of the same length, weighted by the card's games of
    each length, with a 95% interval that resamples deals and is widened by Student's t (analysis.cardstats)."""

    n_without: Count
    n_with: Count
    deals_with: NotRequired[Annotated[Count, Field(description="Distinct deals among the units with the card.")]]
    deals_without: NotRequired[Count]
    matched: NotRequired[
        Annotated[Count, Field(description="Units with the card in a game length that also has units without it.")]
    ]
    value: Num
    low: Num
    high: Num


class Band(TypedDict):
    """A meter's mean and 10th/90th percentiles at one point of the game."""

    point: str
    n: Count
    mean: float
    p10: float
    p90: float


class Difference(TypedDict):
    """B − A over n paired deals, with its 95% interval."""

    n: Count
    value: Num
    low: Num
    high: Num


CompareVerdict = Literal["higher under B", "lower under B", "no significant difference"]


class CompareRow(TypedDict):
    """One metric under A and under B, their difference (B − A) with its 95% interval, and the verdict."""

    metric: str
    kind: Literal["rate", "mean"]
    a: Rate | Mean
    b: Rate | Mean
    difference: Difference
    significant: bool
    verdict: CompareVerdict


class RulesId(TypedDict):
    """The rules a report was made under: their name, fingerprint and (when read from a file) source."""

    name: str
    fingerprint: str
    source: NotRequired[str | None]


# --- balance: the sections ---------------------------------------------------------------------------------


class Ending(TypedDict):
    """How the games of one ending (or of one tier) ended: the share, the meter and the round."""

    share: Rate
    meters: NotRequired[dict[str, Rate]]
    rounds: NotRequired[dict[str, Count]]


class Alternative(TypedDict):
    """One condition of a tier's 'any': how often it held, and how often it held alone."""

    condition: str
    text: str
    held: Rate
    alone: Rate


class Miss(TypedDict):
    """A condition of an earlier tier and how often it failed."""

    text: str
    failed: Rate


class TierCauses(TypedDict):
    """Why one tier happened, over its games."""

    n: Count
    conditions: NotRequired[list[str]]
    alternatives: list[Alternative]
    missed: dict[str, list[Miss]]
    endings: dict[str, Ending]
    accords: dict[str, Rate]


class Causes(TypedDict):
    """Why each tier happened: over its games, which 'any' condition held (and held alone), which condition of
    each earlier tier failed, how its games ended (the meter and the round) and which tracks reached accord;
    then every ending by cause. Counts out of the tier's (or ending's) games, Wilson 95%."""

    tiers: dict[str, TierCauses]
    endings: dict[str, Ending]


class Outcomes(TypedDict):
    """Section 1: the share of each tier, ending and walk-out, and their causes."""

    n: Count
    tiers: dict[str, Rate]
    endings: dict[str, Rate]
    walkouts: dict[str, Rate]
    causes: Causes


class RoleRecord(TypedDict):
    """One role's win rate and mean score."""

    win_rate: Rate
    mean_score: Mean


FavouredBy = Literal["score", "wins", "both", "conflict"] | None
"""Which measure favours a role (``aggregate.role_verdict``)."""


class Roles(TypedDict):
    """Section 2: the role advantage."""

    roles: dict[str, RoleRecord]
    ties: Rate
    score_gap: Mean
    first_role_share_of_decided: NotRequired[Rate]
    significant: bool
    favoured: str | None
    favoured_by: NotRequired[
        Annotated[
            FavouredBy,
            Field(
                description="Which measure is significant: the score gap, the first role's share of decided games, "
                "both (agreeing), or both disagreeing (then no role is favoured); null when neither is."
            ),
        ]
    ]
    verdict: str


class Length(TypedDict):
    """Section 3: how many rounds the games last."""

    rounds: dict[str, Count]
    mean_rounds: Mean
    full_length: Rate


class NearMiss(TypedDict):
    """How close the players who did not walk out came to a meter's limit."""

    limit: int
    mean_peak_of_non_walkers: Mean
    highest_of_non_walkers: int | None
    near_misses: Rate


class Level(TypedDict):
    """The level at which the meter ends the game: a shared meter's breakdown (at or below), a per-role
    meter's walk-out (at or above)."""

    breakdown_at: NotRequired[int]
    walkout_at: NotRequired[int]


class Meters(TypedDict):
    """Section 4: each meter's trajectory, near misses and ending level."""

    trajectories: dict[str, list[Band]]
    near_misses: dict[str, NearMiss]
    levels: NotRequired[dict[str, Level]]


class TrackAccord(TypedDict):
    """How often a track was agreed, and reached its last stage."""

    agreed: Rate
    last_stage: Rate


class Negotiation(TypedDict):
    """Section 5: offers, deals and tracks."""

    per_game: dict[str, Mean]
    acceptance: Rate
    deal_steps: Mean
    deal_sizes: dict[str, Count]
    no_deal_games: Rate
    tracks: dict[str, TrackAccord]


class Decisions(TypedDict):
    """The players' decisions: how many per game, and the share with exactly one legal choice (forced),
    overall and by the kind of that choice (the kinds add up to the overall share)."""

    per_game: Mean
    forced: Share
    forced_by_kind: dict[str, Share]


CardVerdict = Annotated[
    Literal["judged", "too_few"],
    Field(description="too_few: fewer units or deals than min_plays / min_deals on a side; shown, not ranked."),
]
CardRank = Annotated[
    int | None, Field(description="1 = the largest score shift (an event: of either role); null: too few to judge.")
]


class GestureStats(TypedDict):
    """A gesture: how often it was played, and the score and tier shifts of its player."""

    played_in: Rate
    plays: Count
    score_shift: MatchedDifference
    tier_shift: dict[str, MatchedDifference]
    verdict: NotRequired[CardVerdict]
    rank: NotRequired[CardRank]


class EventStats(TypedDict):
    """An event: how often it was drawn, and the score shift of each role and the tier shifts."""

    drawn_in: Rate
    score_shift: dict[str, MatchedDifference]
    tier_shift: dict[str, MatchedDifference]
    verdict: NotRequired[CardVerdict]
    rank: NotRequired[CardRank]


class Cards(TypedDict):
    """Section 6: every gesture and event, with or without it."""

    note: NotRequired[str]
    min_plays: NotRequired[
        Annotated[Count, Field(description="Fewer units with the card (or without it) than this: too few.")]
    ]
    min_deals: NotRequired[
        Annotated[Count, Field(description="Fewer distinct deals with the card (or without it): too few.")]
    ]
    gestures: dict[str, GestureStats]
    events: dict[str, EventStats]


class Sections(TypedDict):
    """The sections a balance report and its recorded games share (``aggregate.aggregate``)."""

    outcomes: Outcomes
    roles: Roles
    length: Length
    meters: Meters
    negotiation: Negotiation
    decisions: Decisions
    cards: Cards


# --- balance: agents, exploits, impact, recorded games, ablations ------------------------------------------


class Standing(TypedDict):
    """One agent's games, results and ratings."""

    agent: str
    games: Count
    wins: Count
    ties: Count
    losses: Count
    score_rate: Estimate
    win_rate: NotRequired[Estimate]
    mean_score: Estimate
    rating: NotRequired[Estimate]


class Pairing(TypedDict):
    """One agent against another: games and score rate."""

    games: Count
    score_rate: Estimate


class Agents(TypedDict):
    """Section 7: the agents' standings, crosstable and score rates per role."""

    standings: list[Standing]
    crosstable: dict[str, dict[str, Pairing]]
    per_role: dict[str, dict[str, Estimate]]


class ProbePairing(TypedDict):
    """A probe against an agent, from the probe's side."""

    probe: str
    agent: str
    line: str
    games: Count
    wins: Count
    ties: Count
    losses: Count
    score_rate: Estimate
    beats: Annotated[bool, Field(description="The probe wins at 95%: the score rate's interval lies above 50%.")]


class Exploits(TypedDict):
    """Each probe agent (a cheap line) against each agent of the report that is not a probe, role-swapped on
    the report's deals; score rates from the probe's side."""

    games_per_pairing: Count
    probes: Annotated[dict[str, str], Field(description="Each probe's line in words (CHEAP_LINES).")]
    agents: list[str]
    pairings: list[ProbePairing]
    forfeits: Count
    played: Count


class CardImpact(TypedDict):
    """One card's draws and how often blanking one flipped the tier or the winner."""

    card: str
    kind: Literal["event", "gesture"]
    draws: Count
    deals: Annotated[
        Count,
        Field(
            description="Distinct deals those draws come from (draws of one deal are not independent: balance "
            "plays every pair of agents on the same deals)."
        ),
    ]
    no_change: Annotated[Count, Field(description="Draws where blanking changed nothing at once (no replay needed).")]
    tier_flips: Rate
    winner_flips: Rate
    verdict: Annotated[
        Literal["too_few", "inert", "decisive", "ranked"],
        Field(
            description="too_few: fewer than min_draws draws; inert: never flips the tier or the winner; "
            "decisive: flips the tier on more than decisive_share of its draws."
        ),
    ]
    rank: Annotated[int | None, Field(description="1 = most impact; null: not ranked.")]


class ImpactSummary(TypedDict):
    """All the cards of one kind together."""

    draws: Count
    tier_flips: Rate
    winner_flips: Rate
    games_with_a_tier_flip: Rate


class ImpactReplays(TypedDict):
    """The replays played for the impact section."""

    draws: Count
    deals: Count
    played: Count
    unchanged: Count
    forfeits: Count
    diverged: Count


class Impact(TypedDict):
    """Counterfactual card impact: every card drawn or played in the run's games, the game replayed with that
    draw's effects blanked (the card still drawn or played); the share of draws where the tier or the winner
    flips. Cards with fewer than min_draws draws, or drawn in fewer than min_deals distinct deals, are too few
    to judge and not ranked."""

    min_draws: Count
    min_deals: NotRequired[Count]
    decisive_share: float
    cards: Annotated[
        list[CardImpact],
        Field(description="Every event and gesture: the ranked ones first, by tier flips then winner flips."),
    ]
    summary: dict[str, ImpactSummary]
    replays: ImpactReplays


class Skipped(TypedDict):
    """A recorded file or line that could not be read, and why."""

    where: str
    why: str


class _RecordedHead(TypedDict):
    folder: str
    files: Count
    games: Count
    skipped: list[Skipped]
    skipped_count: Count


class Recorded(_RecordedHead, Sections):
    """The recorded games of --records, read and measured like the run's games."""


class Comparison(TypedDict):
    """Every metric with and without the ablated cards, and the significant ones."""

    metrics: list[CompareRow]
    significant: list[str]


class Change(TypedDict):
    """B − A paired on the deals (B: without the cards), 95% CI, and whether it excludes 0."""

    n: NotRequired[Count]
    value: Num
    low: Num
    high: Num
    significant: bool


Changed = Annotated[Change | None, Field(description="null: not measured (the ablation was not played).")]


class AblationSummary(TypedDict):
    """The changes in each tier's share, the score gap and the game length."""

    tiers: dict[str, Changed]
    score_gap: Changed
    rounds: Changed


class Ablation(TypedDict):
    """The run replayed with cards taken out of their decks (B) against the rules as given (A)."""

    cards: list[str]
    kinds: list[Literal["event", "gesture", "agenda", "?"]]
    rules: RulesId | None
    skipped: Annotated[
        str | None, Field(description="Why the card could not be taken out (--ablate-all: say, a deck left empty).")
    ]
    comparison: Comparison
    summary: AblationSummary


class Provenance(TypedDict):
    """What was played, by whom, and the command that reproduces it."""

    rules: RulesId
    engine: str
    agents: dict[str, str]
    seed: int
    games_requested: Count
    games_per_pair: Count
    games_planned: Count
    games_measured: Count
    forfeits: Count
    command: str


class Speed(TypedDict):
    """Timing of the run; the only part of the document that depends on the machine, --workers and
    --scheduler."""

    workers: Count
    played: Count
    seconds: float
    games_per_second: Num
    scheduler: NotRequired[Annotated[str, Field(description="The Dask scheduler's address (workers: its threads).")]]


class _BalanceHead(TypedDict):
    format: Literal["summitgame-balance"]
    version: Literal[1]
    warnings: list[str]


@with_config(ConfigDict(extra="forbid", title="summitgame balance report"))
class BalanceReport(_BalanceHead, Sections):
    """The output of `summitgame balance --json`: sections 1–8 of the balance report."""

    agents: Agents
    exploits: Annotated[
        Exploits | None,
        Field(description="null: no probe games were played (--probe-games 0, or every agent is a probe)."),
    ]
    impact: Annotated[Impact | None, Field(description="null: not measured (balance without --impact).")]
    recorded: Annotated[Recorded | None, Field(description="null: no --records.")]
    ablation: Annotated[
        Ablation | None,
        Field(description="The first ablation of 'ablations' that was played (kept for single-ablation readers)."),
    ]
    ablations: NotRequired[
        Annotated[
            list[Ablation] | None,
            Field(
                description="One ablation per --ablate value (a comma list: those cards together), then with "
                "--ablate-all one per event and gesture card, largest change in a tier's share first; null: no "
                "--ablate or --ablate-all."
            ),
        ]
    ]
    labels: NotRequired[
        Annotated[
            dict[str, dict[str, str]],
            Field(
                description="Display names of the rule data's ids (roles, tiers, tracks, meter series keys such "
                "as 'pressure:moscow', events, gestures), for charts and tables."
            ),
        ]
    ]
    provenance: Provenance
    speed: NotRequired[Speed]


# --- compare --------------------------------------------------------------------------------------------------


class RulesSide(TypedDict):
    """One of the two rule sets compared."""

    label: str
    name: str
    fingerprint: str


class Batch(TypedDict):
    """The test's log-likelihood ratios after a batch (for a difference of +delta and of −delta)."""

    games: Count
    llr_up: float
    llr_down: float


class Sequential(TypedDict):
    """The sequential test of --until-significant: its decision, the games it took and each batch."""

    metric: str
    delta: float
    alpha: float
    beta: float
    bounds: list[float]
    decision: Literal["differ", "same"] | None
    games: Count
    max_games: Count
    batches: list[Batch]


@with_config(ConfigDict(extra="forbid", title="summitgame comparison of two rule sets"))
class CompareReport(TypedDict):
    """The output of `summitgame compare --json`."""

    format: Literal["summitgame-compare"]
    version: Literal[1]
    a: RulesSide
    b: RulesSide
    agents: dict[str, str]
    seed: int
    games: Count
    metric: NotRequired[str]
    metrics: list[CompareRow]
    significant: list[str]
    only_in_a: NotRequired[list[str]]
    only_in_b: NotRequired[list[str]]
    sequential: NotRequired[Sequential | None]
    command: str


# --- sweep, sensitivity and targets --------------------------------------------------------------------------


class Measure(TypedDict):
    """A summary measure with its 95% interval: a rate (0..1, Wilson) or a number (Student-t for means, order
    statistics for medians); null when there is too little data."""

    value: Num
    low: Num
    high: Num
    n: Count
    kind: Literal["rate", "number"]
    unit: str


class Effect(TypedDict):
    """A measure's change per step of a parameter: the paired mean over the same deals with its 95% interval,
    or (paired false) the difference of two summaries without one."""

    value: Num
    low: Num
    high: Num
    paired: bool
    scaled: Annotated[float, Field(description="|value| per 5 percentage points for rates, per unit else.")]
    significant: bool


Swept = float | str
"""A swept value: a number, or a deck file."""


class SweepRules(TypedDict):
    """The rules swept from."""

    name: str
    source: NotRequired[str]


class SweepParam(TypedDict):
    """A parameter of the grid and its values."""

    path: str
    values: Annotated[
        list[Swept], Field(description="The values tried: numbers, or deck files (decks.gestures=a.toml,b.toml).")
    ]
    allowed: list[float] | None
    current: NotRequired[
        Annotated[float | None, Field(description="The value under the rules as given (before the sweep's values).")]
    ]


class SweepPoint(TypedDict):
    """One point of the grid: its values, rules fingerprint, games and measures."""

    values: dict[str, Swept]
    fingerprint: str
    games: Count
    measures: dict[str, Measure]


class TargetBand(TypedDict):
    """A measure's target band (sweep --targets): low and high ends, null for open."""

    low: float | None
    high: float | None
    wanted: str


@with_config(ConfigDict(extra="forbid", title="summitgame parameter sweep"))
class SweepReport(TypedDict):
    """The output of `summitgame sweep --json`: the measures at every point of a parameter grid."""

    format: Literal["summitgame-sweep"]
    version: Literal[1]
    engine: str
    rules: SweepRules | None
    params: list[SweepParam]
    measures: list[str]
    agents: dict[str, str]
    games: Count
    seed: int
    points: Annotated[
        list[SweepPoint],
        Field(description="Every combination of the parameters' values, the first parameter varying slowest."),
    ]
    command: str
    targets: NotRequired[dict[str, TargetBand]]


class SensitivityParam(TypedDict):
    """A parameter moved one step down and up, and its effect per step on each measure."""

    path: str
    value: float
    step: float
    down: Num
    up: Num
    skipped: list[str]
    effects: dict[str, Effect | None]
    strongest: float


@with_config(ConfigDict(extra="forbid", title="summitgame sensitivity of the measures to each parameter"))
class SensitivityReport(TypedDict):
    """The output of `summitgame sweep --sensitivity --json`: each parameter moved one step either way, its
    effect per step on each measure, and the parameters ranked by effect."""

    format: Literal["summitgame-sensitivity"]
    version: Literal[1]
    engine: str
    rules: RulesId
    measures: list[str]
    current: dict[str, Measure]
    agents: dict[str, str]
    games: Count
    seed: int
    params: Annotated[list[SensitivityParam], Field(description="Strongest first.")]
    ranking: dict[str, list[str]]
    command: str


class Verdict(TypedDict):
    """One target: what was wanted, what was measured, and whether it was met."""

    target: str
    wanted: str
    measured: Measure
    met: bool
    borderline: bool
    miss: Num
    loss: Num


@with_config(ConfigDict(extra="forbid", title="summitgame balance targets checked"))
class TargetsReport(TypedDict):
    """The output of `summitgame targets FILE --json`: each target, what was measured, and the verdict."""

    format: Literal["summitgame-targets"]
    version: Literal[1]
    targets: str
    rules: RulesId
    agents: dict[str, str]
    exploiters: NotRequired[
        Annotated[
            list[str],
            Field(
                description="The targets file's [run] exploiters: agents played beside the probes for the exploit "
                "measures (probe_score_rate, exploitability:AGENT)."
            ),
        ]
    ]
    games: Count
    seed: int
    met: bool
    verdicts: list[Verdict]
    command: str


# --- exploit ----------------------------------------------------------------------------------------------------

Method = Literal["params", "opponent", "probe", "mirror"]
"""How a candidate was found (``exploit.METHODS``)."""


class VsTarget(TypedDict):
    """The score rate against one target, with the results behind it."""

    rate: float
    low: Num
    high: Num
    n: Count
    wins: Count
    ties: Count
    losses: Count
    score: Num
    their_score: Num


class ScoreEstimate(TypedDict):
    """A score rate (win 1, tie 1/2) with its 95% t-interval over deals, n games, per target."""

    rate: float
    low: Num
    high: Num
    n: Count
    vs: dict[str, VsTarget]


class ExploitSettings(TypedDict):
    """The search's settings."""

    budget: Count
    games: Count
    fresh_games: Count
    seed: int
    fresh_seed: Count
    mcts_iterations: Count
    batch: Count


class Best(TypedDict):
    """The best response found, scored again on fresh deals."""

    spec: str
    method: Method
    found_by: str
    line: Count
    known_as: str | None
    description: str
    search_rate: float
    fresh: ScoreEstimate
    match: str


class Finalist(TypedDict):
    """A finalist, scored again on fresh deals."""

    spec: str
    method: Method
    line: Count
    search_rate: float
    fresh: ScoreEstimate
    description: str


class MethodBest(TypedDict):
    """A method's best candidate in the search."""

    spec: str
    rate: float
    line: Count


class MethodRow(TypedDict):
    """One way of finding candidates, how many it tried, and its best."""

    method: Method
    what: str
    candidates: Count
    best: MethodBest | None


class ContextRow(TypedDict):
    """A known agent's score rate against the targets, for scale."""

    agent: str
    kind: Method
    rate: float
    low: Num
    high: Num
    n: Count
    vs: dict[str, VsTarget]
    description: str


class Example(TypedDict):
    """One game of the best response against a target, saved for replay."""

    path: str
    replay: str
    seats: dict[str, str]
    actions: list[str]
    winner: str | None
    scores: dict[str, int] | None
    tier: str | None


class CandidateRow(TypedDict):
    """A candidate of the search and its score rate."""

    line: Count
    method: Method
    spec: str
    rate: float


class ExploitSpeed(TypedDict):
    """Timing of the search; the only part of the document that depends on the machine and --workers."""

    played: Count
    seconds: float
    workers: Count


@with_config(ConfigDict(extra="forbid", title="summitgame exploit --json"))
class ExploitReport(TypedDict):
    """The output of `summitgame exploit --json`: the best response found to an agent or a field."""

    format: Literal["summitgame-exploit"]
    version: Literal[1]
    engine: str
    rules: RulesId
    targets: Annotated[list[str], Field(min_length=1)]
    settings: ExploitSettings
    verdict: list[str]
    best: Best
    finalists: list[Finalist]
    methods: list[MethodRow]
    notes: list[str]
    context: list[ContextRow]
    example: Example
    candidates: list[CandidateRow]
    candidates_file: str
    command: str
    speed: NotRequired[ExploitSpeed]


# --- the schemas ---------------------------------------------------------------------------------------------

REPORTS: dict[str, Any] = {
    "balance": BalanceReport,
    "compare": CompareReport,
    "sweep": SweepReport,
    "sensitivity": SensitivityReport,
    "targets": TargetsReport,
    "exploit": ExploitReport,
}
"""Each report's kind -> its model."""


@cache
def _schema(kind: str) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **TypeAdapter(REPORTS[kind]).json_schema(),
    }


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one report (``REPORTS``), generated from its model (a fresh copy)."""
    return copy.deepcopy(_schema(kind))
