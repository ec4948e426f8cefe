# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cross-distro kdump vocabulary and its mapping onto each family's configuration file.

One set of option names (path, target, dump_level, compression, failure_action, ...) is
translated to ``/etc/kdump.conf`` directives (RHEL family), ``/etc/default/kdump-tools``
variables (Debian/Ubuntu) or ``/etc/sysconfig/kdump`` variables (SUSE), refusing what the
distro's own tooling would reject when the machine has already crashed.

``effective_config(family, text)`` is the reverse direction and is shared with kdump_verify.
Everything here is pure: no host access.
"""

from __future__ import annotations

import posixpath
import re
import shlex

from ansible_collections.fleet.kdump.plugins.module_utils import kdump_conf
from ansible_collections.fleet.kdump.plugins.module_utils import makedumpfile
from ansible_collections.fleet.kdump.plugins.module_utils import shellenv

CONFIG_FILES = {'rhel': '/etc/kdump.conf', 'debian': '/etc/default/kdump-tools', 'suse': '/etc/sysconfig/kdump'}
BACKENDS = {'rhel': 'kdump_conf', 'debian': 'kdump_tools', 'suse': 'sysconfig'}
FAMILIES = ('rhel', 'debian', 'suse')

DEFAULT_PATH = '/var/crash'
DEFAULT_SSH_KEY = '/root/.ssh/kdump_id_rsa'
TARGET_TYPES = ('local', 'raw', 'nfs', 'ssh', 'ext4', 'xfs', 'ext3', 'ext2', 'virtiofs')
FAILURE_ACTIONS = kdump_conf.FAILURE_ACTIONS
FINAL_ACTIONS = kdump_conf.FINAL_ACTIONS
COMPRESSION_CHOICES = ('auto',) + makedumpfile.COMPRESSIONS

# kdump-utils default collector (kdump.conf template, x86_64); -F is added for ssh/raw targets.
RHEL_DEFAULT_COLLECTOR = 'makedumpfile -l --message-level 7 -d 31'
FLATTEN_TARGETS = ('ssh', 'raw')

# kdump-config's built-in default; it appends -F only when MAKEDUMP_ARGS does not *start* with -F
# (``${MAKEDUMP_ARGS#-F*}``), so the writer always puts -F first.
DEBIAN_DEFAULT_MAKEDUMP_ARGS = '-F -c -d 31'
DEBIAN_DUMP_UNIT = 'systemd.unit=kdump-tools-dump.service'
# The package template's values that an exclusive file keeps (kdump-config maintains the symlinks).
DEBIAN_BASE = (('USE_KDUMP', '1'), ('KDUMP_KERNEL', '/var/lib/kdump/vmlinuz'),
               ('KDUMP_INITRD', '/var/lib/kdump/initrd.img'))
# KDUMP_FAIL_CMD is run unquoted by /etc/init.d/kdump-tools (``$KDUMP_FAIL_CMD ;``) in the dump kernel.
DEBIAN_FAIL_CMDS = {'reboot': 'reboot -f', 'halt': 'halt -f', 'poweroff': 'poweroff -f'}
DEBIAN_VARIABLES = frozenset((
    'USE_KDUMP', 'KDUMP_KERNEL', 'KDUMP_INITRD', 'KDUMP_COREDIR', 'KDUMP_FAIL_CMD', 'KDUMP_DUMP_DMESG',
    'KDUMP_NUM_DUMPS', 'KDUMP_COMPRESSION', 'MAKEDUMP_ARGS', 'KDUMP_KEXEC_ARGS', 'KDUMP_CMDLINE',
    'KDUMP_CMDLINE_APPEND', 'HOSTTAG', 'NFS', 'NFS_TIMEO', 'NFS_RETRANS', 'NFS_MOUNT_RETRY', 'SSH', 'SSH_KEY',
    'SSH_KDUMP_RETRY', 'FTP', 'FTP_USER', 'FTP_PASSWORD', 'FTP_PORT', 'KDUMP_CONFIG'))
DEBIAN_DEPRECATED = {
    'KDUMP_SYSCTL': 'the file /etc/kdump/sysctl.conf (KDUMP_SYSCTL was removed from kdump-tools in 2020)',
    'DEBUG_KERNEL': 'nothing (obsolete since Ubuntu 12.04-era kdump-tools)',
}

SUSE_VARIABLES = frozenset((
    'KDUMP_CRASHKERNEL', 'KDUMP_UPDATE_BOOTLOADER', 'KDUMP_KERNELVER', 'KDUMP_CPUS', 'KDUMP_COMMANDLINE',
    'KDUMP_COMMANDLINE_APPEND', 'KDUMP_AUTO_RESIZE', 'KDUMP_FADUMP', 'KDUMP_FADUMP_SHELL',
    'FADUMP_COMMANDLINE_APPEND', 'KEXEC_OPTIONS', 'MAKEDUMPFILE_OPTIONS', 'KDUMP_IMMEDIATE_REBOOT',
    'KDUMP_TRANSFER', 'KDUMP_PRESCRIPT', 'KDUMP_POSTSCRIPT', 'KDUMP_REQUIRED_PROGRAMS', 'KDUMP_SAVEDIR',
    'KDUMP_KEEP_OLD_DUMPS', 'KDUMP_FREE_DISK_SIZE', 'KDUMP_VERBOSE', 'KDUMP_DUMPLEVEL', 'KDUMP_DUMPFORMAT',
    'KDUMP_CONTINUE_ON_ERROR', 'KDUMP_NETCONFIG', 'KDUMP_NET_TIMEOUT', 'KDUMP_SMTP_SERVER', 'KDUMP_SMTP_USER',
    'KDUMP_SMTP_PASSWORD', 'KDUMP_NOTIFICATION_TO', 'KDUMP_NOTIFICATION_CC', 'KDUMP_HOST_KEY',
    'KDUMP_SSH_IDENTITY'))
SUSE_DEPRECATED = {
    'KDUMP_COPY_KERNEL': 'nothing (removed in kdump 1.9)',
    'KDUMPTOOL_FLAGS': 'nothing (removed in kdump 1.9)',
}
SUSE_DUMPFORMATS = {'zlib': 'compressed', 'lzo': 'lzo', 'snappy': 'snappy', 'zstd': 'zstd', 'none': 'ELF'}
SUSE_TRUE = ('true', 'yes', '1')

# Which file key each option writes, per family (None: the family has no such setting).
OPTION_KEYS = {
    'rhel': {'path': ('path',), 'target': kdump_conf.TARGET_DIRECTIVES, 'ssh_key': ('sshkey',),
             'dump_level': ('core_collector',), 'compression': ('core_collector',),
             'core_collector': ('core_collector',), 'failure_action': ('failure_action', 'default'),
             'final_action': ('final_action',), 'pre_hook': ('kdump_pre',), 'post_hook': ('kdump_post',),
             'extra_bins': ('extra_bins',), 'extra_modules': ('extra_modules',), 'dracut_args': ('dracut_args',),
             'keep_dumps': (), 'auto_reset_crashkernel': ('auto_reset_crashkernel',)},
    'debian': {'path': ('KDUMP_COREDIR',), 'target': ('SSH', 'NFS'), 'ssh_key': ('SSH_KEY',),
               'dump_level': ('MAKEDUMP_ARGS',), 'compression': ('MAKEDUMP_ARGS',),
               'core_collector': ('MAKEDUMP_ARGS',), 'failure_action': ('KDUMP_FAIL_CMD',),
               'keep_dumps': ('KDUMP_NUM_DUMPS',)},
    'suse': {'path': ('KDUMP_SAVEDIR',), 'target': ('KDUMP_SAVEDIR',), 'ssh_key': ('KDUMP_SSH_IDENTITY',),
             'dump_level': ('KDUMP_DUMPLEVEL',), 'compression': ('KDUMP_DUMPFORMAT',),
             'failure_action': ('KDUMP_CONTINUE_ON_ERROR',), 'final_action': ('KDUMP_IMMEDIATE_REBOOT',),
             'pre_hook': ('KDUMP_PRESCRIPT',), 'post_hook': ('KDUMP_POSTSCRIPT',),
             'extra_bins': ('KDUMP_REQUIRED_PROGRAMS',), 'keep_dumps': ('KDUMP_KEEP_OLD_DUMPS',)},
}

# The user must not start with '-': ssh would read the destination as an option.
_SSH_RE = re.compile(r'^[^@\s/:-][^@\s/:]*@[^@\s/]+$')
_NFS_RE = re.compile(r'^([^:\s/\[\]]+|\[[0-9A-Fa-f:.]+\]):(/\S*)$')
_DEVICE_RE = re.compile(r'^(/\S+|UUID=\S+|LABEL=\S+)$')


class SettingsError(ValueError):
    """A value the family's kdump tooling would reject; the message names the value and what is valid."""


def _is_set(value):
    return value is not None


def _int_or_none(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def is_makedumpfile(command):
    """True when a core_collector command runs makedumpfile."""
    try:
        words = shlex.split(command or '')
    except ValueError:
        words = (command or '').split()
    return bool(words) and posixpath.basename(words[0]) == 'makedumpfile'


def _split_collector(command):
    head, _sep, rest = (command or '').strip().partition(' ')
    return head, rest.strip()


# ---------------------------------------------------------------------------------------------
# validation of the options (independent of the current file)

def check_dump_level(value):
    """Return ``value`` as int 0-31 or raise SettingsError."""
    level = None if isinstance(value, (bool, float)) else _int_or_none(value)
    if level is None or not 0 <= level <= 31 or str(value).strip() != str(level):
        raise SettingsError('dump_level %r is invalid: use an integer 0-31, the makedumpfile -d bitmask '
                            '(1 zero pages, 2 cache, 4 cache private, 8 user data, 16 free pages; 31 = all)'
                            % (value,))
    return level


def check_target(target):
    """Normalise and check ``target`` ({type, location}); return (type, location)."""
    target = target or {}
    kind = target.get('type') or 'local'
    location = target.get('location')
    if kind not in TARGET_TYPES:
        raise SettingsError('target.type %r is invalid; valid: %s' % (kind, ', '.join(TARGET_TYPES)))
    if kind == 'local':
        if location:
            raise SettingsError("target.location %r given for target.type local; a local target has no location "
                                "(use path for the directory)" % (location,))
        return kind, None
    if not location:
        raise SettingsError('target.type %s needs target.location' % kind)
    location = str(location)
    if kind == 'ssh' and not _SSH_RE.match(location):
        raise SettingsError('target.location %r is not a valid ssh destination: use user@host '
                            '(e.g. kdump@dumps.example.com)' % (location,))
    if kind == 'nfs' and not _NFS_RE.match(location):
        raise SettingsError('target.location %r is not a valid nfs export: use host:/export '
                            '(or [ipv6]:/export)' % (location,))
    if kind == 'raw' and not location.startswith('/'):
        raise SettingsError('target.location %r is not a block device path for raw: use /dev/...' % (location,))
    if kind in ('ext4', 'xfs', 'ext3', 'ext2') and not _DEVICE_RE.match(location):
        raise SettingsError('target.location %r for %s is invalid: use a device path, UUID=<uuid> or LABEL=<label>'
                            % (location, kind))
    if kind == 'virtiofs' and (' ' in location or '\t' in location):
        raise SettingsError('target.location %r is not a virtiofs tag (one word, e.g. myfs)' % (location,))
    return kind, location


def _settings_value(family, key, value):
    """A settings value as the string the file holds (None = remove the key)."""
    if value is None:
        return None
    if isinstance(value, bool):
        if family == 'rhel':
            return ('1' if value else '0') if key.startswith('force_') else ('yes' if value else 'no')
        if family == 'debian':
            return '1' if value else '0'
        return 'true' if value else 'false'
    if isinstance(value, (list, tuple)):
        return ' '.join(str(item) for item in value)
    return str(value)


def check_settings(family, settings, given_options, version=None):
    """Validate the ``settings`` passthrough for ``family``; return {key: string or None}."""
    result = {}
    for key, value in (settings or {}).items():
        if family == 'rhel':
            known, deprecated = kdump_conf.KNOWN_DIRECTIVES, dict(kdump_conf.DEPRECATED_DIRECTIVES)
            if version is None or version >= 8:
                deprecated['default'] = 'the failure_action option'
            if key in kdump_conf.TARGET_DIRECTIVES:
                raise SettingsError("settings key %r is a dump target: use the target option "
                                    "(type: %s, location: ...)" % (key, key))
        elif family == 'debian':
            known, deprecated = DEBIAN_VARIABLES, DEBIAN_DEPRECATED
        else:
            known, deprecated = SUSE_VARIABLES, SUSE_DEPRECATED
        if key in deprecated:
            raise SettingsError('settings key %r is deprecated and refused by the %s kdump tooling; use %s instead'
                                % (key, family, deprecated[key]))
        if key not in known:
            raise SettingsError('settings key %r is not a known %s kdump setting; valid: %s'
                                % (key, family, ', '.join(sorted(known))))
        for option, keys in OPTION_KEYS[family].items():
            if key in keys and given_options.get(option) is not None:
                raise SettingsError('settings key %r conflicts with the %s option; set it only once' % (key, option))
        text = _settings_value(family, key, value)
        if text is not None:
            if family == 'rhel':
                try:
                    kdump_conf.check_value(key, text)
                except ValueError as exc:
                    raise SettingsError(str(exc))
            else:
                try:
                    shellenv.check_value(text)
                except ValueError as exc:
                    raise SettingsError('settings %s: %s' % (key, exc))
        result[key] = text
    return result


# ---------------------------------------------------------------------------------------------
# desired changes per family

def _join(values):
    if values is None:
        return None
    return ' '.join(str(item) for item in values)


def _rhel_updates(options, current, version, warnings):
    values = current.values()
    updates = []
    kind = None
    if options.get('target') is not None:
        kind, location = check_target(options['target'])
        if kind == 'virtiofs' and version is not None and version < 9:
            raise SettingsError('target.type virtiofs needs RHEL 9 or later (this host: RHEL %s)' % version)
        for directive in kdump_conf.TARGET_DIRECTIVES:
            updates.append((directive, location if directive == kind else None))
    else:
        targets = [t for t in current.targets() if t[0] in kdump_conf.TARGET_DIRECTIVES]
        kind = targets[0][0] if targets else 'local'
    if options.get('ssh_key') is not None:
        updates.append(('sshkey', options['ssh_key']))
    if options.get('path') is not None:
        updates.append(('path', options['path']))

    flatten = kind in FLATTEN_TARGETS
    collector = options.get('core_collector')
    if collector is not None:
        if flatten and is_makedumpfile(collector) and not makedumpfile.has_flatten(_split_collector(collector)[1]):
            raise SettingsError('core_collector %r lacks -F: the %s target needs makedumpfile -F (flattened) output '
                                '(mkdumprd refuses it)' % (collector, kind))
        updates.append(('core_collector', collector))
    else:
        existing = values.get('core_collector')
        wants_args = options.get('compression') is not None or options.get('dump_level') is not None
        if wants_args and not is_makedumpfile(existing or RHEL_DEFAULT_COLLECTOR):
            existing = None
        base = existing or RHEL_DEFAULT_COLLECTOR
        head, args = _split_collector(base)
        if wants_args or (existing and flatten and is_makedumpfile(existing) and not makedumpfile.has_flatten(args)):
            new_args = makedumpfile.set_args(args, options.get('compression'), options.get('dump_level'),
                                             True if flatten else None)
            updates.append(('core_collector', '%s %s' % (head, new_args)))

    if options.get('failure_action') is not None:
        if version is not None and version < 8:
            # RHEL 7 kexec-tools only knows the (later deprecated) 'default' directive.
            updates += [('failure_action', None), ('default', options['failure_action'])]
        else:
            updates += [('default', None), ('failure_action', options['failure_action'])]
    if options.get('final_action') is not None:
        if version is not None and version < 8:
            raise SettingsError('final_action %r cannot be set on RHEL %s: kexec-tools there has no final_action '
                                '(it always reboots after a dump)' % (options['final_action'], version))
        updates.append(('final_action', options['final_action']))
    for option, directive in (('pre_hook', 'kdump_pre'), ('post_hook', 'kdump_post')):
        if options.get(option) is not None:
            updates.append((directive, options[option]))
    for option in ('extra_bins', 'extra_modules'):
        if options.get(option) is not None:
            updates.append((option, _join(options[option]) or None))
    if options.get('dracut_args') is not None:
        updates.append(('dracut_args', options['dracut_args'] or None))
    if options.get('auto_reset_crashkernel') is not None:
        if version is not None and version < 9:
            warnings.append('auto_reset_crashkernel ignored: it exists only on RHEL 9 and later (this host: RHEL %s)'
                            % version)
        else:
            updates.append(('auto_reset_crashkernel', 'yes' if options['auto_reset_crashkernel'] else 'no'))
    if options.get('keep_dumps') is not None:
        warnings.append('keep_dumps ignored: kdump-utils (RHEL family) has no dump retention setting')
    return updates


def _debian_updates(options, current, warnings):
    values = current.values()
    updates = []
    if options.get('path') is not None:
        updates.append(('KDUMP_COREDIR', options['path']))
    if options.get('target') is not None:
        kind, location = check_target(options['target'])
        if kind not in ('local', 'ssh', 'nfs'):
            raise SettingsError('target.type %r is not supported by kdump-tools (Debian/Ubuntu); valid: local, ssh, nfs'
                                % kind)
        updates += [('SSH', location if kind == 'ssh' else None), ('NFS', location if kind == 'nfs' else None)]
    if options.get('ssh_key') is not None:
        updates.append(('SSH_KEY', options['ssh_key']))
    collector = options.get('core_collector')
    if collector is not None:
        head, args = _split_collector(collector)
        if posixpath.basename(head) != 'makedumpfile':
            raise SettingsError('core_collector %r is not possible on Debian/Ubuntu: kdump-tools always runs '
                                'makedumpfile; give "makedumpfile <args>" (the args go to MAKEDUMP_ARGS)' % collector)
        updates.append(('MAKEDUMP_ARGS', makedumpfile.set_args(args, flatten=True)))
    elif options.get('compression') is not None or options.get('dump_level') is not None:
        base = values.get('MAKEDUMP_ARGS') or DEBIAN_DEFAULT_MAKEDUMP_ARGS
        updates.append(('MAKEDUMP_ARGS', makedumpfile.set_args(base, options.get('compression'),
                                                               options.get('dump_level'), True)))
    action = options.get('failure_action')
    if action is not None:
        if action not in DEBIAN_FAIL_CMDS:
            raise SettingsError(
                'failure_action %r has no kdump-tools equivalent: KDUMP_FAIL_CMD is run unquoted from '
                'kdump-tools-dump.service without a console (no usable shell), and local dumps already go to the '
                'root filesystem (no dump_to_rootfs fallback); valid on Debian/Ubuntu: %s, or set '
                'settings.KDUMP_FAIL_CMD to a command' % (action, ', '.join(sorted(DEBIAN_FAIL_CMDS))))
        updates.append(('KDUMP_FAIL_CMD', DEBIAN_FAIL_CMDS[action]))
    if options.get('final_action') not in (None, 'reboot'):
        raise SettingsError('final_action %r is not possible on Debian/Ubuntu: kdump-tools always runs "reboot -f" '
                            'after saving a dump; valid: reboot' % options['final_action'])
    for option, why in (('pre_hook', 'has no pre-dump hook'), ('post_hook', 'has no post-dump hook'),
                        ('extra_bins', 'builds its initrd with initramfs-tools (use an initramfs-tools hook)'),
                        ('extra_modules', 'builds its initrd with initramfs-tools (list modules in '
                                          '/etc/initramfs-tools/modules)'),
                        ('dracut_args', 'does not use dracut')):
        if options.get(option):
            raise SettingsError('%s %r is not supported on Debian/Ubuntu: kdump-tools %s'
                                % (option, options[option], why))
    if options.get('keep_dumps') is not None:
        updates.append(('KDUMP_NUM_DUMPS', str(options['keep_dumps'])))
    if options.get('auto_reset_crashkernel') is not None:
        warnings.append('auto_reset_crashkernel ignored: it is a RHEL 9+ kdump.conf setting')
    return updates


def _suse_url(kind, location, path):
    path = path or DEFAULT_PATH
    if kind == 'local':
        return path
    if kind == 'ssh':
        return 'ssh://%s%s' % (location, path)
    host, export = location.split(':', 1)
    return 'nfs://%s%s%s' % (host, export.rstrip('/'), path)


def _suse_updates(options, current, warnings):
    updates = []
    if options.get('target') is not None or options.get('path') is not None:
        if options.get('target') is not None:
            kind, location = check_target(options['target'])
            if kind not in ('local', 'ssh', 'nfs'):
                raise SettingsError('target.type %r is not supported by this module on SUSE; valid: local, ssh, nfs '
                                    '(other KDUMP_SAVEDIR URLs via settings.KDUMP_SAVEDIR)' % kind)
        else:
            now = _suse_effective(current.values())
            kind, location = now['target']['type'], now['target']['location']
            if kind == 'nfs':
                raise SettingsError('path alone cannot be changed for the current nfs KDUMP_SAVEDIR on SUSE (the URL '
                                    'does not separate export and path): give target together with path')
            if kind not in ('local', 'ssh'):
                raise SettingsError('path cannot be combined with the current %s KDUMP_SAVEDIR; give target too' % kind)
        updates.append(('KDUMP_SAVEDIR', _suse_url(kind, location, options.get('path'))))
    if options.get('ssh_key') is not None:
        updates.append(('KDUMP_SSH_IDENTITY', options['ssh_key']))
    if options.get('core_collector') is not None:
        raise SettingsError('core_collector %r is not possible on SUSE: kdump runs makedumpfile itself; use '
                            'dump_level/compression, or settings.MAKEDUMPFILE_OPTIONS for extra arguments'
                            % options['core_collector'])
    if options.get('dump_level') is not None:
        updates.append(('KDUMP_DUMPLEVEL', str(options['dump_level'])))
    if options.get('compression') is not None:
        updates.append(('KDUMP_DUMPFORMAT', SUSE_DUMPFORMATS[options['compression']]))
    action = options.get('failure_action')
    if action is not None:
        if action not in ('reboot', 'shell'):
            raise SettingsError('failure_action %r has no SUSE equivalent: KDUMP_CONTINUE_ON_ERROR only chooses between '
                                'continuing (reboot) and a debug shell; valid: reboot, shell' % action)
        updates.append(('KDUMP_CONTINUE_ON_ERROR', 'true' if action == 'reboot' else 'false'))
    if options.get('final_action') is not None:
        if options['final_action'] != 'reboot':
            raise SettingsError('final_action %r is not possible on SUSE: KDUMP_IMMEDIATE_REBOOT only switches the '
                                'reboot after the dump on; valid: reboot' % options['final_action'])
        updates.append(('KDUMP_IMMEDIATE_REBOOT', 'true'))
    for option, variable in (('pre_hook', 'KDUMP_PRESCRIPT'), ('post_hook', 'KDUMP_POSTSCRIPT')):
        if options.get(option) is not None:
            updates.append((variable, options[option]))
    if options.get('extra_bins') is not None:
        updates.append(('KDUMP_REQUIRED_PROGRAMS', _join(options['extra_bins'])))
    for option in ('extra_modules', 'dracut_args'):
        if options.get(option):
            raise SettingsError('%s %r is not supported on SUSE: /etc/sysconfig/kdump has no such setting'
                                % (option, options[option]))
    if options.get('keep_dumps') is not None:
        updates.append(('KDUMP_KEEP_OLD_DUMPS', str(options['keep_dumps'])))
    if options.get('auto_reset_crashkernel') is not None:
        warnings.append('auto_reset_crashkernel ignored: it is a RHEL 9+ kdump.conf setting')
    return updates


def check_options(family, options):
    """Checks common to every family; raise SettingsError on bad input."""
    path = options.get('path')
    if path is not None and not str(path).startswith('/'):
        raise SettingsError('path %r is relative; use an absolute path such as /var/crash' % (path,))
    if options.get('core_collector') is not None:
        clashing = [name for name in ('dump_level', 'compression') if options.get(name) is not None]
        if clashing:
            raise SettingsError('core_collector %r cannot be combined with %s: the collector command already sets '
                                'them; give either core_collector or dump_level/compression'
                                % (options['core_collector'], ' and '.join(clashing)))
    if options.get('dump_level') is not None:
        options['dump_level'] = check_dump_level(options['dump_level'])
    compression = options.get('compression')
    if compression is not None and compression not in makedumpfile.COMPRESSIONS:
        raise SettingsError('compression %r is invalid; valid: %s' % (compression, ', '.join(COMPRESSION_CHOICES)))
    for name, valid in (('failure_action', FAILURE_ACTIONS), ('final_action', FINAL_ACTIONS)):
        if options.get(name) is not None and options[name] not in valid:
            raise SettingsError('%s %r is invalid; valid: %s' % (name, options[name], ', '.join(valid)))
    keep = options.get('keep_dumps')
    if keep is not None and (isinstance(keep, bool) or _int_or_none(keep) is None or _int_or_none(keep) < 0):
        raise SettingsError('keep_dumps %r is invalid: use an integer >= 0 (0 keeps every dump)' % (keep,))
    for name in ('path', 'ssh_key', 'core_collector', 'pre_hook', 'post_hook', 'dracut_args'):
        value = options.get(name)
        # An empty dracut_args removes the directive (documented), so there is no value to check.
        if value is not None and not (name == 'dracut_args' and value == ''):
            _check_text(family, name, str(value))
    for name in ('extra_bins', 'extra_modules'):
        for value in options.get(name) or ():
            _check_text(family, name, str(value))
    target = options.get('target') or {}
    if target.get('location') is not None:
        _check_text(family, 'target.location', str(target['location']))


def _check_text(family, name, value):
    try:
        if family == 'rhel':
            kdump_conf.check_value(name, value)
        else:
            shellenv.check_value(value)
    except ValueError as exc:
        raise SettingsError('%s: %s' % (name, exc))


def desired_updates(family, options, current_text, version=None):
    """The (key, value-or-None) edits that realise ``options`` on top of ``current_text``.

    ``options`` uses the module's option names; ``compression`` must already be resolved
    (never 'auto'). Returns (updates, warnings). Raises SettingsError on bad input.
    """
    options = dict(options)
    check_options(family, options)
    warnings = []
    settings = check_settings(family, options.get('settings'), options, version)
    if family == 'rhel':
        current = kdump_conf.parse(current_text)
        updates = _rhel_updates(options, current, version, warnings)
    elif family == 'debian':
        current = shellenv.parse(current_text)
        updates = _debian_updates(options, current, warnings)
        values = current.values()
        if 'USE_KDUMP' not in settings and (values.get('USE_KDUMP') or '').strip() in ('', '0'):
            if 'USE_KDUMP' in values and values['USE_KDUMP'].strip() == '0':
                warnings.append('USE_KDUMP=0 in %s: kdump-tools will not load the crash kernel; '
                                'set settings.USE_KDUMP: 1 to enable it' % CONFIG_FILES['debian'])
            else:
                updates.append(('USE_KDUMP', '1'))
        append = settings.get('KDUMP_CMDLINE_APPEND')
        if append is not None and DEBIAN_DUMP_UNIT not in append.split():
            # Without it the capture kernel boots a normal system instead of saving the dump.
            settings['KDUMP_CMDLINE_APPEND'] = ('%s %s' % (append, DEBIAN_DUMP_UNIT)).strip()
            warnings.append('added %s to KDUMP_CMDLINE_APPEND: the capture kernel needs it to save the dump'
                            % DEBIAN_DUMP_UNIT)
    elif family == 'suse':
        current = shellenv.parse(current_text)
        updates = _suse_updates(options, current, warnings)
    else:
        raise SettingsError('family %r is invalid; valid: %s' % (family, ', '.join(FAMILIES)))
    updates.extend(sorted(settings.items()))
    return updates, warnings


def apply_merge(family, current_text, updates):
    """Apply ``updates`` to ``current_text`` keeping every other line byte-for-byte."""
    if family == 'rhel':
        document = kdump_conf.parse(current_text)
        target_updates = [(key, value) for key, value in updates if key in kdump_conf.TARGET_DIRECTIVES]
        if target_updates:
            chosen = [(key, value) for key, value in target_updates if value is not None]
            document.set_target(*(chosen[0] if chosen else (None, None)))
        for key, value in updates:
            if key not in kdump_conf.TARGET_DIRECTIVES:
                document.set(key, value)
        return document.render()
    document = shellenv.parse(current_text)
    for key, value in updates:
        if value is None:
            document.unset(key)
        else:
            document.set(key, value)
    return document.render()


def render_exclusive(family, updates, header_lines):
    """A whole file holding exactly ``updates`` (removals dropped) under ``header_lines``."""
    entries = list(DEBIAN_BASE) if family == 'debian' else []
    seen = dict((key, index) for index, (key, _value) in enumerate(entries))
    for key, value in updates:
        if key in seen:
            entries[seen[key]] = (key, value)
        else:
            seen[key] = len(entries)
            entries.append((key, value))
    entries = [(key, value) for key, value in entries if value is not None]
    if family == 'rhel':
        return kdump_conf.render_exclusive(header_lines, entries)
    return shellenv.render_exclusive(header_lines, entries)


def validate_result(family, text):
    """Problems the distro tooling would report for ``text`` (kdump.conf only; [] elsewhere)."""
    if family == 'rhel':
        return kdump_conf.parse(text).errors()
    return []


def findings(family, text):
    """Non-fatal problems in an (already written or kept) file, as readable strings."""
    result = []
    if family == 'debian':
        values = shellenv.parse(text).values()
        append = values.get('KDUMP_CMDLINE_APPEND')
        if append is not None and DEBIAN_DUMP_UNIT not in append.split():
            result.append('KDUMP_CMDLINE_APPEND lacks %s: the capture kernel would boot normally instead of '
                          'saving the dump' % DEBIAN_DUMP_UNIT)
    return result


# ---------------------------------------------------------------------------------------------
# reading back: the cross-distro view of a file

def _empty_config():
    return {
        'path': None, 'target': {'type': 'local', 'location': None}, 'ssh_key': None, 'dump_level': None,
        'compression': None, 'core_collector': None, 'failure_action': None, 'final_action': None,
        'keep_dumps': None, 'enabled': True, 'pre_hook': None, 'post_hook': None, 'extra_bins': None,
        'extra_modules': None, 'dracut_args': None, 'auto_reset_crashkernel': None, 'raw': {},
    }


def _rhel_effective(text):
    conf = kdump_conf.parse(text)
    values = conf.values()
    config = _empty_config()
    config['raw'] = values
    targets = conf.targets()
    if targets:
        directive, value = targets[0]
        if directive == 'dracut_args':
            spec = kdump_conf.mount_spec(value) or []
            config['target'] = {'type': spec[2] if len(spec) > 2 else 'mount', 'location': spec[0] if spec else None}
        else:
            config['target'] = {'type': directive, 'location': value}
    config['path'] = values.get('path') or DEFAULT_PATH
    config['ssh_key'] = values.get('sshkey') or DEFAULT_SSH_KEY
    config['core_collector'] = values.get('core_collector')
    collector = config['core_collector'] or RHEL_DEFAULT_COLLECTOR
    if is_makedumpfile(collector):
        args = _split_collector(collector)[1]
        config['compression'] = makedumpfile.compression_from_args(args)
        config['dump_level'] = makedumpfile.dump_level_from_args(args)
    config['failure_action'] = values.get('failure_action') or values.get('default') or 'reboot'
    config['final_action'] = values.get('final_action') or 'reboot'
    config['pre_hook'] = values.get('kdump_pre')
    config['post_hook'] = values.get('kdump_post')
    config['extra_bins'] = values['extra_bins'].split() if values.get('extra_bins') else None
    config['extra_modules'] = values['extra_modules'].split() if values.get('extra_modules') else None
    config['dracut_args'] = values.get('dracut_args')
    if 'auto_reset_crashkernel' in values:
        # kdumpctl compares literally with "no": any other value means yes.
        config['auto_reset_crashkernel'] = values['auto_reset_crashkernel'] != 'no'
    return config


def _debian_effective(values):
    config = _empty_config()
    config['raw'] = values
    config['path'] = values.get('KDUMP_COREDIR') or DEFAULT_PATH
    if values.get('SSH'):
        config['target'] = {'type': 'ssh', 'location': values['SSH']}
    elif values.get('NFS'):
        config['target'] = {'type': 'nfs', 'location': values['NFS']}
    config['ssh_key'] = values.get('SSH_KEY') or DEFAULT_SSH_KEY
    args = values.get('MAKEDUMP_ARGS') or DEBIAN_DEFAULT_MAKEDUMP_ARGS
    if values.get('MAKEDUMP_ARGS'):
        config['core_collector'] = 'makedumpfile %s' % values['MAKEDUMP_ARGS']
    config['compression'] = makedumpfile.compression_from_args(args)
    config['dump_level'] = makedumpfile.dump_level_from_args(args)
    fail_cmd = (values.get('KDUMP_FAIL_CMD') or '').strip()
    reverse = dict((cmd, action) for action, cmd in DEBIAN_FAIL_CMDS.items())
    config['failure_action'] = reverse.get(fail_cmd, fail_cmd) if fail_cmd else 'reboot'
    config['final_action'] = 'reboot'
    config['keep_dumps'] = _int_or_none(values.get('KDUMP_NUM_DUMPS') or 0)
    config['enabled'] = (values.get('USE_KDUMP') or '').strip() not in ('', '0')
    return config


def parse_suse_savedir(savedir):
    """KDUMP_SAVEDIR -> (target dict, path)."""
    savedir = (savedir or DEFAULT_PATH).strip()
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


def _suse_effective(values):
    config = _empty_config()
    config['raw'] = values
    config['target'], config['path'] = parse_suse_savedir(values.get('KDUMP_SAVEDIR'))
    config['ssh_key'] = values.get('KDUMP_SSH_IDENTITY') or None
    level = values.get('KDUMP_DUMPLEVEL')
    config['dump_level'] = _int_or_none(level) if level not in (None, '') else 31
    dumpformat = (values.get('KDUMP_DUMPFORMAT') or 'compressed').strip()
    reverse = dict((fmt, name) for name, fmt in SUSE_DUMPFORMATS.items())
    reverse['raw'] = 'none'
    config['compression'] = reverse.get(dumpformat)
    config['core_collector'] = None
    keep_going = (values.get('KDUMP_CONTINUE_ON_ERROR') or 'true').strip().lower() in SUSE_TRUE
    config['failure_action'] = 'reboot' if keep_going else 'shell'
    reboot = (values.get('KDUMP_IMMEDIATE_REBOOT') or 'true').strip().lower() in SUSE_TRUE
    config['final_action'] = 'reboot' if reboot else None
    config['keep_dumps'] = _int_or_none(values.get('KDUMP_KEEP_OLD_DUMPS') or 0)
    config['pre_hook'] = values.get('KDUMP_PRESCRIPT') or None
    config['post_hook'] = values.get('KDUMP_POSTSCRIPT') or None
    programs = values.get('KDUMP_REQUIRED_PROGRAMS')
    config['extra_bins'] = programs.split() if programs else None
    return config


def effective_config(family, text):
    """Parse a config file's text into the cross-distro vocabulary (kdump_config's ``config`` return)."""
    if family == 'rhel':
        return _rhel_effective(text or '')
    if family == 'debian':
        return _debian_effective(shellenv.parse(text or '').values())
    if family == 'suse':
        return _suse_effective(shellenv.parse(text or '').values())
    raise ValueError('family %r is invalid; valid: %s' % (family, ', '.join(FAMILIES)))
