#!/usr/bin/env bats
# What a waiting user sees: one updating line on a terminal, nothing in a file.

load helpers


@test "on a terminal, a waiter shows position and holder, and clears the line" {
    hold_gate h
    bg script -q -f -e -c "'$COORDCTL' lock '$D' -- echo waiter-ran" "$T/typescript" >/dev/null
    local waiter=$!
    wait_for "the progress line" grep -q "position 2 (1 ahead), held by [0-9]*@.* \[h\] (sh -c" "$T/typescript"
    gate_open h
    wait_status "$waiter"
    [ "$status" -eq 0 ]
    grep -q $'\r\033\[Kwaiter-ran' "$T/typescript"
}

@test "with stderr not a terminal there is no progress line" {
    hold_gate h
    bg "$COORDCTL" lock "$D" -- echo waiter-ran 2>"$T/stderr"
    local waiter=$!
    wait_for "the waiter to queue" has_wait_files 2
    gate_open h
    wait_status "$waiter"
    [ "$status" -eq 0 ]
    [ ! -s "$T/stderr" ]
}

@test "-v logs each change as a timestamped line" {
    hold_gate h
    bg "$COORDCTL" lock -v "$D" -- echo waiter-ran 2>"$T/stderr"
    local waiter=$!
    wait_for "the log line" grep -q "^[0-9-]*T[0-9:]* coordctl: waiting for $D: position 2 (1 ahead)" "$T/stderr"
    gate_open h
    wait_status "$waiter"
    [ "$status" -eq 0 ]
}
