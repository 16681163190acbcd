#!/usr/bin/env bats
# coordctl lock modes: --shared, --slots, --cut, --cut=preempt.

load helpers

@test "--shared: two readers hold together; a writer gets 75 with -n" {
    hold_gate r1 --shared
    hold_gate r2 --shared
    file_has_line "$T/log" start-r1
    run "$COORDCTL" lock -n "$D" -- true
    [ "$status" -eq 75 ]
    run "$COORDCTL" lock -n --shared "$D" -- echo third-reader
    [ "$status" -eq 0 ]
    [ "$output" = third-reader ]
    gate_open r1
    gate_open r2
}

@test "--shared: a reader queued behind a writer waits for it (writers are not starved)" {
    hold_gate r1 --shared
    bg "$COORDCTL" lock -q "$D" -- sh -c "echo writer >> '$T/log'"
    wait_for "the writer to queue" has_wait_files 2
    run "$COORDCTL" lock -n --shared "$D" -- true
    [ "$status" -eq 75 ]
    bg "$COORDCTL" lock -q --shared "$D" -- sh -c "echo reader2 >> '$T/log'"
    wait_for "the second reader to queue" has_wait_files 3
    gate_open r1
    wait_for "the second reader to run" file_has_line "$T/log" reader2
    [ "$(tr '\n' ' ' <"$T/log")" = "start-r1 end-r1 writer reader2 " ]
}

@test "--shared: a writer waits for every reader ahead of it" {
    hold_gate r1 --shared
    hold_gate r2 --shared
    bg "$COORDCTL" lock -q "$D" -- sh -c "echo writer >> '$T/log'"
    wait_for "the writer to queue" has_wait_files 3
    gate_open r2
    wait_for "reader 2 to end" file_has_line "$T/log" end-r2
    run "$COORDCTL" lock -n --shared "$D" -- true
    [ "$status" -eq 75 ] # the writer is still waiting for reader 1
    refute file_has_line "$T/log" writer
    gate_open r1
    wait_for "the writer to run" file_has_line "$T/log" writer
}

@test "--slots 2 lets exactly two in, FIFO after that" {
    hold_gate a --slots 2
    hold_gate b --slots 2
    run "$COORDCTL" lock -n --slots 2 "$D" -- true
    [ "$status" -eq 75 ]
    bg "$COORDCTL" lock -q --slots 2 "$D" -- sh -c "echo c >> '$T/log'"
    wait_for "c to queue" has_wait_files 3
    bg "$COORDCTL" lock -q --slots 2 "$D" -- sh -c "echo d >> '$T/log'"
    wait_for "d to queue" has_wait_files 4
    gate_open b
    wait_for "c to run" file_has_line "$T/log" c
    wait_for "d to run" file_has_line "$T/log" d
    [ "$(tr '\n' ' ' <"$T/log")" = "start-a start-b end-b c d " ]
    gate_open a
}

@test "--slots: a waiter behind the first waiter moves up when that one is granted" {
    hold_gate a --slots 2
    hold_gate b --slots 2
    gate_make c
    bg "$COORDCTL" lock -q --slots 2 "$D" -- sh -c "echo start-c >> '$T/log'; $(gate_cmd c)"
    wait_for "c to queue" has_wait_files 3
    bg "$COORDCTL" lock -q --slots 2 "$D" -- sh -c "echo d >> '$T/log'"
    wait_for "d to queue" has_wait_files 4
    gate_open a # c gets a's slot; d must now wait for b or c
    wait_for "c to run" file_has_line "$T/log" start-c
    gate_open b # d gets b's slot
    wait_for "d to run" file_has_line "$T/log" d
    gate_open c
}

# The race between a later waiter's look and its wait: strace holds d for
# 6 s in the release of the token lock after its join's look (its 4th
# flock(2)), and c, the entry d saw as its predecessor, is granted meanwhile.
# d must then wait for the two holders it now has ahead (b, c), not for c to go.
@test "--slots: a waiter whose predecessor is granted between its look and its wait looks again" {
    hold_gate a --slots 2
    hold_gate b --slots 2
    gate_make c
    bg "$COORDCTL" lock -q --slots 2 "$D" -- sh -c "echo start-c >> '$T/log'; $(gate_cmd c)"
    wait_for "c to queue" has_wait_files 3
    bg env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        strace -qq -e inject=flock:delay_exit=6000000:when=4 -o "$T/d.strace" \
        "$COORDCTL" lock -q --slots 2 "$D" -- sh -c "echo d >> '$T/log'"
    wait_for "d to be held in its token lock's release" grep -qs 'flock(.*LOCK_UN.*DELAYED' "$T/d.strace"
    gate_open a # c is granted
    wait_for "c to run" file_has_line "$T/log" start-c
    # Else the race was not provoked: d armed its wait after c's grant.
    [[ $(tail -n 1 "$T/d.strace") == *LOCK_UN*DELAYED* ]]
    gate_open b # b's slot is free while c holds
    WAIT_FOR_SECONDS=15 wait_for "d to run while c holds" file_has_line "$T/log" d
    gate_open c
}

# The other side of that rule: behind a cut entry x, which must follow both
# holders, "later" has three ahead and its plan waits for the grant of b,
# granted long ago. It looks again once, then waits for b to go (no loop).
@test "--slots: a waiter whose predecessor is a holder behind a cut entry waits for it, without spinning" {
    hold_gate a --slots 2
    hold_gate b --slots 2
    gate_make x
    bg "$COORDCTL" lock -q --cut --slots 2 "$D" -- sh -c "echo start-x >> '$T/log'; $(gate_cmd x)"
    wait_for "x to queue" has_wait_files 3
    traced_lock later --slots 2
    local traced=$!
    wait_for "the later waiter to queue" has_wait_files 4
    wait_for "the later waiter to wait in its event loop" eval 'in_event_loop "$(pgrep -P '"$traced"')"'
    [ "$(directory_reads later)" -eq 2 ] # its join's look, and once more
    gate_open b
    wait_for "x to run" file_has_line "$T/log" start-x
    refute file_has_line "$T/log" later
    gate_open a
    wait_status "$traced"
    [ "$status" -eq 0 ]
    [ "$(tr '\n' ' ' <"$T/log")" = "start-a start-b end-b start-x end-a later " ]
    gate_open x
}

# As for an exclusive waiter (02-lock-queue.bats): the first slots waiter
# decides from the departure of one of the N ahead, unless an entry cut in
# line since it joined.
@test "--slots: the first waiter is granted when one of the N leaves without reading the queue again; after a cut join it reads it" {
    local name
    for name in fast slow; do
        hold_gate "a-$name" --slots 2
        hold_gate "b-$name" --slots 2
        traced_lock "$name" --slots 2
        local traced=$!
        wait_for "the $name waiter to queue" has_wait_files 3
        wait_for "the $name waiter to wait in its event loop" eval 'in_event_loop "$(pgrep -P '"$traced"')"'
        if [[ $name == slow ]]; then # joins, finds two holders, leaves: a cut join all the same
            run "$COORDCTL" lock -q --cut -n --slots 2 "$D" -- true
            [ "$status" -eq 75 ]
        fi
        gate_open "a-$name"
        wait_status "$traced"
        [ "$status" -eq 0 ]
        file_has_line "$T/log" "$name"
        gate_open "b-$name"
        wait_for "the queue to empty after $name" has_wait_files 0
    done
    expect_grant_reads
}

# A later slots waiter woken by its predecessor's grant plans on what the
# predecessor recorded there (the entries then ahead of it), with a stat of
# each instead of a read of the queue: here it becomes the first waiter.
@test "--slots: a later waiter woken by its predecessor's grant does not read the queue again" {
    hold_gate a --slots 2
    hold_gate b --slots 2
    gate_make c
    bg "$COORDCTL" lock -q --slots 2 "$D" -- sh -c "echo start-c >> '$T/log'; $(gate_cmd c)"
    wait_for "c to queue" has_wait_files 3
    traced_lock later --slots 2
    local traced=$!
    wait_for "the later waiter to queue" has_wait_files 4
    wait_for "the later waiter to wait in its event loop" eval 'in_event_loop "$(pgrep -P '"$traced"')"'
    gate_open b # c is granted, with a still ahead: later is now the first waiter
    wait_for "c to run" file_has_line "$T/log" start-c
    run "$COORDCTL" lock -n --slots 2 "$D" -- true
    [ "$status" -eq 75 ]
    refute file_has_line "$T/log" later
    gate_open a # one of the two ahead of it leaves
    wait_status "$traced"
    [ "$status" -eq 0 ]
    file_has_line "$T/log" later
    gate_open c
    wait_for "the queue to empty" has_wait_files 0
    if [[ -n ${COORDCTL_POLL:-} ]]; then
        (($(directory_reads later) >= 2))
    else
        [ "$(directory_reads later)" -eq 1 ]
    fi
}

@test "--slots: participants disagreeing on N is an error, not overselling" {
    hold_gate a --slots 2
    run "$COORDCTL" lock --slots 3 "$D" -- echo oversold
    [ "$status" -eq 64 ]
    [[ $output == *"disagree"*"--slots 2"*"--slots 3"* ]]
    [[ $output != *oversold* ]]
    run "$COORDCTL" lock "$D" -- echo exclusive
    [ "$status" -eq 64 ]
    has_wait_files 1
    gate_open a
}

@test "--cut runs before earlier waiters, without evicting the holder" {
    hold_gate h
    bg "$COORDCTL" lock -q "$D" -- sh -c "echo w1 >> '$T/log'"
    wait_for "w1 to queue" has_wait_files 2
    bg "$COORDCTL" lock -q "$D" -- sh -c "echo w2 >> '$T/log'"
    wait_for "w2 to queue" has_wait_files 3
    bg "$COORDCTL" lock -q --cut "$D" -- sh -c "echo cut >> '$T/log'"
    wait_for "the cut entry to queue" has_wait_files 4
    run "$COORDCTL" lock -n "$D" -- true
    [ "$status" -eq 75 ]
    refute file_has_line "$T/log" cut
    gate_open h
    wait_for "w2 to run" file_has_line "$T/log" w2
    [ "$(tr '\n' ' ' <"$T/log")" = "start-h end-h cut w1 w2 " ]
}

# The waiter behind a holder is woken by the holder's release alone (the
# cut entry that joined meanwhile wakes nobody): it must still see the cut
# entry, not take the release as its turn.
@test "--cut joining while a waiter waits on the holder: the release does not let that waiter run beside it" {
    for mode in exclusive shared; do
        rm -f "$T/log" "$T/w.err"
        hold_gate h
        local opt=()
        [[ $mode == shared ]] && opt=(--shared)
        bg "$COORDCTL" lock -v "${opt[@]}" "$D" -- sh -c "echo w >> '$T/log'" 2>"$T/w.err"
        wait_for "the waiter to queue ($mode)" has_wait_files 2
        gate_make c
        bg "$COORDCTL" lock -q --cut --id cutter "$D" -- sh -c "echo start-c >> '$T/log'; $(gate_cmd c)"
        wait_for "the cut entry to queue ($mode)" has_wait_files 3
        expect_cut_first
        wait_for "the queue to empty ($mode)" has_wait_files 0
        rm -f "$T/gate-h" "$T/gate-c"
    done
}

@test "--cut=preempt evicts the holder: its command tree is stopped and it exits 79" {
    gate_make h
    bg "$COORDCTL" lock -q "$D" -- sh -c "sleep 600 & echo \$! > '$T/bgpid'; echo start-h >> '$T/log'; $(gate_cmd h)"
    local holder=$!
    wait_for "the holder to start" file_has_line "$T/log" start-h
    bg "$COORDCTL" lock -q "$D" -- sh -c "echo waiter >> '$T/log'"
    wait_for "the waiter to queue" has_wait_files 2
    run "$COORDCTL" lock --cut=preempt "$D" -- sh -c "echo preempt >> '$T/log'"
    [ "$status" -eq 0 ]
    [[ $output == *"preempting"* ]]
    wait_status "$holder"
    [ "$status" -eq 79 ]
    process_gone "$(cat "$T/bgpid")"
    wait_for "the waiter to run" file_has_line "$T/log" waiter
    [ "$(tr '\n' ' ' <"$T/log")" = "start-h preempt waiter " ]
}

# evict_stubborn_holder [CUTTER OPTIONS...]: a holder whose command ignores
# SIGTERM (its coordctl waits 60 s before SIGKILL) is evicted by a
# --cut=preempt cutter (pid in $cutter, stderr in $T/c.err); returns once
# the holder's coordctl (pid in $holder) is stopping its command.
evict_stubborn_holder() {
    gate_make h
    bg "$COORDCTL" lock -q --kill-after 60 "$D" -- sh -c "trap '' TERM; echo start-h >> '$T/log'; $(gate_cmd h); echo end-h >> '$T/log'" 2>"$T/h.err"
    holder=$!
    wait_for "the holder to start" file_has_line "$T/log" start-h
    bg "$COORDCTL" lock --cut=preempt "$@" "$D" -- sh -c "echo c >> '$T/log'" 2>"$T/c.err"
    cutter=$!
    wait_for "the cutter to evict the holder" grep -q preempting "$T/c.err"
    wait_for "the holder to stop its command" grep -q "hold lost" "$T/h.err"
}

@test "--cut=preempt that gives up leaves only once the evicted command has stopped" {
    local how holder cutter
    for how in timeout signal; do
        : >"$T/log"
        if [[ $how == timeout ]]; then
            evict_stubborn_holder -w 1
            wait_for "the cutter to time out" grep -q "timed out" "$T/c.err"
            grep -q "^coordctl: timed out; the evicted holder's command is still running: $D/1-" "$T/c.err"
        else
            evict_stubborn_holder
            kill -TERM "$cutter"
            wait_for "the cutter to take the signal" eval 'grep -q "leaving once" "$T/c.err" || process_gone "$cutter"'
        fi
        # The evicted command still runs: nobody may hold, the cutter's entry stays.
        run "$COORDCTL" lock -n "$D" -- true
        [ "$status" -eq 75 ]
        kill -0 "$cutter"
        bg "$COORDCTL" lock -q "$D" -- sh -c "echo w >> '$T/log'"
        wait_for "the waiter to queue ($how)" has_wait_files 2
        refute file_has_line "$T/log" w
        gate_open h
        wait_status "$cutter"
        if [[ $how == timeout ]]; then [ "$status" -eq 75 ]; else [ "$status" -eq 143 ]; fi
        if [[ $how == timeout ]]; then local first="a signal"; else local first="a second signal"; fi
        grep -q "leaving once the evicted holder's command has stopped ($first leaves at once)" "$T/c.err"
        wait_status "$holder"
        [ "$status" -eq 79 ]
        wait_for "the waiter to run ($how)" file_has_line "$T/log" w
        [ "$(tr '\n' ' ' <"$T/log")" = "start-h end-h w " ]
        wait_for "the queue to empty ($how)" has_wait_files 0
        rm -f "$T/gate-h"
    done
}

@test "--cut=preempt waiting to leave: keeps its heartbeat; a second signal leaves at once, as that signal, and says what that risks" {
    local holder cutter entry
    evict_stubborn_holder --ttl 300ms
    kill -TERM "$cutter"
    wait_for "the cutter to wait for the evicted command" grep -q "leaving once.*(a second signal leaves at once)" "$T/c.err"
    entry=$(ls "$D" | grep '^0-')
    local before
    before=$(stat -c %.3Y "$D/$entry")
    wait_for "the cutter's heartbeat (every 100 ms) to touch its wait file" \
        eval '[[ $(stat -c %.3Y "$D/$entry") != "$before" ]]'
    kill -HUP "$cutter"
    wait_status "$cutter"
    [ "$status" -eq 129 ]
    grep -q "leaving before the evicted holder's command has stopped; the next waiter may run beside it" "$T/c.err"
    has_wait_files 0
    kill -0 "$holder" # still stopping its command
    gate_open h
    wait_status "$holder"
    [ "$status" -eq 79 ]
}

@test "--cut and --cut=preempt take no other value" {
    run "$COORDCTL" lock --cut=later "$D" -- true
    [ "$status" -eq 64 ]
    [[ $output == *"--cut"* ]]
}

@test "nested: a shared hold cannot be upgraded to exclusive from inside" {
    run "$COORDCTL" lock --shared "$D" -- "$COORDCTL" lock -n "$D" -- echo inner
    [ "$status" -eq 75 ]
    [[ $output == *"cannot take an exclusive lock inside a shared hold"* ]]
    run "$COORDCTL" lock "$D" -- "$COORDCTL" lock --shared -n "$D" -- echo inner
    [ "$status" -eq 0 ]
    [ "$output" = inner ]
}

@test "nested: --slots against another mode or another N is refused as it is outside (64), naming the outer entry" {
    local pairs=("--slots 2|--slots 3" "--slots 2|--shared" "--shared|--slots 3" "--slots 2|" "|--slots 3")
    local pair outer inner
    for pair in "${pairs[@]}"; do
        outer=${pair%|*} inner=${pair#*|}
        # shellcheck disable=SC2086 # the options are words
        run "$COORDCTL" lock $outer "$D" -- "$COORDCTL" lock $inner "$D" -- echo inner
        [ "$status" -eq 64 ] || { echo "$pair: $status $output" >&2; false; }
        [[ $output == "coordctl: participants of $D disagree on the lock mode: entry 1-"*" uses "*", this one "* ]]
        [[ $output != *inner* ]]
    done
    run "$COORDCTL" lock --slots 2 "$D" -- "$COORDCTL" lock --slots 2 "$D" -- echo inner
    [ "$status" -eq 0 ]
    [ "$output" = inner ]
}
