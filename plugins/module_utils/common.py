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

CONTAINER_MARKERS = {'/run/.containerenv': 'podman', '/.dockerenv': 'docker'}
PROC1_ENVIRON = '/proc/1/environ'


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


def major_version(os_release):
    """The distribution's major version as int (VERSION_ID '9.4' -> 9), or None."""
    version = os_release.get('VERSION_ID', '')
    head = version.split('.', 1)[0]
    return int(head) if head.isdigit() else None


def host_path(root, path):
    """``path`` (absolute, as on the host) below ``root``; the tests point ``root`` at a temporary tree."""
    return os.path.join(root, path.lstrip('/'))


def parse_int(text):
    """An integer file or sysfs value ('1\\n', '268435456', '0x10', 3) or None when absent/garbled."""
    if text is None or isinstance(text, bool):
        return None
    text = str(text).strip()
    try:
        return int(text, 16) if text.lower().startswith('0x') else int(text)
    except ValueError:
        return None


def read_int(path):
    """The integer held by the file ``path`` (sysfs style), or None."""
    return parse_int(read_text(path))


def detect_container(containerenv_exists=False, dockerenv_exists=False, pid1_environ=None, detect_virt=None):
    """Name of the container technology (e.g. 'podman', 'docker') or None on a real host/VM.

    ``pid1_environ`` is /proc/1/environ (NUL separated); ``detect_virt`` is the
    stdout of a successful `systemd-detect-virt --container` (None when it
    failed or is missing; 'none' means no container).
    """
    if containerenv_exists:
        return 'podman'
    if dockerenv_exists:
        return 'docker'
    for entry in (pid1_environ or '').split('\0'):
        if entry.startswith('container='):
            return entry.split('=', 1)[1].strip() or 'container'
    virt = (detect_virt or '').strip()
    if virt and virt != 'none':
        return virt
    return None


def container_name(root='/', detect_virt=None):
    """The container this host view runs in (see detect_container), or None; a container boots no kernel of its own."""
    markers = dict((name, os.path.exists(host_path(root, path))) for path, name in CONTAINER_MARKERS.items())
    return detect_container(containerenv_exists=markers['podman'], dockerenv_exists=markers['docker'],
                            pid1_environ=read_text(host_path(root, PROC1_ENVIRON)), detect_virt=detect_virt)


def split_lines(text):
    """``text`` cut after each newline, newlines kept: the lines sh, systemd and kdumpctl see.

    Not str.splitlines(), which also cuts at \\r, \\v, \\f, \\x1c-\\x1e, \\x85, \\u2028 and \\u2029: a value
    holding one of those would be read back as two lines (found by tests/fuzz).
    """
    text = text or ''
    lines = text.split('\n')
    result = [line + '\n' for line in lines[:-1]]
    if lines[-1]:
        result.append(lines[-1])
    return result


class LineDocument(object):
    """A text file kept as parsed lines, so edits touch only their own lines.

    Subclasses set ``parse_line`` (raw line -> object with ``.raw``, wrapped in staticmethod);
    ``render()`` of an untouched document returns the input byte-for-byte.
    """

    parse_line = None

    def __init__(self, text=''):
        self.lines = [self.parse_line(raw) for raw in split_lines(text)]

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
