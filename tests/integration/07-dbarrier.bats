#!/usr/bin/env bats
# coordctl dbarrier: entering together, leaving together, the (N+1)-th
# participant, crashes, signals, and rounds one after another.

load helpers

# participant ID COUNT [OPTIONS...]: starts a participant whose command logs
# "start-ID <participants>", blocks until `gate_open ID`, then logs end-ID.
# Its coordctl's pid is in $T/coordctl-ID, its command's in $T/pid-ID.
participant() {
    local id=$1 count=$2
    gate_make "$id"
    bg "$COORDCTL" dbarrier "$D" --count "$count" --id "$id" "${@:3}" -- sh -c "echo \$\$ > '$T/pid-$id'; echo \"start-$id \$COORDCTL_PARTICIPANTS\" >> '$T/log'; $(gate_cmd "$id"); echo end-$id >> '$T/log'"
    echo $! >"$T/coordctl-$id"
}

# fast ID COUNT [OPTIONS...]: a participant whose command ends at once.
fast() {
    local id=$1 count=$2
    bg "$COORDCTL" dbarrier "$D" --count "$count" --id "$id" "${@:3}" -- sh -c "echo \"start-$id \$COORDCTL_PARTICIPANTS\" >> '$T/log'; echo end-$id >> '$T/log'"
    echo $! >"$T/coordctl-$id"
}

pid_of() { cat "$T/coordctl-$1"; }
started() { cat "$T/log" 2>/dev/null | grep -c '^start-' || true; }
# After its command, a participant blocked in exit waits on another's kernel
# lock in a helper thread: two threads mean it is blocked there.
blocked_in_exit() { [[ $(ls "/proc/$1/task" 2>/dev/null | wc -l) -ge 2 ]]; }
running() { ! process_gone "$1"; }
has_entry_labelled() { grep -qs "\"label\":\"$1\"" "$D"/1-*; }

@test "nobody runs the command before the third participant enters" {
    participant a 3
    wait_for "a to join" has_wait_files 1
    participant b 3
    wait_for "b to join" has_wait_files 2
    [ "$(started)" -eq 0 ]
    participant c 3
    for p in a b c; do
        wait_for "$p to start" file_has_line "$T/log" "start-$p a b c"
    done
    gate_open a
    gate_open b
    gate_open c
    for p in a b c; do
        wait_status "$(pid_of $p)"
        [ "$status" -eq 0 ]
    done
}

@test "a fast participant does not leave before the slowest has finished its command" {
    fast a 3
    fast b 3
    participant c 3
    wait_for "a's command to end" file_has_line "$T/log" end-a
    wait_for "b's command to end" file_has_line "$T/log" end-b
    wait_for "a to wait for c" blocked_in_exit "$(pid_of a)"
    wait_for "b to wait for c" blocked_in_exit "$(pid_of b)"
    running "$(pid_of a)"
    running "$(pid_of b)"
    refute file_has_line "$T/log" end-c
    gate_open c
    for p in a b c; do
        wait_status "$(pid_of $p)"
        [ "$status" -eq 0 ]
    done
    [ "$(tail -1 "$T/log")" = end-c ]
}

@test "each exits with its own command's status" {
    bg "$COORDCTL" dbarrier "$D" --count 2 -- sh -c 'exit 3'
    local a=$!
    bg "$COORDCTL" dbarrier "$D" --count 2 -c 'kill -USR1 $$'
    local b=$!
    wait_status "$a"
    [ "$status" -eq 3 ]
    wait_status "$b"
    [ "$status" -eq 138 ]
}

@test "a 4th participant of a running round gets an error, exit 1, nothing left" {
    participant a 3
    participant b 3
    participant c 3
    wait_for "the round to start" eval '[ "$(started)" -eq 3 ]'
    run "$COORDCTL" dbarrier "$D" --count 3 --id d -- sh -c "echo start-d >> '$T/log'"
    [ "$status" -eq 1 ]
    [ "$output" = "coordctl: a round of 3 is already running: $D" ]
    # The round's own size, whatever the newcomer's --count.
    run "$COORDCTL" dbarrier "$D" --count 5 --id e -- sh -c "echo start-e >> '$T/log'"
    [ "$status" -eq 1 ]
    [ "$output" = "coordctl: a round of 3 is already running: $D" ]
    has_wait_files 3
    [ "$(started)" -eq 3 ]
    gate_open a
    gate_open b
    gate_open c
    for p in a b c; do
        wait_status "$(pid_of $p)"
        [ "$status" -eq 0 ]
    done
}

@test "four at once for a round of 3: three run together, one is refused" {
    local pids=()
    for p in a b c d; do
        gate_make $p
        "$COORDCTL" dbarrier "$D" --count 3 --id $p -- sh -c "echo start-$p >> '$T/log'; $(gate_cmd $p)" 3>&- 2>"$T/err-$p" &
        pids+=($!)
    done
    # The round runs until its gates open: the fourth comes while it is full or running.
    wait_for "three to start" eval '[ "$(started)" -eq 3 ]'
    wait_for "one to be refused" eval "grep -q . '$T'/err-*"
    grep -q "coordctl: \(a round of 3 is already running\|the round is already full (3 participants)\): $D" "$T"/err-*
    for p in $(sed -n 's/^start-//p' "$T/log"); do gate_open $p; done
    local refused=0 ok=0
    for pid in "${pids[@]}"; do
        wait_status "$pid"
        case $status in
            0) ok=$((ok + 1)) ;;
            1) refused=$((refused + 1)) ;;
            *) echo "unexpected status $status" >&2; return 1 ;;
        esac
    done
    [ "$ok" -eq 3 ]
    [ "$refused" -eq 1 ]
    [ "$(started)" -eq 3 ]
}

@test "a participant SIGKILLed during its command does not block the others' exit" {
    fast a 3
    fast b 3
    participant c 3
    wait_for "c's command to start" file_exists "$T/pid-c"
    wait_for "a to wait for c" blocked_in_exit "$(pid_of a)"
    kill -9 "$(pid_of c)"
    for p in a b; do
        wait_status "$(pid_of $p)"
        [ "$status" -eq 0 ]
    done
    # Its command died with it (nothing runs outside the barrier).
    wait_for "c's command to be killed with its coordctl" process_gone "$(cat "$T/pid-c")"
    refute file_has_line "$T/log" end-c
}

@test "a round whose participants were all killed does not block the next round" {
    participant a 2
    participant b 2
    wait_for "the round to start" eval '[ "$(started)" -eq 2 ]'
    kill -9 "$(pid_of a)" "$(pid_of b)"
    wait_for "a to die" process_gone "$(pid_of a)"
    wait_for "b to die" process_gone "$(pid_of b)"
    [ -f "$D/.round" ]
    fast c 2
    # c removes the dead entries and the round marker, then adds its own.
    wait_for "c to join, after clearing the dead round" has_entry_labelled c
    has_wait_files 1
    [ ! -e "$D/.round" ]
    fast d 2
    for p in c d; do
        wait_status "$(pid_of $p)"
        [ "$status" -eq 0 ]
    done
    file_has_line "$T/log" "start-c c d"
}

@test "two rounds in a row in the same DIR" {
    fast a 2
    wait_for "a to join" has_wait_files 1
    fast b 2
    for p in a b; do
        wait_status "$(pid_of $p)"
        [ "$status" -eq 0 ]
    done
    [ "$(ls -A "$D")" = .token ]
    fast c 2 -w 10s
    wait_for "c to join" has_wait_files 1
    fast d 2 -w 10s
    for p in c d; do
        wait_status "$(pid_of $p)"
        [ "$status" -eq 0 ]
    done
    file_has_line "$T/log" "start-a a b"
    file_has_line "$T/log" "start-b a b"
    file_has_line "$T/log" "start-c c d"
    file_has_line "$T/log" "start-d c d"
}

@test "participants that disagree on --count: the later one is refused (64), never counted in the round" {
    participant a 3
    wait_for "a to join" has_wait_files 1
    run "$COORDCTL" dbarrier "$D" --count 2 --id b -- sh -c "echo start-b >> '$T/log'"
    [ "$status" -eq 64 ]
    [[ $output == "coordctl: participants of $D disagree on the count: entry 1-"*" uses --count 3, this one --count 2" ]]
    has_wait_files 1
    run "$COORDCTL" dbarrier "$D" --count 1 -- true
    [ "$status" -eq 64 ]
    [ "$(started)" -eq 0 ]
    participant c 3
    wait_for "c to join" has_entry_labelled c
    fast d 3
    wait_for "a, c and d to start together" file_has_line "$T/log" "start-a a c d"
    gate_open a
    gate_open c
    for p in a c d; do
        wait_status "$(pid_of $p)"
        [ "$status" -eq 0 ]
    done
    refute file_has_line "$T/log" start-b
    # A participant killed while waiting does not hold its count against the next ones.
    participant e 3
    wait_for "e to join" has_wait_files 1
    kill -9 "$(pid_of e)"
    wait_for "e to be gone" process_gone "$(pid_of e)"
    fast f 2
    wait_for "f to join" has_entry_labelled f
    fast g 2
    for p in f g; do
        wait_status "$(pid_of $p)"
        [ "$status" -eq 0 ]
    done
    file_has_line "$T/log" "start-f f g"
}

@test "a DIR whose queue holds --slots entries: the participant is refused (64) naming one, nothing left" {
    gate_make h
    bg "$COORDCTL" lock -q --slots 2 "$D" -- sh -c "$(gate_cmd h)"
    local holder=$!
    wait_for "the slots holder to hold" has_wait_files 1
    run "$COORDCTL" dbarrier "$D" --count 2 -w 1s -- echo ran
    [ "$status" -eq 64 ]
    [[ $output == "coordctl: participants of $D disagree on the lock mode: entry 1-"*"-k2 uses --slots 2, this one "* ]]
    has_wait_files 1
    gate_open h
    wait_status "$holder"
    [ "$status" -eq 0 ]
}

@test "fewer than N: -w gives up with 75 and leaves nothing" {
    run "$COORDCTL" dbarrier "$D" --count 3 -w 0.2 -- sh -c "echo ran >> '$T/log'"
    [ "$status" -eq 75 ]
    [ "$output" = "coordctl: timed out; fewer than 3 participants entered: $D" ]
    [ ! -e "$T/log" ]
    has_wait_files 0
}

@test "a participant that gave up is not counted in the round" {
    run "$COORDCTL" dbarrier "$D" --count 2 --id gone -w 0.1 -- true
    [ "$status" -eq 75 ]
    fast a 2
    wait_for "a to join" has_wait_files 1
    fast b 2
    for p in a b; do
        wait_status "$(pid_of $p)"
        [ "$status" -eq 0 ]
    done
    file_has_line "$T/log" "start-a a b"
}

@test "a participant SIGKILLed while waiting to enter is not counted" {
    participant a 2
    wait_for "a to join" has_wait_files 1
    kill -9 "$(pid_of a)"
    wait_for "a to die" process_gone "$(pid_of a)"
    fast b 2
    # a's dead entry is a wait file too: wait for b's own (c must join after it).
    wait_for "b to join" has_entry_labelled b
    [ "$(started)" -eq 0 ]
    fast c 2
    for p in b c; do
        wait_status "$(pid_of $p)"
        [ "$status" -eq 0 ]
    done
    file_has_line "$T/log" "start-b b c"
}

@test "SIGTERM while waiting to enter: own entry removed, dies of the signal" {
    participant a 3
    wait_for "a to join" has_wait_files 1
    participant b 3
    wait_for "b to join" has_wait_files 2
    kill -TERM "$(pid_of a)"
    wait_status "$(pid_of a)"
    [ "$status" -eq 143 ]
    has_wait_files 1
    kill -INT "$(pid_of b)"
    wait_status "$(pid_of b)"
    [ "$status" -eq 130 ]
    has_wait_files 0
    [ "$(started)" -eq 0 ]
}

@test "SIGTERM while blocked in exit: leaves at once and dies of the signal" {
    fast a 2
    participant b 2
    wait_for "a to wait for b" blocked_in_exit "$(pid_of a)"
    kill -TERM "$(pid_of a)"
    wait_status "$(pid_of a)"
    [ "$status" -eq 143 ]
    has_wait_files 1
    gate_open b
    wait_status "$(pid_of b)"
    [ "$status" -eq 0 ]
}

# A stop request during the command: forwarded, then the participant
# leaves the round without waiting for the others.
stops_during_command_on() {
    local sig=$1
    bg "$COORDCTL" dbarrier "$D" --count 2 --id a -- sh -c "trap 'echo got-signal >> \"$T/log\"; exit 7' $sig; echo ready >> '$T/log'; while :; do sleep 0.05; done"
    local a=$!
    participant b 2
    wait_for "a's command to start" file_has_line "$T/log" ready
    kill -"$sig" "$a"
    wait_for "a to leave without waiting for b" process_gone "$a"
    wait_status "$a"
    [ "$status" -eq 7 ]
    file_has_line "$T/log" got-signal
    running "$(pid_of b)"
    gate_open b
    wait_status "$(pid_of b)"
    [ "$status" -eq 0 ]
}

@test "SIGTERM during the command is forwarded, then the participant leaves without waiting" {
    stops_during_command_on TERM
}

@test "SIGALRM during the command is a stop request too" {
    stops_during_command_on ALRM
}

@test "a participant whose wait file is removed while waiting to enter stops with 79" {
    participant a 2
    wait_for "a to join" has_wait_files 1
    rm "$D"/1-*
    wait_status "$(pid_of a)"
    [ "$status" -eq 79 ]
    [ "$(started)" -eq 0 ]
}

@test "the command sees its token, DIR, wait file and the participants (pid@host by default)" {
    bg "$COORDCTL" dbarrier "$D" --count 2 -- sh -c "echo \"\$COORDCTL_TOKEN \$COORDCTL_DIR \$COORDCTL_PARTICIPANTS\" > '$T/env-1'; test -f \"\$COORDCTL_WAIT_FILE\""
    local first=$!
    wait_for "the first to join" has_wait_files 1
    run "$COORDCTL" dbarrier "$D" --count 2 --id second -- sh -c "echo \"\$COORDCTL_TOKEN \$COORDCTL_PARTICIPANTS\""
    [ "$status" -eq 0 ]
    [ "$output" = "2 $first@$(hostname) second" ]
    wait_status "$first"
    [ "$status" -eq 0 ]
    [ "$(cat "$T/env-1")" = "1 $D $first@$(hostname) second" ]
}

@test "with --poll, participants enter and leave together without inotify" {
    fast a 2 --poll --poll-interval 20ms
    wait_for "a to join" has_wait_files 1
    participant b 2 --poll
    wait_for "b to start" file_has_line "$T/log" "start-b a b"
    refute sh -c "ls -l /proc/$(pid_of a)/fd | grep -q inotify"
    gate_open b
    for p in a b; do
        wait_status "$(pid_of $p)"
        [ "$status" -eq 0 ]
    done
}

@test "a garbage round marker is reported and replaced" {
    mkdir -p "$D"
    echo garbage >"$D/.round"
    run "$COORDCTL" dbarrier "$D" --count 1 -- echo ran
    [ "$status" -eq 0 ]
    [[ $output == *"unreadable round marker, ignored: $D/.round"* ]]
    [ "${lines[-1]}" = ran ]
    [ ! -e "$D/.round" ]
}

@test "a round marker that is not a regular file is refused, not followed" {
    mkdir -p "$D/.round"
    run "$COORDCTL" dbarrier "$D" --count 1 -- echo ran
    [ "$status" -eq 73 ]
    [ "$output" = "coordctl: round marker is not a regular file: $D/.round" ]
    has_wait_files 0
    rmdir "$D/.round"
}

@test "usage errors: --count missing or out of range, bad --id, no command" {
    run "$COORDCTL" dbarrier "$D" -- true
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == *"--count"* ]]
    [ "${lines[1]}" = "Try 'coordctl dbarrier --help'." ]
    run "$COORDCTL" dbarrier "$D" --count 0 -- true
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == *"--count"* ]]
    run "$COORDCTL" dbarrier "$D" --count 2 --id "a b" -- true
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == "coordctl: --id: 'a b' is not one word"* ]]
    run "$COORDCTL" dbarrier "$D" --count 2
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == "coordctl: a command is required"* ]]
    run "$COORDCTL" dbarrier "$D" --count 2 -w soon -- true
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == *"--timeout"* ]]
    [ ! -e "$D" ]
}
