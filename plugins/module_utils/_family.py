# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""What a distribution family table declares, and the pieces the tables are built from.

fleet.kdump speaks one vocabulary (path, target, dump_level, compression, ...) to every host. Each family
(``_family_rhel``, ``_family_debian``, ``_family_suse``, ``_family_ubuntu``) states in ONE ``FamilyTable``
how that vocabulary lives on its hosts: the config file and its format, which file keys each option owns
(one ``Option`` per option, used by the writer, the reader and the settings conflict check alike), the
service, the dump layout, the capture initrd, the distribution's default ``crashkernel=`` and the
``auto_reset_crashkernel`` rule. The engines (kdump_settings, kdump_state, the modules) only ask the table.
``_families`` holds the registry. docs/architecture.md shows how to add a family or an option.

Everything here is pure: host access only through the ``Host`` view a module builds.
"""

from __future__ import annotations

import os
import posixpath
import re
import shlex
import socket

from ansible_collections.fleet.kdump.plugins.module_utils import kdump_conf, makedumpfile, shellenv
from ansible_collections.fleet.kdump.plugins.module_utils.common import host_path, read_text

# ---------------------------------------------------------------------------------------------
# the cross-distro vocabulary

# Every family's kdump writes to /var/crash unless told otherwise (kdump.conf(5), kdump-config, sysconfig.kdump).
DEFAULT_DUMP_PATH = '/var/crash'
DEFAULT_SSH_KEY = '/root/.ssh/kdump_id_rsa'
# kdump.conf parses minix and btrfs, but kdump-utils lists btrfs as unsupported and minix is of no use for dumps.
UNOFFERED_TARGETS = ('minix', 'btrfs')
TARGET_TYPES = ('local',) + tuple(kind for kind in kdump_conf.TARGET_DIRECTIVES if kind not in UNOFFERED_TARGETS)
FAILURE_ACTIONS = kdump_conf.FAILURE_ACTIONS
FINAL_ACTIONS = kdump_conf.FINAL_ACTIONS
COMPRESSION_CHOICES = ('auto',) + makedumpfile.COMPRESSIONS

# The user must not start with '-': ssh would read the destination as an option.
_SSH_RE = re.compile(r'^[^@\s/:-][^@\s/:]*@[^@\s/]+$')
_NFS_RE = re.compile(r'^([^:\s/\[\]]+|\[[0-9A-Fa-f:.]+\]):(/\S*)$')
_DEVICE_RE = re.compile(r'^(/\S+|UUID=\S+|LABEL=\S+)$')


class SettingsError(ValueError):
    """A value the family's kdump tooling would reject; the message names the value and what is valid."""


def check_dump_level(value):
    """Return ``value`` as int 0-31 or raise SettingsError."""
    level = None
    if not isinstance(value, (bool, float)):
        try:
            level = int(str(value).strip())
        except (TypeError, ValueError):
            level = None
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
    if kind in kdump_conf.FILESYSTEM_TARGETS and not _DEVICE_RE.match(location):
        raise SettingsError('target.location %r for %s is invalid: use a device path, UUID=<uuid> or LABEL=<label>'
                            % (location, kind))
    if kind == 'virtiofs' and (' ' in location or '\t' in location):
        raise SettingsError('target.location %r is not a virtiofs tag (one word, e.g. myfs)' % (location,))
    return kind, location


def is_makedumpfile(command):
    """True when a core_collector command runs makedumpfile."""
    try:
        words = shlex.split(command or '')
    except ValueError:
        words = (command or '').split()
    return bool(words) and posixpath.basename(words[0]) == 'makedumpfile'


def split_collector(command):
    """'makedumpfile -l -d 31' -> ('makedumpfile', '-l -d 31')."""
    head, _sep, rest = (command or '').strip().partition(' ')
    return head, rest.strip()


def join_words(values):
    """A list option as the one space-separated value the files hold (None stays None)."""
    if values is None:
        return None
    return ' '.join(str(item) for item in values)


# ---------------------------------------------------------------------------------------------
# what a table is made of

class Host(object):
    """What a table's rules may ask of the host: os-release facts and access the module injects.

    ``read(path)`` returns a host file's text or None, ``which(name)`` an executable's path or None,
    ``run(argv)`` (rc, stdout, stderr) of a read-only command, ``resolve(path)`` the path with every symlink
    followed, or None when it does not exist. The defaults know nothing, so pure code and tests can build a Host
    from facts alone.
    """

    def __init__(self, os_release=None, version=None, arch=None, kernel=None, hostname=None, read=None, which=None,
                 run=None, resolve=None):
        self.os_release = os_release or {}
        self.os_id = (self.os_release.get('ID') or '').lower()
        self.version = version
        self.arch = arch
        self.kernel = kernel
        self.hostname = hostname
        self._read = read
        self._which = which
        self._run = run
        self._resolve = resolve

    def read(self, path):
        return self._read(path) if self._read else None

    def which(self, name):
        return self._which(name) if self._which else None

    def run(self, argv):
        if self._run is None:
            return 127, '', 'no command runner'
        return self._run(list(argv))

    def resolve(self, path):
        return self._resolve(path) if self._resolve else None


def resolve_below(root, path):
    """``path`` on the host below ``root`` with its symlinks followed (as the host sees it), or None if missing."""
    full = host_path(root, path)
    if not os.path.lexists(full):
        return None
    real = os.path.realpath(full)
    if root in ('', '/'):
        return real
    return '/' + os.path.relpath(real, os.path.realpath(root))


def module_host(module, runner, os_release, version, arch=None, kernel=None, root='/'):
    """The Host view of a module's host: files below ``root``, commands through the module's runner."""
    return Host(os_release=os_release, version=version, arch=arch, kernel=kernel, hostname=socket.gethostname(),
                read=lambda path: read_text(host_path(root, path)),
                which=module.get_bin_path, run=runner.read, resolve=lambda path: resolve_below(root, path))


class Context(object):
    """What an option handler sees: the current file (parsed), the options, the host and the warnings."""

    def __init__(self, table, text, options=None, host=None, settings=None):
        self.table = table
        self.document = table.file_format.parse(text or '')
        self.values = self.document.values()
        self.options = options or {}
        self.host = host or Host()
        self.settings = settings if settings is not None else {}
        self.warnings = []

    @property
    def version(self):
        return self.host.version


class Option(object):
    """How the options ``names`` live in a family's file.

    ``keys``: the file keys they own; a ``settings`` entry for one of them conflicts with a given option.
    ``write(ctx)`` -> [(key, text or None)] for ``ctx.options`` (None removes the key); it may raise
    SettingsError or add to ``ctx.warnings``. Every handler's write runs, given options or not.
    ``read(ctx)`` -> {name: value}, the options as the file holds them (defaults applied).
    ``examples``: {name: [values]} that the family accepts and reads back unchanged; the unit tests write each
    through the table and read it back (tests/unit/plugins/module_utils/test__family.py).
    An option of kdump_config that a table does not list is refused on that family.
    """

    def __init__(self, names, keys=(), write=None, read=None, examples=None):
        self.names = (names,) if isinstance(names, str) else tuple(names)
        self.keys = tuple(keys)
        self._write = write
        self._read = read
        self.examples = dict(examples or {})

    def write(self, ctx):
        return list(self._write(ctx)) if self._write else []

    def read(self, ctx):
        return dict(self._read(ctx)) if self._read else {}


def key(name, file_key, default=None, render=str, parse=None, examples=()):
    """The common case: option ``name`` stored as ``file_key``; unset (None) leaves the key alone.

    ``render(value)`` gives the text written (None removes the key); ``parse(text)`` reads it back;
    a missing or empty key reads as ``default``.
    """
    def write(ctx):
        value = ctx.options.get(name)
        return [] if value is None else [(file_key, render(value))]

    def read(ctx):
        text = ctx.values.get(file_key)
        if not text:
            return {name: default}
        return {name: parse(text) if parse else text}
    return Option(name, (file_key,), write, read, {name: list(examples)})


def refused(name, message, given=bool):
    """An option the family has no setting for and cannot do without: a ``given`` value fails.

    ``message`` is formatted with ``name`` and ``value`` ('{name} {value!r} is not supported on ...').
    """
    def write(ctx):
        value = ctx.options.get(name)
        if value is not None and given(value):
            raise SettingsError(message.format(name=name, value=value))
        return []
    return Option(name, (), write)


def wanted_enabled(ctx):
    """The ``enabled`` option with its default (true: kdump_config arms kdump unless told otherwise)."""
    return ctx.options.get('enabled') is not False


def no_switch(config_file, service):
    """``enabled`` for a family whose config file has no on/off switch: its service is the switch (spec 1.7, 3.1).

    true changes nothing; false is refused, because ignoring it would leave kdump armed.
    """
    def write(ctx):
        if not wanted_enabled(ctx):
            raise SettingsError('enabled=false cannot be written to %s: the file has no switch, kdump is switched off '
                                'by its service (systemctl disable --now %s)' % (config_file, service))
        return []
    return Option('enabled', (), write, lambda ctx: {'enabled': True}, {'enabled': [True]})


def ignored(name, warning):
    """An option the family has no setting for, harmless to leave out: a given value only warns."""
    def write(ctx):
        if ctx.options.get(name) is not None:
            ctx.warnings.append(warning)
        return []
    return Option(name, (), write)


class DumpLayout(object):
    """How a family's kdump names the dump directories below the dump path and the files in each.

    ``classify(file names) -> (complete or None, core file, dmesg file)``; None: not a dump directory.
    """

    def __init__(self, directory_pattern, classify, description):
        self.directory = re.compile(directory_pattern)
        self.classify = classify
        self.description = description


def fresh_if_newer_than_config(initrd_mtime, config_mtime=None, **_ignored):
    """(fresh, detail): kdumpctl / SUSE kdump rebuild the initrd when the config file is newer (spec 1.8, 3.1)."""
    if config_mtime is None:
        return True, 'no kdump configuration file to compare'
    if initrd_mtime < config_mtime:
        return False, 'older than the kdump configuration (rebuilt by the next kdump service start)'
    return True, 'newer than the kdump configuration'


# ---------------------------------------------------------------------------------------------
# the two file formats

class KdumpConfFormat(object):
    """/etc/kdump.conf: ``directive value`` lines (kdump_conf)."""

    name = 'kdump.conf'
    parse = staticmethod(kdump_conf.parse)
    apply_updates = staticmethod(kdump_conf.apply_updates)
    render_exclusive = staticmethod(kdump_conf.render_exclusive)

    @staticmethod
    def check_value(name, value):
        kdump_conf.check_value(name, value)

    @staticmethod
    def setting_error(name, exc):
        return str(exc)  # kdump_conf's messages name the directive already

    @staticmethod
    def errors(text):
        return kdump_conf.parse(text).errors()


class ShellEnvFormat(object):
    """A sourced shell file with ``NAME="value"`` lines (shellenv)."""

    name = 'shell environment file'
    parse = staticmethod(shellenv.parse)
    apply_updates = staticmethod(shellenv.apply_updates)
    render_exclusive = staticmethod(shellenv.render_exclusive)

    @staticmethod
    def check_value(name, value):
        shellenv.check_value(value)

    @staticmethod
    def setting_error(name, exc):
        return 'settings %s: %s' % (name, exc)

    @staticmethod
    def errors(text):
        return []


KDUMP_CONF = KdumpConfFormat()
SHELL_ENV = ShellEnvFormat()


def bool_text(true, false):
    """A ``settings`` boolean as the file's words for yes and no."""
    return lambda name, value: true if value else false


def no_default_crashkernel(host):
    raise ValueError('size=auto: this family has no known default crashkernel; give an explicit size')


# ---------------------------------------------------------------------------------------------
# the table

class FamilyTable(object):
    """Everything fleet.kdump knows about one distribution family, in one place.

    Identity
      name            the table's name (``rhel``, ``debian``, ``ubuntu``, ``suse``)
      family          what the modules call the family (their ``family`` option and return)
      os_ids          os-release ``ID``/``ID_LIKE`` words served by this table; ``os_id_prefixes`` likewise
    Configuration file
      config_file, file_format (KDUMP_CONF or SHELL_ENV), backend (kdump_config's ``backend`` return)
      options         the Options in write order: option <-> key mapping for writer, reader and conflicts
      settings_keys   every key ``settings`` may set; ``deprecated_settings(version)`` -> {key: replacement};
                      ``reserved_settings`` {key: message} keys only an option may set
      bool_text       (key, bool) -> the file's word for a ``settings`` boolean
      exclusive_base  (key, value) lines every ``managed=exclusive`` file starts with
      adjust_settings (settings, warnings) -> None, fixes a ``settings`` value the tooling cannot do without
      findings        (values) -> [str], non-fatal problems of a written file
      host_problems   (config, Host) -> [str], what the tooling would refuse about this host (the file is not written)
    Service and state
      service, status_command (argv or None), parse_status (rc, stdout, stderr) -> {ready, messages, last_test}
      disabled_detail what service_enabled says when the file's own switch (the ``enabled`` option) is off
      dump_layout     DumpLayout of the dump directories; default_path the dump directory when unset
      shared_dump_dirs {directory: tool} dump directories another tool shares, whose sticky world-writable mode
                      kdump_config keeps (and reports) instead of tightening it
      initrd_candidates (kver) -> [paths]; initrd_freshness (initrd_mtime, config_mtime=, sysctl_text=,
                      latest_sysctls_text=) -> (fresh, detail)
    Packages and Ansible facts (what kdump_verify reports, so that a role needs no ``setup``)
      os_family       Ansible's ``os_family`` fact for the family's hosts (RedHat, Debian, Suse)
      distributions   {os-release ID: Ansible's ``distribution`` fact} (other IDs: the ID capitalised)
      pkg_mgr         (Host) -> Ansible's ``pkg_mgr`` fact (the package module to use)
      packages        (Host) -> [package names], the kdump stack this host needs
      target_packages {target type: [package names]} the capture side needs beside the stack for that kind of dump
                      target (the NFS client's mount helper for nfs)
      package_query   package_db.PackageQuery: how to read their installed versions (one command)
      package_answers (Host, packages) -> {question: answer} the package scripts act on (debconf), or None
    Boot parameter and crash test
      default_crashkernel (Host) -> [crashkernel values], the distribution's own default (size=auto)
      auto_reset_crashkernel (Host) -> bool, whether the tooling rewrites crashkernel= on updates unless told no
      prefers_grubby  the bootloader backend to pick when both grubby and grub are present
      crash_test_command (Host) -> argv or None, the distribution's own crash test (else SysRq c)
    Calibration
      estimate_command argv of the distribution's own crashkernel size estimator, or None
      parse_estimate  (rc, stdout, stderr) -> (bytes or None, detail), its answer
      initrd_list_command (initrd path) -> argv of a cpio -tv style listing of the capture initrd, or None
      capture_cmdline_append (key, default) of the setting appended to the capture kernel's command line, where
                      fleet.kdump must add ``panic=`` itself during a calibration; None where the tooling puts one there
      capture_runtime_bytes what the capture environment allocates beside the kernel image and the initrd, for the
                      reservation model of kdump_verify's estimate
    Remote targets
      capture_rebuild (argv or None, detail): what makes the capture side pick up a changed remote target, its key
                      or root's known_hosts beyond the service restart a configuration change brings (kdump_verify
                      returns it; the role runs it after a target change and says so)
    """

    def __init__(self, name, family, os_ids, config_file, file_format, backend, options, settings_keys,
                 service, status_command, parse_status, dump_layout, initrd_candidates, initrd_freshness,
                 default_crashkernel=no_default_crashkernel, auto_reset_crashkernel=lambda host: False,
                 crash_test_command=lambda host: None, os_id_prefixes=(), deprecated_settings=lambda version: {},
                 reserved_settings=None, bool_text=bool_text('1', '0'), exclusive_base=(),
                 adjust_settings=lambda settings, warnings: None, findings=lambda values: [],
                 host_problems=lambda config, host: [],
                 disabled_detail=None, default_path=DEFAULT_DUMP_PATH, shared_dump_dirs=None, prefers_grubby=False,
                 os_family=None, distributions=None, pkg_mgr=lambda host: 'unknown', packages=lambda host: (),
                 package_query=None, package_answers=lambda host, packages: None, target_packages=None,
                 estimate_command=None, parse_estimate=None, initrd_list_command=lambda path: None,
                 capture_cmdline_append=None, capture_runtime_bytes=16 << 20, capture_rebuild=(None, None)):
        self.name = name
        self.family = family
        self.os_ids = tuple(os_ids)
        self.os_id_prefixes = tuple(os_id_prefixes)
        self.config_file = config_file
        self.file_format = file_format
        self.backend = backend
        self.options = tuple(options)
        self.settings_keys = frozenset(settings_keys)
        self.deprecated_settings = deprecated_settings
        self.reserved_settings = dict(reserved_settings or {})
        self.bool_text = bool_text
        self.exclusive_base = tuple(exclusive_base)
        self.adjust_settings = adjust_settings
        self.findings = findings
        self.host_problems = host_problems
        self.service = service
        self.status_command = tuple(status_command) if status_command else None
        self.parse_status = parse_status
        self.disabled_detail = disabled_detail
        self.dump_layout = dump_layout
        self.default_path = default_path
        self.shared_dump_dirs = dict(shared_dump_dirs or {})
        self.initrd_candidates = initrd_candidates
        self.initrd_freshness = initrd_freshness
        self.default_crashkernel = default_crashkernel
        self.auto_reset_crashkernel = auto_reset_crashkernel
        self.prefers_grubby = prefers_grubby
        self.crash_test_command = crash_test_command
        self.os_family = os_family
        self.distributions = dict(distributions or {})
        self.pkg_mgr = pkg_mgr
        self.packages = packages
        self.package_query = package_query
        self.package_answers = package_answers
        self.target_packages = dict((kind, tuple(names)) for kind, names in (target_packages or {}).items())
        self.estimate_command = tuple(estimate_command) if estimate_command else None
        self.parse_estimate = parse_estimate
        self.initrd_list_command = initrd_list_command
        self.capture_cmdline_append = tuple(capture_cmdline_append) if capture_cmdline_append else None
        self.capture_runtime_bytes = capture_runtime_bytes
        self.capture_rebuild = (tuple(capture_rebuild[0]) if capture_rebuild[0] else None, capture_rebuild[1])
        names = self.option_names()
        duplicated = sorted(set(name for name in names if names.count(name) > 1))
        if duplicated:
            raise ValueError('table %s maps %s more than once' % (self.name, ', '.join(duplicated)))

    def derive(self, **changes):
        """A variant of this table (a distribution of the family) with ``changes`` applied."""
        fields = dict(self.__dict__)
        fields.update(changes)
        return FamilyTable(**fields)

    def option_names(self):
        """Every option the table lists (stored, refused with its reason or ignored with a warning), in order."""
        return [name for option in self.options for name in option.names]

    def option_keys(self):
        """{option name: file keys it owns}, for every option the table maps."""
        return dict((name, option.keys) for option in self.options for name in option.names)

    def keys_of(self, name):
        return self.option_keys().get(name, ())

    @property
    def has_switch(self):
        """Whether the config file itself can switch kdump off (the ``enabled`` option owns a key)."""
        return bool(self.keys_of('enabled'))

    def ansible_facts(self, host):
        """What ``setup`` with ``gather_subset: [distribution, pkg_mgr]`` would say about this family's ``host``."""
        version_id = host.os_release.get('VERSION_ID', '')
        return {
            'distribution': self.distributions.get(host.os_id) or host.os_id.capitalize() or 'OtherLinux',
            'distribution_major_version': version_id.split('.', 1)[0] or 'NA',
            'os_family': self.os_family,
            'pkg_mgr': self.pkg_mgr(host),
        }

    def __repr__(self):
        return 'FamilyTable(%r)' % self.name
