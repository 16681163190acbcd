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

@test "a background job of a shell with job control draws no line (under stty tostop a write would stop it)" {
    hold_gate h
    bg script -q -f -e -c "stty tostop; set -m; '$COORDCTL' lock '$D' -- touch '$T/ran' & echo \$! > '$T/pid'; wait \$!; echo status=\$?" "$T/typescript" >/dev/null
    local script=$!
    wait_for "the waiter to queue" has_wait_files 2
    wait_for "the waiter to wait in its event loop" in_event_loop "$(cat "$T/pid")"
    gate_open h
    wait_status "$script"
    grep -q "status=0" "$T/typescript"
    [ -e "$T/ran" ]
    refute grep -q "waiting for" "$T/typescript"
}

@test "on a terminal, a warning printed while the progress line is drawn erases it and starts its own line" {
    # Two damaged entries ahead: the first is reported at the join, the
    # second only once the line is drawn.
    mkdir -p "$D"
    echo garbage >"$D/1-00000000000000000005-x"
    printf '{"version":1}' >"$D/1-00000000000000000006-s"
    run script -q -f -e -c "'$COORDCTL' lock -w 2 '$D' -- true" "$T/typescript"
    [ "$status" -eq 75 ]
    [ "$(grep -c 'unreadable wait file' "$T/typescript")" -eq 2 ]
    grep -q $'position 3 (2 ahead), held by an unknown owner for [0-9a-z]*\r\033\[Kcoordctl: warning: unreadable wait file' "$T/typescript"
    rm "$D"/1-*
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

# The third waits for the second only (its blocker): its own once-a-second
# look tells it that the holder changed and that it moved up.
@test "-v and the progress line follow a change of holder the waiter is not woken by" {
    hold_gate h1
    gate_make h2
    bg "$COORDCTL" lock -q --id h2 "$D" -- sh -c "echo start-h2 >> '$T/log'; $(gate_cmd h2)"
    wait_for "h2 to queue" has_wait_files 2
    bg "$COORDCTL" lock -v "$D" -- sh -c "echo third-ran >> '$T/log'" 2>"$T/stderr"
    local third=$!
    wait_for "the third's first log line" grep -q "position 3 (2 ahead), held by [0-9]*@.* \[h1\]" "$T/stderr"
    bg script -q -f -e -c "'$COORDCTL' lock '$D' -- echo fourth-ran" "$T/typescript" >/dev/null
    wait_for "the fourth's progress line" grep -q "position 4 (3 ahead), held by [0-9]*@.* \[h1\]" "$T/typescript"
    gate_open h1
    wait_for "h2 to hold" file_has_line "$T/log" start-h2
    wait_for "the third to log h2 as holder" grep -q "position 2 (1 ahead), held by [0-9]*@.* \[h2\]" "$T/stderr"
    wait_for "the fourth to show h2 as holder" grep -q "position 3 (2 ahead), held by [0-9]*@.* \[h2\]" "$T/typescript"
    refute file_has_line "$T/log" third-ran
    gate_open h2
    wait_status "$third"
    [ "$status" -eq 0 ]
}

@test "barrier wait on a terminal shows who set the barrier and clears the line; -q shows none" {
    "$COORDCTL" barrier set "$D/gate"
    bg script -q -f -e -c "'$COORDCTL' barrier wait '$D/gate'; echo waiter-done" "$T/typescript" >/dev/null
    local waiter=$!
    wait_for "the progress line" grep -q "coordctl: waiting for barrier $D/gate to be lifted, set by [0-9]*@[^ ]* [0-9a-z]* ago" "$T/typescript"
    bg script -q -f -e -c "'$COORDCTL' barrier wait -q '$D/gate'; echo quiet-done" "$T/quiet" >/dev/null
    local quiet=$!
    "$COORDCTL" barrier unset "$D/gate"
    wait_status "$waiter"
    [ "$status" -eq 0 ]
    grep -q $'\r\033\[Kwaiter-done' "$T/typescript"
    wait_status "$quiet"
    [ "$status" -eq 0 ]
    grep -q "quiet-done" "$T/quiet"
    refute grep -q "waiting for" "$T/quiet"
}

@test "a signal to barrier wait on a terminal clears the line; it still dies of the signal" {
    "$COORDCTL" barrier set "$D/gate"
    bg script -q -f -e -c "'$COORDCTL' barrier wait '$D/gate' & p=\$!; echo \$p > '$T/pid'; wait \$p; echo status=\$?" "$T/typescript" >/dev/null
    local script=$!
    wait_for "the progress line" grep -q "waiting for barrier $D/gate" "$T/typescript"
    # SIGTERM: a background job of a shell without job control starts with
    # SIGINT ignored, and a waiter keeps ignoring what it was started ignoring.
    kill -TERM "$(cat "$T/pid")"
    wait_status "$script"
    grep -q 'status=143' "$T/typescript"
    # The line erased, then only what the shell says: dash reports the
    # killed job ("Terminated"), bash does not.
    grep -Eq $'to be lifted, set by [^\r]*\r\033\\[K(Terminated|status=143)\r$' "$T/typescript"
    "$COORDCTL" barrier unset "$D/gate"
}

@test "dbarrier on a terminal shows how many have entered, then how many are not done; never while the command runs" {
    gate_make other
    bg "$COORDCTL" dbarrier "$D" --count 3 --id other -- sh -c "$(gate_cmd other)"
    wait_for "the first participant to wait" has_wait_files 1
    bg script -q -f -e -c "'$COORDCTL' dbarrier '$D' --count 3 -- echo command-ran; echo participant-done" "$T/typescript" >/dev/null
    local participant=$!
    wait_for "the fill line" grep -q "coordctl: waiting for $D: 2 of 3 participants have entered ([0-9a-z]*)" "$T/typescript"
    bg "$COORDCTL" dbarrier "$D" --count 3 -q -- true
    local third=$!
    wait_for "the drain line" grep -q "coordctl: waiting for $D: 1 of 3 members not done yet ([0-9a-z]*)" "$T/typescript"
    gate_open other
    wait_status "$participant"
    [ "$status" -eq 0 ]
    wait_status "$third"
    [ "$status" -eq 0 ]
    grep -q $'have entered ([0-9a-z]*)\r\033\[Kcommand-ran' "$T/typescript"
    grep -q $'not done yet ([0-9a-z]*)\r\033\[Kparticipant-done' "$T/typescript"
}

@test "the progress line is cut to the terminal's width (a wrapped line could not be redrawn in place)" {
    hold_gate "a-label-long-enough-to-need-cutting-on-a-terminal-of-sixty-columns"
    bg script -q -f -e -c "stty cols 60; '$COORDCTL' lock '$D' -- echo waiter-ran" "$T/typescript" >/dev/null
    local waiter=$!
    wait_for "two draws of the progress line" eval "[ \$(grep -o 'coordctl: waiting for' '$T/typescript' | wc -l) -ge 2 ]"
    gate_open "a-label-long-enough-to-need-cutting-on-a-terminal-of-sixty-columns"
    wait_status "$waiter"
    [ "$status" -eq 0 ]
    # Each draw starts with "\r\033[K": what follows it up to the next "\r" is one line.
    local draws
    draws=$(tr '\r' '\n' <"$T/typescript" | grep 'coordctl: waiting for' | sed 's/^\x1b\[K//')
    [ -n "$draws" ]
    echo "$draws" | while IFS= read -r line; do
        [ "${#line}" -le 59 ] || { echo "too wide (${#line}): $line" >&2; exit 1; }
        [[ $line == *... ]] || { echo "not marked as cut: $line" >&2; exit 1; }
    done
}
