#!/usr/bin/env bash
# Read /etc/sysconfig/kdump files the way openSUSE kdump does (run sandboxed: the files are sourced).
#
#   suse-read-config.sh SUSE_KDUMP_DIR FILE...
#
# For each FILE: "@@<TAB>FILE", then every value kdump-read-config.sh --print settles on ("V<TAB>NAME='value'"),
# what it printed on stderr ("E<TAB>line"), and the variables the file itself sets ("S<TAB>NAME"), found by
# sourcing it in an empty environment and comparing with an empty file's variables.
oracle_dir=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$work/empty"
defined() {
    # shellcheck disable=SC2016  # $1 is expanded by the inner bash
    env -i bash --norc --noprofile -c '. "$1" >/dev/null 2>&1; compgen -v' _ "$1" | sort
}
defined "$work/empty" >"$work/baseline"
for file in "$@"; do
    printf '@@\t%s\n' "$file"
    env -i KDUMP_CONF="$file" bash --norc --noprofile "$oracle_dir/kdump-read-config.sh" --print \
        >"$work/out" 2>"$work/err"
    sed 's/^/V\t/' "$work/out"
    sed 's/^/E\t/' "$work/err"
    defined "$file" | comm -13 "$work/baseline" - | sed 's/^/S\t/'
done
