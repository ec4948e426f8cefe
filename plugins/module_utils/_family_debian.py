# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The Debian family table: kdump-tools (kdump-spec section 2).

/etc/default/kdump-tools is a shell file sourced by the init script and read by systemd as an
EnvironmentFile; the service is ``kdump-tools``, ``kdump-config`` loads the capture kernel, initramfs-tools
builds the capture initrd, and the package's grub.d conffile holds the default ``crashkernel=``.
"""

from __future__ import annotations

import posixpath
import re

from ansible_collections.fleet.kdump.plugins.module_utils import makedumpfile, package_db
from ansible_collections.fleet.kdump.plugins.module_utils._family import (
    DEFAULT_DUMP_PATH, DEFAULT_SSH_KEY, SHELL_ENV, DumpLayout, FamilyTable, Option, SettingsError, check_target,
    ignored, key, refused, split_collector, wanted_enabled)
from ansible_collections.fleet.kdump.plugins.module_utils.common import parse_int

CONFIG_FILE = '/etc/default/kdump-tools'
# kdump-config's built-in default; it appends -F only when MAKEDUMP_ARGS does not *start* with -F
# (``${MAKEDUMP_ARGS#-F*}``), so the writer always puts -F first.
DEFAULT_MAKEDUMP_ARGS = '-F -c -d 31'
DUMP_UNIT = 'systemd.unit=kdump-tools-dump.service'
# kdump-config's default KDUMP_CMDLINE_APPEND (bookworm 1:1.8.1 and trixie 1:1.10.7 alike); it carries no panic=.
DEFAULT_CMDLINE_APPEND = 'reset_devices %s nr_cpus=1 irqpoll usbcore.nousb' % DUMP_UNIT
# The package template's values that an exclusive file keeps (kdump-config maintains the symlinks).
EXCLUSIVE_BASE = (('USE_KDUMP', '1'), ('KDUMP_KERNEL', '/var/lib/kdump/vmlinuz'),
                  ('KDUMP_INITRD', '/var/lib/kdump/initrd.img'))
# KDUMP_FAIL_CMD is run unquoted by /etc/init.d/kdump-tools (``$KDUMP_FAIL_CMD ;``) in the dump kernel.
FAIL_CMDS = {'reboot': 'reboot -f', 'halt': 'halt -f', 'poweroff': 'poweroff -f'}
VARIABLES = frozenset((
    'USE_KDUMP', 'KDUMP_KERNEL', 'KDUMP_INITRD', 'KDUMP_COREDIR', 'KDUMP_FAIL_CMD', 'KDUMP_DUMP_DMESG',
    'KDUMP_NUM_DUMPS', 'KDUMP_COMPRESSION', 'MAKEDUMP_ARGS', 'KDUMP_KEXEC_ARGS', 'KDUMP_CMDLINE',
    'KDUMP_CMDLINE_APPEND', 'HOSTTAG', 'NFS', 'NFS_TIMEO', 'NFS_RETRANS', 'NFS_MOUNT_RETRY', 'SSH', 'SSH_KEY',
    'SSH_KDUMP_RETRY', 'FTP', 'FTP_USER', 'FTP_PASSWORD', 'FTP_PORT', 'KDUMP_CONFIG'))
DEPRECATED = {
    'KDUMP_SYSCTL': 'the file /etc/kdump/sysctl.conf (KDUMP_SYSCTL was removed from kdump-tools in 2020)',
    'DEBUG_KERNEL': 'nothing (obsolete since Ubuntu 12.04-era kdump-tools)',
}


# ---------------------------------------------------------------------------------------------
# options

def _write_target(ctx):
    if ctx.options.get('target') is None:
        return []
    kind, location = check_target(ctx.options['target'])
    if kind not in ('local', 'ssh', 'nfs'):
        raise SettingsError('target.type %r is not supported by kdump-tools (Debian/Ubuntu); valid: local, ssh, nfs'
                            % kind)
    return [('SSH', location if kind == 'ssh' else None), ('NFS', location if kind == 'nfs' else None)]


def _read_target(ctx):
    if ctx.values.get('SSH'):
        return {'target': {'type': 'ssh', 'location': ctx.values['SSH']}}
    if ctx.values.get('NFS'):
        return {'target': {'type': 'nfs', 'location': ctx.values['NFS']}}
    return {'target': {'type': 'local', 'location': None}}


def _write_collector(ctx):
    options = ctx.options
    collector = options.get('core_collector')
    if collector is not None:
        head, args = split_collector(collector)
        if posixpath.basename(head) != 'makedumpfile':
            raise SettingsError('core_collector %r is not possible on Debian/Ubuntu: kdump-tools always runs '
                                'makedumpfile; give "makedumpfile <args>" (the args go to MAKEDUMP_ARGS)' % collector)
        return [('MAKEDUMP_ARGS', makedumpfile.set_args(args, flatten=True))]
    if options.get('compression') is not None or options.get('dump_level') is not None:
        base = ctx.values.get('MAKEDUMP_ARGS') or DEFAULT_MAKEDUMP_ARGS
        return [('MAKEDUMP_ARGS', makedumpfile.set_args(base, options.get('compression'), options.get('dump_level'),
                                                        True))]
    return []


def _read_collector(ctx):
    written = ctx.values.get('MAKEDUMP_ARGS')
    args = written or DEFAULT_MAKEDUMP_ARGS
    return {'core_collector': 'makedumpfile %s' % written if written else None,
            'compression': makedumpfile.compression_from_args(args),
            'dump_level': makedumpfile.dump_level_from_args(args)}


def _write_failure_action(ctx):
    action = ctx.options.get('failure_action')
    if action is None:
        return []
    if action not in FAIL_CMDS:
        raise SettingsError(
            'failure_action %r has no kdump-tools equivalent: KDUMP_FAIL_CMD is run unquoted from '
            'kdump-tools-dump.service without a console (no usable shell), and local dumps already go to the '
            'root filesystem (no dump_to_rootfs fallback); valid on Debian/Ubuntu: %s, or set '
            'settings.KDUMP_FAIL_CMD to a command' % (action, ', '.join(sorted(FAIL_CMDS))))
    return [('KDUMP_FAIL_CMD', FAIL_CMDS[action])]


def _read_failure_action(ctx):
    fail_cmd = (ctx.values.get('KDUMP_FAIL_CMD') or '').strip()
    reverse = dict((cmd, action) for action, cmd in FAIL_CMDS.items())
    return {'failure_action': reverse.get(fail_cmd, fail_cmd) if fail_cmd else 'reboot'}


def _write_final_action(ctx):
    if ctx.options.get('final_action') not in (None, 'reboot'):
        raise SettingsError('final_action %r is not possible on Debian/Ubuntu: kdump-tools always runs "reboot -f" '
                            'after saving a dump; valid: reboot' % ctx.options['final_action'])
    return []


def _use_kdump_on(text):
    # /etc/init.d/kdump-tools does nothing unless USE_KDUMP is set and not 0 (spec 2.1).
    return (text or '').strip() not in ('', '0')


def _write_use_kdump(ctx):
    current = ctx.values.get('USE_KDUMP')
    if wanted_enabled(ctx):
        return [] if _use_kdump_on(current) else [('USE_KDUMP', '1')]
    # An absent USE_KDUMP is off too, but write the 0: an exclusive file starts from the template's 1.
    return [] if current is not None and not _use_kdump_on(current) else [('USE_KDUMP', '0')]


def _not_supported(why):
    return '{name} {value!r} is not supported on Debian/Ubuntu: kdump-tools ' + why


OPTIONS = (
    key('path', 'KDUMP_COREDIR', default=DEFAULT_DUMP_PATH, examples=['/srv/crash']),
    Option('target', ('SSH', 'NFS'), _write_target, _read_target, {'target': [
        {'type': 'ssh', 'location': 'kdump@dumps.example.com'}, {'type': 'nfs', 'location': 'nfs.example.com:/export'},
        {'type': 'local', 'location': None}]}),
    key('ssh_key', 'SSH_KEY', default=DEFAULT_SSH_KEY, examples=['/root/.ssh/kdump_id_ed25519']),
    Option(('dump_level', 'compression', 'core_collector'), ('MAKEDUMP_ARGS',), _write_collector, _read_collector,
           {'dump_level': [17], 'compression': ['lzo', 'none'],
            'core_collector': ['makedumpfile -F -l --message-level 7 -d 1']}),
    Option('failure_action', ('KDUMP_FAIL_CMD',), _write_failure_action, _read_failure_action,
           {'failure_action': ['halt', 'poweroff']}),
    Option('final_action', (), _write_final_action, lambda ctx: {'final_action': 'reboot'},
           {'final_action': ['reboot']}),
    refused('pre_hook', _not_supported('has no pre-dump hook')),
    refused('post_hook', _not_supported('has no post-dump hook')),
    refused('extra_bins', _not_supported('builds its initrd with initramfs-tools (use an initramfs-tools hook)')),
    refused('extra_modules', _not_supported('builds its initrd with initramfs-tools (list modules in '
                                            '/etc/initramfs-tools/modules)')),
    refused('dracut_args', _not_supported('does not use dracut')),
    key('keep_dumps', 'KDUMP_NUM_DUMPS', default=0, parse=parse_int, examples=[3, 0]),
    ignored('auto_reset_crashkernel', 'auto_reset_crashkernel ignored: it is a RHEL 9+ kdump.conf setting'),
    Option('enabled', ('USE_KDUMP',), _write_use_kdump,
           lambda ctx: {'enabled': _use_kdump_on(ctx.values.get('USE_KDUMP'))}, {'enabled': [False, True]}),
)


def _adjust_settings(settings, warnings):
    append = settings.get('KDUMP_CMDLINE_APPEND')
    if append is not None and DUMP_UNIT not in append.split():
        # Without it the capture kernel boots a normal system instead of saving the dump.
        settings['KDUMP_CMDLINE_APPEND'] = ('%s %s' % (append, DUMP_UNIT)).strip()
        warnings.append('added %s to KDUMP_CMDLINE_APPEND: the capture kernel needs it to save the dump' % DUMP_UNIT)


def _findings(values):
    append = values.get('KDUMP_CMDLINE_APPEND')
    if append is not None and DUMP_UNIT not in append.split():
        return ['KDUMP_CMDLINE_APPEND lacks %s: the capture kernel would boot normally instead of saving the dump'
                % DUMP_UNIT]
    return []


# ---------------------------------------------------------------------------------------------
# service and state

def parse_kdump_config_status(stdout):
    """`kdump-config status` (Debian): always exit 0, so parse 'current state   : ready to kdump' (spec 2.3)."""
    lines = [line.strip() for line in (stdout or '').splitlines() if line.strip()]
    ready = None
    for line in lines:
        match = re.match(r'^current state\s*:\s*(.*)$', line)
        if match:
            state = match.group(1).strip().lower()
            ready = state.startswith('ready to')
    return {'ready': ready, 'messages': lines, 'last_test': None}


def _classify_dump(files):
    """(complete, core file, dmesg file) for a kdump-tools dump directory (spec 2.4)."""
    core = None
    for name in sorted(files):
        if re.match(r'^dump\.\d{12}(\.(gz|bz2|lz4|xz))?$', name) or re.match(r'^vmcore\.\d{12}$', name):
            core = name
    dmesg = None
    for name in sorted(files):
        if re.match(r'^dmesg\.\d{12}$', name):
            dmesg = name
    incomplete = [name for name in files if name.startswith('dump-incomplete') or name == 'vmcore-incomplete']
    if core:
        return not incomplete, core, dmesg
    if incomplete:
        return False, sorted(incomplete)[0], dmesg
    return None, None, dmesg


# YYYYMMDDHHMM locally, <ip|hostname>-YYYYMMDDHHMM on NFS/SSH.
DUMP_LAYOUT = DumpLayout(r'^(?:.+-)?\d{12}$', _classify_dump,
                         '<path>/<YYYYMMDDHHMM>/dump.<stamp> with dmesg.<stamp>, incomplete while dump-incomplete '
                         'exists')


def initrd_candidates(kver):
    """/etc/kernel/postinst.d/kdump-tools builds a small initrd per kernel (spec 2.1)."""
    return ['/var/lib/kdump/initrd.img-%s' % kver]


def initrd_freshness(initrd_mtime, config_mtime=None, sysctl_text=None, latest_sysctls_text=None):
    """(fresh, detail): kdump-tools rebuilds only when /etc/kdump/sysctl.conf differs from its record.

    Config changes do not need a rebuild there, so the sysctl comparison is the freshness signal (spec 2.1).
    """
    if sysctl_text is None:
        return True, 'no /etc/kdump/sysctl.conf to compare'
    if latest_sysctls_text is None:
        return False, 'latest_sysctls record missing: kdump-tools rebuilds the initrd on next load'
    if sysctl_text.strip() != latest_sysctls_text.strip():
        return False, '/etc/kdump/sysctl.conf changed since the initrd was built'
    return True, 'built with the current /etc/kdump/sysctl.conf'


# ---------------------------------------------------------------------------------------------
# crashkernel=

# The capture kernel boots the real root file system and runs kdump-tools-dump.service under systemd, so it needs far
# more than a dracut dump initrd (16M). Measured in the lab (Debian 12, 1 GiB, kernel 6.1): kernel image 42.1M, initrd
# modules 1.8M, initrd 6.7M, unpacked 18.3M add up to 69M; 112M ran out of memory unpacking the initramfs and 128M
# captured, so what runs besides them needs 43-59M (the model then says 117M, 128M on a 16M grid).
CAPTURE_RUNTIME_BYTES = 48 << 20

SUGGESTED_SIZE = re.compile(r'^crashkernel suggested size:\s*(.*?)\s*$', re.MULTILINE)


def parse_kdump_config_show(rc, stdout, stderr):
    """(bytes or None, detail) from `kdump-config show`: kdump-tools >= 1:1.10 prints 'crashkernel suggested size: NM',
    or 'Unknown (<reason>)' until the service has recorded the early-boot memory (spec 2.3, 4.3)."""
    match = SUGGESTED_SIZE.search(stdout or '')
    if rc != 0:
        return None, 'kdump-config show failed (rc %d): %s' % (rc, (stderr or '').strip()[-300:])
    if not match:
        return None, 'kdump-config show has no suggested size (kdump-tools before 1:1.10)'
    size = re.match(r'^(\d+)M$', match.group(1))
    if not size or int(size.group(1)) == 0:
        return None, 'kdump-config show: crashkernel suggested size %s' % match.group(1)
    return int(size.group(1)) << 20, 'kdump-config show: crashkernel suggested size %s' % match.group(1)


# The package's conffile (spec 2.5): one GRUB_CMDLINE_LINUX_DEFAULT line carrying its crashkernel= value.
GRUB_DEFAULTS = '/etc/default/grub.d/kdump-tools.cfg'
# kdump-tools' values per release and architecture (spec 2.5), used when that conffile is gone or neutralised.
BIG_RANGE = '2G-4G:320M,4G-32G:512M,32G-64G:1024M,64G-128G:2048M,128G-:4096M'
ARCH_ALIASES = {'x86_64': 'amd64', 'aarch64': 'arm64', 'ppc64le': 'ppc64el'}


def package_default(host):
    """The crashkernel value kdump-tools ships for this Debian release and architecture (spec 2.5)."""
    arch = ARCH_ALIASES.get(host.arch, host.arch)
    if arch in ('arm64', 'ppc64el'):
        return BIG_RANGE
    return '384M-:128M' if host.version is not None and host.version <= 12 else '512M-:192M'


def default_crashkernel_from(shipped):
    """The rule: the grub.d conffile's value, else ``shipped(host)``, the package's value for the release."""
    def default_crashkernel(host):
        match = re.search(r'crashkernel=([^\s"\']+)', host.read(GRUB_DEFAULTS) or '')
        return [match.group(1)] if match else [shipped(host)]
    return default_crashkernel


# kdump-tools, the kexec binary and makedumpfile (Recommends only since 1:1.6.9), spec 2.1.
PACKAGES = ('kdump-tools', 'kexec-tools', 'makedumpfile')
# An nfs target: the capture kernel boots the root file system and kdump-config runs `mount -t nfs` (spec 2),
# which needs mount.nfs (nfs-common); without it the capture fails with "Unable to mount remote NFS directory".
TARGET_PACKAGES = {'nfs': ('nfs-common',)}


def package_answers(host, packages):
    """The debconf answers of ``packages``: kdump-tools' postinst rewrites USE_KDUMP from its own (spec 2.1)."""
    return package_db.parse_debconf(host.read(package_db.DEBCONF_CONFIG), packages)


TABLE = FamilyTable(
    name='debian',
    family='debian',
    os_ids=('debian', 'raspbian'),
    config_file=CONFIG_FILE,
    file_format=SHELL_ENV,
    backend='kdump_tools',
    options=OPTIONS,
    settings_keys=VARIABLES,
    deprecated_settings=lambda version: DEPRECATED,
    reserved_settings={'USE_KDUMP': "settings key 'USE_KDUMP' is written by the enabled option (true: USE_KDUMP=1, "
                                    "false: USE_KDUMP=0); use enabled instead"},
    exclusive_base=EXCLUSIVE_BASE,
    adjust_settings=_adjust_settings,
    findings=_findings,
    service='kdump-tools',
    status_command=('kdump-config', 'status'),
    parse_status=lambda rc, stdout, stderr: parse_kdump_config_status(stdout),
    disabled_detail='USE_KDUMP is not 1 in %s' % CONFIG_FILE,
    dump_layout=DUMP_LAYOUT,
    initrd_candidates=initrd_candidates,
    initrd_freshness=initrd_freshness,
    default_crashkernel=default_crashkernel_from(package_default),
    os_family='Debian',
    distributions={'debian': 'Debian', 'raspbian': 'Debian'},
    pkg_mgr=lambda host: 'apt',
    packages=lambda host: PACKAGES,
    package_query=package_db.DPKG,
    package_answers=package_answers,
    target_packages=TARGET_PACKAGES,
    estimate_command=('kdump-config', 'show'),
    parse_estimate=parse_kdump_config_show,
    initrd_list_command=lambda path: ['lsinitramfs', '-l', path],
    capture_cmdline_append=('KDUMP_CMDLINE_APPEND', DEFAULT_CMDLINE_APPEND),
    capture_runtime_bytes=CAPTURE_RUNTIME_BYTES,
    # The capture kernel boots the root file system (systemd.unit=kdump-tools-dump.service): kdump-config savecore
    # reads /etc/default/kdump-tools, the ssh key and root's known_hosts from it, so nothing is rebuilt.
    capture_rebuild=(None, 'kdump-tools reads the target, the ssh key and root\'s known_hosts from the root file '
                           'system when it saves a dump: restarting kdump-tools reloads the capture kernel, no '
                           'initrd carries them'),
)
