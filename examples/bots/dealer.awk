#!/usr/bin/awk -f
# The moves of a reference bot for summitgame's text protocol (docs/protocol.md), in POSIX awk: no JSON
# library, no Python. dealer.sh runs it once per decision with two lines on its input, the game's hello and
# the act to answer, and it prints the answer (run the bot as 'cmd:sh examples/bots/dealer.sh').
#
# It plays as examples/bots/dealmaker.py does, without the randomness: it accepts a package worth more than
# nothing to it (by its own stakes, its agenda included) and rejects any other; with the initiative it asks
# one step on the track it values most, gives one step on the track it values least, and offers the package.
# Every answer is one of the legal actions it was sent. It reads the compact JSON lines summitgame writes
# (one message a line, no spaces) with awk's own pattern matching; a bot that must read JSON from anywhere
# else should use a real parser.

# The integers of the array named `key` in `s` ("key":[1,-2,3]), into out[1..n]; returns n.
function ints(s, key, out,    head, body) {
    head = "\"" key "\":["
    if (!match(s, "\"" key "\":\\[[-0-9,]*\\]")) return 0
    body = substr(s, RSTART + length(head), RLENGTH - length(head) - 1)
    if (body == "") return 0
    return split(body, out, ",")
}

# The string value of `key` in `s` ("key":"value"), or "".
function str(s, key) {
    if (!match(s, "\"" key "\":\"[^\"]*\"")) return ""
    return substr(s, RSTART + length(key) + 4, RLENGTH - length(key) - 5)
}

# The track ids, in the rules' order, from the hello message: track[1..ntracks].
function read_tracks(s,    rest, stop) {
    ntracks = 0
    rest = substr(s, index(s, "\"tracks\":["))
    stop = index(rest, "\"meters\":[")
    if (stop > 0) rest = substr(rest, 1, stop)
    while (match(rest, "\\{\"id\":\"[a-z0-9_]+\"")) {
        track[++ntracks] = substr(rest, RSTART + 7, RLENGTH - 8)
        rest = substr(rest, RSTART + RLENGTH)
    }
}

# The legal notations of an act message into legal[notation] = 1; the first into first_legal.
function read_legal(s,    rest, n) {
    for (n in legal) delete legal[n]
    first_legal = ""
    rest = s
    while (match(rest, "\"notation\":\"[^\"]*\"")) {
        n = substr(rest, RSTART + 12, RLENGTH - 13)
        legal[n] = 1
        if (first_legal == "") first_legal = n
        rest = substr(rest, RSTART + RLENGTH)
    }
}

function answer(notation) {
    printf "{\"action\":\"%s\"}\n", notation
    fflush()
}

function choose(s,    me, stakes, items, body, n, k, giver, value, asked, given, best, worst, t) {
    match(s, "\"viewer\":[0-9]+")
    me = substr(s, RSTART + 9, RLENGTH - 9) + 0
    ints(s, "my_stakes", stakes)
    # items: [[giver, track, steps], ...] flattened by dropping the brackets
    n = 0
    if (match(s, "\"items\":\\[[][0-9,]*\\]")) {
        body = substr(s, RSTART + 9, RLENGTH - 10)
        gsub(/[][]/, "", body)
        if (body != "") n = split(body, items, ",")
    }
    value = 0; asked = 0; given = 0
    for (k = 1; k + 2 <= n; k += 3) {
        giver = items[k] + 0
        if (giver == me) { value -= stakes[items[k + 1] + 1] * items[k + 2]; given = 1 }
        else { value += stakes[items[k + 1] + 1] * items[k + 2]; asked = 1 }
    }
    if (str(s, "phase") == "respond") {
        if (value > 0 && ("accept" in legal)) return "accept"
        if ("reject" in legal) return "reject"
        return first_legal
    }
    best = 1; worst = 1
    for (t = 2; t <= ntracks; t++) {
        if (stakes[t] + 0 > stakes[best] + 0) best = t
        if (stakes[t] + 0 < stakes[worst] + 0) worst = t
    }
    if (!asked) {
        if (("ask " track[best] " 1") in legal) return "ask " track[best] " 1"
        for (t = 1; t <= ntracks; t++) if (("ask " track[t] " 1") in legal) return "ask " track[t] " 1"
    }
    if (asked && !given) {
        if (("give " track[worst] " 1") in legal) return "give " track[worst] " 1"
        for (t = ntracks; t >= 1; t--)
            if (stakes[t] + 0 < stakes[best] + 0 && ("give " track[t] " 1") in legal) return "give " track[t] " 1"
    }
    if (n > 0 && ("offer" in legal)) return "offer"
    if ("pass" in legal) return "pass"
    return first_legal
}

/^\{"type":"hello"/ { read_tracks($0); next }
/^\{"type":"act"/ { read_legal($0); answer(choose($0)); next }
