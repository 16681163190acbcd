# bash completion for coordctl(1)                          -*- shell-script -*-
# Needs bash-completion (_init_completion, _filedir, _command_offset, _pids).
# scripts/check-docs checks that every option of `coordctl SUB --help` is here.

# Scans the words of a "SUB DIR [options] -- CMD" subcommand from index $1
# (the word after SUB); $2 lists its options that take a separate value.
# After "--" comes the command: completes it as if typed on its own and
# returns 0. Otherwise sets have_dir (DIR was given) and flags (the options
# seen, space-separated) in the caller, and returns 1.
_coordctl_scan()
{
    local j
    have_dir='' flags=' '
    for ((j = $1; j < cword; j++)); do
        case ${words[j]} in
            --)
                _command_offset $((j + 1))
                return 0
                ;;
            --*=*) ;;
            -*)
                flags+="${words[j]} "
                [[ " $2 " == *" ${words[j]} "* ]] && ((j++))
                ;;
            *) have_dir=1 ;;
        esac
    done
    return 1
}

# Once DIR is there, what is left is options and (if $2 is set) "--" before
# CMD; before it, DIR itself.
_coordctl_options_or_dir()
{
    local opts=$1 dashes=$2
    if [[ $cur == -* || ($have_dir && ! $cur) ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts${dashes:+ --}" -- "$cur")
    elif [[ ! $have_dir ]]; then
        _filedir -d
    fi
}

_coordctl_durations()
{
    mapfile -t COMPREPLY < <(compgen -W '200ms 500ms 1s 10s 30s 1m 5m 1h' -- "$cur")
}

_coordctl_lock()
{
    local i=$1 # index of the word after "lock"
    local opts_with_arg='-w --timeout -E --conflict-exit-code -c --command --slots --owner-pid --id --ttl --kill-after --orphan --poll-interval'
    local opts="-h --help -s --shared --slots --cut --cut=preempt --hold --owner-pid
        -n --nonblock -w --timeout -E --conflict-exit-code -c --command --id --ttl
        --kill-after --orphan --poll --poll-interval --no-create -q --quiet
        -v --verbose"

    local have_dir flags
    _coordctl_scan "$i" "$opts_with_arg" && return

    case $prev in
        --cut)
            # Only --cut=VALUE takes a value; "--cut DIR" is a plain --cut.
            if [[ $split == true ]]; then
                mapfile -t COMPREPLY < <(compgen -W 'preempt line' -- "$cur")
                return
            fi
            ;;
        --orphan)
            mapfile -t COMPREPLY < <(compgen -W 'keep kill' -- "$cur")
            return
            ;;
        --owner-pid)
            _pids
            return
            ;;
        --slots)
            mapfile -t COMPREPLY < <(compgen -W '2 4 8 16' -- "$cur")
            return
            ;;
        -w | --timeout | --kill-after | --ttl | --poll-interval)
            _coordctl_durations
            return
            ;;
        -E | --conflict-exit-code | -c | --command | --id)
            return # free text
            ;;
    esac

    # --hold runs no command: no "--", nor the options about one.
    if [[ $flags == *" --hold "* ]]; then
        local word hold_opts=''
        for word in $opts; do
            case $word in -c | --command | --kill-after | --orphan) ;; *) hold_opts+=" $word" ;; esac
        done
        _coordctl_options_or_dir "$hold_opts"
    else
        _coordctl_options_or_dir "$opts" with-command
    fi
}

_coordctl_elect()
{
    local i=$1 # index of the word after "elect"
    local opts_with_arg='-c --command --id --ttl --kill-after --poll-interval'
    local opts="-h --help -c --command --id --ttl --once --kill-after --leader
        --observe --json --poll --poll-interval -q --quiet -v --verbose"

    local have_dir flags
    _coordctl_scan "$i" "$opts_with_arg" && return

    case $prev in
        --ttl | --kill-after | --poll-interval)
            _coordctl_durations
            return
            ;;
        -c | --command | --id)
            return # free text
            ;;
    esac

    # --leader and --observe only look: no command, no "--", none of a
    # candidate's options; --leader reads DIR once (no polling).
    if [[ $flags == *" --leader "* ]]; then
        _coordctl_options_or_dir "-h --help --json"
    elif [[ $flags == *" --observe "* ]]; then
        _coordctl_options_or_dir "-h --help --json --poll --poll-interval"
    else
        _coordctl_options_or_dir "$opts" with-command
    fi
}

_coordctl_barrier()
{
    local i=$1 # index of the word after "barrier"
    local j action='' have_path=''
    for ((j = i; j < cword; j++)); do
        case ${words[j]} in
            -w | --timeout | --poll-interval) ((j++)) ;;
            -*) ;;
            *) if [[ $action ]]; then have_path=1; else action=${words[j]}; fi ;;
        esac
    done

    case $prev in
        -w | --timeout | --poll-interval)
            _coordctl_durations
            return
            ;;
    esac

    # Each action has its own options: --force for set, the wait's for wait.
    local opts='-h --help'
    case $action in
        set) opts+=' --force' ;;
        wait) opts+=' -w --timeout -q --quiet --poll --poll-interval' ;;
    esac
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
    elif [[ ! $action ]]; then
        mapfile -t COMPREPLY < <(compgen -W 'set unset wait' -- "$cur")
    elif [[ ! $have_path ]]; then
        _filedir
    fi
}

_coordctl_dbarrier()
{
    local i=$1 # index of the word after "dbarrier"
    local opts_with_arg='--count --id -w --timeout -c --command --poll-interval'
    local opts="-h --help --count --id -w --timeout -c --command -q --quiet --poll --poll-interval"

    local have_dir flags
    _coordctl_scan "$i" "$opts_with_arg" && return

    case $prev in
        --count)
            mapfile -t COMPREPLY < <(compgen -W '2 3 4 8 16' -- "$cur")
            return
            ;;
        -w | --timeout | --poll-interval)
            _coordctl_durations
            return
            ;;
        -c | --command | --id)
            return # free text
            ;;
    esac

    _coordctl_options_or_dir "$opts" with-command
}

_coordctl_workers()
{
    local i=$1 # index of the word after "workers"
    local opts_with_arg='--tasks --task --task-file --capacity --retries --ttl --kill-after --poll-interval'
    local opts="-h --help --tasks --task --task-file --capacity --retries --restart
        --ttl --kill-after --poll --poll-interval"

    local have_dir flags
    _coordctl_scan "$i" "$opts_with_arg" && return

    case $prev in
        --task-file)
            _filedir
            return
            ;;
        --tasks | --capacity)
            mapfile -t COMPREPLY < <(compgen -W '1 2 4 8 16' -- "$cur")
            return
            ;;
        --retries)
            mapfile -t COMPREPLY < <(compgen -W '0 1 2 3' -- "$cur")
            return
            ;;
        --ttl | --kill-after | --poll-interval)
            _coordctl_durations
            return
            ;;
        --task)
            return # free text
            ;;
    esac

    _coordctl_options_or_dir "$opts" with-command
}

_coordctl_status()
{
    local i=$1 # index of the word after "status"
    local j have_dir=
    for ((j = i; j < cword; j++)); do
        [[ ${words[j]} == -* ]] || have_dir=1
    done
    _coordctl_options_or_dir '-h --help --json'
}

# Wait files (<priority>-<20-digit token>-<mode>) and directories to reach them.
_coordctl_wait_files()
{
    _filedir
    local f path
    local -a keep=()
    for f in "${COMPREPLY[@]}"; do
        path=$f
        [[ $path == \~/* ]] && path=$HOME/${path#\~/} # _filedir leaves ~/ as typed
        if [[ -d $path || (! -L $path && ${f##*/} =~ ^[01]-[0-9]{20}-(x|s|k[0-9]+)$) ]]; then
            keep+=("$f")
        fi
    done
    COMPREPLY=("${keep[@]}")
}

_coordctl_lease_touch()
{
    case $prev in
        --every)
            mapfile -t COMPREPLY < <(compgen -W '1s 5s 10s 30s 1m' -- "$cur")
            return
            ;;
        --while-pid)
            _pids
            return
            ;;
    esac

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W '-h --help --every --while-pid' -- "$cur")
    else
        _coordctl_wait_files
    fi
}

_coordctl()
{
    # shellcheck disable=SC2034 # split is set by _init_completion -s, read by _coordctl_lock
    local cur prev words cword split
    _init_completion -s || return

    local subcommands='lock lease-touch elect barrier dbarrier workers status'
    local i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            lock)
                _coordctl_lock $((i + 1))
                return
                ;;
            lease-touch)
                _coordctl_lease_touch
                return
                ;;
            elect | barrier | dbarrier | workers | status)
                "_coordctl_${words[i]}" $((i + 1))
                return
                ;;
            -*) ;;
            *) return ;; # unknown subcommand
        esac
    done

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W '-h --help --version' -- "$cur")
    else
        mapfile -t COMPREPLY < <(compgen -W "$subcommands" -- "$cur")
    fi
} &&
    complete -F _coordctl coordctl

# ex: filetype=sh
