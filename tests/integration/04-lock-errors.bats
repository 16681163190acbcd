#!/usr/bin/env bats
# Bad input: usage errors (64) and filesystem errors (73, 77), one line each,
# nothing left behind.

load helpers

@test "no command is a usage error" {
    run "$COORDCTL" lock "$D"
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == "coordctl: a command is required"* ]]
    [ "${lines[1]}" = "Try 'coordctl lock --help'." ]
    [ ! -e "$D" ] || [ -z "$(ls "$D")" ]
}

@test "an invalid duration names the option" {
    run "$COORDCTL" lock -w soon "$D" -- true
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == "coordctl: --timeout: invalid duration 'soon'"* ]]
    run "$COORDCTL" lock --kill-after -1 "$D" -- true
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == *"--kill-after"* ]]
}

@test "an empty duration is refused, for every subcommand's durations" {
    local -a cmd
    for cmd in "lock -w '' $D -- true" "lock --ttl '' $D -- true" "lock --kill-after '' $D -- true" \
        "lock --poll-interval '' $D -- true" "elect $D --ttl '' -- true" "dbarrier $D --count 1 -w '' -- true" \
        "workers $D --tasks 1 --capacity 1 --ttl '' -- true" "barrier wait -w '' $D/gate" \
        "lease-touch --every '' $D/file"; do
        eval "run \"\$COORDCTL\" $cmd"
        [ "$status" -eq 64 ] || { echo "$cmd: status $status" >&2; false; }
        [[ ${lines[0]} == *": empty duration"* ]] || { echo "$cmd: ${lines[0]}" >&2; false; }
    done
    refute file_exists "$D"
}

@test "conflicting options are a usage error naming them" {
    run "$COORDCTL" lock -n -w 1 "$D" -- true
    [ "$status" -eq 64 ]
    [[ $output == *"--nonblock"* && $output == *"--timeout"* ]]
    run "$COORDCTL" lock -c 'true' "$D" -- true
    [ "$status" -eq 64 ]
    [[ $output == *"--command"* ]]
}

@test "an unknown option, a bad exit code or an unknown subcommand exits 64" {
    run "$COORDCTL" lock --frobnicate "$D" -- true
    [ "$status" -eq 64 ]
    [[ $output == *"--frobnicate"* ]]
    run "$COORDCTL" lock -E 300 "$D" -- true
    [ "$status" -eq 64 ]
    [[ $output == *"--conflict-exit-code"* ]]
    run "$COORDCTL" frobnicate
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: unknown subcommand 'frobnicate'" ]
    run "$COORDCTL"
    [ "$status" -eq 64 ]
    run "$COORDCTL" elect "$D" -w 1 -- true # elect has no -w
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == *"-w"* ]]
    # Named even when DIR (or the subcommand) is missing too.
    run "$COORDCTL" lock --frobnicate
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: unknown option '--frobnicate'" ]
    run "$COORDCTL" lock --version # --version is not lock's
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: unknown option '--version'" ]
    run "$COORDCTL" --frobnicate
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: unknown option '--frobnicate'" ]
    run "$COORDCTL" lock "$D" --frobnicate=3 -- true
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: unknown option '--frobnicate'" ]
    run "$COORDCTL" lock
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: DIR is required" ]
    run "$COORDCTL" status "$D" "$T/other"
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: unexpected argument '$T/other'" ]
    [ "${lines[1]}" = "Try 'coordctl status --help'." ]
    run "$COORDCTL" barrier wait "$D" now
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: unexpected argument 'now'" ]
    run "$COORDCTL" status "$D" -- now # no command: "--" ends nothing
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: unexpected argument 'now'" ]
    run "$COORDCTL" status -- "$D" now
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: unexpected argument 'now'" ]
    run "$COORDCTL" lock "$D" --ttl
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: --ttl: a value is required" ]
    run "$COORDCTL" lock "$D" -w
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: --timeout: a value is required" ]
    run "$COORDCTL" lock "$D" --shared=no -- true # an on/off flag takes no value
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: --shared: takes no value" ]
    run "$COORDCTL" status "$D" --json=0
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: --json: takes no value" ]
    refute file_exists "$D"
}

@test "an option given twice: its last value counts, and every value is checked" {
    "$COORDCTL" lock "$D" --hold >/dev/null
    run "$COORDCTL" lock -n -E 3 "$D" -E 9 -- true
    [ "$status" -eq 9 ]
    run timeout 20 "$COORDCTL" lock -w 1h "$D" -w 0 -- true
    [ "$status" -eq 75 ]
    run "$COORDCTL" lock -w soon -w 0 "$D" -- true
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == "coordctl: --timeout: invalid duration 'soon'"* ]]
    # --id= is an empty value (as getopt_long has it), not "take the next word".
    run timeout 20 "$COORDCTL" lock "$D" --id= -n -- true
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: --id: must not be empty" ]
    run "$COORDCTL" lock "$D" --ttl= --hold
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == "coordctl: --ttl: empty duration"* ]]
    run "$COORDCTL" lock -n -E 3 -E x "$D" -- true
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: --conflict-exit-code: not a decimal number (digits 0-9 only): x" ]
    rm "$D"/1-*
    run "$COORDCTL" elect "$T/e" --once --id first --id second -- sh -c 'echo "$COORDCTL_LEADER_ID"'
    [ "$status" -eq 0 ]
    [ "$output" = second ]
    run "$COORDCTL" workers "$T/w" --tasks 1 --capacity 1 --capacity 2 -- true
    [ "$status" -eq 0 ]
}

@test "integers are decimal: leading zeros allowed, no octal, hex or sign" {
    "$COORDCTL" lock "$D" --hold >/dev/null
    run "$COORDCTL" lock -n -E 075 "$D" -- true # not octal 61
    [ "$status" -eq 75 ]
    run "$COORDCTL" lock --slots 0100001 "$D" -- true # not octal 32769: the range sees decimal
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: --slots: Value 100001 not in range 1 to 100000" ]
    for bad in 0x4b +5 -1 0b11 " 7" 1e2; do
        run "$COORDCTL" lock -n -E "$bad" "$D" -- true
        [ "$status" -eq 64 ]
        [ "${lines[0]}" = "coordctl: --conflict-exit-code: not a decimal number (digits 0-9 only): $bad" ]
    done
    run "$COORDCTL" dbarrier "$D/b" --count 0x2 -- true
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: --count: not a decimal number (digits 0-9 only): 0x2" ]
    run "$COORDCTL" workers "$D/w" --capacity 1 --tasks 0x3 -- true
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: --tasks: not a decimal number (digits 0-9 only): 0x3" ]
    run "$COORDCTL" lease-touch --every 1s --while-pid 0x1 "$D"/1-*
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == "coordctl: --while-pid: not a decimal number"* ]]
    rm "$D"/1-*
}

@test "a DIR or PATH with a newline in its name: each message stays one line" {
    local nl=$'\n'
    run "$COORDCTL" status "$T/no${nl}such"
    [ "$status" -eq 73 ]
    [ "$output" = "coordctl: cannot open directory: $T/no\\nsuch: No such file or directory" ]
    "$COORDCTL" lock "$T/q${nl}d" --hold >/dev/null
    run "$COORDCTL" lock -n "$T/q${nl}d" -- true
    [ "$status" -eq 75 ]
    [[ $output == "coordctl: lock is held by "*": $T/q\\nd" ]]
    [ "${#lines[@]}" -eq 1 ]
    rm "$T/q${nl}d"/1-*
    "$COORDCTL" barrier set "$T/b${nl}r"
    run "$COORDCTL" barrier set "$T/b${nl}r"
    [ "$status" -eq 1 ]
    [[ $output == "coordctl: barrier already set by "*": $T/b\\nr" ]]
}

@test "an empty DIR or PATH is a usage error for every subcommand" {
    local -a cmd
    for cmd in "lock '' -- true" "status ''" "elect '' --leader" "elect '' -- true" "barrier set ''" \
        "dbarrier '' --count 1 -- true" "workers '' --tasks 1 --capacity 1 -- true" "lease-touch ''"; do
        eval "run \"\$COORDCTL\" $cmd"
        [ "$status" -eq 64 ] || { echo "$cmd: status $status" >&2; false; }
        [[ ${lines[0]} == *"must not be empty"* ]] || { echo "$cmd: ${lines[0]}" >&2; false; }
    done
}

@test "an empty --id or -c is a usage error (a script's unset variable would otherwise mean the default, or no command)" {
    local -a cmd
    for cmd in "lock '$D' --id '' -- true" "elect '$D' --id '' -- true" "dbarrier '$D' --count 1 --id '' -- true" \
        "lock '$D' -c ''" "elect '$D' -c ''" "dbarrier '$D' --count 1 -c ''"; do
        eval "run \"\$COORDCTL\" $cmd"
        [ "$status" -eq 64 ] || { echo "$cmd: status $status" >&2; false; }
        [[ ${lines[0]} =~ ^"coordctl: --"(id|command)": must not be empty"$ ]] || { echo "$cmd: ${lines[0]}" >&2; false; }
    done
    [ ! -e "$D" ]
}

@test "DIR that is a file: one line with the path and reason, exit 73" {
    echo data >"$T/file"
    run "$COORDCTL" lock "$T/file" -- true
    [ "$status" -eq 73 ]
    [ "$output" = "coordctl: cannot create directory: $T/file: File exists" ] ||
        [ "$output" = "coordctl: cannot open directory: $T/file: Not a directory" ]
    [ "$(cat "$T/file")" = data ]
}

@test "a parent that is a file: exit 73" {
    echo data >"$T/file"
    run "$COORDCTL" lock "$T/file/q" -- true
    [ "$status" -eq 73 ]
    [ "$output" = "coordctl: cannot create directory: $T/file/q: Not a directory" ]
}

@test "--no-create with a missing DIR: exit 73, nothing created" {
    run "$COORDCTL" lock --no-create "$D" -- true
    [ "$status" -eq 73 ]
    [ "$output" = "coordctl: cannot open directory: $D: No such file or directory" ]
    [ ! -e "$D" ]
}

@test "DIR that is a symbolic link is refused" {
    mkdir "$T/real"
    ln -s "$T/real" "$D"
    run "$COORDCTL" lock "$D" -- true
    [ "$status" -eq 73 ]
    [ "$output" = "coordctl: refusing to use a symbolic link as the queue directory: $D" ]
    [ -z "$(ls -A "$T/real")" ]
    rm "$D"
}

@test "no permission to write DIR: exit 77, nothing left behind" {
    mkdir -p "$D"
    open_to_others
    run as_nobody "$COORDCTL" lock "$D" -- true
    [ "$status" -eq 77 ]
    [ "$output" = "coordctl: cannot open: $D/.token: Permission denied" ]
    [ -z "$(ls -A "$D")" ]
}

@test "a DIR others may write (1777, 2775): .token is writable by them whatever its creator's umask" {
    mkdir -p "$D" "$T/group"
    chmod 1777 "$D"
    chmod 2775 "$T/group"
    open_to_others
    (umask 022 && "$COORDCTL" lock "$D" -- true && "$COORDCTL" lock "$T/group" -- true)
    [ "$(stat -c %A "$D/.token")" = -rw-rw-rw- ]
    [ "$(stat -c %A "$T/group/.token")" = -rw-rw-r-- ]
    run as_nobody "$COORDCTL" lock "$D" -- echo ran
    [ "$status" -eq 0 ]
    [ "$output" = ran ]
    # A DIR only its owner may write keeps .token so (umask 022: 0644).
    mkdir -p "$T/own"
    (umask 022 && "$COORDCTL" lock "$T/own" -- true)
    [ "$(stat -c %A "$T/own/.token")" = -rw-r--r-- ]
}

@test "no permission to create DIR: exit 77" {
    mkdir -p "$D"
    open_to_others
    run as_nobody "$COORDCTL" lock "$D/sub" -- true
    [ "$status" -eq 77 ]
    [ "$output" = "coordctl: cannot create directory: $D/sub: Permission denied" ]
}

@test "a relative DIR: only its missing directories are made, even in a directory the user cannot write" {
    mkdir "$T/cwd"
    (cd "$T/cwd" && "$COORDCTL" lock rel/q -- true)
    [ "$(ls -A "$T/cwd")" = rel ]
    [ "$(ls -A "$T/cwd/rel")" = q ]
    mkdir -m 777 "$T/cwd/shared"
    chmod 755 "$T/cwd"
    open_to_others
    run sh -c "cd '$T/cwd' && exec setpriv --reuid=65534 --regid=65534 --clear-groups '$COORDCTL' lock shared/sub/q -- echo ran"
    [ "$status" -eq 0 ]
    [ "$output" = ran ]
    [ "$(ls -A "$T/cwd")" = "rel
shared" ]
}

@test "standard streams closed when coordctl starts are /dev/null, for it and the command" {
    run sh -c "'$COORDCTL' lock '$D' -- sh -c 'readlink /proc/self/fd/0 /proc/self/fd/2 > \"$T/fds\"; echo out; echo err >&2' <&- >&- 2>&-"
    [ "$status" -eq 0 ]
    [ "$(cat "$T/fds")" = "/dev/null
/dev/null" ]
    has_wait_files 0
}

@test "a read-only filesystem: exit 73, nothing left behind" {
    mkdir -p "$D"
    mount -t tmpfs -o ro,size=1m tmpfs "$D"
    run "$COORDCTL" lock "$D" -- true
    umount "$D"
    [ "$status" -eq 73 ]
    [ "$output" = "coordctl: cannot open: $D/.token: Read-only file system" ]
}

@test "a full filesystem: exit 73, no partial wait file left" {
    mkdir -p "$D"
    mount -t tmpfs -o size=8k,nr_inodes=4 tmpfs "$D"
    "$COORDCTL" lock "$D" -- true  # creates the token mark
    head -c 8192 /dev/zero >"$D/keep-filler" 2>/dev/null || true
    run "$COORDCTL" lock "$D" -- true
    local left
    left=$(ls "$D")
    umount "$D"
    [ "$status" -eq 73 ]
    [ "$output" = "coordctl: cannot create wait file: $D: No space left on device" ]
    [ "$left" = keep-filler ]
}

@test "out of inodes while creating DIR and its parents, or its token mark: exit 73, no directory left" {
    mkdir -p "$T/full"
    mount -t tmpfs -o size=1m,nr_inodes=4 tmpfs "$T/full" # the root and 3 more
    mkdir "$T/full/keep"
    local s1 o1 l1 s2 l2 s3 o3 l3
    run "$COORDCTL" lock "$T/full/a/b/c/q" -- true # a and b fit, c does not
    s1=$status o1=$output l1=$(ls -A "$T/full")
    run "$COORDCTL" workers "$T/full/w" --tasks 1 --capacity 1 -- true # w and tasks fit
    s2=$status l2=$(ls -A "$T/full")
    run "$COORDCTL" lock "$T/full/a/q" -- true # a and q fit, .token does not
    s3=$status o3=$output l3=$(ls -A "$T/full")
    umount "$T/full"
    [ "$s1" -eq 73 ]
    [ "$o1" = "coordctl: cannot create directory: $T/full/a/b/c: No space left on device" ]
    [ "$l1" = keep ]
    [ "$s2" -eq 73 ]
    [ "$l2" = keep ]
    [ "$s3" -eq 73 ]
    [ "$o3" = "coordctl: cannot open: $T/full/a/q/.token: No space left on device" ]
    [ "$l3" = keep ]
}

@test "a read-only filesystem where DIR must be created: exit 73" {
    mkdir -p "$T/ro"
    mount -t tmpfs -o ro,size=1m tmpfs "$T/ro"
    run "$COORDCTL" lock "$T/ro/q" -- true
    umount "$T/ro"
    [ "$status" -eq 73 ]
    [ "$output" = "coordctl: cannot create directory: $T/ro/q: Read-only file system" ]
}

@test "a queue on a filesystem remounted read-only: exit 73, nothing left behind" {
    mkdir -p "$D"
    mount -t tmpfs -o size=1m tmpfs "$D"
    "$COORDCTL" lock "$D" -- true
    mount -o remount,ro "$D"
    run "$COORDCTL" lock "$D" -- true
    local left
    left=$(ls -A "$D")
    umount "$D"
    [ "$status" -eq 73 ]
    [ "$output" = "coordctl: cannot open: $D/.token: Read-only file system" ]
    [ "$left" = .token ]
}

@test "no space left for the token mark (the wait file written, not yet named): exit 73, nothing left behind" {
    mkdir -p "$D"
    # One page: the wait file's record takes it, the new mark finds none.
    mount -t tmpfs -o size=4k tmpfs "$D"
    run "$COORDCTL" lock "$D" -- echo ran
    local left
    left=$(ls -A "$D")
    umount "$D"
    [ "$status" -eq 73 ]
    [ "$output" = "coordctl: cannot write: $D/.token: No space left on device" ]
    [ -z "$left" ] # the .token it made, written by no join, is removed too
}

@test "no inode left for the wait file: exit 73, nothing left behind" {
    mkdir -p "$D"
    mount -t tmpfs -o size=1m,nr_inodes=2 tmpfs "$D"
    run "$COORDCTL" lock "$D" -- echo ran
    local left
    left=$(ls -A "$D")
    umount "$D"
    [ "$status" -eq 73 ]
    [ "$output" = "coordctl: cannot create wait file: $D: No space left on device" ]
    [ -z "$left" ] # the .token it made, written by no join, is removed too
}

@test "a token mark another user cannot write: exit 77, nothing left behind" {
    mkdir -m 777 -p "$D"
    "$COORDCTL" lock "$D" -- true
    chmod 644 "$D/.token" # by hand: its creator made it writable by all, as DIR is
    open_to_others
    run as_nobody "$COORDCTL" lock "$D" -- true
    [ "$status" -eq 77 ]
    [ "$output" = "coordctl: cannot open: $D/.token: Permission denied" ]
    [ "$(ls -A "$D")" = .token ]
}

@test "a DIR the user cannot read: exit 77" {
    mkdir -m 333 -p "$D"
    open_to_others
    run as_nobody "$COORDCTL" lock "$D" -- true
    [ "$status" -eq 77 ]
    [ "$output" = "coordctl: cannot open directory: $D: Permission denied" ]
    [ -z "$(ls -A "$D")" ]
}

# The lowest descriptor limit under which coordctl starts at all (3 for the
# static binary; a dynamically linked one needs more to load its libraries).
lowest_descriptor_limit() {
    local n=3
    until (ulimit -n "$n" && "$COORDCTL" --version) >/dev/null 2>&1; do n=$((n + 1)); done
    echo "$n"
}

# Runs `lock ARGS` under every descriptor limit from the lowest to 24 more:
# each run either succeeds (or times out with 75 when the lock is held) or
# fails with one line "...: Too many open files" and exit 74; never a crash,
# never a file left.
sweep_descriptor_limits() { # OK_STATUS LOCK ARGS...
    local ok=$1 n status output before lowest
    shift
    before=$(wait_files)
    lowest=$(lowest_descriptor_limit)
    for n in $(seq "$lowest" $((lowest + 24))); do
        status=0
        output=$(ulimit -n "$n" && "$COORDCTL" "$@" 2>&1) || status=$?
        echo "ulimit -n $n: $status: $output"
        if [ "$status" -eq 74 ]; then
            [[ $output == "coordctl: "*": Too many open files" ]]
            [ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
        else
            [ "$status" -eq "$ok" ]
        fi
        [ "$(wait_files)" -eq "$before" ]
    done
}

@test "out of file descriptors (EMFILE) at every step: exit 74 with one line, no wait file left" {
    sweep_descriptor_limits 0 lock "$D" -- true
    [ "$(wait_files)" -eq 0 ]
    # The waiting path needs more descriptors (the lock waiter's).
    hold_gate h
    sweep_descriptor_limits 75 lock -w 0.1 "$D" -- true
    has_wait_files 1
    gate_open h
}

# Points COORDCTL at a wrapper that runs it with /proc/self/fd hidden (an
# empty tmpfs on the exec'd pid's, kept by exec), the rest of /proc left for
# the sanitizers, which read their options there.
without_proc_fd() {
    cat >"$T/noproc" <<EOF2
#!/bin/sh
exec unshare -m sh -c 'mount -t tmpfs none /proc/\$\$/fd && exec "\$0" "\$@"' '$COORDCTL' "\$@"
EOF2
    chmod +x "$T/noproc"
    COORDCTL=$T/noproc
}

@test "without /proc/self/fd (a bare container): wait files are written under a dot temporary name, the queue still works" {
    without_proc_fd
    hold_gate a
    bg "$COORDCTL" lock "$D" -q -- sh -c "echo second >> '$T/log'"
    local second=$!
    wait_for "the second to queue behind the holder" has_wait_files 2
    # The temporary name goes once the join is over, just after the real one appears.
    wait_for "the second to wait in its event loop" in_event_loop "$second"
    [ -z "$(find "$D" -name '.tmp-*')" ]
    gate_open a
    wait_status "$second"
    [ "$status" -eq 0 ]
    [ "$(cat "$T/log")" = "$(printf 'start-a\nend-a\nsecond')" ]
}

temporary_wait_file() { find "$D" -maxdepth 1 -name '.tmp-*' -printf '%f\n' | grep .; }

@test "without /proc/self/fd: the dot temporary is named .tmp-PID-RANDOM-CREATED while its joiner waits for the token lock" {
    without_proc_fd
    mkdir -p "$D"
    gate_make t
    bg flock "$D/.token" sh -c "echo locked >> '$T/log'; $(gate_cmd t)"
    wait_for "flock(1) to hold $D/.token" file_has_line "$T/log" locked
    local before after name
    before=$(date +%s)
    bg "$COORDCTL" lock "$D" -- true
    local joiner=$!
    wait_for "a temporary wait file in $D" temporary_wait_file
    after=$(date +%s)
    name=$(temporary_wait_file)
    [[ $name =~ ^\.tmp-[1-9][0-9]*-[0-9a-f]{16}-([1-9][0-9]*)$ ]]
    ((BASH_REMATCH[1] >= before && BASH_REMATCH[1] <= after))
    gate_open t
    wait_status "$joiner"
    [ "$status" -eq 0 ]
    [ -z "$(find "$D" -name '.tmp-*')" ]
}
