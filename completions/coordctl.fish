# fish completion for coordctl(1)
# scripts/check-docs checks that every option of `coordctl SUB --help` is here.

# Where the cursor is: "none" (no subcommand yet), "dir" (DIR of lock still
# to come), "opts" (options, then "--"), "cmd" (after "--": the command).
function __coordctl_lock_state
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l seen_lock 0
    set -l skip 0
    set -l have_dir 0
    for t in $tokens
        if test $seen_lock = 0
            test "$t" = lock; and set seen_lock 1
            continue
        end
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case '--'
                echo cmd
                return
            case -w --timeout -E --conflict-exit-code -c --command --id --kill-after --orphan
                set skip 1
            case '--*'
            case '-*'
                # a cluster of short flags ending in one that takes a value: -nw 5s
                string match -rq -- '^-[a-zA-Z]*[wEc]$' $t; and set skip 1
            case '*'
                set have_dir 1
        end
    end
    if test $seen_lock = 0
        echo none
    else if test $have_dir = 0
        echo dir
    else
        echo opts
    end
end

function __coordctl_lock_in
    contains -- (__coordctl_lock_state) $argv
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

complete -c coordctl -f

# coordctl [--help|--version] SUBCOMMAND
complete -c coordctl -n __fish_use_subcommand -s h -l help -d 'Print help and exit'
complete -c coordctl -n __fish_use_subcommand -l version -d 'Print version and exit'
complete -c coordctl -n __fish_use_subcommand -a lock -d 'Run a command while holding a fair, crash-safe lock on DIR'

# coordctl lock DIR [options] -- CMD [ARGS...]
set -l lock_opts '__coordctl_lock_in dir opts'
complete -c coordctl -n '__coordctl_lock_in dir' -xa '(__fish_complete_directories (commandline -ct) "Queue directory")'
complete -c coordctl -n '__coordctl_lock_in opts' -a -- -d 'End of options: the command follows'
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

complete -c coordctl -n '__coordctl_lock_in cmd' -xa '(__coordctl_complete_command)'
