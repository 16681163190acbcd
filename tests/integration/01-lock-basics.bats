#!/usr/bin/env bats
# coordctl lock: running the command, its environment and exit status.

load helpers

@test "runs the command and passes its exit status through" {
    run "$COORDCTL" lock "$D" -- sh -c 'echo hello; exit 3'
    [ "$status" -eq 3 ]
    [ "$output" = hello ]
}

@test "every word after -- reaches the command as it is" {
    run "$COORDCTL" lock "$D" -- printf '<%s>' '[0-9]' '[]' '[a,b]' 'a,b' -- --help -n ''
    [ "$status" -eq 0 ]
    [ "$output" = "<[0-9]><[]><[a,b]><a,b><--><--help><-n><>" ]
    run "$COORDCTL" lock "$D" --id -- -w -- -- echo x # --id's value, -w's (invalid), then the command
    [ "$status" -eq 64 ]
    [[ ${lines[0]} == "coordctl: --timeout: invalid duration '--'"* ]]
    run "$COORDCTL" lock "$D" --id -- -- echo x
    [ "$status" -eq 0 ]
    [ "$output" = x ]
    printf 'abc\n123\n' >"$T/lines"
    run "$COORDCTL" elect "$D" --once -- grep -x '[0-9]*' "$T/lines"
    [ "$status" -eq 0 ]
    [ "$output" = 123 ]
}

@test "a command without -- is refused, not read as options" {
    run "$COORDCTL" lock "$D" echo -n hi
    [ "$status" -eq 64 ]
    [[ $output == *"unexpected argument 'echo': the command goes after --"* ]]
    refute file_exists "$D"
}

@test "a command killed by signal N gives 128+N" {
    run "$COORDCTL" lock "$D" -- sh -c 'kill -USR1 $$'
    [ "$status" -eq 138 ]
}

@test "-c runs a string with \$SHELL -c" {
    SHELL=/bin/sh run "$COORDCTL" lock "$D" -c 'echo "a b" | wc -w'
    [ "$status" -eq 0 ]
    [ "$(echo $output)" = 2 ]
}

@test "stdin and stdout are the command's own" {
    run sh -c "printf 'one\ntwo\n' | '$COORDCTL' lock '$D' -- sort -r"
    [ "$status" -eq 0 ]
    [ "$output" = "two
one" ]
}

@test "the command sees COORDCTL_TOKEN, COORDCTL_DIR and COORDCTL_WAIT_FILE" {
    run "$COORDCTL" lock "$D" -- sh -c 'echo "$COORDCTL_TOKEN $COORDCTL_DIR"; test -f "$COORDCTL_WAIT_FILE" && cat "$COORDCTL_WAIT_FILE"'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "1 $D" ]
    [[ ${lines[1]} == *'"token":1'* ]]
    [[ ${lines[1]} == *'"command":["sh","-c"'* ]]
    # A relative DIR with '.' and doubled slashes: the paths given are tidied.
    mkdir -p "$T/sub"
    cd "$T/sub"
    run "$COORDCTL" lock ".//../$(basename "$D")/./" -- sh -c 'echo "$COORDCTL_DIR $COORDCTL_WAIT_FILE"'
    [ "$status" -eq 0 ]
    [[ $output == "$T/sub/../$(basename "$D") $T/sub/../$(basename "$D")/1-00000000000000000002-x" ]]
    run "$COORDCTL" lock --hold --owner-pid $$ "./../$(basename "$D")//"
    [ "$status" -eq 0 ]
    [ "$output" = "$T/sub/../$(basename "$D")/1-00000000000000000003-x" ]
    rm "$output"
}

@test "tokens strictly increase over the directory's life, even when it empties" {
    for i in 1 2 3; do
        "$COORDCTL" lock "$D" -- sh -c 'echo $COORDCTL_TOKEN' >>"$T/tokens"
    done
    [ "$(cat "$T/tokens" | tr '\n' ' ')" = "1 2 3 " ]
    [ "$(ls "$D")" = "" ]
    [ "$(head -n 1 "$D/.token")" = 00000000000000000003 ]
    [ "$(sed -n 2p "$D/.token")" = "cut 00000000000000000000" ] # no cut-in-line entry ever joined
}

@test "a damaged token mark never hands out a token still in use" {
    gate_make a
    bg "$COORDCTL" lock "$D" -q -- sh -c "$(gate_cmd a)"
    wait_for "the holder's wait file" has_wait_files 1
    echo garbage >"$D/.token"
    bg "$COORDCTL" lock "$D" -q -- sh -c 'echo $COORDCTL_TOKEN > "$0/second"' "$T"
    wait_for "the second wait file" has_wait_files 2
    gate_open a
    wait_for "the second command" file_exists "$T/second"
    [ "$(cat "$T/second")" = 2 ]
}

@test "the wait file is removed before coordctl exits" {
    "$COORDCTL" lock "$D" -- true
    [ "$(ls "$D")" = "" ]
}

@test "a command that cannot be found exits 127 and leaves nothing" {
    run -127 "$COORDCTL" lock "$D" -- /nonexistent/cmd
    [ "$status" -eq 127 ]
    [[ $output == *"cannot run command: /nonexistent/cmd: No such file or directory"* ]]
}

@test "a command that cannot be executed exits 126" {
    touch "$T/noexec"
    chmod 644 "$T/noexec"
    run "$COORDCTL" lock "$D" -- "$T/noexec"
    [ "$status" -eq 126 ]
}

@test "--help, lock --help and --version" {
    run "$COORDCTL" --help
    [ "$status" -eq 0 ]
    [[ $output == *lock* ]]
    run "$COORDCTL" lock --help
    [ "$status" -eq 0 ]
    [[ $output == *--nonblock* ]]
    local sub_first=$output
    # Asked for first: the same help.
    run "$COORDCTL" --help lock
    [ "$status" -eq 0 ]
    [ "$output" = "$sub_first" ]
    run "$COORDCTL" -h workers
    [ "$status" -eq 0 ]
    [[ $output == *--capacity* ]]
    run "$COORDCTL" --version
    [ "$status" -eq 0 ]
    [[ $output == "coordctl "[0-9]* ]]
}
