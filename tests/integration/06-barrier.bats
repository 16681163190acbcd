#!/usr/bin/env bats
# coordctl barrier: set, unset and wait; waking every waiter; persistence;
# bad input. Barriers live in $D, which the teardown checks for leftovers.

load helpers

uses_inotify() { [[ -n $1 ]] && ls -l "/proc/$1/fd" 2>/dev/null | grep -q inotify; }
# The coordctl started by bg_wait PID watches its barrier with inotify.
watching() { uses_inotify "$(pgrep -P "$1" coordctl)"; }
running() { ! process_gone "$1"; }

# Starts a background `barrier wait` that logs "released-NAME" when it returns 0.
bg_wait() {
    local name=$1
    shift
    bg sh -c "'$COORDCTL' barrier wait \"\$@\" && echo released-$name >> '$T/log'" sh "$@"
}

@test "set, set again, --force, unset, unset again: exit codes" {
    run "$COORDCTL" barrier set "$D/gate"
    [ "$status" -eq 0 ]
    [ "$output" = "" ]
    [ -f "$D/gate" ]
    run "$COORDCTL" barrier set "$D/gate"
    [ "$status" -eq 1 ]
    [[ $output == "coordctl: barrier already set by "*"@"*" ago: $D/gate" ]]
    run "$COORDCTL" barrier set --force "$D/gate"
    [ "$status" -eq 0 ]
    [ "$output" = "" ]
    run "$COORDCTL" barrier unset "$D/gate"
    [ "$status" -eq 0 ]
    [ ! -e "$D/gate" ]
    run "$COORDCTL" barrier unset "$D/gate"
    [ "$status" -eq 0 ]
    [ "$output" = "" ]
}

@test "set creates missing directories and records who set it" {
    sh -c "echo \$\$ > '$T/setter'; '$COORDCTL' barrier set '$D/a/b/gate'; true"
    [[ $(cat "$D/a/b/gate") == '{"created_ms":'*',"host":"'"$(hostname)"'","pid":'"$(cat "$T/setter")"',"version":1}' ]]
    "$COORDCTL" barrier unset "$D/a/b/gate"
    rmdir "$D/a/b" "$D/a"
    # Readable by all whatever the umask; the directories follow it.
    (umask 077 && "$COORDCTL" barrier set "$D/c/gate")
    [ "$(stat -c %a "$D/c/gate")" = 644 ]
    [ "$(stat -c %a "$D/c")" = 700 ]
    "$COORDCTL" barrier unset "$D/c/gate"
    rmdir "$D/c"
}

@test "wait returns at once on a barrier never set, even without its directory" {
    run "$COORDCTL" barrier wait "$D/gate"
    [ "$status" -eq 0 ]
    run "$COORDCTL" barrier wait "$T/no/such/dir/gate"
    [ "$status" -eq 0 ]
    mkdir -p "$D"
    run "$COORDCTL" barrier wait "$D/gate"
    [ "$status" -eq 0 ]
    [ "$output" = "" ]
}

@test "wait -w gives up with 75 and leaves the barrier set" {
    "$COORDCTL" barrier set "$D/gate"
    run "$COORDCTL" barrier wait -w 0.2 "$D/gate"
    [ "$status" -eq 75 ]
    [[ $output == "coordctl: timed out; barrier still set by "*": $D/gate" ]]
    [ -f "$D/gate" ]
    run "$COORDCTL" barrier wait -w 0 "$D/gate"
    [ "$status" -eq 75 ]
    "$COORDCTL" barrier unset "$D/gate"
    run "$COORDCTL" barrier wait -w 0 "$D/gate"
    [ "$status" -eq 0 ]
}

@test "three waiters are released together by one unset, woken by inotify" {
    "$COORDCTL" barrier set "$D/gate"
    local pids=()
    for w in 1 2 3; do
        bg_wait $w "$D/gate"
        pids+=($!)
    done
    for pid in "${pids[@]}"; do
        wait_for "waiter $pid to watch the barrier with inotify" watching "$pid"
    done
    for pid in "${pids[@]}"; do running "$pid"; done
    [ ! -e "$T/log" ]
    "$COORDCTL" barrier unset "$D/gate"
    for w in 1 2 3; do
        wait_for "waiter $w to be released" file_has_line "$T/log" released-$w
    done
}

@test "200 waiters (more than the 128 inotify instances a user may have) are all released" {
    "$COORDCTL" barrier set "$D/gate"
    local pids=()
    for i in $(seq 200); do
        "$COORDCTL" barrier wait "$D/gate" 3>&- &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do
        wait_for "waiter $pid to block in its loop" in_event_loop "$pid"
    done
    "$COORDCTL" barrier unset "$D/gate"
    for pid in "${pids[@]}"; do
        wait_status "$pid"
        [ "$status" -eq 0 ]
    done
}

@test "with --poll, waiters poll instead (and are all released)" {
    "$COORDCTL" barrier set "$D/gate"
    bg_wait 1 --poll "$D/gate"
    local first=$!
    bg_wait 2 --poll --poll-interval 20ms "$D/gate"
    run "$COORDCTL" barrier wait --poll -w 0.1 "$D/gate"
    [ "$status" -eq 75 ]
    wait_for "waiter 1 to start" pgrep -P "$first" coordctl
    refute watching "$first"
    "$COORDCTL" barrier unset "$D/gate"
    wait_for "waiter 1 to be released" file_has_line "$T/log" released-1
    wait_for "waiter 2 to be released" file_has_line "$T/log" released-2
}

@test "unset then set again at once still releases the waiters of the first barrier" {
    "$COORDCTL" barrier set "$D/gate"
    bg_wait 1 "$D/gate"
    wait_for "waiter 1 to watch the barrier" watching "$!"
    bg_wait 2 "$D/gate"
    local second=$!
    wait_for "waiter 2 to watch the barrier" watching "$second"
    # Waiter 2 is stopped through the gap: when it looks, a new barrier is there.
    local waiter2
    waiter2=$(pgrep -P "$second" coordctl)
    kill -STOP "$waiter2"
    "$COORDCTL" barrier unset "$D/gate"
    "$COORDCTL" barrier set "$D/gate"
    kill -CONT "$waiter2"
    wait_for "waiter 1 to be released" file_has_line "$T/log" released-1
    wait_for "waiter 2 to be released" file_has_line "$T/log" released-2
    "$COORDCTL" barrier unset "$D/gate"
}

@test "a barrier outlives a setter killed with SIGKILL" {
    sh -c "'$COORDCTL' barrier set '$D/gate' && kill -9 \$\$" || true
    [ -f "$D/gate" ]
    run "$COORDCTL" barrier wait -w 0.1 "$D/gate"
    [ "$status" -eq 75 ]
    bg_wait 1 "$D/gate"
    local waiter=$!
    wait_for "the waiter to watch the barrier" watching "$waiter"
    local coordctl
    coordctl=$(pgrep -P "$waiter" coordctl)
    kill -9 "$coordctl"
    wait_for "the waiting coordctl to be gone" process_gone "$coordctl"
    [ -f "$D/gate" ]
    "$COORDCTL" barrier unset "$D/gate"
}

@test "a waiter killed by a signal dies of it and leaves nothing" {
    "$COORDCTL" barrier set "$D/gate"
    bg "$COORDCTL" barrier wait "$D/gate"
    local waiter=$!
    wait_for "the waiter to watch the barrier" uses_inotify "$waiter"
    kill -TERM "$waiter"
    wait_status "$waiter"
    [ "$status" -eq 143 ]
    [ "$(ls -A "$D")" = gate ]
    "$COORDCTL" barrier unset "$D/gate"
}

@test "a waiter started with SIGHUP ignored (nohup) waits on through a hangup, with or without a terminal" {
    "$COORDCTL" barrier set "$D/gate"
    bg sh -c "trap '' HUP; '$COORDCTL' barrier wait '$D/gate'; echo status=\$? >> '$T/log'"
    local shell=$!
    bg script -q -f -e -c "trap '' HUP; '$COORDCTL' barrier wait '$D/gate'; echo status=\$? >> '$T/log-tty'" "$T/typescript" >/dev/null
    wait_for "the terminal waiter's progress line" grep -q "waiting for barrier" "$T/typescript"
    local waiter tty_waiter
    wait_for "the waiter to start" eval "waiter=\$(pgrep -P $shell coordctl)"
    tty_waiter=$(pgrep -f "^$COORDCTL barrier wait $D/gate" | grep -vx "$waiter")
    kill -HUP "$waiter" "$tty_waiter"
    "$COORDCTL" barrier unset "$D/gate"
    wait_for "the waiter to end" file_exists "$T/log"
    wait_for "the terminal waiter to end" file_exists "$T/log-tty"
    [ "$(cat "$T/log")" = status=0 ]
    [ "$(cat "$T/log-tty")" = status=0 ]
}

@test "a barrier set by other means (touch) works too" {
    mkdir -p "$D"
    touch "$D/gate"
    run "$COORDCTL" barrier set "$D/gate"
    [ "$status" -eq 1 ]
    [ "$output" = "coordctl: barrier already set: $D/gate" ]
    bg_wait 1 "$D/gate"
    wait_for "the waiter to watch the barrier" watching "$!"
    echo more >>"$D/gate"
    rm "$D/gate"
    wait_for "the waiter to be released" file_has_line "$T/log" released-1
}

@test "--poll: a file made by touch, removed and made again between two looks (the inode reused) releases the waiter" {
    mkdir -p "$D"
    touch "$D/gate"
    "$COORDCTL" barrier wait --poll --poll-interval 500ms "$D/gate" &
    local waiter=$!
    wait_for "the waiter's first look" in_event_loop "$waiter"
    rm "$D/gate"
    touch "$D/gate"
    wait_for "the waiter to be released" process_gone "$waiter" || { kill "$waiter"; false; }
    wait_status "$waiter"
    [ "$status" -eq 0 ]
    rm "$D/gate"
}

@test "PATH that is a directory or a symbolic link: exit 73, nothing touched" {
    mkdir -p "$D/dir"
    echo data >"$T/target"
    ln -s "$T/target" "$D/link"
    for action in set unset wait; do
        for path in "$D/dir" "$D/link"; do
            run "$COORDCTL" barrier $action "$path"
            [ "$status" -eq 73 ]
            [ "$output" = "coordctl: not a barrier (not a regular file): $path" ]
        done
    done
    [ -d "$D/dir" ]
    [ "$(cat "$T/target")" = data ]
    rmdir "$D/dir"
    rm "$D/link"
}

@test "usage errors: bad action, PATH naming no file, options of another action" {
    run "$COORDCTL" barrier lift "$D/gate"
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == *"ACTION: lift not in {set,unset,wait}"* ]]
    [ "${lines[1]}" = "Try 'coordctl barrier --help'." ]
    run "$COORDCTL" barrier set "$D/"
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: PATH must name a file: '$D/'" ]
    run "$COORDCTL" barrier wait --force "$D/gate"
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == *--force* ]]
    run "$COORDCTL" barrier set -w 1 "$D/gate"
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == *--timeout* ]]
    run "$COORDCTL" barrier unset -q "$D/gate"
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == *--quiet*"only apply to 'barrier wait'" ]]
    run "$COORDCTL" barrier wait -w soon "$D/gate"
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == "coordctl: --timeout: invalid duration 'soon'"* ]]
    run "$COORDCTL" barrier wait --poll-interval 0 "$D/gate"
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == *--poll-interval* ]]
    run "$COORDCTL" barrier set
    [ "$status" -eq 64 ]
    [ ! -e "$D" ]
}

@test "no permission: set and unset exit 77 and leave nothing behind" {
    mkdir -p "$D"
    open_to_others
    run as_nobody "$COORDCTL" barrier set "$D/gate"
    [ "$status" -eq 77 ]
    [ "$output" = "coordctl: cannot set barrier: $D/gate: Permission denied" ]
    [ -z "$(ls -A "$D")" ]
    "$COORDCTL" barrier set "$D/gate"
    run as_nobody "$COORDCTL" barrier unset "$D/gate"
    [ "$status" -eq 77 ]
    [ "$output" = "coordctl: cannot unset barrier: $D/gate: Permission denied" ]
    [ -f "$D/gate" ]
    "$COORDCTL" barrier unset "$D/gate"
}
