#!/usr/bin/env bats
# lock --hold, lease-touch, heartbeats and entries from other hosts.

load helpers

@test "--hold prints the wait file once held, leaves it, and rm releases it" {
    run "$COORDCTL" lock --hold --owner-pid $$ "$D"
    [ "$status" -eq 0 ]
    local file=$output
    [[ $file == "$D/1-00000000000000000001-x" ]]
    [ -f "$file" ]
    grep -q '"hold":true' "$file"
    run "$COORDCTL" lock -n "$D" -- true
    [ "$status" -eq 75 ]
    [[ $output == *"held with --hold"* ]]
    rm "$file"
    run "$COORDCTL" lock -n "$D" -- echo free
    [ "$output" = free ]
}

@test "a waiter behind a --hold entry runs as soon as the file is removed" {
    local file
    file=$("$COORDCTL" lock --hold --owner-pid $$ "$D")
    bg "$COORDCTL" lock "$D" -- sh -c "echo waiter >> '$T/log'"
    wait_for "the waiter to queue" has_wait_files 2
    rm "$file"
    wait_for "the waiter to run" file_has_line "$T/log" waiter
}

@test "a --hold entry lives as long as its owner process, then is stale" {
    sleep 600 3>&- &
    local owner=$!
    BG_PIDS+=($owner)
    local file
    file=$("$COORDCTL" lock --hold --owner-pid "$owner" "$D")
    grep -q "\"pid\":$owner," "$file"
    bg "$COORDCTL" lock "$D" -- sh -c "echo waiter >> '$T/log'" 2>"$T/stderr"
    wait_for "the waiter to queue" has_wait_files 2
    run "$COORDCTL" lock -n "$D" -- true
    [ "$status" -eq 75 ]
    kill "$owner"
    wait_for "the waiter to run after the owner died" file_has_line "$T/log" waiter
    grep -q "removed stale entry .*$owner@.*held with --hold.*its owner process is gone" "$T/stderr"
}

@test "a --hold owner that /proc hides (hidepid=2, another user's) lives while its pid does" {
    mkdir -m 777 -p "$D"
    open_to_others
    # The owner's parent never reaps it: once killed, it stays a zombie.
    sh -c "sleep 600 & echo \$! >'$T/owner'; exec sleep 1000" 3>&- &
    local parent=$!
    BG_PIDS+=($parent)
    wait_for "the owner to start" test -s "$T/owner"
    local owner file
    owner=$(cat "$T/owner")
    file=$("$COORDCTL" lock --hold --owner-pid "$owner" "$D")
    # nobody, with a /proc of its own that shows it no other user's process:
    local hidden="mount -t proc -o hidepid=2 proc /proc && exec setpriv --reuid=65534 --regid=65534 --clear-groups"
    run unshare --mount --propagation private sh -c "$hidden test -e /proc/$owner"
    [ "$status" -eq 1 ] # it is hidden indeed
    run unshare --mount --propagation private sh -c "$hidden '$COORDCTL' lock -n '$D' -- echo ran"
    [ "$status" -eq 75 ]
    [[ $output == "coordctl: lock is held by $owner@"* ]]
    [ -f "$file" ]
    # Exited, not yet reaped (a zombie, which /proc hides too): gone.
    kill "$owner"
    wait_for "the owner to be a zombie" grep -q '^State:.*Z' "/proc/$owner/status"
    run unshare --mount --propagation private sh -c "$hidden '$COORDCTL' lock -n '$D' -- echo ran"
    [ "$status" -eq 0 ]
    [ "${lines[-1]}" = ran ]
    [ ! -e "$file" ]
    kill "$parent"
}

@test "an owner whose main thread has exited while another thread runs (shown as a zombie) still holds" {
    python3 -c 'import ctypes, threading, time
threading.Thread(target=time.sleep, args=(600,)).start()
ctypes.CDLL(None).pthread_exit(None)' 3>&- &
    local owner=$!
    BG_PIDS+=($owner)
    wait_for "its main thread to exit" eval "[[ \$(ps -o stat= -p $owner) == Z* ]]"
    local file
    file=$("$COORDCTL" lock --hold --owner-pid "$owner" "$D")
    run "$COORDCTL" lock -n "$D" -- echo ran
    [ "$status" -eq 75 ]
    [ -e "$file" ]
    kill -9 "$owner"
    wait_for "the owner to be gone" process_gone "$owner"
    run "$COORDCTL" lock -n "$D" -- echo ran
    [ "$status" -eq 0 ]
    [[ $output == *ran ]]
}

@test "without --owner-pid the owner is the parent process" {
    run sh -c "'$COORDCTL' lock --hold '$D'; echo parent=\$\$"
    [ "$status" -eq 0 ]
    grep -q "\"pid\":${lines[1]#parent=}," "${lines[0]}"
    rm "${lines[0]}"
}

@test "--owner-pid must name a live process; --hold exits 74, leaving nothing, if it cannot print the path" {
    sleep 100 &
    local gone=$!
    kill "$gone"
    wait "$gone" || true
    run "$COORDCTL" lock --hold --owner-pid "$gone" "$D"
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == "coordctl: --owner-pid: no process $gone" ]]
    run "$COORDCTL" lock --hold --owner-pid 0 "$D"
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == "coordctl: --owner-pid: not a process id: 0" ]]
    run sh -c "'$COORDCTL' lock --hold --owner-pid $$ '$D' > /dev/full"
    [ "$status" -eq 74 ]
    [ "$output" = "coordctl: cannot write the wait file's path: standard output: No space left on device" ]
    has_wait_files 0
    run sh -c "'$COORDCTL' status --json '$D' > /dev/full"
    [ "$status" -eq 74 ]
    [ "$output" = "coordctl: cannot write: standard output: No space left on device" ]
    # More than a stdio buffer's worth: the write fails before the flush.
    local i
    for i in $(seq 15); do "$COORDCTL" lock --hold --owner-pid $$ --shared "$D" >/dev/null; done
    run sh -c "'$COORDCTL' status --json '$D' > /dev/full"
    [ "$status" -eq 74 ]
    [[ $output == "coordctl: cannot write: standard output: "*"No space left on device" ]]
    rm "$D"/1-*
    # elect --observe stops, saying so once (its loop closed cleanly).
    run sh -c "'$COORDCTL' elect '$D' --observe --json > /dev/full"
    [ "$status" -eq 74 ]
    [ "$output" = "coordctl: cannot write: standard output: No space left on device" ]
}

@test "--hold whose reader goes while it waits (or is gone from the start) leaves the queue at once, as of SIGPIPE" {
    hold_gate h
    bash -c '"$0" lock "$1" --hold | { echo "$BASHPID" >"$2.reader"; exec sleep 600; }
        echo "${PIPESTATUS[0]}" >"$2.status"' "$COORDCTL" "$D" "$T/hold" 3>&- &
    local pipeline=$!
    BG_PIDS+=($pipeline)
    wait_for "the --hold waiter to queue" has_wait_files 2
    wait_for "the reader to start" test -s "$T/hold.reader"
    kill "$(cat "$T/hold.reader")"
    wait_for "the --hold waiter to leave once its reader is gone" process_gone "$pipeline"
    [ "$(cat "$T/hold.status")" = 141 ]
    has_wait_files 1
    # No reader from the start: it does not wait for a path nobody can read.
    run timeout 10 python3 -c 'import os, subprocess, sys
r, w = os.pipe()
os.close(r)
print(subprocess.run(sys.argv[1:], stdout=w).returncode)' "$COORDCTL" lock "$D" --hold
    [ "$output" = "-13" ]
    has_wait_files 1
    gate_open h
}

@test "--owner-pid needs --hold; --hold takes no command" {
    run "$COORDCTL" lock --owner-pid 1 "$D" -- true
    [ "$status" -eq 64 ]
    [[ $output == *"--owner-pid needs --hold"* ]]
    run "$COORDCTL" lock --hold "$D" -- true
    [ "$status" -eq 64 ]
    [[ $output == *"--hold runs no command"* ]]
    run "$COORDCTL" lock --hold --kill-after 1s "$D"
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: --hold excludes --kill-after" ]
    has_wait_files 0
}

@test "lease-touch refreshes the heartbeat, and exits 79 naming a file that is gone" {
    local file
    file=$("$COORDCTL" lock --hold --owner-pid $$ "$D")
    touch -d '1 hour ago' "$file"
    run "$COORDCTL" lease-touch "$file"
    [ "$status" -eq 0 ]
    [ $(($(date +%s) - $(stat -c %Y "$file"))) -lt 60 ]
    rm "$file"
    run "$COORDCTL" lease-touch "$file"
    [ "$status" -eq 79 ]
    [ "$output" = "coordctl: lease lost: $file: No such file or directory" ]
}

@test "lease-touch refuses what is not a wait file" {
    echo x >"$T/notes"
    run "$COORDCTL" lease-touch "$T/notes"
    [ "$status" -eq 64 ]
    [[ $output == *"not a wait file name"* ]]
    # Named like one, but a directory or a symbolic link (never followed).
    mkdir "$T/1-00000000000000000001-x"
    run "$COORDCTL" lease-touch "$T/1-00000000000000000001-x"
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: not a wait file: $T/1-00000000000000000001-x" ]
    [ "${lines[1]}" = "Try 'coordctl lease-touch --help'." ] # a usage error, as the others
    ln -s "$T/notes" "$T/1-00000000000000000002-x"
    touch -d '1 hour ago' "$T/notes"
    run "$COORDCTL" lease-touch "$T/1-00000000000000000002-x"
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: not a wait file (a symbolic link): $T/1-00000000000000000002-x" ]
    [ "${lines[1]}" = "Try 'coordctl lease-touch --help'." ]
    [ $(($(date +%s) - $(stat -c %Y "$T/notes"))) -gt 3000 ]
}

@test "lease-touch --every keeps going until the file is gone" {
    local file
    file=$("$COORDCTL" lock --hold --owner-pid $$ "$D")
    touch -d '1 hour ago' "$file"
    bg "$COORDCTL" lease-touch --every 50ms "$file"
    local toucher=$!
    wait_for "the heartbeat to be refreshed" eval "[ \$((\$(date +%s) - \$(stat -c %Y '$file'))) -lt 60 ]"
    rm "$file"
    wait_status "$toucher"
    [ "$status" -eq 79 ]
}

@test "lease-touch --every --while-pid stops when that process exits" {
    local file
    file=$("$COORDCTL" lock --hold --owner-pid $$ "$D")
    sleep 600 3>&- &
    local owner=$!
    BG_PIDS+=($owner)
    bg "$COORDCTL" lease-touch --every 50ms --while-pid "$owner" "$file"
    local toucher=$!
    kill "$owner"
    wait_status "$toucher"
    [ "$status" -eq 0 ]
    rm "$file"
}

@test "lease-touch --while-pid of a process already gone refreshes once and stops at once" {
    local file
    file=$("$COORDCTL" lock --hold --owner-pid $$ "$D")
    touch -d '1 hour ago' "$file"
    true &
    local gone=$!
    wait "$gone"
    bg "$COORDCTL" lease-touch --every 1h --while-pid "$gone" "$file"
    local toucher=$!
    wait_for "lease-touch to stop (not after one --every of 1h)" process_gone "$toucher"
    wait_status "$toucher"
    [ "$status" -eq 0 ]
    [ $(($(date +%s) - $(stat -c %Y "$file"))) -lt 60 ]
    rm "$file"
}

@test "an entry from another host with an old heartbeat is removed after its TTL, with a warning" {
    local file
    file=$(COORDCTL_HOST_ID=otherhost "$COORDCTL" lock --hold --owner-pid $$ --id remote "$D")
    touch -d '1 hour ago' "$file"
    run "$COORDCTL" lock "$D" -- echo ran
    [ "$status" -eq 0 ]
    [[ $output == *"removed stale entry $file of "*"@otherhost [remote]"*"no heartbeat for"*"(ttl 30s)"* ]]
    [[ ${lines[-1]} == ran ]]
}

@test "an entry from another host with a fresh heartbeat is not removed" {
    local file
    file=$(COORDCTL_HOST_ID=otherhost "$COORDCTL" lock --hold --owner-pid $$ "$D")
    run "$COORDCTL" lock -n "$D" -- echo ran
    [ "$status" -eq 75 ]
    [ -f "$file" ]
    bg "$COORDCTL" lock "$D" -- sh -c "echo waiter >> '$T/log'"
    wait_for "the waiter to queue" has_wait_files 2
    "$COORDCTL" lease-touch "$file"
    rm "$file"
    wait_for "the waiter to run once the remote entry is gone" file_has_line "$T/log" waiter
}

@test "a remote entry whose lease runs out while waited for is removed by the waiter" {
    local file
    file=$(COORDCTL_HOST_ID=otherhost "$COORDCTL" lock --hold --owner-pid $$ --ttl 600ms "$D")
    bg "$COORDCTL" lock "$D" -- sh -c "echo waiter >> '$T/log'"
    wait_for "the waiter to run after the lease expired" file_has_line "$T/log" waiter
    [ ! -e "$file" ]
}

@test "holders refresh their heartbeat every TTL/3" {
    gate_make h
    bg "$COORDCTL" lock --ttl 300ms "$D" -- sh -c "$(gate_cmd h)"
    wait_for "the holder's wait file" has_wait_files 1
    local file
    file=$(ls "$D"/1-*)
    touch -d '1 hour ago' "$file"
    wait_for "the heartbeat" eval "[ \$((\$(date +%s) - \$(stat -c %Y '$file'))) -lt 60 ]"
    gate_open h
}

@test "DIR moved away while held: one warning at a heartbeat, the command goes on" {
    mkdir "$T/a"
    gate_make h
    bg "$COORDCTL" lock --ttl 300ms "$T/a/q" -- sh -c "echo start >> '$T/log'; $(gate_cmd h); echo end >> '$T/log'" 2>"$T/stderr"
    local holder=$!
    wait_for "the holder to start" file_has_line "$T/log" start
    mv "$T/a" "$T/b"
    wait_for "the warning" grep -q "^coordctl: warning: the queue directory was moved or replaced while held; newcomers will not wait for this hold: $T/a/q$" "$T/stderr"
    # Two more heartbeats, said no more.
    local file
    file=$(ls "$T"/b/q/1-*)
    for _ in 1 2; do
        touch -d '1 hour ago' "$file"
        wait_for "a heartbeat" eval "[ \$((\$(date +%s) - \$(stat -c %Y '$file'))) -lt 60 ]"
    done
    gate_open h
    wait_status "$holder"
    [ "$status" -eq 0 ]
    file_has_line "$T/log" end
    [ "$(wc -l <"$T/stderr")" -eq 1 ]
    [ "$(ls "$T/b/q")" = "" ]
}

@test "DIR moved: a relative DIR whose parent is renamed is warned about too; a path only made unsearchable is not" {
    mkdir -p "$T/c"
    gate_make h
    (cd "$T/c" && exec "$COORDCTL" lock --ttl 300ms q -- sh -c "echo start >> '$T/log'; $(gate_cmd h)") 2>"$T/stderr" 3>&- &
    BG_PIDS+=($!)
    local holder=$!
    wait_for "the holder to start" file_has_line "$T/log" start
    mv "$T/c" "$T/d"
    wait_for "the warning" grep -q "^coordctl: warning: the queue directory was moved or replaced while held; newcomers will not wait for this hold: q$" "$T/stderr"
    gate_open h
    wait_status "$holder"
    [ "$status" -eq 0 ]

    # As nobody, a parent made unsearchable: DIR cannot be looked up, which
    # is not a move.
    open_to_others
    mkdir -m 777 -p "$T/p/a"
    gate_make n
    chmod 666 "$T/gate-n"
    touch "$T/log-n"
    chmod 666 "$T/log-n"
    bg as_nobody "$COORDCTL" lock --ttl 300ms "$T/p/a/q" -- sh -c "echo start-n >> '$T/log-n'; $(gate_cmd n)" 2>"$T/stderr-n"
    local nobody=$!
    wait_for "nobody's holder to start" file_has_line "$T/log-n" start-n
    chmod 700 "$T/p"
    local file
    file=$(ls "$T"/p/a/q/1-*)
    for _ in 1 2; do
        touch -d '1 hour ago' "$file"
        wait_for "a heartbeat" eval "[ \$((\$(date +%s) - \$(stat -c %Y '$file'))) -lt 60 ]"
    done
    chmod 755 "$T/p"
    gate_open n
    wait_status "$nobody"
    [ "$status" -eq 0 ]
    [ ! -s "$T/stderr-n" ]
}

