#!/usr/bin/env bash
# Judge kdump.conf files with kdump-utils' own parse_config (the oracle is run, never copied).
#
#   kdumpctl-parse-config.sh KDUMP_UTILS_DIR FILE...
#
# kdumpctl is sourced once (__SOURCED__=1 stops it before main; dracutbasedir points at an empty
# dracut-functions.sh), then every FILE is parsed in its own subshell so that the OPT array of one
# file never leaks into the next. For each FILE it prints "@@<TAB>rc<TAB>FILE" followed by what
# kdumpctl printed for it, each line prefixed with "..<TAB>".
# No "set -u": kdumpctl and its libraries read unset variables.
oracle_dir=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$work/dracut-functions.sh"

cd "$oracle_dir" || exit 2
# shellcheck disable=SC2034  # both read by the sourced kdumpctl
__SOURCED__=1 dracutbasedir=$work
# shellcheck source=/dev/null
. ./kdumpctl || exit 2

for file in "$@"; do
    (
        # shellcheck disable=SC2034  # read by parse_config (kdump_read_conf)
        KDUMP_CONFIG_FILE=$file
        parse_config
    ) </dev/null >"$work/out" 2>&1
    rc=$?
    printf '@@\t%s\t%s\n' "$rc" "$file"
    sed 's/^/..\t/' "$work/out"
done
