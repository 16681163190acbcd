#!/usr/bin/env bats
# The queue on a FUSE filesystem (bindfs over the test's directory): no
# O_TMPFILE, so wait files are written under a dot temporary name, waiters
# poll (statfs says FUSE), and a hard link is a file of its own to the kernel
# (bindfs maps each path to a node), so the owner's locks must be taken on the
# named file.

load helpers

eval "$(declare -f setup | sed '1s/^setup/helpers_setup/')"
eval "$(declare -f teardown | sed '1s/^teardown/helpers_teardown/')"

setup() {
    helpers_setup
    [[ -c /dev/fuse ]] || { echo "no /dev/fuse: these tests need FUSE" >&2; return 1; }
    mkdir "$T/fuse-src" "$T/fuse"
    bindfs "$T/fuse-src" "$T/fuse"
    [ "$(stat -f -c %T "$T/fuse")" = fuseblk ]
    D=$T/fuse/q
}

# A file unlinked while open is renamed .fuse_hidden* by FUSE until its last
# close, which the kernel reports to bindfs asynchronously.
no_hidden_files() { [[ -z $(find "$D" -name '.fuse_hidden*' 2>/dev/null) ]]; }

teardown() {
    local rc=0
    wait_for "FUSE to drop the files unlinked while open" no_hidden_files || rc=1
    helpers_teardown || rc=1
    if mountpoint -q "$T/fuse"; then
        umount "$T/fuse" || umount -l "$T/fuse" || rc=1
    fi
    return $rc
}

# contender I: N holds in a row; the command records its token and whether
# it found someone else inside.
contend() {
    local i=$1 n=$2 j
    for ((j = 0; j < n; j++)); do
        timeout 60 "$COORDCTL" lock --poll-interval 20ms "$D" -- sh -c "
            set -C
            : > '$T/inside' 2>/dev/null || echo overlap >> '$T/log'
            echo \$COORDCTL_TOKEN >> '$T/tokens'
            sleep 0.01
            rm '$T/inside'" || echo "contender $i: exit $?" >>"$T/log"
    done
}

@test "on FUSE (bindfs): 4 contenders x 10 holds never overlap and hold in token order; nothing left behind" {
    local i pids=()
    for i in 1 2 3 4; do
        contend "$i" 10 3>&- &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i"; done
    [ ! -e "$T/log" ] || { cat "$T/log" >&2; false; }
    [ "$(wc -l <"$T/tokens")" -eq 40 ]
    sort -n -c "$T/tokens"
}

@test "on FUSE (bindfs): a SIGKILLed holder (and its command) is passed over, not before" {
    bg "$COORDCTL" lock --orphan=kill --poll-interval 20ms "$D" -- sh -c "echo ready >> '$T/log'; exec sleep 600"
    local holder=$!
    wait_for "the holder's command to start" file_has_line "$T/log" ready
    bg "$COORDCTL" lock -v --poll-interval 20ms "$D" -- sh -c "echo second >> '$T/log'" 2>"$T/second.err"
    local second=$!
    wait_for "the second to report that it waits" grep -q "waiting for $D" "$T/second.err"
    echo killing >>"$T/log"
    kill -KILL "$holder"
    wait_status "$second"
    [ "$status" -eq 0 ]
    [ "$(cat "$T/log")" = "$(printf 'ready\nkilling\nsecond')" ]
}
