"""``persona``: the greedy player with a character, read from data (``personas.toml``).

A persona weighs what ``greedy`` maximises: its own value, plus ``regard`` times the other side's
(estimated) value, minus ``face`` points per step it concedes; it accepts only an offer that beats
saying no by ``stubbornness``, and ``caution`` scales the pressure it fears. The bundled file defines
``hawk``, ``dove`` and ``face_saver``; ``persona:name=NAME,file=PATH`` reads another file.

A persona does not take ``greedy``'s ``lead`` term (``Weights.lead`` stays 0): it models a character, not
a player out to win, and ``regard`` already says how it sees the other side's gains (a lead weight ``L`` is
``regard = -L / (1 + L)`` at a scale), so a second rivalry term would count it twice and change the
bundled characters (a ``dove`` would stop being one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import resources
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..engine.observation import Observation
from ..rules.actions import ActionKind
from ..safeio import DataFileError, loads_toml, printable, read_text
from .base import AgentError, Param, register
from .evaluate import Appraisal, Package, Valuer, Weights
from .heuristic import HeuristicAgent
from .stance import given_steps

MAX_PERSONAS_BYTES = 256 * 1024  #: the largest personas file read


class Persona(BaseModel):
    """One persona's weights (a table of ``personas.toml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(description="Who this is, in a sentence.")
    regard: float = Field(0.0, ge=-1.0, le=1.0, description="Weight on the other side's value (< 0: rivalry).")
    face: float = Field(0.0, ge=0.0, le=10.0, description="Points of face lost per step it concedes in a deal.")
    stubbornness: float = Field(
        0.0, ge=-10.0, le=10.0, description="Points an offer must beat saying no by before it accepts."
    )
    caution: float = Field(1.0, gt=0.0, le=5.0, description="Scales the pressure rise it fears per round.")


BUNDLED = "personas.toml"


def _read(path: str) -> tuple[dict[str, Any], str]:
    """The parsed personas file (default: the bundled one) and its name for messages; AgentError if unusable."""
    if not path:
        text = resources.files("summitgame.agents").joinpath(BUNDLED).read_text(encoding="utf-8")
        return loads_toml(text, BUNDLED), BUNDLED
    shown_path = printable(path)
    try:
        return loads_toml(read_text(path, limit=MAX_PERSONAS_BYTES, name=shown_path), shown_path), shown_path
    except DataFileError as exc:
        raise AgentError(f"cannot read personas from {exc}") from None


@lru_cache(maxsize=64)
def load_persona(path: str, name: str) -> Persona:
    """The persona ``name`` of a TOML file (default: the bundled ``personas.toml``); AgentError says what is wrong.

    Only the table asked for is looked at, and a message quotes no key of the file but that table's name and
    the persona fields: a spec in someone else's save may point at any file, and must not learn what it holds."""
    doc, where = _read(path)
    table = doc.get(name)
    if not isinstance(table, dict):
        known = f"; personas are {', '.join(sorted(doc))}" if not path else ""
        raise AgentError(f"{where}: no persona '{printable(name)}' (a table [{printable(name)}]){known}")
    try:
        return Persona.model_validate(table)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(k) for k in err["loc"]]
        fields = ", ".join(Persona.model_fields)
        if err["type"] == "extra_forbidden":
            raise AgentError(
                f"{where}: {printable(name)}: a key that is not a persona field (fields: {fields})"
            ) from None
        key = ".".join([printable(name), *loc])
        raise AgentError(f"{where}: {key}: {err['msg']}") from None


Utility = Callable[[float, float, Package, int], float]
"""What an agent makes of a round's outcome: ``(mine, theirs, items, role) -> utility``."""


def best_offer(val: Valuer, options: Iterable[Appraisal], utility: Utility, me: int) -> tuple[Appraisal | None, float]:
    """The offer with the best expected utility (accepted with the appraisal's chance, else refused), and that
    utility; (None, -inf) when there is none."""
    rej = utility(*val.reject(1 - me), (), me)
    best: Appraisal | None = None
    best_u = float("-inf")
    for o in options:
        u = o.p * utility(o.mine, o.theirs, o.items, me) + (1.0 - o.p) * rej
        if u > best_u:
            best, best_u = o, u
    return best, best_u


@register
class PersonaAgent(HeuristicAgent):
    """Greedy play under a persona's weights (see the module docstring)."""

    name = "persona"
    parameters: ClassVar[dict[str, Param]] = {
        "name": Param("hawk", help="the persona: a table of the personas file"),
        "file": Param("", help="a personas TOML file (empty: the bundled personas.toml)", file=True),
    }

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.persona = load_persona(str(self.params["file"]), str(self.params["name"]))

    def weights(self) -> Weights:
        """The default valuation, fearing pressure as much as the persona's ``caution`` says."""
        return Weights(rise=Weights.rise * self.persona.caution)

    def utility(self, mine: float, theirs: float, items: Package, role: int) -> float:
        """What the persona makes of a round's outcome: its value, its regard for theirs, its face."""
        p = self.persona
        return mine + p.regard * theirs - p.face * given_steps(items, role)

    def _best(self, obs: Observation, val: Valuer, options: list[Appraisal]) -> tuple[Appraisal | None, float]:
        """The offer with the best expected utility, and that utility."""
        return best_offer(val, options, self.utility, obs.viewer)

    def propose(self, obs: Observation, val: Valuer, options: list[Appraisal], can_pass: bool) -> Package | None:
        """The package with the best expected utility; None if passing is worth more."""
        best, u = self._best(obs, val, options)
        if best is None or (can_pass and self.utility(*val.pass_(), (), obs.viewer) >= u):
            return None
        return best.items

    def respond(self, obs: Observation, val: Valuer, can_counter: bool) -> ActionKind | Package:
        """Accept if the offer beats saying no by its stubbornness (and beats countering); else counter or reject."""
        me = obs.viewer
        accept = self.utility(*val.on_table(), obs.items, me)
        reject = self.utility(*val.reject(me), (), me)
        if can_counter:
            best, u = self._best(obs, val, val.options())
            if best is not None and u > max(accept, reject + self.persona.stubbornness):
                return best.items
        return ActionKind.ACCEPT if accept > reject + self.persona.stubbornness else ActionKind.REJECT
