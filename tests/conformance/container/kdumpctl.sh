#!/usr/bin/env bash
# kdumpctl inside the conformance container: kdump-utils' own kdumpctl, sourced from the pinned source tree
# (mounted at /oracles/kdump-utils) and its main() called with our arguments. FLEET_UNAME_M makes `uname -m`
# answer another architecture, so the distribution defaults of aarch64 can be asked on an x86_64 machine.
# shellcheck disable=SC2317  # called by the sourced kdump-lib.sh
uname() {
    if [[ $1 == -m && -n $FLEET_UNAME_M ]]; then
        echo "$FLEET_UNAME_M"
    else
        command uname "$@"
    fi
}
work=$(mktemp -d)
: >"$work/dracut-functions.sh"
cd /oracles/kdump-utils || exit 2
# shellcheck disable=SC2034  # both read by the sourced kdumpctl
__SOURCED__=1 dracutbasedir=$work
# shellcheck source=/dev/null
. ./kdumpctl
main "$@"
rc=$?
rm -rf "$work"
exit $rc
