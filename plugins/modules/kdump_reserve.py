#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: kdump_reserve
short_description: Reserve memory for the kdump capture kernel (the crashkernel= boot parameter)
version_added: 0.1.0
description:
  - Owns the C(crashkernel=) kernel parameter on the host's bootloader so that the next boot reserves
    memory for the kdump capture kernel, and reports whether a reboot is needed for it to take effect.
  - Validates the value with the kernel's grammar (simple size, C(size@offset), RAM ranges, C(,high)/C(,low))
    before anything is changed; bad values fail naming the value and the accepted forms.
  - Reads the value back from the bootloader after writing; when the bootloader does not hold what was
    asked for, the previous state is restored and the module fails.
  - On Debian/Ubuntu the dpkg conffile C(/etc/default/grub.d/kdump-tools.cfg) is never edited; a later-sorting
    drop-in C(/etc/default/grub.d/zz-fleet-kdump.cfg) removes every C(crashkernel=) set before it and adds ours.
  - On a host without a bootloader of its own (a container) nothing is changed and the module does not fail;
    it returns RV(bootloader=none) and says so in RV(msg).
author: fleet.kdump contributors (@fleet)
options:
  state:
    description:
      - V(present) sets C(crashkernel=) to O(size) (plus O(low)).
      - V(absent) removes every C(crashkernel=) argument. On EL 9 and later (and Fedora) kdump-utils re-adds its
        default on the next kdump-utils or kernel update while kdump is enabled, unless C(auto_reset_crashkernel no)
        is in C(/etc/kdump.conf); RV(auto_reset_crashkernel_needed) says when that line is needed.
    type: str
    choices: [present, absent]
    default: present
  size:
    description:
      - The reservation. Required with O(state=present) unless O(shrink_to) is given.
      - A crashkernel value with units K, M, G, T, P or E, for example V(256M), V(256M@16M) (fixed offset),
        V(1G-4G:192M,4G-64G:256M,64G-:512M) (by total RAM, start inclusive, end exclusive, optionally followed by
        C(@offset)) or V(512M,high) (above 4G, the kernel adds a low part).
      - V(auto) uses the distribution's own default, C(kdumpctl get-default-crashkernel) on EL 9 and later,
        C(crashkernel=auto) on EL 8 and earlier, the kdump-tools default on Debian/Ubuntu (from
        C(/etc/default/grub.d/kdump-tools.cfg), or the value the package ships for this release and architecture)
        and C(kdumptool calibrate) on SUSE.
      - V(tiers) picks a fixed size from the host's RAM using O(tiers).
      - A size without unit is refused (the kernel would read V(256) as 256 bytes).
    type: str
  low:
    description:
      - Optional companion C(crashkernel=<size>,low), the memory below 4G reserved together with a V(512M,high) style
        O(size). Given as V(128M) or V(128M,low); V(0) disables the kernel's automatic low part.
    type: str
  kernels:
    description:
      - Which boot entries to change.
      - V(ALL) every entry; V(DEFAULT) the default entry; or the path of one kernel image, which must exist.
      - With O(bootloader=grub), V(ALL) writes C(GRUB_CMDLINE_LINUX) (all entries including recovery) and V(DEFAULT)
        writes C(GRUB_CMDLINE_LINUX_DEFAULT) (normal entries); a single kernel path needs grubby.
    type: str
    default: ALL
  bootloader:
    description:
      - V(auto) detects it, grubby on the RHEL family, grub elsewhere, V(none) in a container or where no
        bootloader exists.
      - V(grubby) uses C(grubby --update-kernel --args/--remove-args) and C(grubby --info).
      - V(grub) uses a drop-in under C(/etc/default/grub.d/) when C(grub-mkconfig) reads that directory (Debian/Ubuntu),
        otherwise C(/etc/default/grub), then C(update-grub) or C(grub2-mkconfig -o <grub.cfg>).
    type: str
    choices: [auto, grubby, grub]
    default: auto
  shrink_to:
    description:
      - Shrink the live reservation now, without a reboot, by writing C(/sys/kernel/kexec_crash_size).
      - Only downward; a value larger than the current reservation fails.
      - When a capture kernel is loaded it is unloaded by stopping the kdump service and loaded again by starting
        it, and the module fails when it is not loaded afterwards (RV(crash_kernel_loaded=false); the live reservation
        cannot grow back, a reboot restores the boot reservation). If the loaded capture kernel does not belong to an
        active kdump service the module refuses.
      - Without O(size) only the live reservation changes and the boot entries are left alone (one step of a
        calibration, which tries a smaller size without touching the boot configuration).
      - Skipped with a warning on kernels without kexec (no C(/sys/kernel/kexec_crash_size)).
    type: str
  family:
    description:
      - Which distribution family's rules apply, its default C(crashkernel=) for O(size=auto), whether its kdump
        tooling resets C(crashkernel=) on updates (RV(auto_reset_crashkernel_needed)), its kdump service for
        O(shrink_to) and whether grubby is preferred over grub.
      - V(auto) detects it from C(/etc/os-release); on an unknown distribution an explicit size still works.
      - An explicit family overrides the detection. It is a lab harness (the C(vm-rhel-stack) Molecule scenario drives
        kdump-utils on a Debian VM as V(rhel)), also useful on derivatives that carry another family's kdump
        tooling under an os-release the family does not claim.
    type: str
    choices: [auto, rhel, debian, suse]
    default: auto
  shrink_live:
    description:
      - Apply a smaller O(size) now, without a reboot, where the kernel allows it. When the size this host will
        reserve at its next boot (O(size) resolved for its RAM) is smaller than the live reservation, the module
        shrinks the live reservation to it, reloads the capture kernel and checks that it is loaded, and only then
        writes the boot entries. RV(reboot_required) is then V(false).
      - Where shrinking is not possible (the size grows, it has an C(@offset) or C(,high)/C(,low) parts, the kernel
        refuses the write, or a capture kernel not loaded by the kdump service is in the way) the module warns and
        falls back to writing the boot entries with RV(reboot_required=true), as without this option.
      - When the capture kernel does not load again at the smaller size the module fails before the boot entries are
        written.
    type: bool
    default: false
  tiers:
    description:
      - The table used by O(size=tiers), a list of minimum RAM and size; the entry with the largest O(tiers[].min_ram)
        not above the host's RAM wins. RAM is what the kernel matches C(crashkernel=) ranges against, the
        C(System RAM) regions of C(/proc/iomem) (C(MemTotal) plus the current reservation where addresses are
        hidden), rounded up to 128M.
      - The default depends on the CPU. x86_64 and s390x V(0)=V(128M) (Debian 12 kdump-tools, and a 1G Debian 12 guest
        captures with 128M), V(1G)=V(192M), V(4G)=V(256M), V(64G)=V(512M) (kdump-utils defaults of RHEL 9);
        aarch64 V(0)=V(256M), V(4G)=V(320M), V(64G)=V(576M); ppc64le V(0)=V(384M), V(4G)=V(512M), V(16G)=V(1G),
        V(64G)=V(2G), V(128G)=V(4G) (kdump-utils).
    type: list
    elements: dict
    suboptions:
      min_ram:
        description: Smallest total RAM for this tier, for example V(4G) or V(0).
        type: str
        required: true
      size:
        description: The reservation for this tier, a plain size such as V(256M).
        type: str
        required: true
extends_documentation_fragment:
  - fleet.kdump.attributes
attributes:
  check_mode:
    details: RV(commands) lists the commands that would run; RV(configured) is the value that would be configured.
  diff_mode:
    details: Files (the drop-in or C(/etc/default/grub)) and, for grubby, the argument lists of the entries.
notes:
  - The new value is used after the next reboot; RV(reboot_required) compares the configured and the running value
    as parsed values (V(256M) equals V(262144K)), not as text.
  - The collection's role writes C(auto_reset_crashkernel no) with M(fleet.kdump.kdump_config) when RV(auto_reset_crashkernel_needed) is true.
  - O(state=absent) removes the parameter rather than writing C(crashkernel=0), so that C(kdump.service) on the RHEL
    family is skipped (its start condition looks for C(crashkernel) on the command line) instead of failing.
  - A value set by this module overrides C(crashkernel=) that kdump-tools adds on Debian/Ubuntu; removing the drop-in
    (not done by this module) gives that default back.
seealso:
  - module: fleet.kdump.kdump_config
  - module: fleet.kdump.kdump_verify
'''

EXAMPLES = r'''
- name: Reserve 192M for the capture kernel on every boot entry
  fleet.kdump.kdump_reserve:
    size: 192M

- name: Reserve by RAM size, like the RHEL 9 default
  fleet.kdump.kdump_reserve:
    size: 1G-4G:192M,4G-64G:256M,64G-:512M

- name: Reserve at a fixed physical offset
  fleet.kdump.kdump_reserve:
    size: 256M@16M

- name: Reserve above 4G with an explicit low part
  fleet.kdump.kdump_reserve:
    size: 512M,high
    low: 128M

- name: Use the distribution's default
  fleet.kdump.kdump_reserve:
    size: auto

- name: Choose a fixed size from the RAM of each host
  fleet.kdump.kdump_reserve:
    size: tiers
    tiers:
      - min_ram: "0"
        size: 160M
      - min_ram: 8G
        size: 256M
      - min_ram: 128G
        size: 512M

- name: Change only the default boot entry through grubby
  fleet.kdump.kdump_reserve:
    size: 256M
    kernels: DEFAULT
    bootloader: grubby

- name: Shrink the live reservation now and keep 256M for the next boots
  fleet.kdump.kdump_reserve:
    size: 256M
    shrink_to: 256M

- name: Apply a smaller calibrated size now (reload and check the capture kernel), and for the next boots
  fleet.kdump.kdump_reserve:
    size: 160M
    shrink_live: true

- name: Try 112M live for one calibration step; the boot entries stay as they are
  fleet.kdump.kdump_reserve:
    shrink_to: 112M

- name: Remove the reservation
  fleet.kdump.kdump_reserve:
    state: absent
  register: reserve

- name: Reboot when the boot configuration changed
  ansible.builtin.reboot:
  when: reserve.reboot_required
'''

RETURN = r'''
configured:
  description:
    - The crashkernel value(s) the next boot will use, read back from the bootloader (the default entry, or the managed
      kernel), several values separated by a space (V(512M,high 128M,low)). In check mode the value that would be configured.
  returned: always
  type: str
  sample: 192M
running:
  description: The effective crashkernel value(s) of the running kernel from C(/proc/cmdline), last one of each kind wins; null if none.
  returned: always
  type: str
  sample: 384M-:128M
reserved_bytes:
  description: Bytes reserved now, from C(/sys/kernel/kexec_crash_size); null where the kernel has no kexec (containers).
  returned: always
  type: int
  sample: 201326592
reboot_required:
  description:
    - True when RV(configured) and RV(running) differ as parsed values, unless the live reservation already is what the
      next boot reserves (after O(shrink_live) shrank it, or a shrink earlier); false without a bootloader.
  returned: always
  type: bool
  sample: true
crash_kernel_loaded:
  description: Whether a capture kernel is loaded (C(/sys/kernel/kexec_crash_loaded)) when the module ends; V(null) where
    the kernel has no kexec.
  returned: always
  type: bool
  sample: true
shrunk:
  description: The live reservation was shrunk (or, in check mode, would be).
  returned: always
  type: bool
  sample: false
bootloader:
  description: The backend used.
  returned: always
  type: str
  sample: grub
  choices: [grubby, grub, none]
commands:
  description: Commands run that change something (or that would run in check mode), as argv lists.
  returned: always
  type: list
  elements: list
  sample: [["/usr/sbin/update-grub"]]
auto_reset_crashkernel_needed:
  description:
    - True where kdump-utils resets C(crashkernel=) on updates (EL 9 and later, Fedora, Amazon Linux 2023; the
      installed C(kdumpctl) decides when there is one) and the module manages a value other than the distribution
      default; without C(auto_reset_crashkernel no) in C(/etc/kdump.conf) the next kdump-utils or kernel update
      reverts it. M(fleet.kdump.kdump_config) applies the same rule when it writes that line.
  returned: always
  type: bool
  sample: false
desired:
  description: The crashkernel value(s) asked for after resolving V(auto) and V(tiers); null with O(state=absent).
  returned: always
  type: str
  sample: 192M
ram_bytes:
  description: Total RAM used to choose a tier (only with O(size=tiers)).
  returned: when O(size=tiers)
  type: int
  sample: 1073741824
diff:
  description: Before and after of each changed file and, for grubby, of the entries' argument lists.
  returned: when diff mode is on
  type: list
  elements: dict
msg:
  description: A short summary of what was done or why nothing could be done.
  returned: always
  type: str
  sample: crashkernel=192M configured with grub; reboot required
'''

import os
import platform
import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fleet.kdump.plugins.module_utils import _families, bootloader
from ansible_collections.fleet.kdump.plugins.module_utils._family import module_host
from ansible_collections.fleet.kdump.plugins.module_utils.kdump_state import kernel_ram_bytes
from ansible_collections.fleet.kdump.plugins.module_utils.bootloader import BootloaderError, GrubBackend, GrubbyBackend
from ansible_collections.fleet.kdump.plugins.module_utils.common import (
    CommandRunner, container_name, host_path, major_version, read_int, read_text)
from ansible_collections.fleet.kdump.plugins.module_utils.crashkernel import (
    VALID_FORMS, choose_tier, default_tiers, format_bytes, from_cmdline, memparse, parse, same_tokens, tokens_text)

# The file system root the module looks at (every host path below is under it); the unit tests point it at a
# temporary tree.
HOST_ROOT = '/'
PROC_CMDLINE = '/proc/cmdline'
PROC_MEMINFO = '/proc/meminfo'
PROC_IOMEM = '/proc/iomem'
KEXEC_CRASH_SIZE = '/sys/kernel/kexec_crash_size'
KEXEC_CRASH_LOADED = '/sys/kernel/kexec_crash_loaded'
OS_RELEASE = '/etc/os-release'
KEXEC_ALIGN = 4096


class ReserveError(Exception):
    """Bad input or an impossible request, reported with fail_json before anything changed."""


class ShrinkError(ReserveError):
    """The capture kernel did not load again after a live shrink (the host is not armed until its next boot)."""


def host(path):
    """Where the host's ``path`` is for this module (HOST_ROOT '/' on a real host)."""
    return host_path(HOST_ROOT, path)


def resolve_auto(table, facts):
    """The distribution's own default as a list of crashkernel values (the table's rule)."""
    if table is None:
        raise ReserveError('size=auto: unknown distribution (%s); give an explicit size'
                           % facts.os_release.get('ID', 'no /etc/os-release'))
    try:
        return table.default_crashkernel(facts)
    except ValueError as exc:
        raise ReserveError(str(exc))


def ram_bytes(reserved):
    """Total RAM as the kernel's crashkernel ranges see it, rounded up to 128M (kdump_state.kernel_ram_bytes)."""
    match = re.search(r'^MemTotal:\s+(\d+)\s*kB', read_text(host(PROC_MEMINFO), '') or '', re.MULTILINE)
    total = kernel_ram_bytes(read_text(host(PROC_IOMEM), '') or '', int(match.group(1)) * 1024 if match else None,
                             reserved)
    if total is None:
        raise ReserveError('size=tiers: cannot read the System RAM regions of %s nor MemTotal from %s'
                           % (PROC_IOMEM, PROC_MEMINFO))
    return total


def validated_values(params):
    """Check every option before anything runs.

    Returns (mode, values, tiers): mode 'absent', 'explicit', 'auto' or 'tiers'; values the explicit
    crashkernel values (size and/or the ',low' companion).
    """
    state, size, low = params['state'], params['size'], params['low']
    values = []
    shrink_only = state == 'present' and size is None and params['shrink_to'] is not None
    if shrink_only and (low or params['shrink_live']):
        raise ReserveError('shrink_to without size changes only the live reservation; low and shrink_live need size')
    if state == 'present' and not shrink_only:
        if size is None or not size.strip():
            raise ReserveError("state=present needs size: %s; or 'auto' or 'tiers'" % VALID_FORMS)
        size = size.strip()
        if size not in ('auto', 'tiers'):
            try:
                spec = parse(size)
            except ValueError as exc:
                raise ReserveError('size: %s' % exc)
            if spec.kind not in ('simple', 'ranges', 'high'):
                raise ReserveError("size '%s' is a ,%s value; give the main reservation in size (and the low part in low)" % (size, spec.kind))
            if spec.size_for(1 << 62) == 0 and spec.kind != 'ranges':
                raise ReserveError("size '%s' reserves nothing; use state=absent to remove the reservation" % size)
            values.append(size)
        if low:
            low_text = low.strip()
            low_value = low_text if low_text.endswith(',low') else low_text + ',low'
            try:
                spec = parse(low_value)
            except ValueError as exc:
                raise ReserveError('low: %s' % exc)
            if spec.kind != 'low':
                raise ReserveError("low '%s' must be a plain size such as '128M'" % low)
            values.append(low_value)
    tiers = None
    if state == 'present' and size == 'tiers':
        tiers = []
        for tier in params['tiers'] or []:
            try:
                min_ram = memparse(tier['min_ram'])
                tier_spec = parse(tier['size'])
            except ValueError as exc:
                raise ReserveError('tiers entry %s: %s' % (tier, exc))
            if tier_spec.kind != 'simple':
                raise ReserveError("tiers entry %s: size must be a plain size such as '256M'" % tier)
            tiers.append((min_ram, tier['size'].strip()))
    kernels = params['kernels']
    if kernels not in ('ALL', 'DEFAULT'):
        if not kernels.startswith('/') or not os.path.isfile(kernels):
            raise ReserveError("kernels '%s' is not an existing kernel image; valid: ALL, DEFAULT or the absolute path of a kernel "
                               "such as /boot/vmlinuz-%s" % (kernels, platform.release()))
    if params['shrink_to'] is not None:
        try:
            spec = parse(params['shrink_to'])
        except ValueError as exc:
            raise ReserveError('shrink_to: %s' % exc)
        if spec.kind != 'simple' or spec.offset is not None:
            raise ReserveError("shrink_to '%s' must be a plain size such as '128M'" % params['shrink_to'])
    if state == 'absent':
        return 'absent', [], None
    if shrink_only:
        return 'shrink_only', [], None
    return (size if size in ('auto', 'tiers') else 'explicit'), values, tiers


def plan_shrink(module, runner, table, target, reserved, strict=True):
    """Decide a live shrink to ``target`` bytes before anything changes: None (nothing to do) or (target, service).

    ``service`` is [systemctl, unit] when a loaded capture kernel has to be unloaded and reloaded through it.
    ``strict`` (shrink_to) raises ReserveError where shrinking is impossible; otherwise (shrink_live) the module
    warns and returns None, so that the boot entries and the reboot policy take over.
    """
    def refuse(message):
        if strict:
            raise ReserveError(message)
        module.warn('shrink_live: %s; the new size takes effect at the next boot instead' % message)
        return None

    if reserved is None:
        option = 'shrink_to' if strict else 'shrink_live'
        module.warn('%s ignored: this kernel has no kexec (%s missing)' % (option, KEXEC_CRASH_SIZE))
        return None
    if target > reserved:
        return refuse('shrink_to %s (%d bytes) is larger than the current reservation %s (%d bytes); the live '
                      'reservation can only shrink, a larger one needs size and a reboot' % (
                          format_bytes(target), target, format_bytes(reserved), reserved))
    if reserved <= -(-target // KEXEC_ALIGN) * KEXEC_ALIGN:
        return None
    service = None
    if read_int(host(KEXEC_CRASH_LOADED)) == 1:
        # The kernel refuses to shrink while a capture kernel is loaded (spec 4.2): bounce it through its service.
        service = table.service if table else None
        systemctl = module.get_bin_path('systemctl')
        active = False
        if service and systemctl:
            rc, out, err = runner.read([systemctl, 'is-active', service])
            active = rc == 0 and out.strip() == 'active'
        if not active:
            return refuse('a capture kernel is loaded but not by an active %s service, so it is not ours to unload; '
                          'unload it first (kexec -p -u) or start the service' % (service or 'kdump'))
        service = [systemctl, service]
    return target, service


def write_sysfs(path, text):
    """Write a sysfs attribute; the kernel answers a refused value with an OSError (EINVAL, EBUSY)."""
    with open(path, 'w') as handle:
        handle.write(text)


def live_target(module, values, running_tokens, reserved):
    """The bytes the next boot reserves for ``values`` when shrink_live can apply them now, else None (with a reason
    warned where shrinking is impossible rather than pointless)."""
    if reserved is None or not values:
        return None
    if len(values) > 1 or any(running_tokens.get(kind) for kind in ('high', 'low')):
        module.warn('shrink_live: a reservation with ,high or ,low parts is not shrunk live; it takes effect at the '
                    'next boot')
        return None
    spec = parse(values[0], strict=False)
    if spec.kind not in ('simple', 'ranges') or spec.offset is not None:
        module.warn('shrink_live: crashkernel=%s is not shrunk live (fixed offset); it takes effect at the next boot'
                    % values[0])
        return None
    try:
        target = spec.size_for(ram_bytes(reserved))
    except ReserveError as exc:
        module.warn('shrink_live: %s' % exc)
        return None
    if not target or target >= reserved:
        return None
    return target


def shrink(module, runner, target, service, strict=True):
    """Write kexec_crash_size, unloading/reloading the capture kernel through its service.

    Returns True when the reservation was shrunk. A write the kernel refuses raises ReserveError (``strict``) or
    warns and returns False. A capture kernel that does not load again raises ReserveError either way.
    """
    if service:
        runner.write([service[0], 'stop', service[1]])
    error = None
    if not module.check_mode:
        try:
            write_sysfs(host(KEXEC_CRASH_SIZE), '%d\n' % target)
        except (IOError, OSError) as exc:
            error = exc
    if service:
        runner.write([service[0], 'start', service[1]], check_rc=False)
        if not module.check_mode and read_int(host(KEXEC_CRASH_LOADED)) != 1:
            if error is not None:
                raise ShrinkError('writing %d to %s failed (%s) and the capture kernel did not load again through %s; '
                                  'it was loaded before' % (target, KEXEC_CRASH_SIZE, error, service[1]))
            raise ShrinkError('the capture kernel did not load again after the live reservation was shrunk to %s '
                              '(%s is not 1): it does not fit. The live reservation cannot grow back: reboot to '
                              'return to the boot reservation. The boot entries were not changed.'
                              % (format_bytes(target), KEXEC_CRASH_LOADED))
    if error is not None:
        if strict:
            raise ReserveError('writing %d to %s failed: %s' % (target, KEXEC_CRASH_SIZE, error))
        module.warn('shrink_live: the kernel refused to shrink the reservation to %s (%s); the new size takes effect '
                    'at the next boot' % (format_bytes(target), error))
        return False
    return True


def choose_backend(module, runner, table, kernels):
    requested = module.params['bootloader']
    which = module.get_bin_path
    default_grub = host(bootloader.DEFAULT_GRUB)
    if requested == 'auto':
        # An unknown distribution is treated like the RHEL family: grubby when it is there.
        name = bootloader.detect(table.prefers_grubby if table else True, which,
                                 container=container_name(HOST_ROOT) is not None,
                                 grub_dirs=[host(path) for path in bootloader.GRUB_DIRS])
    else:
        name = requested
    if name == 'none':
        return None
    if name == 'grubby':
        grubby = which('grubby')
        if not grubby:
            raise ReserveError('bootloader=grubby but grubby is not installed; use bootloader=grub or auto')
        return GrubbyBackend(module, runner, grubby, kernels=kernels, default_grub=default_grub,
                             bls_dir=host(bootloader.BLS_DIR),
                             grubby_files=[host(path) for path in bootloader.GRUBBY_FILES])
    try:
        return GrubBackend(module, runner, which, kernels=kernels, default_grub=default_grub,
                           dropin=host(bootloader.GRUB_DROPIN),
                           grub_cfg_candidates=[host(path) for path in bootloader.GRUB_CFG_CANDIDATES])
    except BootloaderError as exc:
        raise ReserveError('bootloader=grub: %s' % exc)


def live_matches(configured, reserved):
    """True when the live reservation already is what the configured value reserves at the next boot."""
    if reserved is None or any(configured.get(kind) for kind in ('high', 'low', 'cma')) or not configured.get('main'):
        return False
    try:
        spec = parse(configured['main'], strict=False)
        if spec.kind not in ('simple', 'ranges') or spec.offset is not None:
            return False
        return spec.size_for(ram_bytes(reserved)) == reserved
    except (ValueError, ReserveError):
        return False


def run(module):
    params = module.params
    runner = CommandRunner(module)
    os_release = _families.read_os_release(host(OS_RELEASE))
    if params['family'] == 'auto':
        table, version = _families.detect(os_release), major_version(os_release)
    else:
        table, version = _families.resolve(params['family'], os_release)
    facts = module_host(module, runner, os_release, version, arch=platform.machine(), kernel=platform.release(),
                        root=HOST_ROOT)
    result = {'changed': False, 'commands': runner.commands, 'bootloader': 'none', 'configured': None, 'desired': None,
              'reboot_required': False, 'auto_reset_crashkernel_needed': False, 'shrunk': False}

    mode, values, tiers = validated_values(params)
    running_tokens = from_cmdline(read_text(host(PROC_CMDLINE), '') or '')
    result['running'] = tokens_text(running_tokens)
    reserved = read_int(host(KEXEC_CRASH_SIZE))
    result['reserved_bytes'] = reserved
    loaded = read_int(host(KEXEC_CRASH_LOADED))
    result['crash_kernel_loaded'] = None if loaded is None else loaded == 1
    shrink_plan = None
    if params['shrink_to'] is not None:
        shrink_plan = plan_shrink(module, runner, table, memparse(params['shrink_to'].strip()), reserved)

    if mode == 'auto':
        resolved = resolve_auto(table, facts)
        # An explicit low replaces the ,low part of the distribution default (SUSE calibrate gives one).
        values = [value for value in resolved if not (values and value.endswith(',low'))] + values
    elif mode == 'tiers':
        result['ram_bytes'] = ram_bytes(reserved)
        chosen = choose_tier(result['ram_bytes'], tiers or default_tiers(facts.arch))
        if chosen is None:
            raise ReserveError('size=tiers: RAM %s is below every tier %s' % (format_bytes(result['ram_bytes']), tiers))
        values = [chosen] + values
    for value in values:
        try:
            parse(value, strict=False)
        except ValueError as exc:
            raise ReserveError('the resolved value is not usable: %s' % exc)
    result['desired'] = ' '.join(values) or None
    strict = shrink_plan is not None
    if shrink_plan is None and params['shrink_live'] and mode != 'absent':
        target = live_target(module, values, running_tokens, reserved)
        if target is not None:
            shrink_plan = plan_shrink(module, runner, table, target, reserved, strict=False)

    # Everything that can refuse runs before the first change.
    backend = None if mode == 'shrink_only' else choose_backend(module, runner, table, params['kernels'])
    diff = []
    messages = []

    # The live shrink comes first: when the capture kernel does not load again, the boot entries stay as they were.
    if shrink_plan is not None:
        target, service = shrink_plan
        try:
            shrunk = shrink(module, runner, target, service, strict=strict)
        except ShrinkError as exc:
            result.update(changed=True, shrunk=True, crash_kernel_loaded=False,
                          reserved_bytes=read_int(host(KEXEC_CRASH_SIZE)))
            module.fail_json(msg=str(exc), **result)
        if shrunk:
            diff.append({'before_header': KEXEC_CRASH_SIZE, 'after_header': KEXEC_CRASH_SIZE,
                         'before': '%d\n' % reserved, 'after': '%d\n' % target})
            result.update(changed=True, shrunk=True)
            result['reserved_bytes'] = target if module.check_mode else read_int(host(KEXEC_CRASH_SIZE))
            messages.append('live reservation shrunk from %s to %s' % (format_bytes(reserved), format_bytes(target)))
            if service:
                messages.append('capture kernel reloaded through %s' % service[1])
        if not module.check_mode:
            loaded = read_int(host(KEXEC_CRASH_LOADED))
            result['crash_kernel_loaded'] = None if loaded is None else loaded == 1

    if mode == 'shrink_only':
        messages.append('boot entries not managed (shrink_to without size)')
    elif backend is None:
        messages.append('this host has no bootloader of its own (a container, or no grub/grubby): crashkernel= not managed')
    else:
        result['bootloader'] = backend.name
        try:
            applied = backend.apply(values)
        except BootloaderError as exc:
            if result['shrunk']:
                exc = '%s (the live reservation was already shrunk to %s)' % (exc, format_bytes(result['reserved_bytes']))
            module.fail_json(msg=str(exc), **result)
        result['changed'] = result['changed'] or applied['changed']
        diff.extend(applied['diff'])
        configured = applied['configured']
        result['configured'] = tokens_text(configured)
        result['reboot_required'] = (not same_tokens(configured, running_tokens)
                                     and not live_matches(configured, result['reserved_bytes']))
        state_text = ' '.join('crashkernel=%s' % v for v in values) if values else 'no crashkernel'
        messages.append('%s %s with %s' % (state_text, 'configured' if applied['changed'] else 'already configured', backend.name))
        if result['reboot_required']:
            messages.append('reboot required (running: %s)' % (result['running'] or 'none'))
        result['auto_reset_crashkernel_needed'] = bool(table and table.auto_reset_crashkernel(facts)) and mode != 'auto'

    if module._diff:
        result['diff'] = diff
    result['msg'] = '; '.join(messages)
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            size=dict(type='str'),
            low=dict(type='str'),
            kernels=dict(type='str', default='ALL'),
            bootloader=dict(type='str', choices=['auto', 'grubby', 'grub'], default='auto'),
            family=dict(type='str', choices=['auto'] + list(_families.FAMILIES), default='auto'),
            shrink_to=dict(type='str'),
            shrink_live=dict(type='bool', default=False),
            tiers=dict(type='list', elements='dict', options=dict(
                min_ram=dict(type='str', required=True),
                size=dict(type='str', required=True),
            )),
        ),
        required_if=[('state', 'present', ['size', 'shrink_to'], True)],
        supports_check_mode=True,
    )
    try:
        result = run(module)
    except ReserveError as exc:
        module.fail_json(msg=str(exc), changed=False)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
