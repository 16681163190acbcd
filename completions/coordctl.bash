# bash completion for coordctl(1)                          -*- shell-script -*-
# Needs bash-completion (_init_completion, _filedir, _command_offset, _pids).
# scripts/check-docs checks that every option of `coordctl SUB --help` is here.

_coordctl_lock()
{
    local i=$1 # index of the word after "lock"
    local opts_with_arg='-w --timeout -E --conflict-exit-code -c --command --slots --owner-pid --id --ttl --kill-after --orphan --poll-interval'
    local opts="-h --help -s --shared --slots --cut --cut=preempt --hold --owner-pid
        -n --nonblock -w --timeout -E --conflict-exit-code -c --command --id --ttl
        --kill-after --orphan --poll --poll-interval --no-create -q --quiet
        -v --verbose"

    # After "--" comes the command, completed as if typed on its own.
    local j have_dir=
    for ((j = i; j < cword; j++)); do
        case ${words[j]} in
            --)
                _command_offset $((j + 1))
                return
                ;;
            --*=*) ;;
            -*)
                [[ " $opts_with_arg " == *" ${words[j]} "* ]] && ((j++))
                ;;
            *) have_dir=1 ;;
        esac
    done

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
            mapfile -t COMPREPLY < <(compgen -W '200ms 500ms 1s 10s 30s 1m 5m 1h' -- "$cur")
            return
            ;;
        -E | --conflict-exit-code | -c | --command | --id)
            return # free text
            ;;
    esac

    if [[ $cur == -* || ($have_dir && ! $cur) ]]; then
        # Once DIR is there, what is left is options and "--" before CMD.
        mapfile -t COMPREPLY < <(compgen -W "$opts --" -- "$cur")
    elif [[ ! $have_dir ]]; then
        _filedir -d
    fi
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

    local subcommands='lock lease-touch'
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
