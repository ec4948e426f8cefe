# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""/etc/kdump.conf (RHEL family): lexer, parser, validator and line-preserving editor.

Grammar as kdump-utils reads it (kdump-lib-initramfs.sh ``kdump_read_conf``): blank lines and
lines whose first non-blank is ``#`` are dropped; the first whitespace-delimited token is the
directive, the rest of the line the value; a ``#`` anywhere in the value starts a comment; a
value that starts *and* ends with ``"`` loses those two quotes. kdumpctl refuses to start on a
duplicated directive, more than one dump target (``dracut_args --mount`` counts as one), an
empty value, an unknown or a deprecated directive.
"""

from __future__ import annotations

import re
import shlex
import socket

from ansible_collections.fleet.kdump.plugins.module_utils.common import LineDocument, comment_header

# The dump target directives (kdump.conf(5)): a block device or a file system on one, or a network/virtio share.
FILESYSTEM_TARGETS = ('ext2', 'ext3', 'ext4', 'minix', 'btrfs', 'xfs')
DEVICE_TARGETS = ('raw',) + FILESYSTEM_TARGETS
TARGET_DIRECTIVES = DEVICE_TARGETS + ('nfs', 'ssh', 'virtiofs')
KNOWN_DIRECTIVES = frozenset(TARGET_DIRECTIVES + (
    'sshkey', 'path', 'core_collector', 'kdump_post', 'kdump_pre', 'kdump_emergency', 'extra_bins',
    'extra_modules', 'failure_action', 'default', 'final_action', 'force_rebuild', 'force_no_rebuild',
    'dracut_args', 'fence_kdump_args', 'fence_kdump_nodes', 'auto_reset_crashkernel'))
# Directives kdumpctl rejects as fatal, with what to use instead (kdump.conf(5), kdumpctl).
DEPRECATED_DIRECTIVES = {
    'net': 'the nfs or ssh directive (target.type nfs / ssh)',
    'options': 'KDUMP_COMMANDLINE_APPEND="<module>.<param>=<value>" in /etc/sysconfig/kdump',
    'link_delay': 'nothing (dracut waits for the network itself)',
    'disk_timeout': 'nothing (dracut waits for the disk itself)',
    'debug_mem_level': 'rd.memdebug=<N> in KDUMP_COMMANDLINE_APPEND of /etc/sysconfig/kdump',
    'blacklist': 'rd.driver.blacklist=<modules> in KDUMP_COMMANDLINE_APPEND of /etc/sysconfig/kdump',
    'override_resettable': 'nothing (removed from kdump-utils in 2023)',
}
FAILURE_ACTIONS = ('reboot', 'halt', 'poweroff', 'shell', 'dump_to_rootfs')
FINAL_ACTIONS = ('reboot', 'halt', 'poweroff')

_MOUNT_RE = re.compile(r'(^|\s)--mount(\s|=|$)')


class ConfLine(object):
    """One physical line; ``directive``/``value`` are None for comments and blank lines."""

    def __init__(self, raw, directive=None, value=None):
        self.raw = raw
        self.directive = directive
        self.value = value


def parse_line(raw):
    """Split a line the way ``kdump_read_conf`` + ``read -r opt val`` do."""
    stripped = raw.strip()
    if not stripped or stripped.startswith('#'):
        return ConfLine(raw)
    parts = stripped.split(None, 1)
    directive = parts[0]
    value = parts[1] if len(parts) > 1 else ''
    if '#' in value:
        value = value.split('#', 1)[0]
    value = value.strip()
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        value = value[1:-1]
    return ConfLine(raw, directive, value)


def mount_count(dracut_args):
    """How many ``--mount`` options a dracut_args value carries."""
    try:
        tokens = shlex.split(dracut_args or '')
    except ValueError:
        tokens = (dracut_args or '').split()
    return sum(1 for token in tokens if token == '--mount' or token.startswith('--mount='))


def mount_spec(dracut_args):
    """The ``"<dev> <mnt> <fstype> <opts>"`` words of the (first) ``--mount`` in dracut_args, or None."""
    try:
        tokens = shlex.split(dracut_args or '')
    except ValueError:
        return None
    for index, token in enumerate(tokens):
        if token == '--mount' and index + 1 < len(tokens):
            return tokens[index + 1].split()
        if token.startswith('--mount='):
            return token[len('--mount='):].split()
    return None


def mount_problem(dracut_args):
    """Why kdumpctl would refuse the ``--mount`` of a dracut_args value, or None.

    kdumpctl counts the text ``--mount`` anywhere in the value (exactly one allowed) and takes the device and
    the filesystem type as fields 1 and 3 of what follows ``--mount `` and one more character (the opening
    quote), split on single spaces (``cut -d' '``, which returns a line without any space whole). An empty
    device or type is refused, so is ``--mount=...``.
    """
    if '--mount' not in dracut_args:
        return None
    if dracut_args.count('--mount') > 1:
        return 'dracut_args holds more than one --mount (Multiple mount targets specified)'
    match = re.match(r'.*--mount .(.*)', dracut_args)
    rest = match.group(1) if match else ''
    fields = rest.split(' ')
    device = fields[0] if len(fields) > 1 else rest
    fstype = (fields[2] if len(fields) > 2 else '') if len(fields) > 1 else rest
    if not fstype or not device:
        return ('dracut_args %r: kdumpctl reads the device and filesystem type from --mount "<device> <mountpoint> '
                '<fstype> <options>" (single spaces) and finds none' % dracut_args)
    return None


def ssh_destination_problem(value):
    """Why kdumpctl would refuse ``ssh <value>``, or None.

    kdumpctl (check_ssh_config) wants ``<user>@<host>`` and compares the host with the ``hostname`` that
    ``ssh -G <value>`` prints. ssh lowercases the host and rewrites a numeric address into its canonical
    form (``2.2`` -> ``2.0.0.2``, ``010.1.1.1`` -> ``8.1.1.1``, ``2001:db8:0::1`` -> ``2001:db8::1``; bracketed
    addresses are left alone), so any such host is refused; a user starting with ``-`` is an ssh option.
    """
    if '@' not in value:
        return "ssh target %r has no user: kdumpctl wants ssh <user>@<host>" % value
    user, host = value.split('@', 1)
    if '@' in host:
        return "ssh target %r has more than one '@': kdumpctl and ssh split it differently" % value
    if user.startswith('-'):
        return 'ssh target %r: a user starting with "-" is read by ssh as an option' % value
    resolved = host.lower()
    if not host.startswith('['):
        for af in (socket.AF_INET, socket.AF_INET6):
            try:
                if af == socket.AF_INET:
                    resolved = socket.inet_ntoa(socket.inet_aton(host))
                else:
                    resolved = socket.inet_ntop(af, socket.inet_pton(af, host))
                break
            except (OSError, ValueError):
                continue
    if resolved != host:
        return ('ssh target %r: kdumpctl compares the host with what "ssh -G" resolves (%s) and refuses the '
                'difference; write %s@%s' % (value, resolved, user, resolved))
    return None


def check_value(directive, value):
    """Raise ValueError when ``value`` cannot be written as ``directive`` in kdump.conf."""
    if value is None or str(value).strip() == '':
        raise ValueError("empty value for '%s': kdumpctl rejects it (Invalid kdump config value)" % directive)
    for bad, why in (('\n', 'a newline'), ('\r', 'a carriage return'), ('#', "'#' (kdump.conf cuts a value at '#')")):
        if bad in value:
            raise ValueError('value %r for %s contains %s; kdump.conf cannot carry it' % (value, directive, why))


def render_line(directive, value):
    """Canonical ``<directive> <value>\\n``.

    A value that itself starts and ends with ``"`` gets one more pair, because the reader strips
    exactly one pair of whole-value quotes.
    """
    check_value(directive, value)
    value = value.strip()
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        value = '"%s"' % value
    return '%s %s\n' % (directive, value)


class KdumpConf(LineDocument):
    """A parsed kdump.conf; ``render()`` of an untouched object returns the input byte-for-byte."""

    parse_line = staticmethod(parse_line)

    def entries(self):
        """(directive, value) of every directive line, in file order."""
        return [(line.directive, line.value) for line in self.lines if line.directive is not None]

    def values(self):
        """directive -> value; the last occurrence wins, like ``kdump_get_conf_val``."""
        return dict(self.entries())

    def get(self, directive, default=None):
        return self.values().get(directive, default)

    def targets(self):
        """The dump targets: (directive, value) for every target directive and ``dracut_args --mount``."""
        found = []
        for directive, value in self.entries():
            if directive in TARGET_DIRECTIVES:
                found.append((directive, value))
            elif directive == 'dracut_args' and mount_count(value):
                found.append((directive, value))
        return found

    def errors(self):
        """What kdumpctl would refuse to start with, as readable strings (empty list = valid)."""
        problems = []
        seen = {}
        for directive, value in self.entries():
            seen[directive] = seen.get(directive, 0) + 1
            if directive in DEPRECATED_DIRECTIVES:
                problems.append("deprecated directive '%s': kdumpctl refuses it; use %s"
                                % (directive, DEPRECATED_DIRECTIVES[directive]))
            elif directive not in KNOWN_DIRECTIVES:
                problems.append("unknown directive '%s'; valid directives: %s"
                                % (directive, ', '.join(sorted(KNOWN_DIRECTIVES))))
            elif value == '':
                problems.append("directive '%s' has an empty value" % directive)
            if directive == 'dracut_args' and value:
                problem = mount_problem(value)
                if problem:
                    problems.append(problem)
        for directive, count in sorted(seen.items()):
            if count > 1:
                problems.append("directive '%s' appears %d times (Duplicated kdump config value)"
                                % (directive, count))
        if 'default' in seen and 'failure_action' in seen:
            problems.append("'default' and 'failure_action' are both set; 'default' is the deprecated alias")
        targets = self.targets()
        for directive, value in targets:
            if directive == 'ssh' and value:
                problem = ssh_destination_problem(value)
                if problem:
                    problems.append(problem)
        if len(targets) > 1:
            problems.append('more than one dump target: %s (More than one dump targets specified)'
                            % ', '.join('%s %s' % item for item in targets))
        values = self.values()
        if values.get('force_rebuild') == '1' and values.get('force_no_rebuild') == '1':
            problems.append('force_rebuild and force_no_rebuild are both 1')
        for directive in ('failure_action', 'default'):
            if directive in values and values[directive] not in FAILURE_ACTIONS:
                problems.append('%s %r is not one of %s' % (directive, values[directive], ', '.join(FAILURE_ACTIONS)))
        if 'final_action' in values and values['final_action'] not in FINAL_ACTIONS:
            problems.append('final_action %r is not one of %s' % (values['final_action'], ', '.join(FINAL_ACTIONS)))
        return problems

    def set(self, directive, value):
        """Make ``directive`` hold ``value`` exactly once; None removes it. Return True on a change.

        The first occurrence is replaced in place (so its neighbouring comments stay with it) and
        later duplicates are removed; a new directive is appended at the end. A line whose parsed
        value already equals ``value`` is kept byte-for-byte.
        """
        indexes = [index for index, line in enumerate(self.lines) if line.directive == directive]
        if value is None:
            for index in reversed(indexes):
                del self.lines[index]
            return bool(indexes)
        if len(indexes) == 1 and self.lines[indexes[0]].value == value:
            return False
        new_raw = render_line(directive, value)
        if indexes:
            first = indexes[0]
            if not self.lines[first].raw.endswith('\n'):
                new_raw = new_raw.rstrip('\n')
            self.lines[first] = parse_line(new_raw)
            for index in reversed(indexes[1:]):
                del self.lines[index]
            return True
        if self.lines and not self.lines[-1].raw.endswith('\n'):
            self.lines[-1] = parse_line(self.lines[-1].raw + '\n')
        self.lines.append(parse_line(new_raw))
        return True

    def set_target(self, directive, value):
        """Make ``directive value`` the only target directive (None: no target directive).

        A new target takes the place of the target it replaces. Return True on a change.
        """
        indexes = [index for index, line in enumerate(self.lines) if line.directive in TARGET_DIRECTIVES]
        if directive is None:
            for index in reversed(indexes):
                del self.lines[index]
            return bool(indexes)
        if len(indexes) == 1 and (self.lines[indexes[0]].directive, self.lines[indexes[0]].value) == (directive, value):
            return False
        if not indexes:
            return self.set(directive, value)
        new_raw = render_line(directive, value)
        if not self.lines[indexes[0]].raw.endswith('\n'):
            new_raw = new_raw.rstrip('\n')
        self.lines[indexes[0]] = parse_line(new_raw)
        for index in reversed(indexes[1:]):
            del self.lines[index]
        return True


def parse(text):
    return KdumpConf(text)


def apply_updates(text, updates):
    """``text`` with each (directive, value-or-None) of ``updates`` applied; every other line kept byte-for-byte.

    Target directives are one slot (kdumpctl allows one target): the first non-None target update takes the
    place of whatever target the file had, all None removes it.
    """
    document = parse(text)
    target_updates = [(key, value) for key, value in updates if key in TARGET_DIRECTIVES]
    if target_updates:
        chosen = [(key, value) for key, value in target_updates if value is not None]
        document.set_target(*(chosen[0] if chosen else (None, None)))
    for key, value in updates:
        if key not in TARGET_DIRECTIVES:
            document.set(key, value)
    return document.render()


def render_exclusive(header_lines, entries):
    """A whole kdump.conf: ``# `` header lines, a blank line, then one canonical line per (directive, value)."""
    return comment_header(header_lines) + ''.join(render_line(directive, value) for directive, value in entries)
