# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The SUSE family table: SLES, openSUSE, SLE Micro with the ``kdump`` package (kdump-spec section 3).

/etc/sysconfig/kdump is a bash-sourced sysconfig file; kdump runs makedumpfile itself (no collector
command), the dump target is one ``KDUMP_SAVEDIR`` URL and ``kdumptool calibrate`` measures the reservation.
"""

from __future__ import annotations

import re

from ansible_collections.fleet.kdump.plugins.module_utils import package_db
from ansible_collections.fleet.kdump.plugins.module_utils._family import (
    DEFAULT_DUMP_PATH, SHELL_ENV, DumpLayout, FamilyTable, Option, SettingsError, bool_text, check_target,
    fresh_if_newer_than_config, ignored, join_words, key, no_switch, refused)
from ansible_collections.fleet.kdump.plugins.module_utils.common import parse_int

VARIABLES = frozenset((
    'KDUMP_CRASHKERNEL', 'KDUMP_UPDATE_BOOTLOADER', 'KDUMP_KERNELVER', 'KDUMP_CPUS', 'KDUMP_COMMANDLINE',
    'KDUMP_COMMANDLINE_APPEND', 'KDUMP_AUTO_RESIZE', 'KDUMP_FADUMP', 'KDUMP_FADUMP_SHELL',
    'FADUMP_COMMANDLINE_APPEND', 'KEXEC_OPTIONS', 'MAKEDUMPFILE_OPTIONS', 'KDUMP_IMMEDIATE_REBOOT',
    'KDUMP_TRANSFER', 'KDUMP_PRESCRIPT', 'KDUMP_POSTSCRIPT', 'KDUMP_REQUIRED_PROGRAMS', 'KDUMP_SAVEDIR',
    'KDUMP_KEEP_OLD_DUMPS', 'KDUMP_FREE_DISK_SIZE', 'KDUMP_VERBOSE', 'KDUMP_DUMPLEVEL', 'KDUMP_DUMPFORMAT',
    'KDUMP_CONTINUE_ON_ERROR', 'KDUMP_NETCONFIG', 'KDUMP_NET_TIMEOUT', 'KDUMP_SMTP_SERVER', 'KDUMP_SMTP_USER',
    'KDUMP_SMTP_PASSWORD', 'KDUMP_NOTIFICATION_TO', 'KDUMP_NOTIFICATION_CC', 'KDUMP_HOST_KEY',
    'KDUMP_SSH_IDENTITY'))
DEPRECATED = {
    'KDUMP_COPY_KERNEL': 'nothing (removed in kdump 1.9)',
    'KDUMPTOOL_FLAGS': 'nothing (removed in kdump 1.9)',
}
# "none" would skip the dump entirely: no compression is the ELF format.
DUMPFORMATS = {'zlib': 'compressed', 'lzo': 'lzo', 'snappy': 'snappy', 'zstd': 'zstd', 'none': 'ELF'}
TRUE_WORDS = ('true', 'yes', '1')


# ---------------------------------------------------------------------------------------------
# options

def parse_savedir(savedir):
    """KDUMP_SAVEDIR -> (target dict, path)."""
    savedir = (savedir or DEFAULT_DUMP_PATH).strip()
    if savedir.startswith('file://'):
        return {'type': 'local', 'location': None}, savedir[len('file://'):] or '/'
    if '://' not in savedir:
        return {'type': 'local', 'location': None}, savedir
    scheme, rest = savedir.split('://', 1)
    netloc, slash, path = rest.partition('/')
    path = slash + path
    user, at, host = netloc.rpartition('@')
    user = user.split(':', 1)[0]
    who = '%s@%s' % (user, host) if at else host
    if scheme in ('ssh', 'sftp', 'scp'):
        return {'type': 'ssh', 'location': who}, path
    if scheme == 'nfs':
        # The URL does not say where the export ends: report the whole remote directory.
        return {'type': 'nfs', 'location': '%s:%s' % (host, path)}, None
    return {'type': 'cifs' if scheme == 'smb' else scheme, 'location': who}, path


def _savedir_url(kind, location, path):
    path = path or DEFAULT_DUMP_PATH
    if kind == 'local':
        return path
    if kind == 'ssh':
        return 'ssh://%s%s' % (location, path)
    host, export = location.split(':', 1)
    return 'nfs://%s%s%s' % (host, export.rstrip('/'), path)


def _write_savedir(ctx):
    options = ctx.options
    if options.get('target') is None and options.get('path') is None:
        return []
    if options.get('target') is not None:
        kind, location = check_target(options['target'])
        if kind not in ('local', 'ssh', 'nfs'):
            raise SettingsError('target.type %r is not supported by this module on SUSE; valid: local, ssh, nfs '
                                '(other KDUMP_SAVEDIR URLs via settings.KDUMP_SAVEDIR)' % kind)
    else:
        target = parse_savedir(ctx.values.get('KDUMP_SAVEDIR'))[0]
        kind, location = target['type'], target['location']
        if kind == 'nfs':
            raise SettingsError('path alone cannot be changed for the current nfs KDUMP_SAVEDIR on SUSE (the URL '
                                'does not separate export and path): give target together with path')
        if kind not in ('local', 'ssh'):
            raise SettingsError('path cannot be combined with the current %s KDUMP_SAVEDIR; give target too' % kind)
    return [('KDUMP_SAVEDIR', _savedir_url(kind, location, options.get('path')))]


def _read_savedir(ctx):
    target, path = parse_savedir(ctx.values.get('KDUMP_SAVEDIR'))
    return {'target': target, 'path': path}


def _write_failure_action(ctx):
    action = ctx.options.get('failure_action')
    if action is None:
        return []
    if action not in ('reboot', 'shell'):
        raise SettingsError('failure_action %r has no SUSE equivalent: KDUMP_CONTINUE_ON_ERROR only chooses between '
                            'continuing (reboot) and a debug shell; valid: reboot, shell' % action)
    return [('KDUMP_CONTINUE_ON_ERROR', 'true' if action == 'reboot' else 'false')]


def _write_final_action(ctx):
    action = ctx.options.get('final_action')
    if action is None:
        return []
    if action != 'reboot':
        raise SettingsError('final_action %r is not possible on SUSE: KDUMP_IMMEDIATE_REBOOT only switches the '
                            'reboot after the dump on; valid: reboot' % action)
    return [('KDUMP_IMMEDIATE_REBOOT', 'true')]


def _is_true(text, default):
    return (text or default).strip().lower() in TRUE_WORDS


def _read_compression(ctx):
    reverse = dict((fmt, name) for name, fmt in DUMPFORMATS.items())
    reverse['raw'] = 'none'
    return {'compression': reverse.get((ctx.values.get('KDUMP_DUMPFORMAT') or 'compressed').strip())}


OPTIONS = (
    Option(('path', 'target'), ('KDUMP_SAVEDIR',), _write_savedir, _read_savedir,
           {'path': ['/srv/crash'], 'target': [{'type': 'ssh', 'location': 'kdump@dumps.example.com'},
                                               {'type': 'local', 'location': None}]}),
    key('ssh_key', 'KDUMP_SSH_IDENTITY', examples=['/root/.ssh/kdump_id_ed25519']),
    refused('core_collector', '{name} {value!r} is not possible on SUSE: kdump runs makedumpfile itself; use '
            'dump_level/compression, or settings.MAKEDUMPFILE_OPTIONS for extra arguments', given=lambda value: True),
    key('dump_level', 'KDUMP_DUMPLEVEL', default=31, parse=parse_int, examples=[17, 0]),
    Option('compression', ('KDUMP_DUMPFORMAT',),
           lambda ctx: [] if ctx.options.get('compression') is None else [
               ('KDUMP_DUMPFORMAT', DUMPFORMATS[ctx.options['compression']])],
           _read_compression, {'compression': ['zstd', 'none']}),
    Option('failure_action', ('KDUMP_CONTINUE_ON_ERROR',), _write_failure_action,
           lambda ctx: {'failure_action': 'reboot' if _is_true(ctx.values.get('KDUMP_CONTINUE_ON_ERROR'), 'true')
                        else 'shell'}, {'failure_action': ['shell', 'reboot']}),
    Option('final_action', ('KDUMP_IMMEDIATE_REBOOT',), _write_final_action,
           lambda ctx: {'final_action': 'reboot' if _is_true(ctx.values.get('KDUMP_IMMEDIATE_REBOOT'), 'true')
                        else None}, {'final_action': ['reboot']}),
    key('pre_hook', 'KDUMP_PRESCRIPT', examples=['/usr/local/bin/kdump-pre']),
    key('post_hook', 'KDUMP_POSTSCRIPT', examples=['/usr/local/bin/kdump-post']),
    key('extra_bins', 'KDUMP_REQUIRED_PROGRAMS', render=join_words, parse=str.split,
        examples=[['/usr/bin/a', '/usr/bin/b']]),
    refused('extra_modules', '{name} {value!r} is not supported on SUSE: /etc/sysconfig/kdump has no such setting'),
    refused('dracut_args', '{name} {value!r} is not supported on SUSE: /etc/sysconfig/kdump has no such setting'),
    key('keep_dumps', 'KDUMP_KEEP_OLD_DUMPS', default=0, parse=parse_int, examples=[5]),
    ignored('auto_reset_crashkernel', 'auto_reset_crashkernel ignored: it is a RHEL 9+ kdump.conf setting'),
    no_switch('/etc/sysconfig/kdump', 'kdump'),
)


# ---------------------------------------------------------------------------------------------
# service and state

def _classify_dump(files):
    # SUSE has no "-incomplete" name: a dump counts as complete only with both vmcore and
    # README.txt (the spec's post-test evidence, section 8), otherwise it is reported incomplete.
    dmesg = 'dmesg' if 'dmesg' in files else ('dmesg.txt' if 'dmesg.txt' in files else None)
    if 'vmcore' in files:
        return 'README.txt' in files, 'vmcore', dmesg
    return None, None, dmesg


# kdump 2.x YYYY-MM-DD-HH-MM, 1.x YYYY-MM-DD-HH:MM (spec 3.2).
DUMP_LAYOUT = DumpLayout(r'^\d{4}-\d{2}-\d{2}-\d{2}[-:]\d{2}$', _classify_dump,
                         '<path>/<YYYY-MM-DD-HH-MM>/vmcore with README.txt; without README.txt the dump is '
                         'reported incomplete')


def initrd_candidates(kver):
    return ['/var/lib/kdump/initrd', '/boot/initrd-%s-kdump' % kver]


# ---------------------------------------------------------------------------------------------
# crashkernel=

def parse_calibrate(text):
    """``kdumptool calibrate`` output (``Low: <MiB>``, ``High: <MiB>``, ``Total: <MiB>``) -> crashkernel values."""
    numbers = {}
    for line in (text or '').splitlines():
        match = re.match(r'^\s*(Total|Low|High):\s*(\d+)\s*$', line)
        if match:
            numbers[match.group(1)] = int(match.group(2))
    if numbers.get('High'):
        return ['%dM,high' % numbers['High'], '%dM,low' % numbers.get('Low', 0)]
    if numbers.get('Low'):
        return ['%dM' % numbers['Low']]
    if numbers.get('Total'):
        return ['%dM' % numbers['Total']]
    raise ValueError('kdumptool calibrate gave no Low/High/Total line: %r' % (text or '')[:200])


def default_crashkernel(host):
    """What ``kdumptool calibrate`` measures for this host (spec 3.1)."""
    kdumptool = host.which('kdumptool')
    if not kdumptool:
        raise ValueError('size=auto on SUSE needs kdumptool (package kdump); install it or give an explicit size')
    rc, out, err = host.run([kdumptool, 'calibrate'])
    if rc != 0:
        raise ValueError('kdumptool calibrate failed (rc=%s): %s' % (rc, (err or out).strip()))
    return parse_calibrate(out)


# The kdump scripts and kdumptool, the kexec binary, makedumpfile (spec 3.1).
PACKAGES = ('kdump', 'kexec-tools', 'makedumpfile')
# An nfs KDUMP_SAVEDIR: mkdumprd puts mount.nfs (package nfs-client) into the kdump initrd.
TARGET_PACKAGES = {'nfs': ('nfs-client',)}


TABLE = FamilyTable(
    name='suse',
    family='suse',
    os_ids=('suse', 'sles', 'sled', 'opensuse', 'opensuse-leap', 'opensuse-tumbleweed', 'sle-micro'),
    os_id_prefixes=('opensuse', 'sle'),
    config_file='/etc/sysconfig/kdump',
    file_format=SHELL_ENV,
    backend='sysconfig',
    options=OPTIONS,
    settings_keys=VARIABLES,
    deprecated_settings=lambda version: DEPRECATED,
    bool_text=bool_text('true', 'false'),
    service='kdump',
    status_command=None,
    parse_status=None,
    dump_layout=DUMP_LAYOUT,
    initrd_candidates=initrd_candidates,
    initrd_freshness=fresh_if_newer_than_config,
    default_crashkernel=default_crashkernel,
    os_family='Suse',
    distributions={'sles': 'SLES', 'sled': 'SLED', 'sles_sap': 'SLES_SAP', 'opensuse': 'openSUSE',
                   'opensuse-leap': 'openSUSE Leap', 'opensuse-tumbleweed': 'openSUSE Tumbleweed',
                   'opensuse-microos': 'openSUSE MicroOS', 'sle-micro': 'SL-Micro'},
    pkg_mgr=lambda host: 'zypper',
    packages=lambda host: PACKAGES,
    package_query=package_db.RPM,
    target_packages=TARGET_PACKAGES,
    # No estimator of its own (kdumptool calibrate is the distribution default, size=auto): the model estimates.
    initrd_list_command=lambda path: ['lsinitrd', path],
    # The kdump initrd carries root's known_hosts and the identities (kdump(5), KDUMP_HOST_KEY).
    capture_rebuild=(('mkdumprd', '-f'), 'mkdumprd -f: the kdump initrd carries the ssh identity and root\'s '
                                         'known_hosts'),
    # No capture_cmdline_append: SUSE kdump adds panic=1 to the capture kernel's command line unless it has a panic=
    # already (init/load.sh).
)
