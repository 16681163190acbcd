#!/usr/bin/env bats
# coordctl elect: leader election running a command only while leader.

load helpers

# candidate NAME [ELECT OPTIONS...]: a candidate whose command logs
# lead-NAME (with its token) and runs until killed; its pid is in $T/pid-NAME.
candidate() {
    bg "$COORDCTL" elect "$D" -q --id "$1" "${@:2}" -- sh -c "echo \$\$ > '$T/cmd-$1'; echo lead-$1 >> '$T/log'; exec sleep 600"
    echo $! >"$T/pid-$1"
}
leads() { file_has_line "$T/log" "lead-$1"; }
leader_is() { [[ $("$COORDCTL" elect "$D" --leader) == "$1" ]]; }
# idle_for_a_second PID: PID used under 0.3 s of CPU over the next second
# (a loop around a lock nobody holds takes a whole CPU).
idle_for_a_second() {
    local before
    before=$(awk '{ print $14 + $15 }' "/proc/$1/stat")
    sleep 1 # the window over which its CPU time is measured
    (($(awk '{ print $14 + $15 }' "/proc/$1/stat") - before < 30))
}
last_line_is() { [[ $(tail -n 1 "$1") == "$2" ]]; }

@test "--leader on an empty or missing DIR exits 3" {
    run "$COORDCTL" elect "$D" --leader
    [ "$status" -eq 3 ]
    [ "$output" = "" ]
    mkdir -p "$D"
    run "$COORDCTL" elect "$D" --leader --json
    [ "$status" -eq 3 ]
    [ "$output" = null ]
}

@test "A leads, B waits; --leader prints A; SIGTERM to A makes B lead and A's command is gone" {
    candidate A
    wait_for "A to lead" leads A
    candidate B
    wait_for "B to queue" has_wait_files 2
    run "$COORDCTL" elect "$D" --leader
    [ "$status" -eq 0 ]
    [ "$output" = A ]
    run "$COORDCTL" elect "$D" --leader --json
    [[ $output == '{"host":"'*'","id":"A","pid":'*',"since_ms":'*',"token":1,"wait_file":"'"$D"'/1-00000000000000000001-x"}' ]]
    refute leads B
    local a_cmd
    a_cmd=$(cat "$T/cmd-A")
    kill -TERM "$(cat "$T/pid-A")"
    wait_status "$(cat "$T/pid-A")"
    [ "$status" -eq 143 ]
    process_gone "$a_cmd"
    wait_for "B to lead" leads B
    wait_for "--leader to say B" leader_is B
    kill -TERM "$(cat "$T/pid-B")"
}

@test "the command gets COORDCTL_LEADER_ID and COORDCTL_TOKEN; its exit status is passed through and the next leads" {
    gate_make a
    bg "$COORDCTL" elect "$D" --id A -- sh -c "echo \"\$COORDCTL_LEADER_ID \$COORDCTL_TOKEN\" >> '$T/log'; $(gate_cmd a); exit 5"
    local a=$!
    wait_for "A to lead" file_has_line "$T/log" "A 1"
    candidate B
    wait_for "B to queue" has_wait_files 2
    gate_open a
    wait_status "$a"
    [ "$status" -eq 5 ]
    wait_for "B to lead" leads B
    kill -TERM "$(cat "$T/pid-B")"
}

@test "removing the leader's wait file stops its command; it leads again later" {
    candidate A
    wait_for "A to lead" leads A
    local first_cmd
    first_cmd=$(cat "$T/cmd-A")
    rm "$D"/1-*
    wait_for "A's first command to stop" process_gone "$first_cmd"
    wait_for "A to lead again" eval "[ \$(grep -c '^lead-A$' '$T/log') -eq 2 ]"
    [ "$("$COORDCTL" elect "$D" --leader --json | sed 's/.*"token":\([0-9]*\).*/\1/')" = 2 ]
    kill -TERM "$(cat "$T/pid-A")"
}

@test "--once: losing the leadership exits 79" {
    candidate A --once
    wait_for "A to lead" leads A
    local cmd
    cmd=$(cat "$T/cmd-A")
    rm "$D"/1-*
    wait_status "$(cat "$T/pid-A")"
    [ "$status" -eq 79 ]
    process_gone "$cmd"
}

@test "a leader that is no longer first (a cut-in-line entry) steps down at its next check" {
    candidate A --ttl 300ms
    wait_for "A to lead" leads A
    bg "$COORDCTL" lock --cut "$D" -- sh -c "echo cut-ran >> '$T/log'"
    wait_for "the cut entry to run after A stepped down" file_has_line "$T/log" cut-ran
    wait_for "A to lead again" eval "[ \$(grep -c '^lead-A$' '$T/log') -eq 2 ]"
    [ "$(tr '\n' ' ' <"$T/log")" = "lead-A cut-ran lead-A " ]
    kill -TERM "$(cat "$T/pid-A")"
}

# Until its next check (TTL/3, 10 s by default) A's command still runs: A
# still leads, whatever cut in line ahead of it.
@test "--leader still names a leader that a cut-in-line entry has not yet made step down" {
    candidate A --ttl 1h # its next check is 20 minutes away
    wait_for "A to lead" leads A
    bg "$COORDCTL" lock --cut "$D" -- sh -c "echo cut-ran >> '$T/log'"
    wait_for "the cut entry to queue" has_wait_files 2
    run "$COORDCTL" elect "$D" --leader
    [ "$status" -eq 0 ]
    [ "$output" = A ]
    refute file_has_line "$T/log" cut-ran
    kill -TERM "$(cat "$T/pid-A")"
    wait_for "the cut entry to run once A left" file_has_line "$T/log" cut-ran
}

@test "--observe prints A, then B after A resigns" {
    candidate A
    wait_for "A to lead" leads A
    "$COORDCTL" elect "$D" --observe >"$T/observed" 3>&- &
    BG_PIDS+=($!)
    local obs=$!
    wait_for "the observer to print A" file_has_line "$T/observed" A
    candidate B
    wait_for "B to queue" has_wait_files 2
    kill -TERM "$(cat "$T/pid-A")"
    wait_for "the observer to print B" file_has_line "$T/observed" B
    kill -TERM "$(cat "$T/pid-B")"
    wait_for "the observer to print that nobody leads" last_line_is "$T/observed" ""
    kill -INT "$obs"
    [ "$(grep -v '^$' "$T/observed" | tr '\n' ' ')" = "A B " ]
}

@test "--observe ends with status 0 on SIGINT, SIGTERM or SIGALRM" {
    local sig obs
    for sig in INT TERM ALRM; do
        bg "$COORDCTL" elect "$D" --observe >"$T/observed-$sig"
        obs=$!
        wait_for "the observer to print that nobody leads" test -s "$T/observed-$sig"
        kill -"$sig" "$obs"
        wait_for "the observer to end on SIG$sig" process_gone "$obs"
        wait_status "$obs"
        [ "$status" -eq 0 ]
    done
}

@test "--observe of a lock --hold leader (no lock held on it) watches its owner process, without spinning" {
    sleep 600 3>&- &
    local owner=$!
    BG_PIDS+=($owner)
    local file
    file=$("$COORDCTL" lock --hold --owner-pid "$owner" --id holder "$D")
    "$COORDCTL" elect "$D" --observe >"$T/observed" 3>&- &
    local obs=$!
    BG_PIDS+=($obs)
    wait_for "the observer to print the holder" file_has_line "$T/observed" holder
    idle_for_a_second "$obs"
    kill "$owner"
    wait_for "the observer to print that nobody leads" last_line_is "$T/observed" ""
    kill -INT "$obs"
    wait_status "$obs"
    [ "$status" -eq 0 ]
    rm "$file"
}

@test "--observe of another host's leader watches its lease: nobody leads once it runs out" {
    local file
    file=$(COORDCTL_HOST_ID=otherhost "$COORDCTL" lock --hold --owner-pid $$ --ttl 3s --id remote "$D")
    "$COORDCTL" elect "$D" --observe >"$T/observed" 3>&- &
    local obs=$!
    BG_PIDS+=($obs)
    wait_for "the observer to print the remote holder" file_has_line "$T/observed" remote
    idle_for_a_second "$obs"
    wait_for "the observer to print that nobody leads" last_line_is "$T/observed" ""
    kill -INT "$obs"
    wait_status "$obs"
    [ "$status" -eq 0 ]
    rm "$file"
}

@test "--observe --json: each new leader's since_ms is the time of its grant, never 0" {
    "$COORDCTL" elect "$D" --observe --json >"$T/observed" 3>&- &
    local obs=$!
    BG_PIDS+=($obs)
    wait_for "the observer to print that nobody leads" file_has_line "$T/observed" null
    local start pids=()
    start=$(date +%s%3N)
    for i in 1 2 3 4 5 6; do
        "$COORDCTL" elect "$D" -q --id "c$i" -- sleep 0.2 3>&- &
        pids+=($!)
    done
    wait_for "the observer to print a leader" grep -q '"id":"c' "$T/observed"
    for pid in "${pids[@]}"; do wait "$pid"; done
    wait_for "the observer to print that nobody leads again" last_line_is "$T/observed" null
    kill -INT "$obs"
    wait_status "$obs"
    [ "$status" -eq 0 ]
    grep -q '"id":"c' "$T/observed"
    [ "$(grep -v '^null$' "$T/observed" | jq -s "map(select(.since_ms < $start)) | length")" -eq 0 ]
}

@test "--observe stops (73) when DIR is removed, or replaced by another directory, while it observes" {
    mkdir -p "$D"
    "$COORDCTL" elect "$D" --observe >"$T/observed" 2>"$T/err" 3>&- &
    local obs=$!
    BG_PIDS+=($obs)
    wait_for "the observer to print that nobody leads" file_has_line "$T/observed" ""
    wait_for "the observer to wait in its event loop" in_event_loop "$obs"
    rm -r "$D"
    wait_for "the observer to stop" process_gone "$obs"
    wait_status "$obs"
    [ "$status" -eq 73 ]
    [ "$(cat "$T/err")" = "coordctl: directory removed while observing: $D" ]
    mkdir -p "$D"
    "$COORDCTL" elect "$D" --observe >"$T/observed2" 2>"$T/err2" 3>&- &
    obs=$!
    BG_PIDS+=($obs)
    wait_for "the second observer to print that nobody leads" file_has_line "$T/observed2" ""
    wait_for "the second observer to wait in its event loop" in_event_loop "$obs"
    mkdir "$T/new"
    mv -T "$T/new" "$D" # replaced at once: the name never misses
    wait_for "the second observer to stop" process_gone "$obs"
    wait_status "$obs"
    [ "$status" -eq 73 ]
    [ "$(cat "$T/err2")" = "coordctl: directory removed while observing: $D" ]
}

@test "a candidate leaving from the middle does not make the last one leader" {
    candidate A
    wait_for "A to lead" leads A
    candidate B
    wait_for "B to queue" has_wait_files 2
    candidate C
    wait_for "C to queue" has_wait_files 3
    kill -9 "$(cat "$T/pid-B")"
    wait_for "B's entry to be removed" has_wait_files 2
    leader_is A
    refute leads C
    kill -TERM "$(cat "$T/pid-A")"
    wait_for "C to lead" leads C
    kill -TERM "$(cat "$T/pid-C")"
}

@test "usage: --leader takes no command, --json needs --leader or --observe" {
    run "$COORDCTL" elect "$D" --leader -- true
    [ "$status" -eq 64 ]
    run "$COORDCTL" elect "$D" --json -- true
    [ "$status" -eq 64 ]
    run "$COORDCTL" elect "$D"
    [ "$status" -eq 64 ]
    # A candidate's options do not go with --leader or --observe.
    local opt
    for opt in --once -q -v "--ttl 5s" "--id x" "--kill-after 1s"; do
        run "$COORDCTL" elect "$D" --leader $opt
        [ "$status" -eq 64 ]
        [[ ${lines[0]} == "coordctl: "*"excludes --"* ]]
        run "$COORDCTL" elect "$D" --observe $opt
        [ "$status" -eq 64 ]
        [[ ${lines[0]} == "coordctl: "*"excludes --"* ]]
    done
    run "$COORDCTL" elect "$D" --observe -c true
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: --observe runs no command" ]
    run "$COORDCTL" elect "$D" --leader --poll
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: --leader excludes --poll" ]
    [ ! -e "$D" ]
}

@test "elect --observe whose reader has gone ends silently, as of SIGPIPE" {
    gate_make a
    bg "$COORDCTL" elect "$D" -- sh -c "$(gate_cmd a)"
    wait_for "a leader" "$COORDCTL" elect --leader "$D"
    run with_reader_gone 1 "$COORDCTL" elect --observe "$D"
    [ "$output" = "-13" ]
    gate_open a
}

@test "elect --observe | head -n 1 ends when head does, while the same leader leads on" {
    candidate A
    wait_for "A to lead" leads A
    bash -c '"$0" elect --observe "$1" | head -n 1 >"$2"; echo "${PIPESTATUS[0]}" >"$2.status"' \
        "$COORDCTL" "$D" "$T/first" 3>&- &
    local pipeline=$!
    BG_PIDS+=($pipeline)
    wait_for "elect --observe | head -n 1 to end while A leads" process_gone "$pipeline"
    [ "$(cat "$T/first")" = A ]
    [ "$(cat "$T/first.status")" = 141 ] # died of SIGPIPE, silently
    leader_is A
    kill -TERM "$(cat "$T/pid-A")"
}
