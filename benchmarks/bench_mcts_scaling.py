"""What more search, and perfect knowledge, buy ``mcts`` against its default, printed as JSON.

    python benchmarks/bench_mcts_scaling.py [--budgets 9,140] [--games N] [--seed S] [--clairvoyant] [--rules PATH]

Not a timing: a strength measurement, for judging whether a rule file leaves search room to win (issue 12
asks that 4x the default budget beat the default at 95%), and the strength curve the default budget is
chosen on (``--budgets 9,140``: a quarter of the default 35 and four times it). Figures:

- ``depth``: at each budget, over the decisions of a few seeded games between ``mcts`` at the largest
  budget and the default, the deepest node of the tree and the visit-weighted mean depth of its leaves
  (in decisions), and the share of simulations that reach the end of the summit;
- ``matches``: the score rate (ties half, 95% Wilson interval) of ``mcts:iterations=B`` against the
  default over ``--games`` role-swapped games (deal ``S + i // 2``, seats swapped every other game);
- with ``--clairvoyant``, the same for a *clairvoyant* ``mcts`` at each budget: told the deal's seed, it
  rebuilds the true state from it and the public history and searches that state itself — the opponent's
  hand and agenda, the deck order and every future event — instead of determinizations. It is an upper
  bound on what any better inference of the hidden cards could buy at that budget.

The deals differ from ``summitgame match --seed S`` (which derives them from the run seed), so the rates are
comparable with each other, not game for game with a ``match`` run. 400 games of 400 simulations against
the default took 30 minutes through ``summitgame match --workers 2`` on the loaded 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

import summitgame.agents.mcts as mcts_module
from summitgame import __version__
from summitgame.agents.base import Agent
from summitgame.agents.mcts import ITERATIONS, MctsAgent, Node, _Dealer
from summitgame.engine import apply, apply_unchecked, new_game
from summitgame.engine.observation import Observation, observe
from summitgame.engine.state import State
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.match import play_game
from summitgame.runs.stats import wilson


class _Truth(_Dealer):
    """Deals the true state every iteration (its own chance stream included: the future events are known)."""

    def deal(self) -> State:
        """A clone of the true state."""
        return self.base.clone()


class Clairvoyant(MctsAgent):
    """``mcts`` that knows the deal: it searches the true state, rebuilt from the deal's seed and the history."""

    def __init__(self, deal_seed: int, **params: Any) -> None:
        super().__init__(**params)
        self.deal_seed = deal_seed

    def dealer(self, obs: Observation) -> _Dealer:
        """The true state, from the deal's seed and every action in the public history (events follow)."""
        s = new_game(obs.rules, self.deal_seed)
        for code in obs.history:
            if code >= 0:
                s = apply_unchecked(s, code)
        if observe(s, obs.viewer) != obs:
            raise AssertionError("the rebuilt state does not match the observation")
        return _Truth(s, obs.viewer, self.rng)


def tree_depth(root: Node) -> tuple[int, float]:
    """The deepest node under ``root`` and the visit-weighted mean depth of its leaves (in decisions)."""
    deepest = 0
    total = visits = 0
    stack = [(root, 0)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if not node.kids and d:
            total += d * node.n
            visits += node.n
        stack.extend((kid, d + 1) for kid in node.kids.values())
    return deepest, total / max(1, visits)


def depth(rules: Ruleset, budgets: list[int], games: int) -> dict[str, Any]:
    """Depth figures at each budget over the decisions (with a choice) of ``games`` seeded games between
    ``mcts`` at the largest budget and the default."""
    views: list[Observation] = []
    for seed in range(games):
        s = new_game(rules, 900 + seed)
        agents = [MctsAgent(iterations=max(budgets)), MctsAgent()]
        for role, agent in enumerate(agents):
            agent.start(rules, role, random.Random(seed * 2 + role))
        while s.to_move >= 0:
            view = observe(s, s.to_move)
            if len(view.legal) > 1:
                views.append(view)
            s = apply(s, agents[s.to_move].act(view, view.legal))
    leaves = [0, 0]  # simulations valued, and those valued at the end of the summit
    valued = mcts_module.leaf  # every simulation's value comes from it (``utilities`` only at the end)

    def counted(
        s: State, weights: tuple[float, float, float, float], sigma: float, look: int, hazard: float
    ) -> tuple[float, float]:
        leaves[0] += 1
        leaves[1] += s.to_move < 0
        return valued(s, weights, sigma, look, hazard)

    out: dict[str, Any] = {"positions": len(views)}
    mcts_module.leaf = counted  # count where the simulations end, without touching the search
    try:
        for budget in sorted({ITERATIONS, *budgets}):
            leaves[:] = [0, 0]
            deepest, mean = [], []
            for i, view in enumerate(views):
                agent = MctsAgent(iterations=budget)
                agent.start(rules, view.viewer, random.Random(i))
                d, m = tree_depth(agent.search(view))
                deepest.append(d)
                mean.append(m)
            out[str(budget)] = {
                "deepest_node": round(sum(deepest) / len(views), 2),
                "mean_leaf_depth": round(sum(mean) / len(views), 2),
                "terminal_share": round(leaves[1] / max(1, leaves[0]), 3),
            }
    finally:
        mcts_module.leaf = valued
    return out


def score_rate(rules: Ruleset, make: Any, games: int, seed: int) -> dict[str, Any]:
    """The score rate of ``make(deal_seed)`` against the default ``mcts`` over ``games`` role-swapped games."""
    points = 0.0
    wins = ties = 0
    for i in range(games):
        deal = seed + i // 2
        seat = i % 2  # the measured agent's role this game
        agents: list[Agent] = [make(deal), MctsAgent()]
        if seat:
            agents.reverse()
        res = play_game(rules, agents, deal)
        assert res.outcome is not None and res.forfeit is None, res.forfeit
        mine, theirs = (res.outcome.scores[rules.roles[r]] for r in (seat, 1 - seat))
        wins += mine > theirs
        ties += mine == theirs
        points += 1.0 if mine > theirs else 0.5 if mine == theirs else 0.0
    ci = wilson(points, games)
    return {
        "games": games,
        "wins_ties_losses": [wins, ties, games - wins - ties],
        "score_rate": round(points / games, 4),
        "ci95": [round(ci.low, 4), round(ci.high, 4)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budgets", default="9,140", help="simulations per decision to measure, comma-separated")
    parser.add_argument("--games", type=int, default=100, help="role-swapped games per match (0: depth only)")
    parser.add_argument("--seed", type=int, default=0, help="the first deal's seed")
    parser.add_argument("--depth-games", type=int, default=12, help="games whose decisions the depth is taken at")
    parser.add_argument("--clairvoyant", action="store_true", help="also measure mcts searching the true state")
    parser.add_argument("--rules", type=Path, default=None, help="rule file (default: bundled summit.toml)")
    args = parser.parse_args()
    rules = load_rules(args.rules)
    budgets = [int(b) for b in args.budgets.split(",")]
    result: dict[str, Any] = {
        "engine": __version__,
        "rules": rules.name,
        "fingerprint": rules.fingerprint,
        "seed": args.seed,
        "depth": depth(rules, budgets, args.depth_games),
        "matches": {},
    }
    if args.games:
        for budget in budgets:
            result["matches"][f"mcts:iterations={budget}"] = score_rate(
                rules, lambda _deal, b=budget: MctsAgent(iterations=b), args.games, args.seed
            )
            if args.clairvoyant:
                result["matches"][f"clairvoyant:iterations={budget}"] = score_rate(
                    rules, lambda deal, b=budget: Clairvoyant(deal, iterations=b), args.games, args.seed
                )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
