# Shared setup for the integration tests: a fresh queue directory per test,
# a wait_for helper that polls a condition until a deadline, and a teardown
# that fails if the directory holds anything but the token mark.

bats_require_minimum_version 1.5.0

COORDCTL=${COORDCTL:-$BATS_TEST_DIRNAME/../../build/coordctl}

setup() {
    D=$BATS_TEST_TMPDIR/q
    T=$BATS_TEST_TMPDIR
    BG_PIDS=()
}

teardown() {
    local pid failed=0
    # Background coordctl processes must end by themselves: one still running
    # is killed and fails the test.
    for pid in "${BG_PIDS[@]}"; do
        if ! WAIT_FOR_SECONDS=10 wait_for "background process $pid to end" process_gone "$pid"; then
            kill -9 "$pid" 2>/dev/null || true
            failed=1
        fi
        wait "$pid" 2>/dev/null || true
    done
    # A gated command still blocked on its fifo, re-parented away from any
    # coordctl: a failed test may have stopped before opening the gate (it
    # is ended at once); after a passing test it must end by itself.
    local gated
    gated=$(sed 's/[][\\.*^$+?(){}|]/\\&/g' <<<"$(gate_read)")
    if [[ -n ${BATS_TEST_COMPLETED:-} ]] &&
        ! WAIT_FOR_SECONDS=10 wait_for "gated commands to end" refute pgrep -f -- "$gated"; then
        failed=1
    fi
    pkill -KILL -f -- "$gated" 2>/dev/null || true
    ((failed == 0)) || return 1
    if [[ -d $D/tasks ]]; then
        # A workers directory keeps tasks/ and state/: no wait or temporary file may stay.
        local left
        left=$(find "$D" -type f \( -name '[01]-*' -o -name '.tmp-*' \) -print)
        if [[ -n $left ]]; then
            echo "leftovers in $D:" >&2
            echo "$left" >&2
            return 1
        fi
    elif [[ -d $D ]]; then
        local left
        left=$(find "$D" -mindepth 1 ! -name .token ! -name 'keep*' ! -name '.keep*' -print)
        if [[ -n $left ]]; then
            echo "leftovers in $D:" >&2
            echo "$left" >&2
            return 1
        fi
    fi
}

# wait_for DESCRIPTION COMMAND...: runs COMMAND every 10ms until it succeeds;
# fails naming DESCRIPTION after WAIT_FOR_SECONDS (default 10).
wait_for() {
    local what=$1
    shift
    local deadline=$((SECONDS + ${WAIT_FOR_SECONDS:-10}))
    until "$@"; do
        if ((SECONDS >= deadline)); then
            echo "timed out waiting for: $what" >&2
            return 1
        fi
        sleep 0.01
    done
}

# Starts coordctl in the background (fd 3 closed so bats does not wait for it);
# its pid is in $! and remembered for teardown.
bg() {
    "$@" 3>&- &
    BG_PIDS+=($!)
}

wait_files() { ls "$D" 2>/dev/null | grep -c '^[01]-' || true; }
has_wait_files() { [[ $(wait_files) -eq $1 ]]; }
file_has_line() { grep -qx -- "$2" "$1" 2>/dev/null; }
# refute CMD...: fails if CMD succeeds. A bare "! CMD" never fails a bats
# test (bash's errexit ignores negated commands).
refute() { ! "$@"; }
# in_event_loop PID: the process is blocked in its event loop (epoll).
in_event_loop() { grep -q epoll "/proc/$1/wchan" 2>/dev/null; }
file_exists() { [[ -e $1 ]]; }
# process_gone PID: PID has exited, its files (and kernel locks) closed: a
# zombie counts once no other thread of it is still exiting (the main thread
# shows Z before the others have closed the shared files).
process_gone() {
    ! kill -0 "$1" 2>/dev/null ||
        { [[ $(ps -o stat= -p "$1") == Z* ]] && [[ $(ls "/proc/$1/task" 2>/dev/null | wc -l) -le 1 ]]; }
}

# A gate: a command blocks in `gate_wait NAME` until the test runs `gate_open NAME`.
gate_make() { mkfifo "$T/gate-$1"; }
gate_open() { echo go >"$T/gate-$1"; }
gate_read() { echo "read _ < '$T/gate-"; } # what every gated command contains
gate_cmd() { echo "$(gate_read)$1'"; }

# hold_gate NAME [LOCK OPTIONS...]: starts a holder labelled NAME whose
# command logs start-NAME, blocks until `gate_open NAME`, then logs end-NAME
# (its shell's pid is in $T/pid-NAME); returns once it holds.
hold_gate() {
    gate_make "$1"
    bg "$COORDCTL" lock "$D" -q --id "$1" "${@:2}" -- sh -c "echo \$\$ > '$T/pid-$1'; echo start-$1 >> '$T/log'; $(gate_cmd "$1"); echo end-$1 >> '$T/log'"
    wait_for "holder $1 to start" file_has_line "$T/log" "start-$1"
}

# traced_lock NAME [LOCK OPTIONS...]: `coordctl lock` under strace, its
# command logging NAME; directory_reads NAME then counts its whole reads of
# the queue directory (getdents64 calls that return 0). LeakSanitizer (the
# ASan run) cannot work under ptrace.
traced_lock() {
    bg env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        strace -f -qq -e trace=getdents64 -o "$T/$1.strace" \
        "$COORDCTL" lock -q "${@:2}" "$D" -- sh -c "echo $1 >> '$T/log'"
}
directory_reads() { grep -c 'getdents64.*= 0$' "$T/$1.strace"; }
# expect_grant_reads: traced waiters named fast (nothing cut in line while
# it waited) and slow (an entry did) read the queue once at the join and
# not at the grant, once more after a cut join; polling always reads.
expect_grant_reads() {
    if [[ -n ${COORDCTL_POLL:-} ]]; then
        (($(directory_reads fast) >= 2))
    else
        [ "$(directory_reads fast)" -eq 1 ] && [ "$(directory_reads slow)" -eq 2 ]
    fi
}

# wait_status PID: waits for a background process and puts its exit status in $status.
wait_status() {
    status=0
    wait "$1" || status=$?
}

# Runs a command as user nobody (the permission tests).
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# Lets other users traverse the test's temporary directory and its parents.
open_to_others() {
    local dir=$T
    while [[ $dir != / ]]; do
        chmod o+x "$dir"
        dir=$(dirname "$dir")
    done
}

# h holds, the cut entry c and the waiter w (-v, stderr in $T/w.err) wait:
# once h leaves, c must run first, and w only after it.
expect_cut_first() {
    gate_open h
    wait_for "the cut entry to run" file_has_line "$T/log" start-c
    wait_for "the waiter to see the cut entry ahead" grep -q "held by .*\[cutter\]" "$T/w.err"
    refute file_has_line "$T/log" w
    gate_open c
    wait_for "the waiter to run" file_has_line "$T/log" w
    [ "$(tr '\n' ' ' <"$T/log")" = "start-h end-h start-c w " ]
}

# Runs "$@" with descriptor $1 (1 or 2) a pipe whose reader has exited;
# prints its exit status (negative: the signal it died of).
with_reader_gone() {
    python3 -c 'import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[2:], **{"stdout" if sys.argv[1] == "1" else "stderr": w})
print(p.returncode)' "$@"
}
