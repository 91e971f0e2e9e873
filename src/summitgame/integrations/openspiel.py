"""OpenSpiel adapter: importing this module registers the Python game ``python_summit`` with ``pyspiel``.

    import pyspiel
    import summitgame.integrations.openspiel  # registers python_summit
    game = pyspiel.load_game("python_summit", {"rules": "rules/trade.toml", "overrides": "rounds.count=4"})

Game parameters (all optional): ``rules`` (path of a rule file; empty for the bundled rules),
``overrides`` (``key.path=value`` settings as for ``--set``, separated by ``;``; ``key.path:value`` also
works, and is how the game string writes them, since OpenSpiel game strings cannot hold ``=`` in a
value) and ``seeds`` (how many deals the opening chance node chooses among, default 1000).

**Chance.** The engine draws its chance events (agendas, hands, events, refills) from a generator held
in the state. The adapter exposes that as one explicit chance node at the start whose outcome ``k``
(uniform over ``0 .. seeds-1``) is the engine seed: outcome ``k`` gives exactly ``new_game(rules, k)``.
Every later draw is then fixed but hidden from both players: nothing derived from the seed reaches an
observation or information state, and ``resample_from_infostate`` re-deals what the player cannot see
with ``observation.sample_state``, so IS-MCTS never peeks. The chance node is part of the game's
definition, which every player knows: with few ``seeds`` a player can list the possible deals and
narrow down the other side's hand by Bayes from its own. That is sound game theory for a solver over
a small game, not a leak; for play against agents that would use it, raise ``seeds`` (every deal is a
listed chance outcome, so this trades memory for a larger space of deals).

**What a player sees.** Observation strings and tensors are built from ``observation.observe(state,
player)`` only (see ``integrations.encoding`` for the tensor layout). The information state adds perfect
recall: the public history (every action and event, one-hot per position) and the player's own hand
after every change (its private draws). Returns are the final scores (general-sum).
"""

from __future__ import annotations

import random
from functools import cache
from typing import Any

import numpy as np
import pyspiel

from ..engine.forward import apply, legal_actions, max_decisions, new_game
from ..engine.observation import observe, sample_state
from ..engine.scoring import outcome
from ..engine.state import SLOTS, State
from ..rules.effects import Effect, MoveStake
from ..rules.loader import load_rules
from ..rules.ruleset import Ruleset
from .encoding import Encoder, board_text, observation_text

SHORT_NAME = "python_summit"
DEFAULT_SEEDS = 1000

_PARAMS: dict[str, Any] = {"rules": "", "overrides": "", "seeds": DEFAULT_SEEDS}

GAME_TYPE = pyspiel.GameType(
    short_name=SHORT_NAME,
    long_name="Summit negotiation (summitgame)",
    dynamics=pyspiel.GameType.Dynamics.SEQUENTIAL,
    chance_mode=pyspiel.GameType.ChanceMode.EXPLICIT_STOCHASTIC,
    information=pyspiel.GameType.Information.IMPERFECT_INFORMATION,
    utility=pyspiel.GameType.Utility.GENERAL_SUM,
    reward_model=pyspiel.GameType.RewardModel.TERMINAL,
    max_num_players=2,
    min_num_players=2,
    provides_information_state_string=True,
    provides_information_state_tensor=True,
    provides_observation_string=True,
    provides_observation_tensor=True,
    parameter_specification=_PARAMS,
)


def split_overrides(text: str) -> tuple[str, ...]:
    """``"a.b=1; c:2"`` → ``("a.b=1", "c=2")``: settings for ``load_rules``. A setting's key and value are
    separated by its first ``=`` or ``:`` (keys hold neither)."""
    out = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        cut = min((i for i in (part.find("="), part.find(":")) if i >= 0), default=-1)
        if cut < 0:
            raise ValueError(f"override {part!r}: expected key.path=value")
        out.append(f"{part[:cut].strip()}={part[cut + 1 :].strip()}")
    return tuple(out)


def canonical_overrides(settings: tuple[str, ...]) -> str:
    """Settings in the form the game string carries: OpenSpiel's game strings cannot hold ``=`` inside a
    parameter, so ``key.path:value`` joined by ``;`` (which ``split_overrides`` reads back)."""
    return ";".join(s.replace("=", ":", 1) for s in settings)


class Config:
    """What every state of one parameterised game shares: the rules, the seed range, the encoder."""

    def __init__(self, path: str, overrides: tuple[str, ...], seeds: int) -> None:
        if seeds < 1:
            raise ValueError(f"seeds must be at least 1, not {seeds}")
        self.key = (path, overrides, seeds)
        self.rules: Ruleset = load_rules(path or None, overrides)
        self.seeds = seeds
        self.encoder = Encoder(self.rules)
        rules = self.rules
        self.max_moves = max_decisions(rules)
        self.max_history = self.max_moves + rules.rounds  # player actions and one event per round
        self.n_codes = len(rules.actions) + len(rules.event_ids)
        self.n_gestures = len(rules.gesture_ids)


@cache
def config(path: str, overrides: tuple[str, ...], seeds: int) -> Config:
    """The shared configuration for one set of game parameters (rules are loaded once)."""
    return Config(path, overrides, seeds)


def _stake_gain(effects: tuple[Effect, ...]) -> int:
    """The most ``effects`` can raise one role's stake in a track."""
    return sum(max(e.by, 0) for e in effects if isinstance(e, MoveStake))


def utility_bounds(rules: Ruleset) -> tuple[float, float]:
    """Loose but safe bounds on a role's final score under ``rules``."""
    base = max((*rules.stake, 0))
    agenda = max((abs(x) for a in rules.agenda_stakes for x in a), default=0)
    # the most any round's effects (event, gestures, end of round, the answer) can raise a stake
    per_round = (
        max((_stake_gain(e) for e in rules.event_effects), default=0)
        + rules.plays_per_turn * max((_stake_gain(e) for e in rules.gesture_effects), default=0)
        + 2 * _stake_gain(rules.end_effects)
        + max(_stake_gain(rules.on_accept), _stake_gain(rules.on_reject), _stake_gain(rules.on_pass))
    )
    stake = base + agenda + rules.rounds * per_round
    steps = rules.rounds * max(st for _, st in rules.cap)  # at most one accepted package a round
    points = stake * steps
    bonus = max((abs(b) for b in rules.tier_bonus), default=0)
    penalty = sum(per * max(rules.meter_max) for _, per in rules.penalties)
    return float(-(points + bonus + rules.walkout_penalty + penalty)), float(points + bonus)


Trail = tuple[tuple[int, tuple[str, ...]], ...]
"""One player's private record: (history length, hand) each time its hand changed."""


def _restore(key: tuple[str, tuple[str, ...], int], fields: tuple[Any, ...] | None, trails: Any) -> Box:
    cfg = config(*key)
    if fields is None:
        return Box(cfg, None, trails)
    s = State.__new__(State)
    s.rules = cfg.rules
    for name, value in zip(_FIELDS, fields, strict=True):
        setattr(s, name, value)
    s._legal = None
    return Box(cfg, s, trails)


_FIELDS = tuple(n for n in SLOTS if n not in ("rules", "_legal"))


class Box:
    """An immutable holder for the engine state: OpenSpiel deep-copies a Python state's attributes on every
    clone, so the box copies as itself (the engine state is never mutated) and pickles as plain fields."""

    __slots__ = ("cfg", "s", "trails")

    def __init__(self, cfg: Config, s: State | None, trails: tuple[Trail, Trail]) -> None:
        self.cfg = cfg
        self.s = s
        self.trails = trails

    def __deepcopy__(self, memo: dict[int, Any]) -> Box:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        fields = None if self.s is None else tuple(getattr(self.s, n) for n in _FIELDS)
        return (_restore, (self.cfg.key, fields, self.trails))


class SummitGame(pyspiel.Game):  # type: ignore[misc]
    """The summit as an OpenSpiel game (see the module docstring)."""

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        p = {**_PARAMS, **(params or {})}
        settings = split_overrides(str(p["overrides"]))
        p["overrides"] = canonical_overrides(settings)
        self.cfg = config(str(p["rules"]), settings, int(p["seeds"]))
        rules = self.cfg.rules
        lo, hi = utility_bounds(rules)
        info = pyspiel.GameInfo(
            num_distinct_actions=len(rules.actions),
            max_chance_outcomes=self.cfg.seeds,
            num_players=2,
            min_utility=lo,
            max_utility=hi,
            utility_sum=None,
            max_game_length=self.cfg.max_moves + 1,
        )
        super().__init__(GAME_TYPE, info, p)

    def new_initial_state(self) -> SummitState:
        """The chance node that picks the deal."""
        return SummitState(self, Box(self.cfg, None, ((), ())))

    def make_py_observer(self, iig_obs_type: Any = None, params: Any = None) -> SummitObserver:
        """An observer for observation (default) or, with perfect recall, information-state views."""
        if params:
            raise ValueError(f"observation parameters are not supported; passed {params}")
        perfect_recall = bool(iig_obs_type is not None and iig_obs_type.perfect_recall)
        return SummitObserver(self.cfg, perfect_recall)


class SummitState(pyspiel.State):  # type: ignore[misc]
    """One summit: a chance node picking the deal, then the engine's states."""

    def __init__(self, game: SummitGame, box: Box) -> None:
        super().__init__(game)
        self._box = box

    @property
    def engine_state(self) -> State | None:
        """The engine state (None at the opening chance node). Full information: not for players."""
        return self._box.s

    def current_player(self) -> int:
        s = self._box.s
        if s is None:
            return int(pyspiel.PlayerId.CHANCE)
        if s.to_move < 0:
            return int(pyspiel.PlayerId.TERMINAL)
        return s.to_move

    def _legal_actions(self, player: int) -> list[int]:
        s = self._box.s
        if s is None or s.to_move != player:
            return []
        return sorted(int(a) for a in legal_actions(s))

    def chance_outcomes(self) -> list[tuple[int, float]]:
        n = self._box.cfg.seeds
        return [(k, 1.0 / n) for k in range(n)]

    def _apply_action(self, action: int) -> None:
        box = self._box
        if box.s is None:
            s = new_game(box.cfg.rules, int(action))
            trails = tuple(((len(observe(s, p).history), observe(s, p).my_hand),) for p in (0, 1))
            self._box = Box(box.cfg, s, (trails[0], trails[1]))
            return
        old = box.s
        s = apply(old, int(action))
        t0, t1 = box.trails
        if s.hands[0] != old.hands[0]:
            t0 = _extend(t0, s, 0)
        if s.hands[1] != old.hands[1]:
            t1 = _extend(t1, s, 1)
        self._box = Box(box.cfg, s, (t0, t1))

    def _action_to_string(self, player: int, action: int) -> str:
        if player == pyspiel.PlayerId.CHANCE:
            return f"deal {action}"
        return self._box.cfg.rules.actions.all[action].notation()

    def is_terminal(self) -> bool:
        s = self._box.s
        return s is not None and s.to_move < 0

    def returns(self) -> list[float]:
        s = self._box.s
        if s is None or s.to_move >= 0:
            return [0.0, 0.0]
        scores = outcome(s).scores
        return [float(scores[role]) for role in s.rules.roles]

    def resample_from_infostate(self, player_id: int, probability_sampler: Any) -> SummitState:
        """A state ``player_id`` cannot tell from this one: what it cannot see is re-dealt by
        ``observation.sample_state`` from a stream seeded by ``probability_sampler``."""
        box = self._box
        if box.s is None:
            return self.clone()  # type: ignore[no-any-return]
        rng = random.Random(int(probability_sampler() * (1 << 53)))
        s = sample_state(observe(box.s, player_id), rng)
        other = 1 - player_id
        theirs: Trail = ((len(observe(s, other).history), observe(s, other).my_hand),)
        trails = (box.trails[0], theirs) if player_id == 0 else (theirs, box.trails[1])
        new: SummitState = self.get_game().new_initial_state()
        new._box = Box(box.cfg, s, trails)
        return new

    def __str__(self) -> str:
        # Deliberately public: a state string in a log must not leak hands, agendas or the deal.
        s = self._box.s
        if s is None:
            return "chance: the deal"
        return board_text(observe(s, 0), recent=len(s.history_list()))


def _extend(trail: Trail, s: State, role: int) -> Trail:
    view = observe(s, role)
    return (*trail, (len(view.history), view.my_hand))


class SummitObserver:
    """OpenSpiel's observer interface: ``tensor``/``dict`` and ``string_from``, from ``observe`` only.

    Without perfect recall: the encoded observation (``integrations.encoding``). With it (information
    state): that, plus every public history entry one-hot by position, plus the player's hand after each
    history position (its private draws)."""

    def __init__(self, cfg: Config, perfect_recall: bool) -> None:
        self.cfg = cfg
        self.perfect_recall = perfect_recall
        pieces: list[tuple[str, int, tuple[int, ...]]] = [("observation", cfg.encoder.size, (cfg.encoder.size,))]
        if perfect_recall:
            pieces.append(("history", cfg.max_history * cfg.n_codes, (cfg.max_history, cfg.n_codes)))
            pieces.append(("hands", cfg.max_history * cfg.n_gestures, (cfg.max_history, cfg.n_gestures)))
        self.tensor = np.zeros(sum(n for _, n, _ in pieces), np.float32)
        self.dict: dict[str, Any] = {}
        at = 0
        for name, n, shape in pieces:
            self.dict[name] = self.tensor[at : at + n].reshape(shape)
            at += n

    def set_from(self, state: SummitState, player: int) -> None:
        """Fill ``tensor`` with what ``player`` sees of ``state``."""
        self.tensor.fill(0.0)
        box = state._box
        if box.s is None:
            self.dict["observation"][player] = 1.0  # the viewer block; nothing else is known yet
            return
        view = observe(box.s, player)
        self.dict["observation"][:] = self.cfg.encoder.encode_array(view)
        if not self.perfect_recall:
            return
        n_actions = len(self.cfg.rules.actions)
        history = self.dict["history"]
        for i, c in enumerate(view.history):
            history[i, c if c >= 0 else n_actions - 1 - c] = 1.0
        hands = self.dict["hands"]
        gesture = {g: i for i, g in enumerate(self.cfg.rules.gesture_ids)}
        trail = box.trails[player]
        for k, (start, hand) in enumerate(trail):
            end = trail[k + 1][0] if k + 1 < len(trail) else len(view.history)
            row = np.zeros(self.cfg.n_gestures, np.float32)
            for g in hand:
                row[gesture[g]] += 1.0
            hands[max(start - 1, 0) : end] = row

    def string_from(self, state: SummitState, player: int) -> str:
        """What ``player`` sees of ``state`` as text (with perfect recall: the information state)."""
        box = state._box
        if box.s is None:
            return f"{self.cfg.rules.roles[player]}: before the deal"
        view = observe(box.s, player)
        text = observation_text(view)
        if not self.perfect_recall:
            return text
        trail = " ".join(f"{pos}:[{','.join(hand)}]" for pos, hand in box.trails[player])
        return f"{text} || history {' '.join(str(c) for c in view.history)} || hands {trail}"


pyspiel.register_game(GAME_TYPE, SummitGame)
