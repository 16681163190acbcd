# fish completion for coordctl(1)
# scripts/check-docs checks that every option of `coordctl SUB --help` is here.

# The subcommand on the command line: the first word that is not an option.
function __coordctl_subcommand
    set -l tokens (commandline -opc)
    for t in $tokens[2..-1]
        switch $t
            case '-*'
            case '*'
                echo $t
                return
        end
    end
end

function __coordctl_in_subcommand
    set -l sub (__coordctl_subcommand)
    test "$sub" = "$argv[1]"
end

# Where the cursor is in `coordctl SUB DIR [options] -- CMD` (SUB is lock,
# elect, dbarrier, workers or status): "none" (not SUB), "dir" (DIR still to come),
# "opts" (options, then "--"), "cmd" (after "--": the command).
function __coordctl_state
    set -l sub $argv[1]
    # Options that take a separate value, and short ones that may end a
    # cluster with their value next (-nw 5s).
    set -l with_value
    set -l short_with_value
    switch $sub
        case lock
            set with_value -w --timeout -E --conflict-exit-code -c --command --slots --owner-pid --id --ttl --kill-after --orphan --poll-interval
            set short_with_value wEc
        case elect
            set with_value -c --command --id --ttl --kill-after --poll-interval
            set short_with_value c
        case dbarrier
            set with_value --count --id -w --timeout -c --command --poll-interval
            set short_with_value wc
        case workers
            set with_value --tasks --task --task-file --capacity --retries --ttl --kill-after --poll-interval
    end
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l seen_sub 0
    set -l skip 0
    set -l have_dir 0
    for t in $tokens
        if test $seen_sub = 0
            if test "$t" = "$sub"
                set seen_sub 1
            else if not string match -q -- '-*' $t
                break # another subcommand
            end
            continue
        end
        if test $skip = 1
            set skip 0
        else if test "$t" = --
            echo cmd
            return
        else if contains -- $t $with_value
            set skip 1
        else if string match -q -- '--*' $t
        else if string match -q -- '-*' $t
            test -n "$short_with_value"
            and string match -rq -- "^-[a-zA-Z]*[$short_with_value]\$" $t
            and set skip 1
        else
            set have_dir 1
        end
    end
    if test $seen_sub = 0
        echo none
    else if test $have_dir = 0
        echo dir
    else
        echo opts
    end
end

# __coordctl_in SUB STATE...: the cursor is in SUB, in one of the STATEs.
function __coordctl_in
    contains -- (__coordctl_state $argv[1]) $argv[2..-1]
end

# Whether one of these options was typed before the cursor.
function __coordctl_seen
    set -l tokens (commandline -opc)
    for option in $argv
        contains -- $option $tokens; and return 0
    end
    return 1
end

# `coordctl elect DIR --leader|--observe` only looks: no command follows.
function __coordctl_elect_looks
    __coordctl_seen --leader --observe
end

# The word under the cursor is an option (so not DIR, not --cut's value).
function __coordctl_at_option
    string match -q -- '-*' (commandline -ct)
end

# After "--": complete the command and its arguments with their own completion.
function __coordctl_complete_command
    set -l tokens (commandline -opc)
    set -l i (contains -i -- -- $tokens)
    if test $i -eq (count $tokens)
        __fish_complete_command # the command's name
        return
    end
    __fish_complete_subcommand --commandline $tokens[(math $i + 1)..-1] (commandline -ct)
end

# Wait files (<priority>-<20-digit token>-<mode>) and directories to reach them.
function __coordctl_complete_wait_files
    for path in (commandline -ct)*
        set -l name (string replace -r '.*/' '' -- $path)
        if test -d $path
            printf '%s/\tDirectory\n' (string trim -r -c / -- $path)
        else if test -f $path; and not test -L $path
            and string match -rq -- '^[01]-[0-9]{20}-(x|s|k[0-9]+)$' $name
            printf '%s\tWait file\n' $path
        end
    end
end

# For barrier: "ACTION" (still to come), or the action followed by "path"
# (PATH still to come) or "done".
function __coordctl_barrier_state
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l action ''
    set -l skip 0
    if test "$tokens[1]" != barrier
        echo none
        return
    end
    for t in $tokens[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case -w --timeout --poll-interval
                set skip 1
            case '-*'
            case '*'
                if test -z "$action"
                    set action $t
                else
                    echo $action done
                    return
                end
        end
    end
    if test -z "$action"
        echo ACTION
    else
        echo $action path
    end
end

# __coordctl_barrier_is ACTION|set|unset|wait [path|done]
function __coordctl_barrier_is
    set -l state (string split ' ' -- (__coordctl_barrier_state))
    test "$state[1]" = $argv[1]; or return 1
    test (count $argv) -lt 2; or test "$state[2]" = $argv[2]
end

complete -c coordctl -f

# coordctl [--help|--version] SUBCOMMAND
complete -c coordctl -n __fish_use_subcommand -s h -l help -d 'Print help and exit'
complete -c coordctl -n __fish_use_subcommand -l version -d 'Print version and exit'
complete -c coordctl -n __fish_use_subcommand -a lock -d 'Run a command while holding a fair, crash-safe lock on DIR'
complete -c coordctl -n __fish_use_subcommand -a lease-touch -d 'Refresh the heartbeat of wait files (leases)'
complete -c coordctl -n __fish_use_subcommand -a elect -d 'Run a command only while elected leader of DIR'
complete -c coordctl -n __fish_use_subcommand -a barrier -d 'Set, unset or wait for a persistent barrier (a file)'
complete -c coordctl -n __fish_use_subcommand -a dbarrier -d 'Double barrier: N participants run a command together and leave together'
complete -c coordctl -n __fish_use_subcommand -a workers -d 'Share tasks among worker processes; run CMD {} for each'
complete -c coordctl -n __fish_use_subcommand -a status -d 'Show every entry of DIR: order, owner, age, liveness'

# coordctl lock DIR [options] -- CMD [ARGS...]
set -l lock_opts '__coordctl_in lock dir opts'
complete -c coordctl -n '__coordctl_in lock dir; and not __coordctl_at_option' -xa '(__fish_complete_directories (commandline -ct) "Queue directory")'
complete -c coordctl -n '__coordctl_in lock opts; and not __coordctl_seen --hold' -a -- -d 'End of options: the command follows'
complete -c coordctl -n $lock_opts -s h -l help -d 'Print the options of lock and exit'
complete -c coordctl -n $lock_opts -s s -l shared -d 'Read lock: share with other --shared holders'
complete -c coordctl -n $lock_opts -l slots -x -a '2 4 8 16' -d 'Semaphore: at most N holders at once (same N for all)'
complete -c coordctl -n $lock_opts -l cut -a 'line\t"Only cut in line (same as --cut)" preempt\t"Also evict the holders in the way"' -d 'Go ahead of every waiter; --cut=preempt also evicts the holders'
complete -c coordctl -n "$lock_opts; and __coordctl_at_option" -a --cut=preempt -d 'Go ahead of every waiter and evict the holders in the way'
complete -c coordctl -n "$lock_opts; and not __coordctl_seen -c --command --kill-after --orphan" -l hold -d 'No command: print the wait file once held and leave it'
complete -c coordctl -n $lock_opts -l owner-pid -x -a '(__fish_complete_pids)' -d 'With --hold: the process owning the hold (default: parent)'
complete -c coordctl -n $lock_opts -s n -l nonblock -d 'Fail at once (exit 75) if the lock is not free'
complete -c coordctl -n $lock_opts -s w -l timeout -x -a '500ms 1s 10s 30s 1m 5m 1h' -d 'Give up (exit 75) after DUR'
complete -c coordctl -n $lock_opts -s E -l conflict-exit-code -x -d 'Exit code when not acquired (0-255, default 75)'
complete -c coordctl -n "$lock_opts; and not __coordctl_seen --hold" -s c -l command -x -d 'Run STRING with $SHELL -c'
complete -c coordctl -n $lock_opts -l id -x -d 'Label shown to other waiters'
complete -c coordctl -n $lock_opts -l ttl -x -a '10s 30s 1m 5m' -d 'Lease for other hosts: heartbeat every TTL/3 (default 30s)'
complete -c coordctl -n "$lock_opts; and not __coordctl_seen --hold" -l kill-after -x -a '1s 5s 10s 30s 1m' -d 'SIGKILL the command tree DUR after SIGTERM (default 10s)'
complete -c coordctl -n "$lock_opts; and not __coordctl_seen --hold" -l orphan -x -a 'keep\t"If coordctl dies, the command keeps running and keeps the lock (default)" kill\t"If coordctl dies, the kernel kills the command"' -d 'What happens to the command if coordctl dies'
complete -c coordctl -n $lock_opts -l poll -d 'Poll instead of inotify and lock waits (as on network filesystems)'
complete -c coordctl -n $lock_opts -l poll-interval -x -a '20ms 200ms 1s' -d 'How often to poll (default 200ms)'
complete -c coordctl -n $lock_opts -l no-create -d 'Fail if DIR does not exist'
complete -c coordctl -n $lock_opts -s q -l quiet -d 'No progress line, no conflict message'
complete -c coordctl -n $lock_opts -s v -l verbose -d 'Log each change while waiting'

complete -c coordctl -n '__coordctl_in lock cmd' -xa '(__coordctl_complete_command)'

# coordctl lease-touch FILE... [--every DUR [--while-pid PID]]
set -l touch_opts '__coordctl_in_subcommand lease-touch'
complete -c coordctl -n $touch_opts -xa '(__coordctl_complete_wait_files)'
complete -c coordctl -n $touch_opts -s h -l help -d 'Print the options of lease-touch and exit'
complete -c coordctl -n $touch_opts -l every -x -a '1s 5s 10s 30s 1m' -d 'Keep refreshing every DUR until a file is gone'
complete -c coordctl -n $touch_opts -l while-pid -x -a '(__fish_complete_pids)' -d 'With --every: stop when process PID exits'

# coordctl elect DIR [options] -- CMD [ARGS...], or DIR --leader|--observe [--json]
set -l elect_opts '__coordctl_in elect dir opts'
complete -c coordctl -n '__coordctl_in elect dir; and not __coordctl_at_option' -xa '(__fish_complete_directories (commandline -ct) "Election directory")'
complete -c coordctl -n '__coordctl_in elect opts; and not __coordctl_elect_looks' -a -- -d 'End of options: the command follows'
complete -c coordctl -n $elect_opts -s h -l help -d 'Print the options of elect and exit'
complete -c coordctl -n "$elect_opts; and not __coordctl_elect_looks" -s c -l command -x -d 'Run STRING with $SHELL -c'
complete -c coordctl -n "$elect_opts; and not __coordctl_elect_looks" -l id -x -d "This candidate's name (default pid@host)"
complete -c coordctl -n "$elect_opts; and not __coordctl_elect_looks" -l ttl -x -a '10s 30s 1m 5m' -d 'Leadership lease across hosts; re-checked every TTL/3 (default 30s)'
complete -c coordctl -n "$elect_opts; and not __coordctl_elect_looks" -l once -d 'On losing leadership, stop the command and exit 79 (no new campaign)'
complete -c coordctl -n "$elect_opts; and not __coordctl_elect_looks" -l kill-after -x -a '1s 5s 10s 30s 1m' -d 'SIGKILL the command tree DUR after SIGTERM (default 10s)'
complete -c coordctl -n "$elect_opts; and not __coordctl_seen --observe" -l leader -d "Print the current leader's id (exit 3 if none)"
complete -c coordctl -n "$elect_opts; and not __coordctl_seen --leader" -l observe -d 'Print a line per leadership change until interrupted'
complete -c coordctl -n $elect_opts -l json -d 'With --leader or --observe: JSON objects'
complete -c coordctl -n "$elect_opts; and not __coordctl_seen --leader" -l poll -d 'Poll instead of inotify and lock waits (as on network filesystems)'
complete -c coordctl -n "$elect_opts; and not __coordctl_seen --leader" -l poll-interval -x -a '20ms 200ms 1s' -d 'How often to poll (default 200ms)'
complete -c coordctl -n "$elect_opts; and not __coordctl_elect_looks" -s q -l quiet -d 'No progress line while campaigning'
complete -c coordctl -n "$elect_opts; and not __coordctl_elect_looks" -s v -l verbose -d 'Log each change while campaigning'
complete -c coordctl -n '__coordctl_in elect cmd' -xa '(__coordctl_complete_command)'

# coordctl barrier set|unset|wait PATH [options]
complete -c coordctl -n '__coordctl_barrier_is ACTION' -xa 'set\t"Set the barrier (create PATH)" unset\t"Lift the barrier (remove PATH)" wait\t"Wait until the barrier is lifted"'
complete -c coordctl -n '__coordctl_barrier_is set path; or __coordctl_barrier_is unset path; or __coordctl_barrier_is wait path' -F
complete -c coordctl -n 'not __coordctl_barrier_is none' -s h -l help -d 'Print the options of barrier and exit'
complete -c coordctl -n '__coordctl_barrier_is set' -l force -d 'Succeed if the barrier is already set'
complete -c coordctl -n '__coordctl_barrier_is wait' -s w -l timeout -x -a '500ms 1s 10s 30s 1m 5m 1h' -d 'Give up (exit 75) after DUR'
complete -c coordctl -n '__coordctl_barrier_is wait' -s q -l quiet -d 'No progress line'
complete -c coordctl -n '__coordctl_barrier_is wait' -l poll -d 'Poll PATH instead of using inotify'
complete -c coordctl -n '__coordctl_barrier_is wait' -l poll-interval -x -a '20ms 200ms 1s' -d 'How often a polling waiter looks (default 200ms)'

# coordctl dbarrier DIR --count N [options] -- CMD [ARGS...]
set -l dbarrier_opts '__coordctl_in dbarrier dir opts'
complete -c coordctl -n '__coordctl_in dbarrier dir; and not __coordctl_at_option' -xa '(__fish_complete_directories (commandline -ct) "Barrier directory")'
complete -c coordctl -n '__coordctl_in dbarrier opts' -a -- -d 'End of options: the command follows'
complete -c coordctl -n $dbarrier_opts -s h -l help -d 'Print the options of dbarrier and exit'
complete -c coordctl -n $dbarrier_opts -l count -x -a '2 3 4 8 16' -d 'Number of participants in a round'
complete -c coordctl -n $dbarrier_opts -l id -x -d "This participant's id in COORDCTL_PARTICIPANTS (one word)"
complete -c coordctl -n $dbarrier_opts -s w -l timeout -x -a '500ms 1s 10s 30s 1m 5m 1h' -d 'Give up (exit 75) if the round is not full after DUR'
complete -c coordctl -n $dbarrier_opts -s c -l command -x -d 'Run STRING with $SHELL -c'
complete -c coordctl -n $dbarrier_opts -s q -l quiet -d 'No progress line while waiting'
complete -c coordctl -n $dbarrier_opts -l poll -d 'Poll instead of inotify and lock waits (as on network filesystems)'
complete -c coordctl -n $dbarrier_opts -l poll-interval -x -a '20ms 200ms 1s' -d 'How often a polling participant looks (default 200ms)'
complete -c coordctl -n '__coordctl_in dbarrier cmd' -xa '(__coordctl_complete_command)'

# coordctl workers DIR (--tasks N | --task NAME... | --task-file FILE) --capacity K [options] -- CMD {}
set -l workers_opts '__coordctl_in workers dir opts'
complete -c coordctl -n '__coordctl_in workers dir; and not __coordctl_at_option' -xa '(__fish_complete_directories (commandline -ct) "Pool directory")'
complete -c coordctl -n '__coordctl_in workers opts' -a -- -d 'End of options: the command follows ({} is the task name)'
complete -c coordctl -n $workers_opts -s h -l help -d 'Print the options of workers and exit'
complete -c coordctl -n $workers_opts -l tasks -x -a '4 8 16 32' -d 'Tasks named 1..N'
complete -c coordctl -n $workers_opts -l task -x -d 'A task name (repeatable)'
complete -c coordctl -n $workers_opts -l task-file -r -F -d 'Task names, one per line'
complete -c coordctl -n $workers_opts -l capacity -x -a '1 2 4 8' -d 'Tasks this worker runs at once'
complete -c coordctl -n $workers_opts -l retries -x -a '0 1 2 3' -d 'Retry a failing task R times (default 0)'
complete -c coordctl -n $workers_opts -l restart -d 'Long-running tasks: restart on exit, never finish'
complete -c coordctl -n $workers_opts -l ttl -x -a '10s 30s 1m 5m' -d 'Lease for other hosts: heartbeat every TTL/3 (default 30s)'
complete -c coordctl -n $workers_opts -l kill-after -x -a '1s 5s 10s 30s 1m' -d 'SIGKILL a command group DUR after SIGTERM (default 10s)'
complete -c coordctl -n $workers_opts -l poll -d 'Poll instead of inotify and lock waits (give it on network filesystems)'
complete -c coordctl -n $workers_opts -l poll-interval -x -a '20ms 200ms 1s' -d 'How often to poll (default 200ms)'
complete -c coordctl -n '__coordctl_in workers cmd' -xa '(__coordctl_complete_command)'

# coordctl status DIR [--json]
set -l status_opts '__coordctl_in status dir opts'
complete -c coordctl -n '__coordctl_in status dir; and not __coordctl_at_option' -xa '(__fish_complete_directories (commandline -ct) "Queue or workers directory")'
complete -c coordctl -n $status_opts -s h -l help -d 'Print the options of status and exit'
complete -c coordctl -n $status_opts -l json -d 'JSON with stable field names (see coordctl-protocol(7))'
