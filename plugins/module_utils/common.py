# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host access shared by every fleet.kdump module.

Everything here takes its paths and its AnsibleModule as arguments so that the
parsers stay pure and the tests can point the code at temporary files.
"""

from __future__ import annotations

import os
import tempfile

RHEL_IDS = frozenset(('rhel', 'fedora', 'centos', 'rocky', 'almalinux', 'ol', 'amzn', 'cloudlinux', 'eurolinux', 'circle', 'navy'))
DEBIAN_IDS = frozenset(('debian', 'ubuntu', 'linuxmint', 'pop', 'raspbian'))
SUSE_IDS = frozenset(('suse', 'sles', 'sled', 'opensuse', 'opensuse-leap', 'opensuse-tumbleweed', 'sle-micro'))
FAMILIES = ('rhel', 'debian', 'suse')


class CommandRunner(object):
    """The one place commands run through.

    ``read`` runs always (query commands); ``write`` records the argv list in
    ``commands`` and runs it only outside check mode, so check mode reports the
    exact commands that would run.
    """

    def __init__(self, module):
        self.module = module
        self.commands = []

    def read(self, argv, check_rc=False, data=None):
        return self.module.run_command(list(argv), check_rc=check_rc, data=data)

    def write(self, argv, check_rc=True, data=None):
        argv = list(argv)
        self.commands.append(argv)
        if self.module.check_mode:
            return 0, '', ''
        return self.module.run_command(argv, check_rc=check_rc, data=data)


def read_text(path, default=None):
    """Return the content of ``path`` as text, or ``default`` when it cannot be read."""
    try:
        with open(path, 'rb') as handle:
            return handle.read().decode('utf-8', 'surrogateescape')
    except (IOError, OSError):
        return default


def parse_os_release(text):
    """Parse /etc/os-release (shell-style KEY=value lines) into a dict."""
    result = {}
    for line in (text or '').splitlines():
        line = line.strip()
        if not line or line.startswith('#') or '=' not in line:
            continue
        key, value = line.split('=', 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in '"\'':
            value = value[1:-1]
        result[key.strip()] = value
    return result


def detect_family(os_release):
    """Map a parsed os-release dict to 'rhel', 'debian', 'suse' or None."""
    ids = [os_release.get('ID', '').lower()] + os_release.get('ID_LIKE', '').lower().split()
    for ident in ids:
        if ident in DEBIAN_IDS:
            return 'debian'
        if ident in RHEL_IDS:
            return 'rhel'
        if ident in SUSE_IDS or ident.startswith('opensuse') or ident.startswith('sle'):
            return 'suse'
    return None


def major_version(os_release):
    """The distribution's major version as int (VERSION_ID '9.4' -> 9), or None."""
    version = os_release.get('VERSION_ID', '')
    head = version.split('.', 1)[0]
    return int(head) if head.isdigit() else None


def host_family(os_release_path='/etc/os-release'):
    """(family, major_version, os_release dict) of the host, family None if unknown."""
    osr = parse_os_release(read_text(os_release_path, ''))
    return detect_family(osr), major_version(osr), osr


class LineDocument(object):
    """A text file kept as parsed lines, so edits touch only their own lines.

    Subclasses set ``parse_line`` (raw line -> object with ``.raw``, wrapped in staticmethod);
    ``render()`` of an untouched document returns the input byte-for-byte.
    """

    parse_line = None

    def __init__(self, text=''):
        self.lines = [self.parse_line(raw) for raw in (text or '').splitlines(True)]

    def render(self):
        return ''.join(line.raw for line in self.lines)


def comment_header(header_lines):
    """``# ``-commented header lines followed by a blank line ('' when there are none).

    Both kdump.conf and the shell-env files take ``#`` comments, so an exclusive file of either
    format starts with this block.
    """
    if not header_lines:
        return ''
    return ''.join('# %s\n' % line if line else '#\n' for line in header_lines) + '\n'


def file_diff(path, before, after):
    """A diff dict built from the same strings that are compared and written."""
    return {
        'before_header': '%s (content)' % path,
        'after_header': '%s (content)' % path,
        'before': before or '',
        'after': after,
    }


def write_file(module, path, before, after, backup=False, mode=None):
    """The lineinfile edit loop's tail: write ``after`` to ``path`` if it differs from ``before``.

    ``before`` is the current content (None when the file does not exist).
    Writes go to a temp file in the destination directory and land with
    ``atomic_move``; nothing is written in check mode. Returns a dict with
    ``changed``, ``backup_file`` (or None) and ``diff``.
    """
    result = {'changed': before != after, 'backup_file': None, 'diff': file_diff(path, before, after)}
    if not result['changed'] or module.check_mode:
        return result
    if backup and before is not None:
        result['backup_file'] = module.backup_local(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.ansible_tmp_')
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(after.encode('utf-8', 'surrogateescape'))
        if mode is not None:
            os.chmod(tmp, mode)
        elif before is not None:
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o644)
        module.atomic_move(tmp, os.path.realpath(path) if os.path.exists(path) else path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return result


def restore_file(module, path, before):
    """Put ``path`` back as it was (``before`` None = remove it); used to undo a failed step."""
    if module.check_mode:
        return
    if before is None:
        if os.path.exists(path):
            os.unlink(path)
        return
    write_file(module, path, read_text(path), before)
