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

# Where the cursor is in `coordctl lock`: "none" (not lock), "dir" (DIR still
# to come), "opts" (options, then "--"), "cmd" (after "--": the command).
function __coordctl_lock_state
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l seen_lock 0
    set -l skip 0
    set -l have_dir 0
    for t in $tokens
        if test $seen_lock = 0
            switch $t
                case lock
                    set seen_lock 1
                case '-*'
                case '*'
                    break # another subcommand
            end
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
            case -w --timeout -E --conflict-exit-code -c --command --slots --owner-pid --id --ttl --kill-after --orphan --poll-interval
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

complete -c coordctl -f

# coordctl [--help|--version] SUBCOMMAND
complete -c coordctl -n __fish_use_subcommand -s h -l help -d 'Print help and exit'
complete -c coordctl -n __fish_use_subcommand -l version -d 'Print version and exit'
complete -c coordctl -n __fish_use_subcommand -a lock -d 'Run a command while holding a fair, crash-safe lock on DIR'
complete -c coordctl -n __fish_use_subcommand -a lease-touch -d 'Refresh the heartbeat of wait files (leases)'

# coordctl lock DIR [options] -- CMD [ARGS...]
set -l lock_opts '__coordctl_lock_in dir opts'
complete -c coordctl -n '__coordctl_lock_in dir; and not __coordctl_at_option' -xa '(__fish_complete_directories (commandline -ct) "Queue directory")'
complete -c coordctl -n '__coordctl_lock_in opts' -a -- -d 'End of options: the command follows'
complete -c coordctl -n $lock_opts -s h -l help -d 'Print the options of lock and exit'
complete -c coordctl -n $lock_opts -s s -l shared -d 'Read lock: share with other --shared holders'
complete -c coordctl -n $lock_opts -l slots -x -a '2 4 8 16' -d 'Semaphore: at most N holders at once (same N for all)'
complete -c coordctl -n $lock_opts -l cut -a 'line\t"Only cut in line (same as --cut)" preempt\t"Also evict the holders in the way"' -d 'Go ahead of every waiter; --cut=preempt also evicts the holders'
complete -c coordctl -n "$lock_opts; and __coordctl_at_option" -a --cut=preempt -d 'Go ahead of every waiter and evict the holders in the way'
complete -c coordctl -n $lock_opts -l hold -d 'No command: print the wait file once held and leave it'
complete -c coordctl -n $lock_opts -l owner-pid -x -a '(__fish_complete_pids)' -d 'With --hold: the process owning the hold (default: parent)'
complete -c coordctl -n $lock_opts -s n -l nonblock -d 'Fail at once (exit 75) if the lock is not free'
complete -c coordctl -n $lock_opts -s w -l timeout -x -a '500ms 1s 10s 30s 1m 5m 1h' -d 'Give up (exit 75) after DUR'
complete -c coordctl -n $lock_opts -s E -l conflict-exit-code -x -d 'Exit code when not acquired (0-255, default 75)'
complete -c coordctl -n $lock_opts -s c -l command -x -d 'Run STRING with $SHELL -c'
complete -c coordctl -n $lock_opts -l id -x -d 'Label shown to other waiters'
complete -c coordctl -n $lock_opts -l ttl -x -a '10s 30s 1m 5m' -d 'Lease for other hosts: heartbeat every TTL/3 (default 30s)'
complete -c coordctl -n $lock_opts -l kill-after -x -a '1s 5s 10s 30s 1m' -d 'SIGKILL the command tree DUR after SIGTERM (default 10s)'
complete -c coordctl -n $lock_opts -l orphan -x -a 'keep\t"If coordctl dies, the command keeps running and keeps the lock (default)" kill\t"If coordctl dies, the kernel kills the command"' -d 'What happens to the command if coordctl dies'
complete -c coordctl -n $lock_opts -l poll -d 'Poll instead of inotify and lock waits (as on network filesystems)'
complete -c coordctl -n $lock_opts -l poll-interval -x -a '20ms 200ms 1s' -d 'How often to poll (default 200ms)'
complete -c coordctl -n $lock_opts -l no-create -d 'Fail if DIR does not exist'
complete -c coordctl -n $lock_opts -s q -l quiet -d 'No progress line, no conflict message'
complete -c coordctl -n $lock_opts -s v -l verbose -d 'Log each change while waiting'

complete -c coordctl -n '__coordctl_lock_in cmd' -xa '(__coordctl_complete_command)'

# coordctl lease-touch FILE... [--every DUR [--while-pid PID]]
set -l touch_opts '__coordctl_in_subcommand lease-touch'
complete -c coordctl -n $touch_opts -xa '(__coordctl_complete_wait_files)'
complete -c coordctl -n $touch_opts -s h -l help -d 'Print the options of lease-touch and exit'
complete -c coordctl -n $touch_opts -l every -x -a '1s 5s 10s 30s 1m' -d 'Keep refreshing every DUR until a file is gone'
complete -c coordctl -n $touch_opts -l while-pid -x -a '(__fish_complete_pids)' -d 'With --every: stop when process PID exits'
