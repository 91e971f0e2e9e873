#!/bin/sh
# A reference bot for summitgame's text protocol (docs/protocol.md) in POSIX sh and awk, the tools of any
# Unix-like system: no Python, no JSON library.
#
# Run it as an agent:  summitgame match 'cmd:sh examples/bots/dealer.sh' greedy
#
# The shell reads the messages a line at a time (an awk reading a pipe may wait for a whole buffer before it
# sees the first line, and the game waits for its answer), keeps the hello, and hands each act with the hello
# to dealer.awk beside it, which chooses the move and prints the answer. Nothing it reads is run or used as a
# path.
here=$(dirname "$0")
hello=""
while IFS= read -r line; do
    case $line in
        '{"type":"hello"'*) hello=$line ;;
        '{"type":"act"'*) printf '%s\n%s\n' "$hello" "$line" | awk -f "$here/dealer.awk" ;;
        *) ;;  # "end", and any message type this bot does not know: nothing to answer
    esac
done
