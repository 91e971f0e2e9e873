#!/usr/bin/env python3
"""Train a masked PPO policy against an agent (``greedy`` by default) on a CPU, then measure it.

    pip install '.[rl]'                 # from a checkout: sb3-contrib (and PyTorch) for MaskablePPO
    python examples/train_maskable_ppo.py --steps 200000 --save summit_ppo.zip

The environment is ``summitgame.integrations.gymnasium.SummitEnv``: the learner's seat alternates from one
episode to the next, the reward is its final game score, and ``action_masks()`` keeps the policy to legal
actions. The evaluation plays fresh seeded deals (not the training ones) and reports the mean reward and
the score rate (win 1, tie 0.5), next to a uniformly random masked policy on the same deals.
"""

from __future__ import annotations

import argparse
import random
import sys
from typing import Any

import numpy as np

from summitgame.integrations.gymnasium import SummitEnv

EVAL_SEED = 10**9  #: evaluation deals start here, far from the seeds training draws


def evaluate(env: SummitEnv, choose: Any, episodes: int) -> tuple[float, float, int]:
    """Mean reward, score rate and illegal actions over ``episodes`` deals; ``choose(obs, mask)`` gives an
    action. An illegal action ends its episode at the env's ``illegal_reward`` and scores as a loss."""
    total = points = 0.0
    illegal = 0
    for k in range(episodes):
        obs, info = env.reset(seed=EVAL_SEED + k)
        done = False
        while not done:
            obs, reward, done, _, info = env.step(choose(obs, env.action_masks()))
        total += float(reward)
        if info.get("illegal_action"):
            illegal += 1
            continue
        winner = info["outcome"]["winner"]
        points += 0.5 if winner is None else float(winner == info["role"])
    return total / episodes, points / episodes, illegal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opponent", default="greedy", help="the agent spec to train against (default: greedy)")
    parser.add_argument("--steps", type=int, default=200_000, help="learner decisions to train on")
    parser.add_argument("--n-steps", type=int, default=2048, help="PPO rollout length")
    parser.add_argument("--episodes", type=int, default=200, help="evaluation deals")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", metavar="FILE", help="save the trained model here")
    args = parser.parse_args(argv)
    from sb3_contrib import MaskablePPO

    env = SummitEnv(opponent=args.opponent)
    env.reset(seed=args.seed)
    batch = min(64, args.n_steps)
    model = MaskablePPO("MlpPolicy", env, n_steps=args.n_steps, batch_size=batch, seed=args.seed, verbose=0)
    model.learn(total_timesteps=args.steps)
    if args.save:
        model.save(args.save)

    def policy(obs: np.ndarray[Any, Any], mask: np.ndarray[Any, Any]) -> int:
        action, _ = model.predict(obs, action_masks=mask, deterministic=True)
        return int(action)

    pick = random.Random(args.seed)

    def uniform(obs: np.ndarray[Any, Any], mask: np.ndarray[Any, Any]) -> int:
        return pick.choice(np.flatnonzero(mask).tolist())

    for name, choose in (("trained", policy), ("random", uniform)):
        reward, rate, illegal = evaluate(SummitEnv(opponent=args.opponent), choose, args.episodes)
        print(
            f"{name:<8} vs {args.opponent}: mean reward {reward:+.2f}, score rate {100 * rate:.1f}%, "
            f"illegal actions {illegal} ({args.episodes} deals)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
