#!/usr/bin/env bats
# coordctl lock under contention: FIFO order, -n, -w, mutual exclusion.

load helpers


@test "five queued waiters run in the order they queued" {
    hold_gate h
    for i in 1 2 3 4 5; do
        bg "$COORDCTL" lock "$D" -q -- sh -c "echo w$i >> '$T/log'"
        wait_for "waiter $i to queue" has_wait_files $((i + 1))
    done
    gate_open h
    wait_for "all waiters to run" file_has_line "$T/log" w5
    [ "$(tr '\n' ' ' <"$T/log")" = "start-h end-h w1 w2 w3 w4 w5 " ]
    wait_for "the queue to empty" has_wait_files 0
}

# The handoff without a directory read (coordctl-protocol(7), WAITING AND
# GRANTING): a queue of any length costs the same per handoff (traced_lock
# and directory_reads in helpers.bash).

@test "a waiter behind a holder is granted at the release without reading the queue again; after a cut join it reads it" {
    local name
    for name in fast slow; do
        hold_gate "h-$name"
        traced_lock "$name"
        local traced=$!
        wait_for "the $name waiter to queue" has_wait_files 2
        wait_for "the $name waiter to wait in its event loop" eval 'in_event_loop "$(pgrep -P '"$traced"')"'
        if [[ $name == slow ]]; then # joins, finds the holder, leaves: a cut join all the same
            run "$COORDCTL" lock -q --cut -n "$D" -- true
            [ "$status" -eq 75 ]
        fi
        gate_open "h-$name"
        wait_status "$traced"
        [ "$status" -eq 0 ]
        file_has_line "$T/log" "$name"
    done
    expect_grant_reads
}

@test "-n exits 75 at once when the lock is held, and -E changes the code" {
    hold_gate h
    run "$COORDCTL" lock -n "$D" -- echo ran
    [ "$status" -eq 75 ]
    [[ $output == *"lock is held by "*"[h] (sh -c "*"$D"* ]]
    [[ $output != *ran* ]]
    run "$COORDCTL" lock -n -E 3 "$D" -- echo ran
    [ "$status" -eq 3 ]
    run "$COORDCTL" lock -n -q "$D" -- echo ran
    [ "$status" -eq 75 ]
    [ "$output" = "" ]
    has_wait_files 1
    gate_open h
}

@test "-n acquires a free lock" {
    run "$COORDCTL" lock -n "$D" -- echo ran
    [ "$status" -eq 0 ]
    [ "$output" = ran ]
}

@test "-w gives up with 75 and removes its wait file" {
    hold_gate h
    run "$COORDCTL" lock -w 0.2 "$D" -- echo ran
    [ "$status" -eq 75 ]
    [[ $output == *"timed out"* ]]
    has_wait_files 1
    gate_open h
}

@test "-w acquires when the holder ends within the timeout" {
    hold_gate h
    bg "$COORDCTL" lock -w 30s "$D" -- sh -c "echo waiter >> '$T/log'"
    local waiter=$!
    wait_for "the waiter to queue" has_wait_files 2
    gate_open h
    wait "$waiter"
    file_has_line "$T/log" waiter
}

@test "8 processes x 25 holds: never two inside, exact counter" {
    echo 0 >"$T/counter"
    cat >"$T/critical" <<'SH'
#!/bin/sh
mkdir "$1/inside" 2>/dev/null || echo overlap >> "$1/overlaps"
n=$(cat "$1/counter"); echo $((n + 1)) > "$1/counter"
rmdir "$1/inside"
SH
    chmod +x "$T/critical"
    local pids=()
    for p in 1 2 3 4 5 6 7 8; do
        (for i in $(seq 25); do "$COORDCTL" lock -q "$D" -- "$T/critical" "$T" || exit 1; done) 3>&- &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
    [ ! -e "$T/overlaps" ]
    [ "$(cat "$T/counter")" = 200 ]
    [ "$(head -n 1 "$D/.token")" = 00000000000000000200 ]
}

@test "foreign files, dot files, symlinks and directories named like wait files are left alone" {
    mkdir -p "$D"
    echo data >"$T/outside"
    echo keep >"$D/keep-notes.txt"
    echo keep >"$D/.keep-hidden"
    ln -s "$T/outside" "$D/keep-1-00000000000000000001-x"
    ln -s "$T/outside" "$D/1-00000000000000000001-x"
    mkdir "$D/1-00000000000000000002-x"
    mkfifo "$D/1-00000000000000000003-x"
    run "$COORDCTL" lock -n "$D" -- echo ran
    [ "$status" -eq 0 ]
    [ "$output" = ran ]
    [ "$(cat "$T/outside")" = data ]
    [ -L "$D/1-00000000000000000001-x" ]
    [ -d "$D/1-00000000000000000002-x" ]
    [ -p "$D/1-00000000000000000003-x" ]
    [ "$(cat "$D/keep-notes.txt")" = keep ]
    rm "$D/1-00000000000000000001-x" "$D/1-00000000000000000003-x"
    rmdir "$D/1-00000000000000000002-x"
}

@test "a garbage wait file with an old mtime is reported once and treated as stale" {
    mkdir -p "$D"
    echo 'not json' >"$D/1-00000000000000000007-x"
    touch -d '1 hour ago' "$D/1-00000000000000000007-x"
    run "$COORDCTL" lock "$D" -- echo ran
    [ "$status" -eq 0 ]
    [[ $output == *"unreadable wait file"*"1-00000000000000000007-x"* ]]
    [[ $output == *"removed stale entry"* ]]
    [[ ${lines[-1]} == ran ]]
    [ "$(sed -n '1s/^0*//p' "$D/.token")" -gt 7 ]
}

@test "a garbage wait file with a fresh mtime is waited for, not removed" {
    mkdir -p "$D"
    echo '{"version": 99}' >"$D/1-00000000000000000007-x"
    run "$COORDCTL" lock -n "$D" -- echo ran
    [ "$status" -eq 75 ]
    [ -f "$D/1-00000000000000000007-x" ]
    rm "$D/1-00000000000000000007-x"
}

@test "300 waiters (more than the 128 inotify instances a user may have) all get through in order" {
    hold_gate h
    local pids=()
    for i in $(seq 300); do
        "$COORDCTL" lock "$D" -q -- sh -c "echo w >> '$T/log'" 3>&- &
        pids+=($!)
    done
    # They join one at a time under the join lock: slow on a loaded machine.
    WAIT_FOR_SECONDS=60 wait_for "300 waiters to queue" has_wait_files 301
    gate_open h
    for pid in "${pids[@]}"; do wait "$pid"; done
    [ "$(grep -c '^w$' "$T/log")" -eq 300 ]
    [ "$(sed -n 2p "$T/log")" = end-h ]
}
