#!/usr/bin/env bash
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Build a bootable Debian disk image for the fleet.kdump VM lab (recipe: shared lab notes, "VMs").
# Usage: build-image.sh SUITE OUTPUT.qcow2 [STACK [KDUMP_UTILS_SOURCE]]
#   STACK kdump-tools (default): Debian's own kdump stack, as described below.
#   STACK kdumputils: the RHEL kdump stack instead (lab harness for the rhel family, molecule/vm-rhel-stack):
#     dracut-core, kexec-tools and makedumpfile from Debian, NO kdump-tools, and kdump-utils (kdumpctl, mkdumprd,
#     kdump-lib*.sh, dracut module 99kdumpbase, kdump.service, /etc/kdump.conf, /etc/sysconfig/kdump from
#     gen-kdump-sysconfig.sh) installed by its own `make install` from KDUMP_UTILS_SOURCE (a kdump-utils source
#     tree, e.g. $FLEET_KDUMP_ORACLES/kdump-utils; run from a copy, the source stays untouched). The shims
#     Debian's layout forces are in guest-setup.sh, each with its reason.
# Root only. Uses a loop device (partx, no udev) and debootstrap from the Debian archive; nothing else
# is downloaded. The image has a real GRUB on an MBR disk, so kdump_reserve's edits really change the next
# boot, and kdump-tools installed but left UNCONFIGURED (USE_KDUMP=0, no crashkernel= from the package's
# grub.d snippet): the collection under test must do that work.
# This file is part of the image cache key: any change here rebuilds the cached images.
set -euo pipefail

suite=${1:?suite}
output=${2:?output qcow2}
stack=${3:-kdump-tools}
kdump_utils_src=${4:-}
mirror=${FLEET_KDUMP_MIRROR:-http://deb.debian.org/debian}
case $stack in
    kdump-tools) kdump_packages=kdump-tools ;;
    # dracut-core, not dracut: dracut conflicts with initramfs-tools and would replace the boot initrd.
    # keyutils: without keyctl, kdumpctl falls back to `sudo -i /sbin/kexec`. binutils: readelf (kdumpctl's
    # ELF check of the kernel) and strip (mkdumprd passes dracut --aggressive-strip).
    kdumputils)
        kdump_packages=dracut-core,keyutils,binutils
        if [ ! -f "$kdump_utils_src/kdumpctl" ] || [ ! -f "$kdump_utils_src/Makefile" ]; then
            echo "build-image.sh: stack kdumputils needs a kdump-utils source tree (got '$kdump_utils_src')" >&2
            exit 2
        fi
        ;;
    *) echo "build-image.sh: unknown stack '$stack' (valid: kdump-tools, kdumputils)" >&2; exit 2 ;;
esac
packages=systemd-sysv,udev,dbus,e2fsprogs,openssh-server,python3,python3-apt,linux-image-amd64,initramfs-tools,zstd,kexec-tools,makedumpfile,$kdump_packages,iproute2,procps,sudo,kmod

work=$(mktemp -d "${output}.build.XXXXXX")
mnt=$work/root
raw=$work/disk.raw
loop=""

log() { printf '[build-image %s] %s\n' "$(date +%T)" "$*" >&2; }

cleanup() {
    set +e
    for sub in dev/pts dev sys proc; do
        mountpoint -q "$mnt/$sub" && umount -l "$mnt/$sub"
    done
    mountpoint -q "$mnt" && { umount "$mnt" || umount -l "$mnt"; }
    if [ -n "$loop" ]; then
        partx -d "$loop" 2>/dev/null
        losetup -d "$loop"
    fi
    rm -rf "$work"
}
trap cleanup EXIT

log "disk: 4G raw, MBR, one bootable ext4 partition from sector 2048"
truncate -s 4G "$raw"
printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk --quiet "$raw"
loop=$(losetup -f --show "$raw")
partx -a "$loop"
part=${loop}p1
[ -b "$part" ] || { log "partition device $part missing after partx"; exit 1; }
mkfs.ext4 -q -F -L fleet-root "$part"
uuid=$(blkid -s UUID -o value "$part")
mkdir -p "$mnt"
mount "$part" "$mnt"

# The debootstrap result is cached too (it is most of the build time), keyed by suite, mirror and packages.
# debootstrap runs outside the disk image and its downloaded .debs stay out of the cache, so the deleted
# package files never occupy blocks of the compressed image.
rootfs_cache=$(dirname "$output")/debootstrap-$suite-$(printf '%s\n' "$suite" "$mirror" "$packages" | sha256sum | cut -c1-12).tar
if [ ! -s "$rootfs_cache" ] || [ "${FLEET_KDUMP_REFRESH:-0}" = 1 ]; then
    log "debootstrap $suite from $mirror"
    debootstrap --variant=minbase --include="$packages" "$suite" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
        tail -n 40 "$work/debootstrap.log" >&2
        tail -n 40 "$work/rootfs/debootstrap/debootstrap.log" >&2 || true
        exit 1
    }
    rm -f "$work"/rootfs/var/cache/apt/archives/*.deb
    tar -C "$work/rootfs" --numeric-owner -cpf "$rootfs_cache.tmp" . && mv "$rootfs_cache.tmp" "$rootfs_cache"
    rm -rf "$work/rootfs"
fi
log "root file system from $rootfs_cache"
tar -C "$mnt" --numeric-owner --exclude='./var/cache/apt/archives/*.deb' -xpf "$rootfs_cache"

log "chroot: private /dev, proc, sys"
mount -t proc proc "$mnt/proc"
mount -t sysfs -o ro sysfs "$mnt/sys"
mount -t tmpfs -o mode=0755 devtmp "$mnt/dev"
for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0 console:5:1; do
    IFS=: read -r name major minor <<<"$node"
    mknod -m 666 "$mnt/dev/$name" c "$major" "$minor"
done
mkdir -p "$mnt/dev/pts" "$mnt/dev/disk/by-uuid"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$mnt/dev/pts"
ln -s pts/ptmx "$mnt/dev/ptmx"
# the loop disk and its partition, under the names grub-probe reads from /proc/self/mountinfo
for dev in "$loop" "$part"; do
    mknod -m 660 "$mnt$dev" b "$((0x$(stat -c '%t' "$dev")))" "$((0x$(stat -c '%T' "$dev")))"
done
# without this link update-grub writes root=/dev/loopNp1 instead of root=UUID=
ln -s "../../${part#/dev/}" "$mnt/dev/disk/by-uuid/$uuid"

if [ "$stack" = kdumputils ]; then
    # kdump-utils' own install (what its spec's %make_install does), from a copy: `make install` writes the
    # generated kdump.conf and kdump.sysconfig into the tree it runs in. Nothing of it is built, it is shell.
    log "kdump-utils: make install from $kdump_utils_src"
    cp -a "$kdump_utils_src" "$work/kdump-utils"
    make -s -C "$work/kdump-utils" install DESTDIR="$mnt" ARCH=x86_64 sbindir=/usr/sbin >"$work/kdump-utils-install.log" 2>&1 || {
        tail -n 40 "$work/kdump-utils-install.log" >&2
        exit 1
    }
    rm -rf "$work/kdump-utils"
fi
cp "$(dirname "$0")/guest-setup.sh" "$mnt/root/guest-setup.sh"
cp /etc/resolv.conf "$mnt/etc/resolv.conf"
chroot "$mnt" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive \
    /bin/bash /root/guest-setup.sh "$suite" "$uuid" "$loop" "$stack" >"$work/guest-setup.log" 2>&1 || {
    tail -n 60 "$work/guest-setup.log" >&2
    exit 1
}
rm -f "$mnt/root/guest-setup.sh"
grep -q "root=UUID=$uuid" "$mnt/boot/grub/grub.cfg" || { log "grub.cfg does not boot root=UUID=$uuid"; exit 1; }

for sub in dev/pts dev sys proc; do umount "$mnt/$sub"; done
fstrim "$mnt" 2>/dev/null || true
umount "$mnt"
partx -d "$loop" || true
losetup -d "$loop"
loop=""

log "qemu-img convert -c (compressed qcow2)"
qemu-img convert -c -O qcow2 "$raw" "$output.tmp"
mv "$output.tmp" "$output"
log "done: $output ($(du -h "$output" | cut -f1))"
