#!/usr/bin/env bats
# coordctl lock and signals, crashes, loss and nesting.

load helpers


# Signal $1 to a holder: forwarded, its command's status passed through.
forwarded_to_command() {
    local sig=$1
    bg "$COORDCTL" lock "$D" -- sh -c "trap 'echo got-signal >> \"$T/log\"; exit 7' $sig; echo ready >> '$T/log'; while :; do sleep 0.05; done"
    local holder=$!
    wait_for "the command to start" file_has_line "$T/log" ready
    kill -"$sig" "$holder"
    wait_status "$holder"
    [ "$status" -eq 7 ]
    file_has_line "$T/log" got-signal
    has_wait_files 0
}

# Signal $1 to a waiter: the wait cancelled, its wait file removed, dies of it ($2).
cancels_wait() {
    local sig=$1 code=$2
    hold_gate h
    bg "$COORDCTL" lock "$D" -q -- sh -c "echo waiter-ran >> '$T/log'"
    local waiter=$!
    wait_for "the waiter to queue" has_wait_files 2
    kill -"$sig" "$waiter"
    wait_status "$waiter"
    [ "$status" -eq "$code" ]
    has_wait_files 1
    gate_open h
    wait_for "the holder to finish" has_wait_files 0
    refute file_has_line "$T/log" waiter-ran
}

@test "SIGTERM is forwarded to the command and its status passed through" {
    forwarded_to_command TERM
}

@test "SIGINT while waiting cancels the wait and removes the wait file" {
    cancels_wait INT 130
}

@test "a SIGKILLed holder (and its command) is passed over without any TTL" {
    hold_gate h --orphan=kill
    bg "$COORDCTL" lock "$D" -- sh -c "echo waiter-ran >> '$T/log'"
    wait_for "the waiter to queue" has_wait_files 2
    kill -9 "${BG_PIDS[0]}"
    # The default TTL is 30s: well past this deadline.
    wait_for "the waiter to run after the holder died" file_has_line "$T/log" waiter-ran
    wait_for "the queue to empty" has_wait_files 0
}

# A record keeps the command up to 4 KiB: a longer one must not make the
# wait file unreadable (its owner unknown, judged by the TTL alone).
@test "a holder with a very long command line is still known by its process: passed over at once when killed" {
    gate_make h
    bg "$COORDCTL" lock --orphan=kill "$D" -- sh -c "echo start-h >> '$T/log'; $(gate_cmd h)" sh $(seq 1 15000)
    wait_for "the holder to start" file_has_line "$T/log" start-h
    run "$COORDCTL" status --json "$D"
    [ "$status" -eq 0 ]
    [[ $output == *'"..."'* ]]
    [[ $output == *"\"pid\": ${BG_PIDS[0]},"* ]]
    bg "$COORDCTL" lock "$D" -- sh -c "echo waiter-ran >> '$T/log'"
    wait_for "the waiter to queue" has_wait_files 2
    kill -9 "${BG_PIDS[0]}"
    wait_for "the waiter to run after the holder died" file_has_line "$T/log" waiter-ran
    run "$COORDCTL" lock --id "$(printf '%01025d' 0)" "$D" -- true
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == *"--id"*"longer than 1024 bytes"* ]]
}

@test "a SIGKILLed waiter in the middle does not let the one behind jump the holder" {
    hold_gate h
    bg "$COORDCTL" lock "$D" -q -- true
    local middle=$!
    wait_for "the middle waiter to queue" has_wait_files 2
    local middle_file
    middle_file=$(ls "$D" | sort | sed -n 2p)
    bg "$COORDCTL" lock "$D" -q -- sh -c "echo last-ran >> '$T/log'"
    wait_for "the last waiter to queue" has_wait_files 3
    kill -9 "$middle"
    wait_for "the dead middle entry to be removed" eval "[ ! -e '$D/$middle_file' ]"
    run "$COORDCTL" lock -n "$D" -- true
    [ "$status" -eq 75 ]
    gate_open h
    wait_for "the last waiter to run" file_has_line "$T/log" last-ran
    [ "$(tr '\n' ' ' <"$T/log")" = "start-h end-h last-ran " ]
}

@test "a waiter in the middle that gives up does not let the one behind jump the holder" {
    hold_gate h
    bg "$COORDCTL" lock "$D" -q -- true
    local middle=$!
    wait_for "the middle waiter to queue" has_wait_files 2
    bg "$COORDCTL" lock "$D" -q -- sh -c "echo last-ran >> '$T/log'"
    wait_for "the last waiter to queue" has_wait_files 3
    kill -TERM "$middle" # removes its wait file, never granted: the last one must see h still there
    wait_for "the middle waiter to leave" has_wait_files 2
    run "$COORDCTL" lock -n "$D" -- true
    [ "$status" -eq 75 ]
    refute file_has_line "$T/log" last-ran
    gate_open h
    wait_for "the last waiter to run" file_has_line "$T/log" last-ran
    [ "$(tr '\n' ' ' <"$T/log")" = "start-h end-h last-ran " ]
}

@test "an orphaned command keeps the lock until it exits" {
    hold_gate h
    kill -9 "${BG_PIDS[0]}"
    wait_for "coordctl to die" process_gone "${BG_PIDS[0]}"
    kill -0 "$(cat "$T/pid-h")"
    run "$COORDCTL" lock -n "$D" -- true
    [ "$status" -eq 75 ]
    bg "$COORDCTL" lock "$D" -- sh -c "echo waiter-ran >> '$T/log'"
    wait_for "the waiter to queue" has_wait_files 2
    gate_open h
    wait_for "the waiter to run after the orphan ended" file_has_line "$T/log" waiter-ran
    [ "$(tr '\n' ' ' <"$T/log")" = "start-h end-h waiter-ran " ]
    wait_for "the queue to empty" has_wait_files 0
}

@test "--orphan=kill: the command dies with coordctl" {
    hold_gate h --orphan=kill
    local cmd_pid
    cmd_pid=$(cat "$T/pid-h")
    kill -9 "${BG_PIDS[0]}"
    wait_for "the command to be killed with coordctl" process_gone "$cmd_pid"
    run "$COORDCTL" lock -n "$D" -- true
    [ "$status" -eq 0 ]
}

@test "own wait file removed: the whole command tree is stopped, exit 79" {
    bg "$COORDCTL" lock "$D" -- sh -c "sleep 600 & echo \$! > '$T/bgpid'; echo \$\$ > '$T/shpid'; wait"
    local holder=$!
    wait_for "the command to start" file_exists "$T/bgpid"
    wait_for "the shell to write its pid" file_exists "$T/shpid"
    rm "$D"/1-*
    wait_status "$holder"
    [ "$status" -eq 79 ]
    process_gone "$(cat "$T/bgpid")"
    process_gone "$(cat "$T/shpid")"
}

@test "loss: a command ignoring SIGTERM is killed after --kill-after" {
    bg "$COORDCTL" lock "$D" --kill-after 0.2 -- sh -c "trap '' TERM; echo ready >> '$T/log'; while :; do sleep 0.05; done"
    local holder=$!
    wait_for "the command to start" file_has_line "$T/log" ready
    rm "$D"/1-*
    wait_status "$holder"
    [ "$status" -eq 79 ]
}

@test "loss: the command's SIGTERM handler may run programs to clean up; what it leaves orphaned gets SIGTERM too" {
    cat >"$T/cmd" <<'SH'
#!/bin/sh
log=$1
cleanup() {
    for i in 1 2 3; do sleep 0.05 && echo "cleanup-$i" >> "$log"; done
    sh -c "trap 'echo orphan-got-term >> \"$log\"; exit 0' TERM; echo orphan-up >> \"$log\"; while :; do sleep 0.05; done" &
    while ! grep -q orphan-up "$log"; do sleep 0.01; done
    exit 0
}
trap cleanup TERM
echo ready >> "$log"
while :; do sleep 0.05; done
SH
    chmod +x "$T/cmd"
    bg "$COORDCTL" lock "$D" --kill-after 60 -- "$T/cmd" "$T/log"
    local holder=$!
    wait_for "the command to start" file_has_line "$T/log" ready
    rm "$D"/1-*
    wait_status "$holder"
    [ "$status" -eq 79 ]
    [ "$(tr '\n' ' ' <"$T/log")" = "ready cleanup-1 cleanup-2 cleanup-3 orphan-up orphan-got-term " ]
}

@test "background processes left by the command are stopped before release" {
    run "$COORDCTL" lock "$D" -- sh -c "sleep 600 & echo \$! > '$T/bgpid'"
    [ "$status" -eq 0 ]
    process_gone "$(cat "$T/bgpid")"
}

@test "a nested lock on the same DIR runs at once under the same token" {
    run "$COORDCTL" lock "$D" -- sh -c "echo outer \$COORDCTL_TOKEN; '$COORDCTL' lock -n '$D' -- sh -c 'echo inner \$COORDCTL_TOKEN'"
    [ "$status" -eq 0 ]
    [ "$output" = "outer 1
inner 1" ]
}

@test "a nested lock that closed the inherited fd is still recognised through its ancestor" {
    run "$COORDCTL" lock "$D" -- sh -c "exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; '$COORDCTL' lock -n '$D' -- sh -c 'echo inner \$COORDCTL_TOKEN'"
    [ "$status" -eq 0 ]
    [ "$output" = "inner 1" ]
}

@test "an unrelated process with a copied environment queues normally" {
    hold_gate h
    local file
    file=$(ls "$D")
    COORDCTL_DIR=$D COORDCTL_WAIT_FILE=$D/$file run "$COORDCTL" lock -n "$D" -- true
    [ "$status" -eq 75 ]
    gate_open h
}

@test "own wait file renamed away counts as removal: exit 79" {
    bg "$COORDCTL" lock "$D" -- sh -c "echo ready >> '$T/log'; exec sleep 600"
    local holder=$!
    wait_for "the command to start" file_has_line "$T/log" ready
    local file
    file=$(ls "$D")
    mv "$D/$file" "$T/moved"
    wait_status "$holder"
    [ "$status" -eq 79 ]
}

@test "a waiter whose own wait file is removed stops and says so (79)" {
    hold_gate h
    bg "$COORDCTL" lock "$D" -- sh -c "echo waiter-ran >> '$T/log'"
    local waiter=$!
    wait_for "the waiter to queue" has_wait_files 2
    rm "$D/$(ls "$D" | sort | sed -n 2p)"
    wait_status "$waiter"
    [ "$status" -eq 79 ]
    gate_open h
    refute file_has_line "$T/log" waiter-ran
}

# The holder's release wakes the waiter, whose look then finds no .token:
# its own file went with DIR, and that is what it reports.
@test "a waiter whose whole DIR is removed stops as for its own file (79)" {
    gate_make h
    bg "$COORDCTL" lock -q --kill-after 100ms "$D" -- sh -c "echo start-h >> '$T/log'; $(gate_cmd h)"
    local holder=$!
    wait_for "the holder to start" file_has_line "$T/log" start-h
    bg "$COORDCTL" lock "$D" -- sh -c "echo waiter-ran >> '$T/log'"
    local waiter=$!
    wait_for "the waiter to queue" has_wait_files 2
    # rm -r removes one file at a time: the waiter must not look in between
    # (the holder's file gone, its own still there: its turn).
    kill -STOP "$waiter"
    rm -r "$D"
    kill -CONT "$waiter"
    wait_status "$waiter"
    [ "$status" -eq 79 ]
    wait_status "$holder"
    [ "$status" -eq 79 ]
    refute file_has_line "$T/log" waiter-ran
}

@test "SIGUSR1 and SIGHUP are forwarded to the command" {
    bg "$COORDCTL" lock "$D" -- sh -c "trap 'echo usr1 >> \"$T/log\"' USR1; trap 'echo hup >> \"$T/log\"; exit 0' HUP; echo ready >> '$T/log'; while :; do sleep 0.05; done"
    local holder=$!
    wait_for "the command to start" file_has_line "$T/log" ready
    kill -USR1 "$holder"
    wait_for "the command to get SIGUSR1" file_has_line "$T/log" usr1
    kill -HUP "$holder"
    wait_status "$holder"
    [ "$status" -eq 0 ]
    file_has_line "$T/log" hup
}

uses_inotify() { ls -l "/proc/$1/fd" 2>/dev/null | grep -q inotify; }
runs_for_two_seconds() { (($(ps -o etimes= -p "$1") >= 2)); }

@test "loss is noticed through inotify (or polling) once the hold is older than a second" {
    bg "$COORDCTL" lock "$D" -- sh -c "echo ready >> '$T/log'; exec sleep 600"
    local holder=$!
    wait_for "the command to start" file_has_line "$T/log" ready
    if [[ -n ${COORDCTL_POLL:-} ]]; then
        WAIT_FOR_SECONDS=5 wait_for "the hold to pass its first second" runs_for_two_seconds "$holder"
        refute uses_inotify "$holder"
    else
        wait_for "coordctl to watch its wait file with inotify" uses_inotify "$holder"
    fi
    rm "$D"/1-*
    wait_status "$holder"
    [ "$status" -eq 79 ]
}

@test "a wait file left unnamed by a killed joiner is removed by a later join once 10 minutes old, unless locked" {
    mkdir -p "$D"
    local now hour_ago
    now=$(date +%s)
    hour_ago=$((now - 3600))
    local abandoned=.tmp-99999-00000000000000ab-$hour_ago # old by its name and its mtime, no lock
    local young=.tmp-99998-00000000000000cd-$now          # old mtime, but its name says young
    local locked=.tmp-99997-00000000000000ef-$hour_ago    # old, but someone holds its lock
    local other=.tmp-4242-task.json                       # not a wait file being written
    local name
    for name in "$abandoned" "$young" "$locked" "$other"; do echo '{}' >"$D/$name"; done
    gate_make l
    bg flock -s "$D/$locked" sh -c "echo locked >> '$T/log'; $(gate_cmd l)"
    wait_for "flock(1) to hold the lock on $locked" file_has_line "$T/log" locked
    touch -d '1 hour ago' "$D"/.tmp-*
    run --separate-stderr "$COORDCTL" lock "$D" -- true
    [ "$status" -eq 0 ]
    [ "$stderr" = "coordctl: warning: removed a wait file left unnamed by a killed process: $D/$abandoned" ]
    [ ! -e "$D/$abandoned" ]
    for name in "$young" "$locked" "$other"; do [ -e "$D/$name" ]; done
    gate_open l
    rm "$D/$young" "$D/$locked" "$D/$other"
}

@test "SIGALRM (timeout -s ALRM) cancels a wait as SIGTERM does, and is forwarded to a running command" {
    cancels_wait ALRM 142
    forwarded_to_command ALRM
}

@test "a reader gone from standard output: the entry is removed and coordctl dies of SIGPIPE, silently" {
    run with_reader_gone 1 "$COORDCTL" lock "$D" --hold
    [ "$output" = "-13" ] # no message: a pipeline's head (| head -1) that stopped reading
    has_wait_files 0
    "$COORDCTL" lock -n "$D" -- true # nobody holds it

    run with_reader_gone 1 "$COORDCTL" status "$D"
    [ "$output" = "-13" ]
    # The command gets the default actions back (coordctl ignores SIGPIPE
    # and SIGXFSZ), also when a nested lock runs it in its own place.
    run "$COORDCTL" lock "$D" -- grep SigIgn /proc/self/status
    pipe_and_xfsz_not_ignored
    run "$COORDCTL" lock "$D" -- "$COORDCTL" lock "$D" -- grep SigIgn /proc/self/status
    pipe_and_xfsz_not_ignored
    run "$COORDCTL" lock --orphan=kill "$D" -- grep SigIgn /proc/self/status # through a trampoline exec
    pipe_and_xfsz_not_ignored
}

pipe_and_xfsz_not_ignored() {
    [[ $output == SigIgn:* ]]
    local ignored=$((16#${output##*[[:space:]]}))
    (((ignored & (1 << (13 - 1) | 1 << (25 - 1))) == 0))
}

@test "a reader gone from standard error: messages are dropped and coordctl ends as it would have" {
    run with_reader_gone 2 "$COORDCTL" lock "$D" -- "$COORDCTL" lock "$D" -- /no/such/command
    [ "$output" = 127 ] # the nested lock that could not exec its command says so (dropped)
    hold_gate h
    run with_reader_gone 2 "$COORDCTL" lock -n "$D" -- true
    [ "$output" = 75 ]
    run with_reader_gone 2 "$COORDCTL" lock -w 0.2 "$D" -- true
    [ "$output" = 75 ]
    has_wait_files 1
    run with_reader_gone 2 "$COORDCTL" lock --no-such-option "$D" -- true
    [ "$output" = 64 ]
    gate_open h
}

@test "a write past the file size limit is an error (74) that leaves no entry, not SIGXFSZ" {
    run bash -c "ulimit -f 0; '$COORDCTL' lock '$D' -- echo ran"
    [ "$status" -eq 74 ]
    [[ $output == "coordctl: cannot create wait file: $D: File too large" ]]
    [ ! -e "$D" ] # created by it: removed, with its .token (written by no join)
    mkdir "$D"
    run bash -c "ulimit -f 0; '$COORDCTL' lock '$D' -- echo ran"
    [ "$status" -eq 74 ]
    [ -z "$(ls -A "$D")" ] # an existing DIR: left, without the .token it made
    rmdir "$D"
}
