#!/usr/bin/env bats
# meson install: binary, man pages and completions in the standard places.

load helpers

@test "meson install into a DESTDIR puts everything in place" {
    local build
    build=$(dirname "$COORDCTL")
    [ -f "$build/build.ninja" ]
    run meson install -C "$build" --destdir "$T/root" --no-rebuild
    [ "$status" -eq 0 ]
    local prefix
    prefix=$(meson introspect "$build" --buildoptions | jq -r '.[] | select(.name == "prefix") | .value')
    local root=$T/root$prefix
    [ -x "$root/bin/coordctl" ]
    "$root/bin/coordctl" --version | grep -q '^coordctl '
    [ -f "$root/share/man/man1/coordctl.1" ]
    [ -f "$root/share/man/man7/coordctl-protocol.7" ]
    man -l "$root/share/man/man1/coordctl.1" >/dev/null
    man -l "$root/share/man/man7/coordctl-protocol.7" | grep -q "THREAT MODEL"
    [ -f "$root/share/bash-completion/completions/coordctl" ]
    [ -f "$root/share/zsh/site-functions/_coordctl" ]
    [ -f "$root/share/fish/vendor_completions.d/coordctl.fish" ]
    [ "$(find "$T/root" -type f | wc -l)" -eq 6 ]
}
