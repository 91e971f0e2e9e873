#!/usr/bin/env python3
"""A reference bot for summitgame's text protocol (docs/protocol.md), with the standard library only.

Run it as an agent:  summitgame match 'cmd:python3 examples/bots/dealmaker.py' greedy

It reads one JSON message a line on stdin and answers each "act" with one line on stdout. It plays a
simple, honest game: it accepts a package that gains it points by its own stakes (else rejects it), and
builds one of its own by asking one step on the track it values most and, if it can, giving one step on
a track it values less, then offers it. It always answers with one of the legal actions it was sent.
Its notes go to stderr, which summitgame keeps in a log file.
"""

import json
import random
import sys


def package_value(obs):
    """What the package on the table is worth to me, by my true stakes: gains minus concessions."""
    me = obs["viewer"]
    value = 0
    for giver, track, steps in obs["items"]:
        stake = obs["my_stakes"][track]
        value += -stake * steps if giver == me else stake * steps
    return value


def choose(obs, legal, tracks, rng):
    """One of the legal actions, as a notation."""
    notations = [a["notation"] for a in legal]
    if obs["phase"] == "respond":
        if "accept" in notations and package_value(obs) > 0:
            return "accept"
        return "reject" if "reject" in notations else notations[0]
    # building a package: ask on my best track, give on a lesser one, then offer
    me = obs["viewer"]
    stakes = obs["my_stakes"]
    best_first = sorted(range(len(stakes)), key=lambda t: (-stakes[t], rng.random()))
    asked = any(giver != me for giver, _, _ in obs["items"])
    given = any(giver == me for giver, _, _ in obs["items"])
    if not asked:
        for t in best_first:
            if f"ask {tracks[t]} 1" in notations:
                return f"ask {tracks[t]} 1"
    if asked and not given:
        for t in reversed(best_first):
            if stakes[t] < stakes[best_first[0]] and f"give {tracks[t]} 1" in notations:
                return f"give {tracks[t]} 1"
    if "offer" in notations and obs["items"]:
        return "offer"
    return "pass" if "pass" in notations else notations[0]


def main():
    tracks = []
    rng = random.Random(0)
    for line in sys.stdin:
        if not line.strip():
            continue
        message = json.loads(line)
        kind = message.get("type")
        if kind == "hello":
            if message["protocol"] != 1:
                print(f"dealmaker: I speak protocol 1, not {message['protocol']}", file=sys.stderr)
                return 1
            tracks = [t["id"] for t in message["rules"]["tracks"]]
            rng = random.Random(message["seed"])  # all my randomness: the game replays from the same run seed
            print(f"dealmaker: playing {message['role']} in {message['rules']['name']}", file=sys.stderr)
        elif kind == "act":
            action = choose(message["observation"], message["legal"], tracks, rng)
            print(json.dumps({"action": action}), flush=True)
        elif kind == "end":
            outcome = message["outcome"]
            print(f"dealmaker: game over, {outcome['tier']}, scores {outcome['scores']}", file=sys.stderr)
            return 0
        # a message type from a later protocol version: ignore it
    return 0


if __name__ == "__main__":
    sys.exit(main())
