# fish completion for coordctl(1)
# scripts/check-docs checks that every option of `coordctl SUB --help` is here.

# For "SUB DIR [options] -- CMD" (lock, dbarrier), where the cursor is:
# "none" (not in SUB), "dir" (DIR still to come), "opts" (options, then
# "--"), "cmd" (after "--": the command).
function __coordctl_dir_state --argument-names sub
    switch $sub
        case lock
            set with_value -w --timeout -E --conflict-exit-code -c --command --id --kill-after --orphan
            set cluster '^-[a-zA-Z]*[wEc]$'
        case dbarrier
            set with_value --count --id -w --timeout -c --command --poll-interval
            set cluster '^-[a-zA-Z]*[wc]$'
    end
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l seen_sub 0
    set -l skip 0
    set -l have_dir 0
    for t in $tokens
        if test $seen_sub = 0
            test "$t" = $sub; and set seen_sub 1
            continue
        end
        if test $skip = 1
            set skip 0
            continue
        end
        if test "$t" = --
            echo cmd
            return
        else if contains -- $t $with_value
            set skip 1
        else if string match -q -- '--*' $t
        else if string match -q -- '-*' $t
            # a cluster of short flags ending in one that takes a value: -nw 5s
            string match -rq -- $cluster $t; and set skip 1
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

# __coordctl_in SUB STATE...: the cursor is in one of these states of SUB.
function __coordctl_in --argument-names sub
    contains -- (__coordctl_dir_state $sub) $argv[2..-1]
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
complete -c coordctl -n __fish_use_subcommand -a barrier -d 'Set, unset or wait for a persistent barrier (a file)'
complete -c coordctl -n __fish_use_subcommand -a dbarrier -d 'Double barrier: N participants run a command together and leave together'

# coordctl lock DIR [options] -- CMD [ARGS...]
set -l lock_opts '__coordctl_in lock dir opts'
complete -c coordctl -n '__coordctl_in lock dir' -xa '(__fish_complete_directories (commandline -ct) "Queue directory")'
complete -c coordctl -n '__coordctl_in lock opts' -a -- -d 'End of options: the command follows'
complete -c coordctl -n $lock_opts -s h -l help -d 'Print the options of lock and exit'
complete -c coordctl -n $lock_opts -s n -l nonblock -d 'Fail at once (exit 75) if the lock is not free'
complete -c coordctl -n $lock_opts -s w -l timeout -x -a '500ms 1s 10s 30s 1m 5m 1h' -d 'Give up (exit 75) after DUR'
complete -c coordctl -n $lock_opts -s E -l conflict-exit-code -x -d 'Exit code when not acquired (0-255, default 75)'
complete -c coordctl -n $lock_opts -s c -l command -x -d 'Run STRING with $SHELL -c'
complete -c coordctl -n $lock_opts -l id -x -d 'Label shown to other waiters'
complete -c coordctl -n $lock_opts -l kill-after -x -a '1s 5s 10s 30s 1m' -d 'SIGKILL the command tree DUR after SIGTERM (default 10s)'
complete -c coordctl -n $lock_opts -l orphan -x -a 'keep\t"If coordctl dies, the command keeps running and keeps the lock (default)" kill\t"If coordctl dies, the kernel kills the command"' -d 'What happens to the command if coordctl dies'
complete -c coordctl -n $lock_opts -l no-create -d 'Fail if DIR does not exist'
complete -c coordctl -n $lock_opts -s q -l quiet -d 'No progress line, no conflict message'
complete -c coordctl -n $lock_opts -s v -l verbose -d 'Log each change while waiting'

complete -c coordctl -n '__coordctl_in lock cmd' -xa '(__coordctl_complete_command)'

# coordctl barrier set|unset|wait PATH [options]
complete -c coordctl -n '__coordctl_barrier_is ACTION' -xa 'set\t"Set the barrier (create PATH)" unset\t"Lift the barrier (remove PATH)" wait\t"Wait until the barrier is lifted"'
complete -c coordctl -n '__coordctl_barrier_is set path; or __coordctl_barrier_is unset path; or __coordctl_barrier_is wait path' -F
complete -c coordctl -n 'not __coordctl_barrier_is none' -s h -l help -d 'Print the options of barrier and exit'
complete -c coordctl -n '__coordctl_barrier_is set' -l force -d 'Succeed if the barrier is already set'
complete -c coordctl -n '__coordctl_barrier_is wait' -s w -l timeout -x -a '500ms 1s 10s 30s 1m 5m 1h' -d 'Give up (exit 75) after DUR'
complete -c coordctl -n '__coordctl_barrier_is wait' -l poll -d 'Poll PATH instead of using inotify'
complete -c coordctl -n '__coordctl_barrier_is wait' -l poll-interval -x -a '100ms 200ms 1s 5s' -d 'How often a polling waiter looks (default 200ms)'

# coordctl dbarrier DIR --count N [options] -- CMD [ARGS...]
set -l dbarrier_opts '__coordctl_in dbarrier dir opts'
complete -c coordctl -n '__coordctl_in dbarrier dir' -xa '(__fish_complete_directories (commandline -ct) "Barrier directory")'
complete -c coordctl -n '__coordctl_in dbarrier opts' -a -- -d 'End of options: the command follows'
complete -c coordctl -n $dbarrier_opts -s h -l help -d 'Print the options of dbarrier and exit'
complete -c coordctl -n $dbarrier_opts -l count -x -a '2 3 4 5 8 10' -d 'Number of participants in a round'
complete -c coordctl -n $dbarrier_opts -l id -x -d 'This participant\'s id in COORDCTL_PARTICIPANTS (one word)'
complete -c coordctl -n $dbarrier_opts -s w -l timeout -x -a '500ms 1s 10s 30s 1m 5m 1h' -d 'Give up (exit 75) if the round is not full after DUR'
complete -c coordctl -n $dbarrier_opts -s c -l command -x -d 'Run STRING with $SHELL -c'
complete -c coordctl -n $dbarrier_opts -l poll -d 'Poll instead of using inotify'
complete -c coordctl -n $dbarrier_opts -l poll-interval -x -a '100ms 200ms 1s 5s' -d 'How often a polling participant looks (default 200ms)'
complete -c coordctl -n '__coordctl_in dbarrier cmd' -xa '(__coordctl_complete_command)'
