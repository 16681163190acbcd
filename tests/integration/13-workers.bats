#!/usr/bin/env bats
# coordctl workers: a task pool shared by worker processes.

load helpers

@test "two workers, 6 tasks, capacity 2: each task runs exactly once, {} is COORDCTL_TASK" {
    local cmd="echo \"{} \$COORDCTL_TASK \$COORDCTL_TOKEN\" >> '$T/ran'"
    "$COORDCTL" workers "$D" --tasks 6 --capacity 2 -- sh -c "$cmd" 3>&- &
    local a=$!
    "$COORDCTL" workers "$D" --tasks 6 --capacity 2 -- sh -c "$cmd" 3>&- &
    local b=$!
    wait "$a"
    wait "$b"
    [ "$(cut -d' ' -f1 "$T/ran" | sort | tr '\n' ' ')" = "1 2 3 4 5 6 " ]
    [ "$(awk '$1 != $2' "$T/ran")" = "" ]
    [ "$(awk '$3 !~ /^[0-9]+$/' "$T/ran")" = "" ]
    run "$COORDCTL" workers "$D" --tasks 6 --capacity 2 -- sh -c "$cmd"
    [ "$status" -eq 0 ]
    [ "$(wc -l <"$T/ran")" -eq 6 ] # a rerun does nothing
}

@test "a worker never runs more than K tasks at once" {
    cat >"$T/task" <<'SH'
#!/bin/sh
mkdir "$1/run-$PPID-$2"
n=$(ls -d "$1"/run-$PPID-* | wc -l)
[ "$n" -le 2 ] || echo "$n at once" >> "$1/violations"
echo "$PPID" >> "$1/workers"
sleep 0.05
rmdir "$1/run-$PPID-$2"
SH
    chmod +x "$T/task"
    "$COORDCTL" workers "$D" --tasks 20 --capacity 2 -- "$T/task" "$T" {} 3>&- &
    local a=$!
    "$COORDCTL" workers "$D" --tasks 20 --capacity 2 -- "$T/task" "$T" {} 3>&- &
    local b=$!
    wait "$a"
    wait "$b"
    [ ! -e "$T/violations" ]
    [ "$(wc -l <"$T/workers")" -eq 20 ]
}

@test "a failing task is tried 1+R times, marked failed, and the worker exits 1" {
    run "$COORDCTL" workers "$D" --task ok --task bad --capacity 1 --retries 2 -- \
        sh -c "echo {} >> '$T/tries'; test {} = ok"
    [ "$status" -eq 1 ]
    [ "$(grep -c '^bad$' "$T/tries")" -eq 3 ]
    [ "$(grep -c '^ok$' "$T/tries")" -eq 1 ]
    run "$COORDCTL" status --json "$D"
    [ "$(echo "$output" | jq -r '.tasks[] | select(.task == "bad") | "\(.state) \(.exit_code) \(.attempts)"')" = "failed 1 3" ]
    [ "$(echo "$output" | jq -r '.tasks[] | select(.task == "ok") | .state')" = done ]
}

@test "--restart: a SIGKILLed worker's tasks restart on the other worker" {
    local cmd="echo \"\$PPID {} \$\$\" >> '$T/starts'; exec sleep 600"
    bg "$COORDCTL" workers "$D" --tasks 2 --capacity 2 --restart -- sh -c "$cmd"
    local a=$!
    wait_for "worker A to start both tasks" eval "[ \$(grep -c . '$T/starts' 2>/dev/null) -eq 2 ]"
    bg "$COORDCTL" workers "$D" --tasks 2 --capacity 2 --restart -- sh -c "$cmd"
    local b=$!
    wait_for "worker B to stand by in both queues" eval "[ \$(ls '$D'/tasks/*/ | grep -c '^1-') -eq 4 ]"
    kill -9 "$a"
    wait_for "worker B to restart both tasks" eval "[ \$(grep -c \"^$b \" '$T/starts') -eq 2 ]"
    run "$COORDCTL" status --json "$D"
    [ "$(echo "$output" | jq -r '[.tasks[] | "\(.state)@\(.pid)"] | join(" ")')" = "running@$b running@$b" ]
    kill -TERM "$b"
    wait_status "$b"
    [ "$status" -eq 143 ]
    # It exits once its commands have: none is left running.
    for pid in $(awk -v b="$b" '$1 == b { print $3 }' "$T/starts"); do
        process_gone "$pid"
    done
}

@test "--restart: a command that exits is started again after a backoff" {
    bg "$COORDCTL" workers "$D" --task t --capacity 1 --restart -- sh -c "echo run >> '$T/runs'; exit 3"
    local w=$!
    wait_for "the second run" eval "[ \$(grep -c . '$T/runs' 2>/dev/null) -ge 2 ]"
    kill -TERM "$w"
    wait_status "$w"
    [ "$status" -eq 143 ]
}

# A signal that stops a worker: forwarded, waited for, tasks released.
# hold_join_locks TASK...: flock(1) holds each task queue's join lock (its
# .token) until `gate_open TASK`.
hold_join_locks() {
    local task
    for task in "$@"; do
        mkdir -p "$D/tasks/$task"
        gate_make "$task"
        bg flock -x "$D/tasks/$task/.token" sh -c "$(gate_cmd "$task")"
        wait_for "$task's join lock to be held" refute flock -n "$D/tasks/$task/.token" true
    done
}

worker_stops_on() {
    local sig=$1 code=$2
    bg "$COORDCTL" workers "$D" --tasks 3 --capacity 1 -- sh -c "trap 'echo got {} >> \"$T/log\"; exit 0' $sig; echo start {} >> '$T/log'; while :; do sleep 0.05; done"
    local w=$!
    wait_for "a task to start" grep -q '^start' "$T/log"
    kill -"$sig" "$w"
    wait_status "$w"
    [ "$status" -eq "$code" ]
    grep -q '^got' "$T/log"
    [ "$(ls "$D"/tasks/*/ | grep -c '^1-')" -eq 0 ]
    run "$COORDCTL" status --json "$D"
    [ "$(echo "$output" | jq -r '[.tasks[].state] | map(select(. == "pending")) | length')" -ge 2 ]
}

@test "SIGTERM: a worker forwards it, waits, releases its tasks and exits" {
    worker_stops_on TERM 143
}

@test "SIGALRM stops a worker as SIGTERM does" {
    worker_stops_on ALRM 142
}

@test "a second stop signal while stopping: the exit status names the first (SIGINT then SIGTERM: 130)" {
    bg "$COORDCTL" workers "$D" --task a --capacity 1 -- sh -c "trap 'echo int >> \"$T/log\"' INT; trap 'exit 0' TERM; echo start >> '$T/log'; while :; do sleep 0.05; done"
    local w=$!
    wait_for "the task to start" grep -q '^start' "$T/log"
    kill -INT "$w"
    wait_for "the command to get SIGINT (and go on)" grep -q '^int' "$T/log"
    kill -TERM "$w"
    wait_status "$w"
    [ "$status" -eq 130 ]
}

@test "status shows pending, running, done and failed tasks" {
    "$COORDCTL" workers "$D" --task a --task b --capacity 1 -- sh -c 'test {} = a' 2>/dev/null || true
    gate_make g
    bg "$COORDCTL" workers "$D" --task a --task b --task c --task d --capacity 1 -- sh -c "$(gate_cmd g)"
    wait_for "a task to run" eval "\"$COORDCTL\" status '$D' | grep -q running"
    run "$COORDCTL" status "$D"
    [[ ${lines[0]} == "TASK"*"STATE"*"WORKER"* ]]
    [[ ${lines[1]} == "a "*"done"* ]]
    [[ ${lines[2]} == "b "*"failed"* ]]
    [[ $output == *"running"* && $output == *"pending"* ]]
    gate_open g
    wait_for "the next task to run" eval "\"$COORDCTL\" status '$D' | grep -c done | grep -q 2"
    kill -TERM "${BG_PIDS[0]}"
}

@test "task names are validated" {
    run "$COORDCTL" workers "$D" --task 'a/b' --capacity 1 -- true
    [ "$status" -eq 64 ]
    [[ $output == *"invalid task name 'a/b': a task name cannot contain '/'"* ]]
    run "$COORDCTL" workers "$D" --task .x --capacity 1 -- true
    [ "$status" -eq 64 ]
    # One name per --task: a second word is not a task, and DIR may follow it.
    run "$COORDCTL" workers "$D" --task a b --capacity 1 -- true
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: unexpected argument 'b': the command goes after --" ]
    run "$COORDCTL" workers --task a "$D" --capacity 1 -- sh -c "echo {} >> '$T/ran-a'"
    [ "$status" -eq 0 ]
    [ "$(cat "$T/ran-a")" = a ]
    printf 'one\n\n# comment\ntwo\n' >"$T/list"
    run "$COORDCTL" workers "$D" --task-file "$T/list" --capacity 1 -- sh -c "echo {} >> '$T/ran'"
    [ "$status" -eq 0 ]
    [ "$(sort "$T/ran" | tr '\n' ' ')" = "one two " ]
    # A pipe (process substitution) is read as a file is.
    run "$COORDCTL" workers "$D/piped" --task-file <(printf 'three\nfour\n') --capacity 1 -- sh -c "echo {} >> '$T/ran-piped'"
    [ "$status" -eq 0 ]
    [ "$(sort "$T/ran-piped" | tr '\n' ' ')" = "four three " ]
    run "$COORDCTL" workers "$D" --capacity 1 -- true
    [ "$status" -eq 64 ]
    run "$COORDCTL" workers "$D" --task-file "$T" --capacity 1 -- true
    [ "$status" -eq 73 ]
    [ "$output" = "coordctl: cannot read task file: $T: Is a directory" ]
    # A restarted task never finishes: there is nothing to retry.
    run "$COORDCTL" workers "$D" --task a --capacity 1 --retries 2 --restart -- true
    [ "$status" -eq 64 ]
    [ "${lines[0]}" = "coordctl: --retries excludes --restart" ]
}

@test "a result file left half-written by a killed worker is removed by the next worker once 10 minutes old" {
    mkdir -p "$D/state"
    echo '{"trunc' >"$D/state/.tmp-999999-1.json"
    touch -d '-11 minutes' "$D/state/.tmp-999999-1.json"
    echo '{"trunc' >"$D/state/.tmp-999998-2.json" # fresh: its writer may be at work
    mkfifo "$D/state/.tmp-999997-3.json"           # not a regular file: left alone
    touch -h -d '-11 minutes' "$D/state/.tmp-999997-3.json"
    run "$COORDCTL" workers "$D" --tasks 2 --capacity 1 -- true
    [ "$status" -eq 0 ]
    [ "$output" = "coordctl: warning: removed a result file left half-written by a killed worker: $D/state/.tmp-999999-1.json" ]
    [ ! -e "$D/state/.tmp-999999-1.json" ]
    [ -f "$D/state/.tmp-999998-2.json" ]
    [ -p "$D/state/.tmp-999997-3.json" ]
    rm "$D/state/.tmp-999998-2.json" "$D/state/.tmp-999997-3.json"
}

@test "batch: a task whose hold is lost is tried again by the same worker, which exits 1" {
    gate_make g
    bg "$COORDCTL" workers "$D" --task t --capacity 1 -- sh -c "echo run >>'$T/log'; date +%s%3N >>'$T/starts'; if [ ! -e '$T/again' ]; then touch '$T/again'; $(gate_cmd g); fi"
    local worker=$!
    wait_for "the task to run" file_has_line "$T/log" run
    rm "$D"/tasks/t/[01]-*
    wait_for "the worker to end" process_gone "$worker"
    wait_status "$worker"
    [ "$status" -eq 1 ]
    [ "$(grep -c '^run$' "$T/log")" -eq 2 ]
    run "$COORDCTL" status --json "$D"
    [ "$(echo "$output" | jq -r '.tasks[] | select(.task == "t") | .state')" = done ]
    # Its result counts both runs, timed from the first.
    [ "$(jq -r .attempts "$D/state/t.json")" -eq 2 ]
    (($(jq -r '.finished_ms - .duration_ms' "$D/state/t.json") <= $(head -n 1 "$T/starts")))
}

@test "a result file that cannot be read still means done: reported, left alone, the task not run" {
    mkdir -p "$D/state" "$D/tasks/x"
    echo garbage >"$D/state/x.json"
    run "$COORDCTL" workers "$D" --task x --capacity 1 -- sh -c "echo ran >> '$T/log'"
    [ "$status" -eq 0 ]
    [ "$output" = "coordctl: warning: unreadable result file: task x not run (remove the file to run it): $D/state/x.json" ]
    refute file_exists "$T/log"
    [ "$(cat "$D/state/x.json")" = garbage ]
    run "$COORDCTL" status --json "$D"
    [ "$(echo "$output" | jq -r '.tasks[] | select(.task == "x") | .state')" = unreadable ]
}

@test "batch: a run whose hold was lost does not use up --retries" {
    gate_make g
    bg "$COORDCTL" workers "$D" --task t --capacity 1 --retries 1 -- sh -c "n=\$(cat '$T/runs' 2>/dev/null | wc -l); echo run >>'$T/runs'; case \$n in 0) $(gate_cmd g);; 1) exit 1;; esac"
    local worker=$!
    wait_for "the first run" file_exists "$T/runs"
    rm "$D"/tasks/t/[01]-*
    wait_status "$worker"
    [ "$status" -eq 1 ] # a hold was lost
    [ "$(wc -l <"$T/runs")" -eq 3 ] # lost, failed, retried once: done
    [ "$(jq -r '.state + " " + (.attempts | tostring)' "$D/state/t.json")" = "done 3" ]
}

@test "a DIR others may write (1777): tasks/, state/ and results are shared whatever their creator's umask; queues sticky as DIR is" {
    mkdir -m 1777 -p "$D"
    open_to_others
    mkdir -m 777 "$T/out"
    (umask 077 && "$COORDCTL" workers "$D" --task a --capacity 1 -- sh -c "id -un >'$T/out/{}'")
    [ "$(stat -c %a "$D/tasks" "$D/state" "$D/tasks/a" "$D/state/a.json" | tr '\n' ' ')" = "1777 777 1777 644 " ]
    run --separate-stderr as_nobody "$COORDCTL" workers "$D" --task a --task b --capacity 1 -- sh -c "id -un >'$T/out/{}'"
    [ "$status" -eq 0 ]
    [ "$stderr" = "" ]
    [ "$(cat "$T/out/a")" = root ]
    [ "$(cat "$T/out/b")" = nobody ]
    [ "$(stat -c %U "$D/state/b.json")" = nobody ]
    # Directories that were there are left as they are.
    chmod 700 "$D/state"
    "$COORDCTL" workers "$D" --task c --capacity 1 -- true
    [ "$(stat -c %a "$D/state" "$D/tasks/c" | tr '\n' ' ')" = "700 1777 " ]
}

@test "batch: an error that ends the worker (a result it cannot write) first stops the commands it runs, their tasks left pending" {
    gate_make a
    bg "$COORDCTL" workers "$D" --task a --task b --capacity 2 -- \
        sh -c "echo {} >> '$T/started'; echo \$\$ > '$T/pid-{}'; if [ {} = a ]; then $(gate_cmd a); else exec sleep 600; fi"
    local worker=$!
    wait_for "both tasks to start" eval "[ \$(grep -c . '$T/started' 2>/dev/null) -eq 2 ]"
    mkdir -p "$D/state/a.json/in-the-way" # a's result cannot be written there
    gate_open a
    wait_for "the worker to end" process_gone "$worker"
    wait_status "$worker"
    [ "$status" -ne 0 ]
    process_gone "$(cat "$T/pid-b")" # b's command did not outlive b's hold
    [ -z "$(ls "$D/tasks/b")" ]
    [ ! -e "$D/state/b.json" ] # b is still pending
}

@test "after an error that ends the worker, the tasks it never started are still listed by status (pending)" {
    open_to_others
    mkdir -m 777 -p "$D"
    gate_make g
    chmod 666 "$T/gate-g"
    bg as_nobody "$COORDCTL" workers "$D/pool" --tasks 4 --capacity 1 -- sh -c "$(gate_cmd g)"
    local worker=$!
    wait_for "a task to start" eval "ls '$D'/pool/tasks/*/1-* >/dev/null 2>&1"
    chmod 555 "$D/pool/state" # its result cannot be written
    gate_open g
    wait_status "$worker"
    [ "$status" -eq 77 ]
    run "$COORDCTL" status --json "$D/pool"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | jq -r '[.tasks[] | select(.state == "pending") | .task] | sort | join(" ")')" = "1 2 3 4" ]
    rm -rf "$D/pool"
}

@test "an error before any task was taken leaves nothing behind (no space for a wait file)" {
    run bash -c "ulimit -f 0; '$COORDCTL' workers '$D/pool' --tasks 1 --capacity 1 -- true"
    [ "$status" -eq 74 ]
    [ "$output" = "coordctl: cannot create wait file: $D/pool/tasks/1: File too large" ]
    [ ! -e "$D/pool" ]
}

@test "batch: a task whose queue's join lock is busy is not skipped when another task fills the capacity" {
    hold_join_locks a b
    bg "$COORDCTL" workers "$D" --task a --task b --capacity 1 -- sh -c "echo {} >> '$T/ran'"
    local worker=$!
    wait_for "the worker to have tried both tasks" in_event_loop "$worker"
    gate_open b
    wait_for "b to run" file_has_line "$T/ran" b
    gate_open a
    wait_for "the worker to end" process_gone "$worker"
    wait_status "$worker"
    [ "$status" -eq 0 ]
    [ "$(sort "$T/ran" | tr '\n' ' ')" = "a b " ]
}

@test "out of processes (fork fails, injected) while a task's join lock is busy: that task waits for the lowered capacity" {
    gate_make a
    hold_join_locks b c
    # The commands fork nothing: the worker's 2nd fork, c's command, fails.
    bg env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        strace -f -qq -o /dev/null -e trace=clone -e inject=clone:error=EAGAIN:when=2 \
        "$COORDCTL" workers "$D" --task a --task b --task c --capacity 3 -- \
        sh -c "echo start-{} >> '$T/log'; case {} in a) $(gate_cmd a);; esac; echo end-{} >> '$T/log'" 2>"$T/err"
    local worker=$!
    wait_for "a to start" file_has_line "$T/log" start-a
    gate_open c
    wait_for "c's start to fail, lowering the capacity" grep -q "at most 1 task at once" "$T/err"
    gate_open b
    # The worker retries a busy join lock every 20 ms: give it 50 tries.
    for _ in $(seq 20); do
        ! file_has_line "$T/log" start-b || break
        sleep 0.05
    done
    gate_open a
    wait_for "the worker to end" process_gone "$worker"
    wait_status "$worker"
    [ "$status" -eq 0 ]
    [ "$(tr '\n' ' ' <"$T/log")" = "start-a end-a start-c end-c start-b end-b " ] || {
        cat "$T/log" "$T/err" >&2
        false
    }
}

@test "--capacity above the soft limit of open files: the worker raises it (its commands inherit it)" {
    local hard wanted=$((64 + 6 * 100))
    hard=$(ulimit -Hn)
    [[ $hard == unlimited ]] || ((hard >= wanted)) || wanted=$hard
    run bash -c "ulimit -Sn 64; '$COORDCTL' workers '$D' --task t --capacity 100 -- sh -c 'ulimit -n > \"$T/limit\"'"
    [ "$status" -eq 0 ]
    [ "$output" = "" ]
    [ "$(cat "$T/limit")" -eq "$wanted" ]
}

@test "out of open files (a low hard limit): fewer tasks run at once, none is marked failed, all get done" {
    run bash -c "ulimit -n 48; '$COORDCTL' workers '$D' --tasks 30 --capacity 30 -- sleep 0.2"
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "coordctl: warning: --capacity 30 needs about 244 open files, but the limit is 48 (ulimit -n): fewer tasks may run at once" ]]
    [[ $output == *"coordctl: warning: out of resources: at most "*" at once from now on"* ]]
    run "$COORDCTL" status --json "$D"
    [ "$(echo "$output" | jq '[.tasks[] | select(.state == "done" and .attempts == 1)] | length')" -eq 30 ]
}

@test "a task queue holding an entry of another lock mode: said once; batch leaves the task, --restart looks again each second, idle" {
    mkdir -p "$D/tasks/2"
    gate_make s
    bg "$COORDCTL" lock --slots 2 "$D/tasks/2" -- sh -c "$(gate_cmd s)"
    wait_for "the --slots holder" eval "ls '$D/tasks/2' | grep -q '^1-'"
    local said="participants of $D/tasks/2 disagree on the lock mode: entry 1-00000000000000000001-k2 uses --slots 2, this one exclusive"
    run "$COORDCTL" workers "$D" --tasks 2 --capacity 2 -- true
    [ "$status" -eq 1 ]
    [ "$output" = "coordctl: task 2 not taken: $said" ]
    [ ! -e "$D/state/2.json" ]
    bg "$COORDCTL" workers "$D" --tasks 2 --capacity 2 --restart -- sh -c "echo {} >> '$T/ran'; exec sleep 600" 2>"$T/err"
    local worker=$!
    wait_for "the restart worker to say so" test -s "$T/err"
    local before
    before=$(awk '{ print $14 + $15 }' "/proc/$worker/stat")
    sleep 1.5 # over a second and more: it looks again, once a second
    (($(awk '{ print $14 + $15 }' "/proc/$worker/stat") - before < 20)) # under 0.2 s of CPU
    [ "$(cat "$T/err")" = "coordctl: task 2 waits: $said" ]
    gate_open s
    wait_for "the restart worker to take task 2 once the --slots holder left" file_has_line "$T/ran" 2
    kill -TERM "$worker"
    wait_for "the worker to stop" process_gone "$worker"
}

@test "batch: a task refused for another lock mode is said once and not tried again when the next task is granted meanwhile" {
    mkdir -p "$D/tasks/a"
    gate_make s
    bg "$COORDCTL" lock --slots 2 "$D/tasks/a" -- sh -c "$(gate_cmd s)"
    wait_for "the --slots holder" eval "ls '$D/tasks/a' | grep -q '^1-'"
    # Tasks are rotated by the worker's pid: an even one tries a, then b,
    # which is granted while a's refusal is still to be reported.
    local tries=0
    while :; do
        run sh -c '[ $(($$ % 2)) -eq 0 ] || exit 99; exec "$@"' sh \
            "$COORDCTL" workers "$D" --task a --task b --capacity 1 -- sh -c "echo ran-{} >> '$T/log'"
        [ "$status" -ne 99 ] && break
        (( ++tries < 100 ))
        # Each try may take an even number of pids: a process more, at
        # random, so that the parity changes.
        (( RANDOM % 2 )) && /bin/true
    done
    [ "$status" -eq 1 ]
    [ "$output" = "coordctl: task a not taken: participants of $D/tasks/a disagree on the lock mode: entry 1-00000000000000000001-k2 uses --slots 2, this one exclusive" ]
    [ "$(cat "$T/log")" = ran-b ]
    gate_open s
}

@test "--restart: a worker that fills up leaves the other queues entirely (no wait left behind in a helper thread)" {
    local cmd="echo \"{} \$\$\" >> '$T/starts'; exec sleep 600"
    bg "$COORDCTL" workers "$D" --task a --capacity 1 --restart -- sh -c "$cmd"
    local a=$!
    bg "$COORDCTL" workers "$D" --task b --capacity 1 --restart -- sh -c "$cmd"
    local b=$!
    wait_for "a and b to start" eval "[ \$(grep -c . '$T/starts' 2>/dev/null) -eq 2 ]"
    bg "$COORDCTL" workers "$D" --task a --task b --capacity 1 --restart -- sh -c "$cmd"
    local c=$!
    wait_for "c to stand by in both queues" eval "[ \$(ls '$D'/tasks/*/ | grep -c '^[01]-') -eq 4 ]"
    kill -KILL "$a"
    wait_for "c to take a over" eval "[ \$(grep -c '^a ' '$T/starts') -eq 2 ]"
    # Its wait in b's queue is cancelled: no descriptor of b's entries left.
    wait_for "c to hold nothing of b's queue" eval "! ls -l /proc/$c/fd | grep -q '/tasks/b/[01]-'"
    kill -TERM "$b" "$c"
    wait_for "the workers to stop" eval "process_gone $b && process_gone $c"
}

@test "an error while starting a task's command (ENOLCK, injected) ends the worker with one line and 74, not a hang" {
    # The 5th flock is the command's share lock on the wait file (reopen_for_child).
    run timeout -s KILL 20 env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        strace -f -qq -o /dev/null -e trace=flock -e inject=flock:error=ENOLCK:when=5 \
        "$COORDCTL" workers "$D" --task a --capacity 1 -- true
    [ "$status" -eq 74 ]
    [ "$output" = "coordctl: cannot lock: $D/tasks/a/1-00000000000000000001-x: No locks available" ]
}
