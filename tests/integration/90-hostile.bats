#!/usr/bin/env bats
# A hostile or damaged DIR: symlinks, hard links, FIFOs, directories and
# garbage named like wait files, unreadable files, other users' files, a
# tampered token mark, DIR itself a symlink. Nothing is followed, nothing
# outside DIR is written or removed, nothing blocks forever or crashes, and
# coordctl only unlinks regular files in DIR that it created or proved stale.

load helpers

# The record of a coordctl on this host whose process is gone.
dead_record() { # TOKEN
    local pid
    pid=$(sh -c 'echo $$')
    printf '{"version":1,"token":%s,"mode":"exclusive","pid":%s,"host":"%s","boot_id":"%s","pid_start":1,"created_ms":1,"ttl_ms":30000,"command":["gone"],"label":""}\n' \
        "$1" "$pid" "$(uname -n)" "$(cat /proc/sys/kernel/random/boot_id)"
}

name_of() { printf '1-%020d-x' "$1"; }

@test "symlinks named like wait files are never followed, opened or removed" {
    mkdir -p "$D"
    echo garbage >"$T/outside"
    touch -d '1 hour ago' "$T/outside"
    mkfifo "$T/outside-fifo"
    mkdir "$T/outside-dir"
    ln -s "$T/outside" "$D/$(name_of 1)"
    ln -s "$T/outside-fifo" "$D/$(name_of 2)"
    ln -s "$T/outside-dir" "$D/$(name_of 3)"
    ln -s "$T/nowhere" "$D/$(name_of 4)"
    run timeout -s KILL 20 "$COORDCTL" lock -w 10 "$D" -- echo ran
    [ "$status" -eq 0 ]
    [ "$output" = ran ]
    [ "$(cat "$T/outside")" = garbage ]
    [ -z "$(find "$T/outside" -newermt '10 minutes ago')" ]
    for i in 1 2 3 4; do [ -L "$D/$(name_of $i)" ]; done
    rm "$D"/1-*
}

@test "a hard link to a file outside DIR: the outside file is never written or removed" {
    mkdir -p "$D"
    echo garbage >"$T/outside"
    touch -d '1 hour ago' "$T/outside"
    ln "$T/outside" "$D/$(name_of 1)"
    run "$COORDCTL" lock "$D" -- echo ran
    [ "$status" -eq 0 ]
    [[ $output == *"removed stale entry $D/$(name_of 1)"* ]]
    [ "${lines[-1]}" = ran ]
    # Only the name inside DIR went; the file itself is untouched.
    [ "$(cat "$T/outside")" = garbage ]
    [ "$(stat -c %h "$T/outside")" -eq 1 ]
}

@test "a hard link to the holder's wait file is waited for, then removed as stale" {
    hold_gate h
    local holder_file
    holder_file=$(ls "$D")
    ln "$D/$holder_file" "$D/$(name_of 2)"
    run "$COORDCTL" lock -n "$D" -- echo ran
    [ "$status" -eq 75 ]
    bg "$COORDCTL" lock -q "$D" -- sh -c "echo waiter >> '$T/log'"
    wait_for "the waiter to queue" has_wait_files 3
    gate_open h
    wait_for "the waiter to run" file_has_line "$T/log" waiter
    [ "$(tr '\n' ' ' <"$T/log")" = "start-h end-h waiter " ]
    wait_for "the queue to empty" has_wait_files 0
}

@test "FIFOs and directories named like wait files never block the queue and are left alone" {
    mkdir -p "$D"
    mkfifo "$D/$(name_of 1)"
    mkdir "$D/$(name_of 2)"
    hold_gate h
    bg "$COORDCTL" lock -q "$D" -- sh -c "echo waiter >> '$T/log'"
    wait_for "the waiter to queue" has_wait_files 4
    gate_open h
    wait_for "the waiter to run" file_has_line "$T/log" waiter
    [ "$(tr '\n' ' ' <"$T/log")" = "start-h end-h waiter " ]
    [ -p "$D/$(name_of 1)" ]
    [ -d "$D/$(name_of 2)" ]
    rm "$D/$(name_of 1)"
    rmdir "$D/$(name_of 2)"
}

# Fills $D/NAME with one kind of damaged content.
damaged_file() { # KIND NAME
    case $1 in
    empty) : >"$D/$2" ;;
    text) echo 'not json at all' >"$D/$2" ;;
    binary) head -c 4096 /dev/urandom >"$D/$2" ;;
    nested) head -c 60000 /dev/zero | tr '\0' '[' >"$D/$2" ;;
    huge-json) printf '{"version":1,"label":"%s"}' "$(head -c 2000000 /dev/zero | tr '\0' a)" >"$D/$2" ;;
    sparse) truncate -s 10G "$D/$2" ;;
    wrong-types) echo '{"version":"1","token":-1,"pid":"x","mode":7}' >"$D/$2" ;;
    esac
}

@test "garbage, binary, nested, huge and sparse wait files: an old one is stale, a fresh one is waited for" {
    mkdir -p "$D"
    local kind
    for kind in empty text binary nested huge-json sparse wrong-types; do
        damaged_file "$kind" "$(name_of 1)"
        run timeout -s KILL 20 "$COORDCTL" lock -n "$D" -- echo ran
        echo "fresh $kind: $status $output"
        [ "$status" -eq 75 ]
        [ -f "$D/$(name_of 1)" ]
        touch -d '1 hour ago' "$D/$(name_of 1)"
        run timeout -s KILL 20 "$COORDCTL" lock -w 10 "$D" -- echo ran
        echo "old $kind: $status $output"
        [ "$status" -eq 0 ]
        [[ $output == *"unreadable wait file"* ]]
        [[ $output == *"removed stale entry $D/$(name_of 1)"* ]]
        [ "${lines[-1]}" = ran ]
        [ ! -e "$D/$(name_of 1)" ]
    done
}

@test "an unreadable wait file (mode 000) is judged by its age by a user who cannot read it" {
    mkdir -m 777 -p "$D"
    open_to_others
    echo '{}' >"$D/$(name_of 1)"
    chmod 000 "$D/$(name_of 1)"
    run as_nobody "$COORDCTL" lock -n "$D" -- echo ran
    [ "$status" -eq 75 ]
    [ -f "$D/$(name_of 1)" ]
    touch -d '1 hour ago' "$D/$(name_of 1)"
    run as_nobody timeout -s KILL 20 "$COORDCTL" lock -w 10 "$D" -- echo ran
    [ "$status" -eq 0 ]
    [[ $output == *"removed stale entry $D/$(name_of 1) of an unknown owner"* ]]
    [ "${lines[-1]}" = ran ]
}

@test "a live holder's wait file is readable by other users whatever its umask: a long hold is never taken for stale" {
    mkdir -m 777 -p "$D"
    open_to_others
    "$COORDCTL" lock "$D" -- true
    chmod 666 "$D/.token"
    umask 077
    hold_gate h
    umask 022
    local file
    file=$(ls "$D")
    [ "$(stat -c %a "$D/$file")" = 644 ]
    # As if it had held for an hour: another user must still see its lock.
    touch -d '1 hour ago' "$D/$file"
    run as_nobody "$COORDCTL" lock -n "$D" -- echo ran
    [ "$status" -eq 75 ]
    [ -f "$D/$file" ]
    gate_open h
    wait_for "the holder to finish" has_wait_files 0
}

@test "a dead owner's entry another user owns in a sticky DIR: passed over with a warning, the lock runs; its owner's user removes it" {
    mkdir -m 1777 -p "$D"
    open_to_others
    dead_record 1 >"$D/$(name_of 1)"
    local i
    for i in 1 2; do # each process passes over it once, the same way
        run --separate-stderr as_nobody timeout -s KILL 20 "$COORDCTL" lock -w 10 "$D" -- echo ran
        [ "$status" -eq 0 ]
        [ "$output" = ran ]
        [[ $stderr == "coordctl: warning: passing over stale entry $D/$(name_of 1) of "*"(gone)"*": its process is gone; cannot remove it: Operation not permitted" ]]
        [ "${#stderr_lines[@]}" -eq 1 ]
        [ "$(ls "$D")" = "$(name_of 1)" ]
    done
    # Behind it, a holder and a waiter as nobody: the waiter still waits for the holder.
    mkdir -m 777 "$T/out"
    as_nobody "$COORDCTL" lock "$D" -- sh -c "echo \$PPID >'$T/out/h'; exec sleep 1000" 2>/dev/null &
    wait_for "nobody's holder to run" test -s "$T/out/h"
    run as_nobody "$COORDCTL" lock -n "$D" -- echo ran
    [ "$status" -eq 75 ]
    [[ $output == "coordctl: lock is held by $(cat "$T/out/h")@"* ]]
    kill -TERM "$(cat "$T/out/h")"
    wait_for "nobody's holder to go" has_wait_files 1
    # Its owner's user can remove it, and does.
    run "$COORDCTL" lock "$D" -- echo ran
    [ "$status" -eq 0 ]
    [[ $output == *"removed stale entry $D/$(name_of 1) of "*"(gone)"* ]]
    [ "$(ls "$D")" = "" ]
}

@test "workers: a dead owner's entry another user owns in a sticky task queue is passed over, with one warning per worker" {
    mkdir -m 1777 -p "$D" "$D/tasks" "$D/tasks/t"
    open_to_others
    dead_record 1 >"$D/tasks/t/$(name_of 1)"
    mkdir -m 777 "$T/out"
    # Taken three times (--retries 2), each time through a new look at its queue.
    run --separate-stderr as_nobody timeout -s KILL 20 "$COORDCTL" workers "$D" --task t --capacity 1 --retries 2 -- sh -c "echo try >>'$T/out/log'; exit 1"
    [ "$status" -eq 1 ]
    [ "$(grep -c . "$T/out/log")" -eq 3 ]
    [ "$(grep -c 'passing over stale entry' <<<"$stderr")" -eq 1 ]
    [ "$(ls "$D/tasks/t")" = "$(name_of 1)" ]
    rm "$D/tasks/t/$(name_of 1)"
}

@test "another host's entry whose lease ran out, another user's in a sticky DIR: one clear line (77), never passed over" {
    mkdir -m 1777 -p "$D"
    open_to_others
    # Its owner may still run there and learns of its loss only by the removal.
    dead_record 1 | sed 's/"host":"[^"]*"/"host":"elsewhere"/' >"$D/$(name_of 1)"
    touch -d '1 hour ago' "$D/$(name_of 1)"
    run as_nobody timeout -s KILL 20 "$COORDCTL" lock -w 10 "$D" -- echo ran
    [ "$status" -eq 77 ]
    [ "$output" = "coordctl: cannot remove stale entry: $D/$(name_of 1): Operation not permitted" ]
    [ "$(ls "$D")" = "$(name_of 1)" ]
    rm "$D/$(name_of 1)"
}

@test "an abandoned unnamed wait file another user owns in a sticky DIR: a warning per join, the lock still runs; its owner removes it" {
    mkdir -m 1777 -p "$D"
    open_to_others
    local name=.tmp-99999-00000000000000ab-$(($(date +%s) - 3600))
    echo '{}' >"$D/$name"
    touch -d '1 hour ago' "$D/$name"
    run --separate-stderr as_nobody "$COORDCTL" lock "$D" -- echo ran
    [ "$status" -eq 0 ]
    [ "$output" = ran ]
    [ "$stderr" = "coordctl: warning: cannot remove a wait file left unnamed by a killed process: $D/$name: Operation not permitted" ]
    [ -e "$D/$name" ]
    run --separate-stderr "$COORDCTL" lock "$D" -- echo ran
    [ "$status" -eq 0 ]
    [ "$stderr" = "coordctl: warning: removed a wait file left unnamed by a killed process: $D/$name" ]
    [ ! -e "$D/$name" ]
}

@test "DIR a symlink to a queue: refused, with --no-create and a trailing slash too, nothing created in the target" {
    mkdir "$T/real"
    ln -s "$T/real" "$D"
    local args
    for args in "$D" "$D/" "--no-create $D" "--no-create $D//"; do
        run "$COORDCTL" lock $args -- echo ran
        [ "$status" -eq 73 ]
        [ "$output" = "coordctl: refusing to use a symbolic link as the queue directory: ${D}" ]
    done
    [ -z "$(ls -A "$T/real")" ]
    rm "$D"
}

@test "a token mark that is a symlink, a hard link, a FIFO or a directory: one line, 73, nothing written outside DIR" {
    mkdir -p "$D"
    echo precious >"$T/outside"
    ln -s "$T/outside" "$D/.token"
    run timeout -s KILL 20 "$COORDCTL" lock "$D" -- echo ran
    [ "$status" -eq 73 ]
    [ "$output" = "coordctl: cannot open: $D/.token: Too many levels of symbolic links" ]
    rm "$D/.token"
    ln "$T/outside" "$D/.token"
    run timeout -s KILL 20 "$COORDCTL" lock "$D" -- echo ran
    [ "$status" -eq 73 ]
    [ "$output" = "coordctl: refusing a file with other hard links: $D/.token" ]
    [ "$(cat "$T/outside")" = precious ]
    rm "$D/.token"
    mkfifo "$D/.token"
    run timeout -s KILL 20 "$COORDCTL" lock "$D" -- echo ran
    [ "$status" -eq 73 ]
    [ "$output" = "coordctl: not a regular file: $D/.token" ]
    rm "$D/.token"
    mkdir "$D/.token"
    run timeout -s KILL 20 "$COORDCTL" lock "$D" -- echo ran
    [ "$status" -eq 73 ]
    [ "$output" = "coordctl: cannot open: $D/.token: Is a directory" ]
    rmdir "$D/.token"
    [ -z "$(ls -A "$D")" ]
}

@test "a lowered token mark never lets a newcomer sort before the holder" {
    "$COORDCTL" lock "$D" -- true
    "$COORDCTL" lock "$D" -- true
    hold_gate h
    echo 00000000000000000000 >"$D/.token"
    run "$COORDCTL" lock -n "$D" -- echo ran
    [ "$status" -eq 75 ]
    bg "$COORDCTL" lock -q "$D" -- sh -c "echo waiter-\$COORDCTL_TOKEN >> '$T/log'"
    wait_for "the waiter to queue" has_wait_files 2
    gate_open h
    wait_for "the waiter to run" file_has_line "$T/log" waiter-5
    [ "$(tr '\n' ' ' <"$T/log")" = "start-h end-h waiter-5 " ]
}

@test "no token left (a mark or a name at the largest token): one line, nothing left behind" {
    mkdir -p "$D"
    echo 18446744073709551615 >"$D/.token"
    run "$COORDCTL" lock "$D" -- echo ran
    [ "$status" -eq 73 ]
    [ "$output" = "coordctl: cannot create wait file: no token left: $D/.token" ]
    echo garbage >"$D/.token"
    dead_record 18446744073709551615 >"$D/1-18446744073709551615-x"
    run "$COORDCTL" lock "$D" -- echo ran
    [ "$status" -eq 73 ]
    [ "${lines[0]}" = "coordctl: warning: damaged token mark, new tokens go on from the wait files present and may repeat old ones: $D/.token" ]
    [ "${lines[1]}" = "coordctl: cannot create wait file: no token left: $D/.token" ]
    [ "$(ls "$D")" = 1-18446744073709551615-x ]
    rm "$D/1-18446744073709551615-x"
}

@test "names that only look like wait files are not part of the queue and are left alone" {
    mkdir -p "$D"
    local names=(1-00000000000000000000-x 1-99999999999999999999-x 2-00000000000000000001-x
        1-00000000000000000001-y 1-00000000000000000001-x.tmp 1-000000000000000000001-x
        1-0000000000000000000a-x 1_00000000000000000001-x)
    local name
    for name in "${names[@]}"; do
        echo garbage >"$D/$name"
        touch -d '1 hour ago' "$D/$name"
    done
    run "$COORDCTL" lock -n "$D" -- echo ran
    [ "$status" -eq 0 ]
    [ "$output" = ran ]
    for name in "${names[@]}"; do [ "$(cat "$D/$name")" = garbage ]; done
    rm "${names[@]/#/$D/}"
}

# hold_token NAME: a process that takes the exclusive lock on DIR/.token and
# keeps it (as one stopped mid-join would) until `gate_open NAME`.
hold_token() {
    gate_make "$1"
    bg flock -x "$D/.token" sh -c "echo held >'$T/token-$1'; $(gate_cmd "$1")"
    wait_for "the token lock to be taken" file_exists "$T/token-$1"
}

@test "a join lock held by a stuck process: -n and -w give up with 75, a signal still cancels, the join goes on once free" {
    "$COORDCTL" lock "$D" -- true
    hold_token t
    run "$COORDCTL" lock -n "$D" -- echo ran
    [ "$status" -eq 75 ]
    [ "$output" = "coordctl: the queue's join lock is held too long by another process: $D/.token" ]
    run "$COORDCTL" lock -w 300ms "$D" -- echo ran
    [ "$status" -eq 75 ]
    [ "$output" = "coordctl: timed out; the queue's join lock is held too long by another process: $D/.token" ]
    bg "$COORDCTL" lock -v "$D" -- echo ran 2>"$T/cancelled.err"
    local cancelled=$!
    local said="coordctl: waiting for the queue's join lock, held by another process: $D/.token"
    wait_for "the joiner to say it waits for the join lock" file_has_line "$T/cancelled.err" "$said"
    kill -TERM "$cancelled"
    wait_status "$cancelled"
    [ "$status" -eq 143 ]
    bg "$COORDCTL" lock -v "$D" -- sh -c "echo ran >>'$T/log'" 2>"$T/joiner.err"
    wait_for "the joiner to say it waits for the join lock" file_has_line "$T/joiner.err" "$said"
    [ "$(wait_files)" -eq 0 ]
    gate_open t
    wait_for "the joiner to run once the join lock is free" file_has_line "$T/log" ran
}

@test "a waiter whose turn comes while the join lock is stuck gives up within -w, then the queue goes on" {
    hold_gate h
    # -w long enough for the join lock to be taken before the waiter's turn
    bg "$COORDCTL" lock -w 3s "$D" -- echo ran 2>"$T/err"
    local waiter=$!
    wait_for "the waiter to queue" has_wait_files 2
    hold_token t
    gate_open h
    wait_for "the waiter to give up" process_gone "$waiter"
    wait_status "$waiter"
    [ "$status" -eq 75 ]
    [ "$(cat "$T/err")" = "coordctl: timed out; the queue's join lock is held too long by another process: $D/.token" ]
    gate_open t
    run "$COORDCTL" lock -n "$D" -- echo ran
    [ "$status" -eq 0 ]
    [ "$output" = ran ]
}

@test "-w counts from the start: time spent waiting for the join lock is not given again to the queue" {
    "$COORDCTL" lock "$D" -- true
    hold_gate h
    hold_token t
    local start=$EPOCHREALTIME
    bg "$COORDCTL" lock -v -w 4s "$D" -- echo ran 2>"$T/err"
    local waiter=$!
    wait_for "the waiter to say it waits for the join lock" grep -q "join lock" "$T/err"
    sleep 2 # the scenario: the join lock stays taken for half the timeout
    gate_open t
    wait_for "the waiter to join the queue" has_wait_files 2
    wait_for "the waiter to give up" process_gone "$waiter"
    wait_status "$waiter"
    [ "$status" -eq 75 ]
    # 4 s in all (a second timeout after the join would make it 6 s)
    awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a < 5.2) }'
    gate_open h
}

has_open() { ls -l "/proc/$1/fd" 2>/dev/null | grep -qF -- "$2"; }

@test "workers: a task queue whose join lock is stuck does not make the worker deaf to SIGTERM; the task runs once it is free" {
    mkdir -p "$D/tasks/1"
    touch "$D/tasks/1/.token"
    gate_make t
    bg flock -x "$D/tasks/1/.token" sh -c "echo held >'$T/token-t'; $(gate_cmd t)"
    wait_for "the token lock to be taken" file_exists "$T/token-t"
    bg "$COORDCTL" workers "$D" --tasks 1 --capacity 1 -- sh -c "echo ran >>'$T/log'"
    local worker=$!
    wait_for "the worker to try the task's join lock" has_open "$worker" "$D/tasks/1/.token"
    kill -TERM "$worker"
    wait_for "the worker to end on SIGTERM" process_gone "$worker"
    wait_status "$worker"
    [ "$status" -eq 143 ]
    [ ! -e "$T/log" ]
    bg "$COORDCTL" workers "$D" --tasks 1 --capacity 1 -- sh -c "echo ran >>'$T/log'"
    local again=$!
    wait_for "the worker to try the task's join lock" has_open "$again" "$D/tasks/1/.token"
    gate_open t
    wait_for "the worker to finish" process_gone "$again"
    wait_status "$again"
    [ "$status" -eq 0 ]
    [ "$(cat "$T/log")" = ran ]
}

@test "dbarrier: a join lock held by a stuck process: -w gives up with 75, a signal still cancels, the round goes on once free" {
    "$COORDCTL" lock "$D" -- true
    hold_token t
    run timeout -s KILL 20 "$COORDCTL" dbarrier -w 300ms "$D" --count 2 -- echo ran
    [ "$status" -eq 75 ]
    [ "$output" = "coordctl: timed out; the queue's join lock is held too long by another process: $D/.token" ]
    bg "$COORDCTL" dbarrier "$D" --count 2 -- echo ran
    local cancelled=$!
    wait_for "the participant to try the join lock" has_open "$cancelled" "$D/.token"
    kill -TERM "$cancelled"
    wait_for "the participant to end on SIGTERM" process_gone "$cancelled"
    wait_status "$cancelled"
    [ "$status" -eq 143 ]
    local id
    for id in a b; do
        bg "$COORDCTL" dbarrier "$D" --count 2 --id "$id" -- sh -c "echo ran-$id >>'$T/log'"
        wait_for "participant $id to try the join lock" has_open "$!" "$D/.token"
    done
    [ "$(wait_files)" -eq 0 ]
    gate_open t
    for id in a b; do
        wait_for "participant $id to run once the join lock is free" file_has_line "$T/log" "ran-$id"
    done
    wait_for "the queue to empty" has_wait_files 0
}

@test "dbarrier: -w still gives up in time when the join lock gets stuck after joining" {
    local start=$EPOCHREALTIME
    # -w long enough for the join lock to be taken before it runs out
    bg "$COORDCTL" dbarrier -w 3s "$D" --count 2 -- echo ran 2>"$T/err"
    local participant=$!
    wait_for "the participant to join" has_wait_files 1
    hold_token t
    wait_for "the participant to give up" process_gone "$participant"
    wait_status "$participant"
    [ "$status" -eq 75 ]
    [ "$(cat "$T/err")" = "coordctl: timed out; the queue's join lock is held too long by another process: $D/.token" ]
    # -w 3s, then about a second more of trying the join lock, not until it is free
    awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a < 8) }'
    [ "$(wait_files)" -eq 0 ]
    gate_open t
}

# A waiter behind a holder grants itself, when the holder leaves, from the
# cut line of .token (no cut-in-line entry joined since) without reading the
# directory. Changing .token by hand must not make it overtake a cut entry.
cut_after_hand_edit() { # EDIT: a command changing $D/.token while h holds and w waits
    hold_gate h
    bg "$COORDCTL" lock -v "$D" -- sh -c "echo w >> '$T/log'" 2>"$T/w.err"
    wait_for "the waiter to queue" has_wait_files 2
    eval "$1"
    gate_make c
    bg "$COORDCTL" lock -q --cut --id cutter "$D" -- sh -c "echo start-c >> '$T/log'; $(gate_cmd c)"
    wait_for "the cut entry to queue" has_wait_files 3
    expect_cut_first
}

@test ".token removed or replaced by hand while waiters wait: a cut entry joining next is still respected" {
    cut_after_hand_edit 'rm "$D/.token"'
}

@test ".token replaced by a copy (mv) while waiters wait: a cut entry joining next is still respected" {
    cut_after_hand_edit 'cp "$D/.token" "$T/copy" && mv "$T/copy" "$D/.token"'
}

@test "a cut line lowered by hand is raised again by the next join: a waiter joining after it does not overtake the cut entry" {
    hold_gate h
    gate_make c
    bg "$COORDCTL" lock -q --cut --id cutter "$D" -- sh -c "echo start-c >> '$T/log'; $(gate_cmd c)"
    wait_for "the cut entry to queue" has_wait_files 2
    printf '%020d\ncut %020d\n' 2 0 >"$D/.token" # same file, cut line lowered below the cut entry's token
    bg "$COORDCTL" lock -v "$D" -- sh -c "echo w >> '$T/log'" 2>"$T/w.err"
    wait_for "the waiter to queue" has_wait_files 3
    [ "$(sed -n 2p "$D/.token")" = "cut 00000000000000000002" ]
    expect_cut_first
}

@test "a .token of garbage longer than the mark is rewritten whole by the next join" {
    mkdir -p "$D"
    head -c 5000 /dev/zero | tr '\0' x >"$D/.token"
    run --separate-stderr "$COORDCTL" lock "$D" -- sh -c 'echo $COORDCTL_TOKEN'
    [ "$status" -eq 0 ]
    [ "$output" = 1 ]
    # Said once: the tokens a damaged mark lost may be handed out again.
    [ "$stderr" = "coordctl: warning: damaged token mark, new tokens go on from the wait files present and may repeat old ones: $D/.token" ]
    [ "$(cat "$D/.token")" = "$(printf '%020d\ncut %020d' 1 0)" ]
}
