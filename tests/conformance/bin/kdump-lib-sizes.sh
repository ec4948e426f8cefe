#!/usr/bin/env bash
# Ask kdump-utils' own kdump-lib.sh for its default crashkernel= and for the size it picks at given RAM sizes.
#
#   kdump-lib-sizes.sh KDUMP_UTILS_DIR ARCH KERNELVER MIB...
#
# Prints "default<TAB><kdump_get_arch_recommend_crashkernel>" and, for every MIB, "<MIB><TAB><size>" from
# kdump_get_arch_recommend_size, which reads System RAM from PROC_IOMEM (here a file with one System RAM range of
# MIB mebibytes), rounds it up to 128M like the kernel and applies get_recommend_size. `uname -m` answers ARCH;
# KERNELVER is the kdump kernel (a "+64k" one selects the aarch64 64K-page sizes).
# No "set -u": kdump-lib.sh reads unset variables.
oracle_dir=$1 arch=$2
# shellcheck disable=SC2034  # read by kdump-lib.sh (_get_kdump_kernel_version)
KDUMP_KERNELVER=$3
shift 3
uname() {
    if [[ $1 == -m ]]; then echo "$arch"; else command uname "$@"; fi
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$oracle_dir" || exit 2
__SOURCED__=1
# shellcheck source=/dev/null
. ./kdump-lib.sh || exit 2
# shellcheck source=/dev/null
. ./kdump-logger.sh || exit 2
printf 'default\t%s\n' "$(kdump_get_arch_recommend_crashkernel kdump)"
PROC_IOMEM=$work/iomem
for mib in "$@"; do
    printf '00000000-%x : System RAM\n' $((mib * 1024 * 1024 - 1)) >"$PROC_IOMEM"
    printf '%s\t%s\n' "$mib" "$(kdump_get_arch_recommend_size)"
done
