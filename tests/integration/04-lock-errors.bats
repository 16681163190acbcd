#!/usr/bin/env bats
# Bad input: usage errors (64) and filesystem errors (73, 77), one line each,
# nothing left behind.

load helpers

as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# Lets other users traverse the test's temporary directory and its parents.
open_to_others() {
    local dir=$T
    while [[ $dir != / ]]; do
        chmod o+x "$dir"
        dir=$(dirname "$dir")
    done
}

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
    run "$COORDCTL"
    [ "$status" -eq 64 ]
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

@test "no permission to create DIR: exit 77" {
    mkdir -p "$D"
    open_to_others
    run as_nobody "$COORDCTL" lock "$D/sub" -- true
    [ "$status" -eq 77 ]
    [ "$output" = "coordctl: cannot create directory: $D/sub: Permission denied" ]
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
    [[ $output == "coordctl: cannot write: $D/1-"*"-x: No space left on device" ]]
    [ "$left" = keep-filler ]
}
