"""Pydantic models mirroring ``rules/*.toml`` and ``cards/*.toml``.

The schema is the documentation: every field has a description and bounds, unknown keys are
refused (``extra="forbid"``), types are strict (a boolean or a string is not a number, ``5.0`` is not
a whole number), names and texts hold no control characters, and the JSON Schema and the rulebook are
generated from it. Cross-references (a card naming an unknown track, say) are checked later, in ``loader.py``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
Id = Annotated[
    str,
    Field(
        pattern=ID_PATTERN,
        max_length=40,
        description="An identifier: lower-case letters, digits and underscores, starting with a letter.",
    ),
]


# C0 and C1 controls, DEL, and the bidirectional marks, embeddings, overrides and isolates that can
# reorder or hide what a terminal shows. Texts (descriptions, flavour) may keep newlines and tabs.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL_IN_TEXT = re.compile(f"[{_CONTROLS}]")
_CONTROL_IN_NAME = re.compile(f"[{_CONTROLS}\t\n]")


def _refuse_controls(pattern: re.Pattern[str], value: str) -> str:
    found = pattern.search(value)
    if found is not None:
        code = ord(found.group())
        shown = f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
        raise ValueError(
            f"holds a control character ({shown} at position {found.start()}); names and texts must be plain text"
        )
    return value


def _plain_name(value: str) -> str:
    return _refuse_controls(_CONTROL_IN_NAME, value)


def _plain_text(value: str) -> str:
    return _refuse_controls(_CONTROL_IN_TEXT, value)


#: A one-line string from data (a name, a path, a role word): no control characters, no newlines.
Name = Annotated[str, AfterValidator(_plain_name)]
#: A paragraph from data (a description, flavour text): no control characters; newlines and tabs are fine.
Text = Annotated[str, AfterValidator(_plain_text)]


def _exactly_int(value: Any) -> Any:
    """``Literal[1]`` alone would take ``true`` and ``1.0`` for 1; a version number is a whole number."""
    if type(value) is not int:
        raise ValueError("must be the whole number 1 (the version of this file format)")
    return value


class Strict(BaseModel):
    """Base for every data model: unknown keys are errors, types are strict (no coercion), values immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --- conditions ---------------------------------------------------------------------------------

Who = Annotated[
    Name,
    Field(
        description=(
            "Whom it concerns: 'self' (the card's player; for events the role with the initiative;"
            " for end-of-round effects each role in turn), 'other', 'both', or a role id."
        )
    ),
]


class MeterCondition(Strict):
    """Holds when a meter's value lies within the given bounds."""

    kind: Literal["meter"] = Field(description="Condition kind.")
    meter: Id = Field(description="The meter to read.")
    who: Who = Field("self", description="For per-role meters, whose value to read.")
    at_least: int | None = Field(None, description="Holds only if the value is at least this.")
    at_most: int | None = Field(None, description="Holds only if the value is at most this.")


class TrackCondition(Strict):
    """Holds when one track's stage lies within the given stages."""

    kind: Literal["track"] = Field(description="Condition kind.")
    track: Id = Field(description="The track to read.")
    at_least: Id | None = Field(None, description="Holds only if the track is at this stage or later.")
    at_most: Id | None = Field(None, description="Holds only if the track is at this stage or earlier.")


class TracksCondition(Strict):
    """Holds when at least ``count`` tracks have reached a stage."""

    kind: Literal["tracks"] = Field(description="Condition kind.")
    at_least: Id = Field(description="The stage a track must have reached to count.")
    count: int = Field(ge=1, description="How many tracks must have reached it.")


class GainedCondition(Strict):
    """Holds when a role did (or did not) gain anything in an accepted deal this round."""

    kind: Literal["gained"] = Field(description="Condition kind.")
    who: Who = Field("self", description="Whose gains to look at.")
    value: bool = Field(description="True: holds if they gained; false: holds if they gained nothing.")


class RoundCondition(Strict):
    """Holds when the round number lies within the given bounds."""

    kind: Literal["round"] = Field(description="Condition kind.")
    at_least: int | None = Field(None, ge=1, description="Holds only from this round on.")
    at_most: int | None = Field(None, ge=1, description="Holds only up to this round.")


EndReasonName = Literal["last_round", "walkout", "breakdown"]


class EndedByCondition(Strict):
    """Holds when the game ended for one of the given reasons (outcome tiers only)."""

    kind: Literal["ended_by"] = Field(description="Condition kind.")
    reasons: list[EndReasonName] = Field(min_length=1, description="End reasons: 'last_round', 'walkout', 'breakdown'.")


Condition = Annotated[
    MeterCondition | TrackCondition | TracksCondition | GainedCondition | RoundCondition | EndedByCondition,
    Field(discriminator="kind"),
]


# --- effects ------------------------------------------------------------------------------------


class EffectBase(Strict):
    """Fields shared by every effect."""

    when: list[Condition] = Field(
        default_factory=list, description="Conditions that must all hold for the effect to apply."
    )


class ChangeMeter(EffectBase):
    """Move a meter up or down (clamped to its bounds)."""

    kind: Literal["change_meter"] = Field(description="Effect kind.")
    meter: Id = Field(description="The meter to change.")
    who: Who = Field("self", description="For per-role meters, whose meter moves.")
    by: int = Field(ge=-20, le=20, description="How far it moves (negative: down).")


class ChangeTrack(EffectBase):
    """Move a track's stage forward or back (clamped to its first and last stage)."""

    kind: Literal["change_track"] = Field(description="Effect kind.")
    track: Id = Field(description="The track to move.")
    by: int = Field(ge=-10, le=10, description="Stages to move (negative: back).")


class ChangeStake(EffectBase):
    """Change, publicly, how much a role values gains on a track (never below zero)."""

    kind: Literal["change_stake"] = Field(description="Effect kind.")
    track: Id = Field(description="The track whose stake changes.")
    who: Who = Field("self", description="Whose stake changes.")
    by: int = Field(ge=-10, le=10, description="Points per step to add (negative: remove).")


class Draw(EffectBase):
    """Draw gesture cards from the gesture deck (up to the hand limit)."""

    kind: Literal["draw"] = Field(description="Effect kind.")
    who: Who = Field("self", description="Who draws.")
    count: int = Field(1, ge=1, le=5, description="How many cards to draw.")


class Discard(EffectBase):
    """Discard gesture cards at random from a hand."""

    kind: Literal["discard"] = Field(description="Effect kind.")
    who: Who = Field("other", description="Who discards.")
    count: int = Field(1, ge=1, le=5, description="How many cards to discard.")


class BlockTrack(EffectBase):
    """Take a track off the table: no proposal may include it for a number of rounds."""

    kind: Literal["block_track"] = Field(description="Effect kind.")
    track: Id = Field(description="The track to block.")
    rounds: int = Field(1, ge=1, le=10, description="Rounds blocked, counting the current one.")


class RevealAgenda(EffectBase):
    """Show a role's secret agenda to the other role."""

    kind: Literal["reveal_agenda"] = Field(description="Effect kind.")
    who: Who = Field("other", description="Whose agenda is revealed (to their opponent).")


Effect = Annotated[
    ChangeMeter | ChangeTrack | ChangeStake | Draw | Discard | BlockTrack | RevealAgenda,
    Field(discriminator="kind"),
]


# --- rule file ----------------------------------------------------------------------------------

PerRole = Annotated[
    int | dict[Id, int],
    Field(description="One number for every role, or a table giving each role its own."),
]


class RoleSpec(Strict):
    """One of the two sides at the table."""

    name: Name = Field(min_length=1, max_length=40, description="Display name, e.g. 'Washington'.")
    description: Text = Field("", description="One or two sentences for the rulebook.")


class MeterSpec(Strict):
    """A bounded gauge: shared by both roles (trust) or one per role (domestic pressure)."""

    name: Name = Field(min_length=1, max_length=40, description="Display name.")
    description: Text = Field("", description="What the meter means, for the rulebook.")
    scope: Literal["shared", "per_role"] = Field(description="'shared' or 'per_role'.")
    min: int = Field(0, ge=0, le=100, description="Lowest value; the meter never goes below it.")
    max: int = Field(ge=1, le=100, description="Highest value; the meter never goes above it.")
    start: PerRole = Field(description="Starting value (per role for per-role meters).")
    breakdown_at: int | None = Field(
        None,
        ge=0,
        description="Shared meters: at the end of a round at or below this value, talks break down.",
    )
    walkout_at: PerRole | None = Field(
        None,
        description="Per-role meters: at the end of a round at or above this value, that role walks out.",
    )
    score_penalty: int = Field(
        0, ge=0, le=20, description="Per-role meters: points each role loses per point left at the end."
    )

    @model_validator(mode="after")
    def _bounds(self) -> MeterSpec:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        return self


class GateSpec(Strict):
    """A meter level a track needs before any proposal may include it."""

    meter: Id = Field(description="The (shared) meter to read, usually trust.")
    at_least: int = Field(ge=0, description="The track is open for deals only at or above this value.")


class TrackSpec(Strict):
    """An agenda item: progress toward agreement, difficulty, and what each side cares about."""

    name: Name = Field(min_length=1, max_length=60, description="Display name.")
    short: Name = Field("", max_length=12, description="Short label for narrow screens (default: the id).")
    description: Text = Field("", description="What is at stake, for the rulebook.")
    start: Id | None = Field(None, description="Starting stage (default: the first stage).")
    gate: GateSpec | None = Field(None, description="Trust (or other shared meter) the track needs.")
    stake: PerRole = Field(description="Points per step a role scores for gains here (or loses giving).")
    cost: PerRole = Field(description="Domestic pressure per step a role suffers for conceding here.")
    relief: PerRole = Field(0, description="Domestic pressure per step a role sheds for gains here.")


class CapStep(Strict):
    """One row of the deal-size table: from this meter value up, packages may hold this many steps."""

    at_least: int = Field(ge=0, description="Meter value from which this row applies.")
    steps: int = Field(ge=1, le=20, description="Largest total number of steps in one package.")


class ProposalSpec(Strict):
    """How packages of concessions are built, answered and resolved."""

    max_items_per_side: int = Field(2, ge=1, le=4, description="Items each side may give in one package.")
    max_steps_per_item: int = Field(2, ge=1, le=4, description="Largest step count of one item.")
    cap_meter: Id = Field("trust", description="The shared meter that limits total package size.")
    cap: list[CapStep] = Field(min_length=1, description="Deal-size table, rows in ascending order of at_least.")
    cost_meter: Id = Field("pressure", description="The per-role meter that conceding raises and gaining relieves.")
    max_counters: int = Field(1, ge=0, le=5, description="Counter-proposals allowed per round.")
    two_sided: bool = Field(
        False,
        description="Every package is a trade: it may be offered only once it holds at least one concession "
        "from each side (so no package is a bare demand or a bare gift).",
    )
    auto_offer: bool = Field(
        False,
        description="Offer a package at once when it is full (no further item fits: the size cap, the items per "
        "side or the open tracks), instead of asking its builder for an 'offer' that is the only choice left.",
    )
    on_accept: list[Effect] = Field(
        default_factory=list, description="Effects when a package is accepted ('self' = proposer)."
    )
    on_reject: list[Effect] = Field(
        default_factory=list, description="Effects when a package is rejected ('self' = rejecter)."
    )
    on_pass: list[Effect] = Field(
        default_factory=list, description="Effects when the initiative passes without proposing."
    )

    @model_validator(mode="after")
    def _ascending(self) -> ProposalSpec:
        levels = [row.at_least for row in self.cap]
        if levels != sorted(set(levels)):
            raise ValueError("cap rows must have strictly ascending at_least values")
        return self


class HandSpec(Strict):
    """Gesture cards in each hand."""

    size: int = Field(3, ge=0, le=10, description="Cards dealt to each role at the start.")
    limit: int = Field(5, ge=1, le=15, description="Most cards a hand may hold; draws beyond it are lost.")
    draw_per_round: int = Field(1, ge=0, le=5, description="Cards each role draws at the end of a round.")
    plays_per_turn: int = Field(1, ge=0, le=3, description="Gestures the initiative may play in a turn.")


class RoundSpec(Strict):
    """The shape of a summit: how many rounds, who starts, what happens between rounds."""

    count: int = Field(6, ge=1, le=30, description="Rounds in the summit.")
    first_initiative: Name = Field(
        "random", description="The role that opens round 1, or 'random' to draw it at setup."
    )
    end_effects: list[Effect] = Field(
        default_factory=list,
        description="Effects at the end of every round, applied once per role with 'self' = that role.",
    )
    opening_event: Id | None = Field(
        None, description="An event card id to open round 1 with, instead of a random draw."
    )


class DeckRefs(Strict):
    """The card files this rule set plays with, relative to the rule file."""

    events: Name = Field(description="Event deck file.")
    gestures: Name = Field(description="Gesture deck file.")
    agendas: Name = Field(description="Secret agenda deck file.")


class TierSpec(Strict):
    """One outcome tier; tiers are checked in ``outcome.order`` and the first that holds wins."""

    name: Name = Field(min_length=1, max_length=40, description="Display name.")
    description: Text = Field("", description="What this outcome means, for the rulebook.")
    bonus: int = Field(0, ge=-50, le=50, description="Points both roles score when the summit ends so.")
    any: list[Condition] = Field(
        default_factory=list, description="The tier holds if any of these holds (with 'all', both apply)."
    )
    all: list[Condition] = Field(default_factory=list, description="The tier holds only if all of these hold.")


class OutcomeSpec(Strict):
    """How the outcome is decided and scored."""

    order: list[Id] = Field(min_length=1, description="Tier ids in the order they are checked.")
    walkout_penalty: int = Field(0, ge=0, le=50, description="Extra points lost by a role that walks out.")


class Tunable(Strict):
    """The range a designer allows one number of the rules to move in: ``--set``, ``sweep`` and ``tune``
    refuse values outside it, and ``sweep --sensitivity`` moves it one ``step`` either way."""

    min: int | float = Field(allow_inf_nan=False, description="Lowest allowed value.")
    max: int | float = Field(allow_inf_nan=False, description="Highest allowed value.")
    step: int | float | None = Field(
        None,
        gt=0,
        allow_inf_nan=False,
        description="One step of a sensitivity run (default: 1 for whole numbers, a tenth of the range otherwise).",
    )
    description: Text = Field("", description="Why this number may move, and what it trades off.")

    @model_validator(mode="after")
    def _ordered(self) -> Tunable:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        return self


TunablePath = Annotated[
    str,
    Field(
        pattern=r"^[a-z_][a-z0-9_]*(\[\d+\])*(\.[a-z0-9_]+(\[\d+\])*)*$",
        max_length=120,
        description="A key path into this file, e.g. 'meters.trust.start' or 'proposals.cap[1].steps'.",
    ),
]


DeckKind = Literal["events", "gestures", "agendas"]
CardChanges = Annotated[
    dict[DeckKind, dict[Id, dict[Name, Any]]],
    Field(
        description="Changes to cards of the decks, by deck and card id (``[cards.gestures.photo_op]``, then "
        "``copies = 3``): any field of a card but its id; the changed card is checked against its deck's schema.",
    ),
]


class RulesFile(Strict):
    """A whole rule file (after ``extends`` is resolved)."""

    schema_version: Annotated[Literal[1], BeforeValidator(_exactly_int)] = Field(
        1, description="Version of this file format."
    )
    name: Name = Field(min_length=1, max_length=60, description="Name of this rule set.")
    description: Text = Field("", description="A paragraph for the rulebook.")
    extends: Name | None = Field(None, description="Another rule file this one changes.")
    remove: list[Name] = Field(
        default_factory=list,
        description="In a file that extends another: key paths of entries to take out of the rules it extends, "
        "e.g. 'tiers.partial', 'tracks.syria' or 'cards.gestures.back_channel' (a card of a deck). A removed tier "
        "leaves outcome.order, and [tunable] ranges under a removed entry go with it.",
    )
    cards: CardChanges = Field(default_factory=dict)
    decks: DeckRefs = Field(description="The card files.")
    roles: dict[Id, RoleSpec] = Field(description="Exactly two roles, keyed by id.")
    meters: dict[Id, MeterSpec] = Field(min_length=1, description="Meters, keyed by id.")
    stages: list[Id] = Field(min_length=2, max_length=10, description="Track stages, first to last.")
    tracks: dict[Id, TrackSpec] = Field(min_length=1, max_length=12, description="Agenda tracks.")
    proposals: ProposalSpec = Field(description="Packages of concessions.")
    hands: HandSpec = Field(default_factory=HandSpec, description="Gesture hands.")
    rounds: RoundSpec = Field(default_factory=RoundSpec, description="Rounds.")
    tiers: dict[Id, TierSpec] = Field(min_length=1, description="Outcome tiers, keyed by id.")
    outcome: OutcomeSpec = Field(description="Tier order and end-of-game scoring.")
    tunable: dict[TunablePath, Tunable] = Field(
        default_factory=dict,
        description="Key path -> the range a designer allows that number to move in (write each path in quotes).",
    )


# --- card files ---------------------------------------------------------------------------------


class CardBase(Strict):
    """Fields every card has."""

    id: Id = Field(description="Unique id within its deck.")
    name: Name = Field(min_length=1, max_length=50, description="Display name.")
    flavor: Text = Field(min_length=1, description="Flavour text, drawn from the source article.")


class EventCard(CardBase):
    """Drawn at the start of a round; its effects apply at once ('self' = the initiative)."""

    copies: int = Field(1, ge=1, le=5, description="Copies in the deck.")
    effects: list[Effect] = Field(min_length=1, description="What happens.")


class GestureCard(CardBase):
    """Held in hand; the initiative may play it before proposing ('self' = the player)."""

    copies: int = Field(1, ge=1, le=5, description="Copies in the deck.")
    effects: list[Effect] = Field(min_length=1, description="What happens when it is played.")


class AgendaCard(CardBase):
    """A secret agenda dealt at setup: it shifts its holder's stakes, unseen by the opponent."""

    roles: list[Id] = Field(default_factory=list, description="Roles that may be dealt this agenda (empty: any role).")
    stakes: dict[Id, Annotated[int, Field(ge=-10, le=10)]] = Field(
        min_length=1, description="Track id → points per step added to the holder's stake there (-10..10)."
    )


DeckTunable = Annotated[
    dict[TunablePath, Tunable],
    Field(
        description="Key path -> the range a designer allows a number of this deck's cards to move in, written "
        "as --set takes it: 'cards.gestures.photo_op.copies' (write each path in quotes).",
    ),
]


class EventDeck(Strict):
    """An event deck file."""

    deck: Literal["events"] = Field(description="Which kind of deck this file holds.")
    cards: list[EventCard] = Field(min_length=1, description="The cards.")
    tunable: DeckTunable = Field(default_factory=dict)


class GestureDeck(Strict):
    """A gesture deck file."""

    deck: Literal["gestures"] = Field(description="Which kind of deck this file holds.")
    cards: list[GestureCard] = Field(min_length=1, description="The cards.")
    tunable: DeckTunable = Field(default_factory=dict)


class AgendaDeck(Strict):
    """A secret agenda deck file."""

    deck: Literal["agendas"] = Field(description="Which kind of deck this file holds.")
    cards: list[AgendaCard] = Field(min_length=1, description="The cards.")
    tunable: DeckTunable = Field(default_factory=dict)


DECK_MODELS: dict[str, type[EventDeck] | type[GestureDeck] | type[AgendaDeck]] = {
    "events": EventDeck,
    "gestures": GestureDeck,
    "agendas": AgendaDeck,
}
