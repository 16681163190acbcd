# bash completion for coordctl(1)                          -*- shell-script -*-
# Needs bash-completion (_init_completion, _filedir, _command_offset).
# scripts/check-docs checks that every option of `coordctl SUB --help` is here.

# Completes "SUB DIR [options] -- CMD [ARGS...]": the directory, then options
# and "--", then the command as if typed on its own. Values of options are
# the caller's job: it returns 1 when $prev is one of them.
_coordctl_dir_then_command()
{
    local i=$1 opts_with_arg=$2 opts=$3
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

    [[ " $opts_with_arg " == *" $prev "* ]] && return 1

    if [[ $cur == -* || ($have_dir && ! $cur) ]]; then
        # Once DIR is there, what is left is options and "--" before CMD.
        mapfile -t COMPREPLY < <(compgen -W "$opts --" -- "$cur")
    elif [[ ! $have_dir ]]; then
        _filedir -d
    fi
}

_coordctl_lock()
{
    local opts_with_arg='-w --timeout -E --conflict-exit-code -c --command --id --kill-after --orphan'
    local opts="-h --help -n --nonblock -w --timeout -E --conflict-exit-code
        -c --command --id --kill-after --orphan --no-create -q --quiet
        -v --verbose"
    _coordctl_dir_then_command "$1" "$opts_with_arg" "$opts" && return

    case $prev in
        --orphan)
            mapfile -t COMPREPLY < <(compgen -W 'keep kill' -- "$cur")
            ;;
        -w | --timeout | --kill-after)
            mapfile -t COMPREPLY < <(compgen -W '500ms 1s 10s 30s 1m 5m 1h' -- "$cur")
            ;;
    esac # -E, -c, --id: free text
}

_coordctl_dbarrier()
{
    local opts_with_arg='--count --id -w --timeout -c --command --poll-interval'
    local opts="-h --help --count --id -w --timeout -c --command --poll --poll-interval"
    _coordctl_dir_then_command "$1" "$opts_with_arg" "$opts" && return

    case $prev in
        --count)
            mapfile -t COMPREPLY < <(compgen -W '2 3 4 5 8 10' -- "$cur")
            ;;
        -w | --timeout | --poll-interval)
            mapfile -t COMPREPLY < <(compgen -W '100ms 500ms 1s 10s 30s 1m 5m 1h' -- "$cur")
            ;;
    esac # --id, -c: free text
}

_coordctl_barrier()
{
    local i=$1 # index of the word after "barrier"
    local j action= have_path=
    for ((j = i; j < cword; j++)); do
        case ${words[j]} in
            -w | --timeout | --poll-interval) ((j++)) ;;
            -*) ;;
            *) if [[ ! $action ]]; then action=${words[j]}; else have_path=1; fi ;;
        esac
    done

    case $prev in
        -w | --timeout | --poll-interval)
            mapfile -t COMPREPLY < <(compgen -W '100ms 500ms 1s 10s 30s 1m 5m 1h' -- "$cur")
            return
            ;;
    esac

    # Each action has its own options.
    local opts='-h --help'
    case $action in
        set) opts+=' --force' ;;
        wait) opts+=' -w --timeout --poll --poll-interval' ;;
    esac
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
    elif [[ ! $action ]]; then
        mapfile -t COMPREPLY < <(compgen -W 'set unset wait' -- "$cur")
    elif [[ ! $have_path ]]; then
        _filedir
    fi
}

_coordctl()
{
    # shellcheck disable=SC2034 # split is set by _init_completion -s
    local cur prev words cword split
    _init_completion -s || return

    local subcommands='lock barrier dbarrier'
    local i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            lock)
                _coordctl_lock $((i + 1))
                return
                ;;
            barrier)
                _coordctl_barrier $((i + 1))
                return
                ;;
            dbarrier)
                _coordctl_dbarrier $((i + 1))
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
