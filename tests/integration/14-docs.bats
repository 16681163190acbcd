#!/usr/bin/env bats
# Help, man pages and completions stay complete, and load in real shells.

load helpers

subcommands() { "$COORDCTL" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && $1 != "" {print $1}'; }

@test "coordctl --help lists every subcommand on one line each" {
    run subcommands
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -ge 5 ]
    for sub in "${lines[@]}"; do
        run "$COORDCTL" "$sub" --help
        [ "$status" -eq 0 ]
        [[ ${lines[0]} != "" ]]
    done
}

@test "every long option is in the man page and the three completions" {
    run "$BATS_TEST_DIRNAME/../../scripts/check-docs" "$COORDCTL"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ ${lines[-1]} == "docs complete: "*" options checked" ]]
}

@test "bash loads the completion and completes every subcommand" {
    local dir=$BATS_TEST_DIRNAME/../../completions
    run bash -c "source /usr/share/bash-completion/bash_completion
        source '$dir/coordctl.bash'
        COMP_WORDS=(coordctl ''); COMP_CWORD=1; COMP_LINE='coordctl '; COMP_POINT=\${#COMP_LINE}
        _coordctl coordctl '' coordctl
        printf '%s\n' \"\${COMPREPLY[@]}\""
    [ "$status" -eq 0 ]
    for sub in $(subcommands); do
        [[ " ${lines[*]} " == *" $sub "* ]]
    done
}

@test "zsh loads the completion function" {
    local dir=$BATS_TEST_DIRNAME/../../completions
    run zsh -fc "fpath=('$dir' \$fpath); autoload -U compinit; compinit -u -d '$T/zcompdump'; whence -v _coordctl; autoload -Uz +X _coordctl && echo loaded"
    [ "$status" -eq 0 ]
    [[ $output == *"loaded"* ]]
    for sub in $(subcommands); do
        grep -q -- "$sub" "$dir/_coordctl"
    done
}

@test "fish loads the completion and completes every subcommand" {
    local dir=$BATS_TEST_DIRNAME/../../completions
    run fish -c "source '$dir/coordctl.fish'; complete -C'coordctl '"
    [ "$status" -eq 0 ]
    for sub in $(subcommands); do
        [[ $output == *"$sub"* ]]
    done
    run fish -c "source '$dir/coordctl.fish'; complete -C'coordctl lock --'"
    [[ $output == *"--nonblock"* ]]
}

# zsh_offers LAST WORDS...: the options zsh lists after WORDS and a tab, one
# per line (LAST: a pattern in the last entry listed, read up to).
zsh_offers() {
    timeout 20 zsh -f "$BATS_TEST_DIRNAME/zsh-complete" "$BATS_TEST_DIRNAME/../../completions" \
        "$T/zcompdump" "$@" | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' |
        grep -oE -- '^--[a-z-]+ +-- ' | awk '{print $1}'
}

@test "zsh does not offer the options that elect --leader or --observe exclude" {
    zsh_offers 'JSON objects' coordctl elect d --leader -- >"$T/leader"
    [ "$(paste -sd' ' "$T/leader")" = "--help --json" ]
    zsh_offers 'how often to poll' coordctl elect d --observe -- >"$T/observe"
    [ "$(paste -sd' ' "$T/observe")" = "--help --json --poll --poll-interval" ]
    zsh_offers 'log each change' coordctl elect d -- >"$T/candidate"
    grep -qx -- --id "$T/candidate"
    grep -qx -- --leader "$T/candidate"
}
