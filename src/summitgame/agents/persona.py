"""``persona``: the greedy player with a character, read from data (``personas.toml``).

A persona weighs what ``greedy`` maximises: its own value, plus ``regard`` times the other side's
(estimated) value, minus ``face`` points per step it concedes; it accepts only an offer that beats
saying no by ``stubbornness``, and ``caution`` scales the pressure it fears. The bundled file defines
``hawk``, ``dove`` and ``face_saver``; ``persona:name=NAME,file=PATH`` reads another file.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..actions import ActionKind
from ..observation import Observation
from .base import AgentError, register
from .evaluate import Appraisal, Package, Valuer, Weights
from .heuristic import HeuristicAgent
from .stance import given_steps


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


@lru_cache(maxsize=16)
def load_personas(path: str = "") -> dict[str, Persona]:
    """The personas in a TOML file (default: the bundled ``personas.toml``); AgentError says what is wrong."""
    where = path or "personas.toml"
    try:
        if path:
            text = Path(path).read_text(encoding="utf-8")
        else:
            text = resources.files("summitgame.agents").joinpath("personas.toml").read_text(encoding="utf-8")
        doc = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AgentError(f"cannot read personas from {where}: {exc}") from None
    out: dict[str, Persona] = {}
    for name, table in doc.items():
        try:
            out[name] = Persona.model_validate(table)
        except ValidationError as exc:
            err = exc.errors()[0]
            key = ".".join(str(k) for k in (name, *err["loc"]))
            raise AgentError(f"{where}: {key}: {err['msg']}") from None
    return out


@register
class PersonaAgent(HeuristicAgent):
    """Greedy play under a persona's weights (see the module docstring)."""

    name = "persona"
    defaults: ClassVar[dict[str, Any]] = {"name": "hawk", "file": ""}

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        personas = load_personas(str(self.params["file"]))
        persona = personas.get(str(self.params["name"]))
        if persona is None:
            known = ", ".join(sorted(personas)) or "none"
            raise AgentError(f"agent 'persona': unknown persona {self.params['name']!r}; personas are {known}")
        self.persona = persona

    def weights(self) -> Weights:
        """The default valuation, fearing pressure as much as the persona's ``caution`` says."""
        return Weights(rise=Weights.rise * self.persona.caution)

    def utility(self, mine: float, theirs: float, items: Package, role: int) -> float:
        """What the persona makes of a round's outcome: its value, its regard for theirs, its face."""
        p = self.persona
        return mine + p.regard * theirs - p.face * given_steps(items, role)

    def _best(self, obs: Observation, val: Valuer, options: list[Appraisal]) -> tuple[Appraisal | None, float]:
        """The offer with the best expected utility, and that utility."""
        me = obs.viewer
        rej = self.utility(*val.reject(1 - me), (), me)
        best: Appraisal | None = None
        best_u = float("-inf")
        for o in options:
            u = o.p * self.utility(o.mine, o.theirs, o.items, me) + (1.0 - o.p) * rej
            if u > best_u:
                best, best_u = o, u
        return best, best_u

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
