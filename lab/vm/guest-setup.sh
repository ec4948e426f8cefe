#!/usr/bin/env bash
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Runs INSIDE the image chroot (called by build-image.sh): usage guest-setup.sh SUITE ROOT_UUID LOOP_DEVICE [STACK]
# STACK: kdump-tools (default) or kdumputils (kdump-utils already installed by build-image.sh; see below).
# Part of the image cache key.
set -euxo pipefail
suite=$1
uuid=$2
disk=$3
stack=${4:-kdump-tools}

# no service starts inside the chroot
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d

apt-get update -q
echo "UUID=$uuid / ext4 errors=remount-ro 0 1" >/etc/fstab
echo fleet-vm >/etc/hostname
printf '127.0.0.1 localhost\n127.0.1.1 fleet-vm\n' >/etc/hosts

# networking: systemd-networkd DHCP on the virtio NIC; QEMU user-net DNS (trixie ships networkd separately)
if [ ! -e /lib/systemd/system/systemd-networkd.service ] && [ ! -e /usr/lib/systemd/system/systemd-networkd.service ]; then
    apt-get install -y --no-install-recommends systemd-networkd
fi
mkdir -p /etc/systemd/network
printf '[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n' >/etc/systemd/network/50-dhcp.network
systemctl enable systemd-networkd.service
systemctl enable ssh.service

# SSH: root by key only. The key is generated per lab on the host and handed to the VM at boot through
# QEMU's fw_cfg (opt/fleet.kdump/authorized_keys), so the cached image holds no key; the same channel
# carries the VM's hostname.
mkdir -p /root/.ssh && chmod 700 /root/.ssh
cat >/usr/local/sbin/fleet-lab-provision <<'SCRIPT'
#!/bin/sh
# Copy the lab's per-run SSH key and hostname from QEMU fw_cfg (fleet.kdump VM lab).
modprobe qemu_fw_cfg 2>/dev/null || true
base=/sys/firmware/qemu_fw_cfg/by_name/opt/fleet.kdump
if [ -r "$base/authorized_keys/raw" ]; then
    install -d -m 700 /root/.ssh
    install -m 600 "$base/authorized_keys/raw" /root/.ssh/authorized_keys
fi
if [ -r "$base/hostname/raw" ]; then
    name=$(cat "$base/hostname/raw")
    echo "$name" >/etc/hostname
    hostname "$name"
    sed -i "s/^127\.0\.1\.1 .*/127.0.1.1 $name/" /etc/hosts
fi
SCRIPT
chmod 755 /usr/local/sbin/fleet-lab-provision
cat >/etc/systemd/system/fleet-lab-provision.service <<'UNIT'
[Unit]
Description=fleet.kdump lab: SSH key and hostname from QEMU fw_cfg
DefaultDependencies=no
After=local-fs.target
Before=ssh.service network-pre.target
Wants=network-pre.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/fleet-lab-provision
RemainAfterExit=yes

[Install]
WantedBy=multi-user.target
UNIT
systemctl enable fleet-lab-provision.service
# fewer background jobs competing with the test under TCG
for unit in systemd-firstboot.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
    fstrim.timer man-db.timer systemd-binfmt.service proc-sys-fs-binfmt_misc.automount; do
    systemctl mask "$unit" || true
done
# journald: keep the journal across the crash reboot (helps debugging), but small
mkdir -p /var/log/journal /etc/systemd/journald.conf.d
printf '[Journal]\nSystemMaxUse=64M\n' >/etc/systemd/journald.conf.d/fleet-lab.conf

if [ "$stack" = kdump-tools ]; then
    # kdump-tools: installed but UNCONFIGURED. The collection must enable it and reserve the memory.
    echo 'kdump-tools kdump-tools/use_kdump boolean false' | debconf-set-selections
    sed -i 's/^USE_KDUMP=.*/USE_KDUMP=0/' /etc/default/kdump-tools
    grep -q '^USE_KDUMP=0$' /etc/default/kdump-tools
    # The package's grub.d snippet would add crashkernel= on its own; make it a no-op (kept as a file so dpkg
    # does not restore it on upgrade).
    if [ -e /etc/default/grub.d/kdump-tools.cfg ]; then
        echo '# neutralised by the fleet.kdump lab image: fleet.kdump.kdump_reserve owns crashkernel=' \
            >/etc/default/grub.d/kdump-tools.cfg
    fi
fi

# GRUB on the MBR of the loop disk, serial console, short timeout, panic=10 (the capture kernel inherits it:
# a capture kernel that fails reboots instead of hanging)
echo 'grub-pc grub-pc/install_devices multiselect' | debconf-set-selections
echo 'grub-pc grub-pc/install_devices_empty boolean true' | debconf-set-selections
apt-get install -y --no-install-recommends grub-pc
cat >/etc/default/grub <<'GRUB'
GRUB_DEFAULT=0
GRUB_TIMEOUT=1
GRUB_DISTRIBUTOR=`( . /etc/os-release; echo ${NAME:-Debian} ) 2>/dev/null || echo Debian`
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_CMDLINE_LINUX="console=ttyS0,115200n8 panic=10"
GRUB_TERMINAL="serial console"
GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
GRUB_DISABLE_OS_PROBER=true
GRUB
grub-install --target=i386-pc --modules="part_msdos ext2" "$disk"
update-grub

# MODULES=dep in a chroot detects the build host's disk, so name the VM's disk drivers explicitly.
printf 'virtio_pci\nvirtio_blk\nvirtio_net\next4\n' >>/etc/initramfs-tools/modules
kver=$(linux-version list | sort -V | tail -n 1)
update-initramfs -u -k "$kver"
if [ "$stack" = kdump-tools ]; then
    # Pre-build the kdump initrd (else the first boot with kdump enabled spends 90-190 s on it under TCG).
    # kdump-tools >= 1.10 skips this in a chroot (ischroot): the modules list above is exactly what makes it safe here
    mkdir -p /root/not-a-chroot
    printf '#!/bin/sh\nexit 1\n' >/root/not-a-chroot/ischroot
    chmod 755 /root/not-a-chroot/ischroot
    PATH=/root/not-a-chroot:$PATH /etc/kernel/postinst.d/kdump-tools "$kver"
    rm -rf /root/not-a-chroot
    test -s "/var/lib/kdump/initrd.img-$kver"
    # kdump-config deletes and rebuilds the initrd when this copy differs from /etc/kdump/sysctl.conf
    if [ -e /etc/kdump/sysctl.conf ]; then
        cp /etc/kdump/sysctl.conf "/var/lib/kdump/latest_sysctls-$kver"
    fi
else
    # kdumputils: the RHEL kdump stack on Debian. kdump-utils is installed (build-image.sh); kdump.service stays
    # DISABLED and /etc/kdump.conf at kdump-utils' defaults: the collection (family rhel) must do the work. Its
    # kdump initrd is built by `kdumpctl start` at the first boot with a reservation (mkdumprd, ~3 min under TCG,
    # into /var/lib/kdump/initramfs-<release>kdump.img since Debian's boot initrd is not /boot/initramfs-*.img).
    # The shims Debian's layout forces, and why (also in README.md, "RHEL stack on Debian"):
    # 1. /usr/sbin/makedumpfile (= /sbin/makedumpfile, merged /usr) -> /usr/bin/makedumpfile: kdump-utils' dracut
    #    module installs /sbin/makedumpfile, Debian ships it in /usr/bin. Without it dracut-install fails, yet
    #    mkdumprd exits 0 with a capture initrd that has no makedumpfile (no dump).
    ln -sfn /usr/bin/makedumpfile /usr/sbin/makedumpfile
    # 2. grep in the capture initrd: kdump-lib-initramfs.sh reads /etc/kdump.conf with grep, which Fedora's dracut
    #    base pulls in and Debian's dracut 059 does not. Without it the capture kernel logs "grep: command not
    #    found" and silently dumps with kdump.sh's defaults, ignoring /etc/kdump.conf.
    mkdir -p /etc/dracut.conf.d
    printf '# fleet.kdump lab: kdump-lib-initramfs.sh parses /etc/kdump.conf with grep\ninstall_items+=" /usr/bin/grep "\n' \
        >/etc/dracut.conf.d/90-fleet-lab-kdump-grep.conf
    test -x /usr/bin/kdumpctl && test -x /usr/sbin/mkdumprd && test -d /usr/lib/dracut/modules.d/99kdumpbase
    test -s /etc/sysconfig/kdump && test -s /etc/kdump.conf
    if dpkg-query -W -f '${Status}' kdump-tools 2>/dev/null | grep -q 'install ok installed'; then exit 1; fi
fi

# keep the package lists of the build: consistent with what is installed, and the apt module's cache_valid_time
# then spares each converge an apt update under TCG (minutes) while the image is fresh
apt-get clean
: >/etc/machine-id
rm -f /var/lib/dbus/machine-id
echo 'nameserver 10.0.2.3' >/etc/resolv.conf
rm -f /usr/sbin/policy-rc.d
echo "guest-setup done: $suite kernel $kver"
