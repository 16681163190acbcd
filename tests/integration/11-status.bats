#!/usr/bin/env bats
# coordctl status: every entry in order, as a table and as JSON.

load helpers

@test "status lists a holder and two waiters in order, as a table and as JSON" {
    hold_gate h
    bg "$COORDCTL" lock -q --shared "$D" -- true
    local reader=$!
    wait_for "the reader to queue" has_wait_files 2
    bg "$COORDCTL" lock -q --id last "$D" -- echo hi
    local writer=$!
    wait_for "the writer to queue" has_wait_files 3
    run "$COORDCTL" status "$D"
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "POS  TOKEN  MODE"*"STATE"*"OWNER"*"LIVENESS"*"COMMAND" ]]
    [[ ${lines[1]} == "1    1      exclusive  held     $(cat "$T/pid-h" | xargs ps -o ppid= -p | tr -d ' ')@"*"alive"*" h "*"sh -c"* ]]
    [[ ${lines[2]} == "2    2      shared     waiting  $reader@"*"true" ]]
    [[ ${lines[3]} == "3    3      exclusive  waiting  $writer@"*"last"*"echo hi" ]]
    run "$COORDCTL" status --json "$D"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | jq -r '.entries | map(.token) | join(",")')" = 1,2,3 ]
    [ "$(echo "$output" | jq -r '.entries | map(.state) | join(",")')" = held,waiting,waiting ]
    [ "$(echo "$output" | jq -r '.entries | map(.mode) | join(",")')" = exclusive,shared,exclusive ]
    [ "$(echo "$output" | jq -r '.entries[1].pid')" = "$reader" ]
    [ "$(echo "$output" | jq -r '.entries[2].pid')" = "$writer" ]
    [ "$(echo "$output" | jq -r '.entries[2].label')" = last ]
    [ "$(echo "$output" | jq -r '.entries[0].alive')" = true ]
    [ "$(echo "$output" | jq -r '.dir')" = "$D" ]
    gate_open h
}

@test "the holder is listed first, before a waiter that cut in line, whose position agrees with its own progress line" {
    hold_gate h
    bg "$COORDCTL" lock -q --id normal "$D" -- true
    wait_for "the normal waiter to queue" has_wait_files 2
    bg "$COORDCTL" lock -v --cut --id cutter "$D" -- true 2>"$T/cutter.err"
    wait_for "the cutter to say its position" grep -q "position" "$T/cutter.err"
    run "$COORDCTL" status "$D"
    [ "$status" -eq 0 ]
    [[ ${lines[1]} == "1    1      exclusive      held "*" h "* ]]
    [[ ${lines[2]} == "2    3      exclusive,cut  waiting "*" cutter "* ]]
    [[ ${lines[3]} == "3    2      exclusive      waiting "*" normal "* ]]
    grep -q "position 2 (1 ahead)" "$T/cutter.err"
    run "$COORDCTL" status --json "$D"
    [ "$(echo "$output" | jq -r '.entries | map("\(.position):\(.token)") | join(" ")')" = "1:1 2:3 3:2" ]
    gate_open h
}

@test "a label or command with control characters stays on one line, escaped; JSON keeps it as it is" {
    local label=$'a\e[31mred\nb'
    gate_make g
    bg "$COORDCTL" lock -q --id "$label" "$D" -- sh -c "$(gate_cmd g)"$'\ntrue'
    local holder=$!
    wait_for "the holder to hold" has_wait_files 1
    local shown="sh -c $(gate_cmd g)\\ntrue"
    run "$COORDCTL" status "$D"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 2 ]
    [[ ${lines[1]} == *" a\\x1b[31mred\\nb  $shown" ]]
    run "$COORDCTL" status --json "$D"
    [ "$(echo "$output" | jq -r '.entries[0].label')" = "$label" ]
    run "$COORDCTL" lock -n "$D" -- true
    [ "$status" -eq 75 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ $output == "coordctl: lock is held by "*" [a\\x1b[31mred\\nb] ($shown): $D" ]]
    gate_open g
    wait_status "$holder"
    [ "$status" -eq 0 ]
}

@test "a DIR the user can read but not search: status and elect --leader exit 77, not an empty queue" {
    local file
    file=$("$COORDCTL" lock --hold --owner-pid $$ "$D")
    chmod 744 "$D"
    open_to_others
    run as_nobody "$COORDCTL" status "$D"
    [ "$status" -eq 77 ]
    [ "$output" = "coordctl: cannot look at: $file: Permission denied" ]
    run as_nobody "$COORDCTL" elect "$D" --leader
    [ "$status" -eq 77 ]
    chmod 755 "$D"
    rm "$file"
}

@test "garbage under a wait file's name behind a holder is shown unreadable, not as a second holder" {
    hold_gate h
    echo garbage >"$D/1-00000000000000000100-x"
    run "$COORDCTL" status "$D"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "coordctl: warning: unreadable wait file, judged by its lock and age: $D/1-00000000000000000100-x" ]
    [[ ${lines[2]} == "1    1      exclusive  held        "*" h "* ]]
    [[ ${lines[3]} == "2    100    exclusive  unreadable  ?  "*"alive (lease"* ]]
    "$COORDCTL" status --json "$D" 2>/dev/null >"$T/json"
    [ "$(jq -r '.entries | map(.state) | join(",")' "$T/json")" = held,unreadable ]
    rm "$D/1-00000000000000000100-x"
    gate_open h
}

@test "status says why an entry is stale" {
    hold_gate h
    bg "$COORDCTL" lock -q "$D" -- true
    local waiter=$!
    wait_for "the waiter to queue" has_wait_files 2
    kill -9 "$waiter"
    wait_status "$waiter" # reaped: its files and kernel locks are closed
    [ "$status" -eq 137 ]
    run "$COORDCTL" status --json "$D"
    [ "$(echo "$output" | jq -r '.entries[1].alive')" = false ]
    [ "$(echo "$output" | jq -r '.entries[1].liveness')" = "stale: its process is gone" ]
    [ "$(echo "$output" | jq -r '.entries[1].state')" = stale ]
    run "$COORDCTL" status "$D"
    [[ ${lines[2]} == *"stale: its process is gone"* ]]
    # status only looks: the stale entry is still there
    has_wait_files 2
    gate_open h
    # the next contender removes it
    run "$COORDCTL" lock "$D" -- echo next
    [[ $output == *"removed stale entry"*"its process is gone"* ]]
}

@test "status of an empty or missing DIR" {
    mkdir -p "$D"
    run "$COORDCTL" status --json "$D"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | jq -r '.entries | length')" = 0 ]
    # A name that is not UTF-8: JSON stays valid, the byte becomes U+FFFD.
    mkdir "$T/q"$'\xff'
    run "$COORDCTL" status --json "$T/q"$'\xff'
    [ "$status" -eq 0 ]
    [[ $output == *"\"dir\": \"$T/q"$'\xef\xbf\xbd'"\""* ]] # jq alone would mend a raw byte
    [ "$(echo "$output" | jq -r '.dir')" = "$T/q"$'\xef\xbf\xbd' ]
    run "$COORDCTL" status "$T/missing"
    [ "$status" -eq 73 ]
    [[ $output == "coordctl: cannot open directory: $T/missing: No such file or directory" ]]
}

@test "no colour codes when stdout is not a terminal" {
    hold_gate h
    run "$COORDCTL" status "$D"
    [[ $output != *$'\033'* ]]
    gate_open h
}

@test "status of a barrier says whether it is set, and by whom" {
    mkdir -p "$D"
    "$COORDCTL" barrier set "$D/gate"
    run "$COORDCTL" status "$D/gate"
    [ "$status" -eq 0 ]
    [[ $output == "barrier $D/gate: set by "*"@"*" ago" ]]
    run "$COORDCTL" status --json "$D/gate"
    [ "$(echo "$output" | jq -r '"\(.kind) \(.set) \(.pid > 0)"')" = "barrier true true" ]
    "$COORDCTL" barrier unset "$D/gate"
}
