# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""POSIX shell environment files (/etc/default/kdump-tools, /etc/sysconfig/kdump).

Both files are sourced by a shell (dash / bash) and /etc/default/kdump-tools is also a systemd
``EnvironmentFile=``. The writer therefore only emits ``NAME="value"`` with ``"``, ``$``, a
backtick and ``\\`` escaped by a backslash: inside double quotes POSIX sh and systemd's
EnvironmentFile parser both turn exactly those four escapes back into the literal character and
keep any other backslash, so both read the same value. Newlines are refused (systemd and dash
disagree on them). Every line the caller does not change is kept byte-for-byte, so
``parse(text).render() == text``.
"""

from __future__ import annotations

import re

from ansible_collections.fleet.kdump.plugins.module_utils.common import LineDocument, comment_header

_ASSIGN_RE = re.compile(r'^([ \t]*)(export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=')
_NAME_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
_ESCAPED_IN_DOUBLE_QUOTES = '"$`\\'


class ShellLine(object):
    """One physical line: ``raw`` (with its newline), and for assignments ``name`` and ``value``.

    ``exact`` is False when the value uses shell expansion or syntax this parser does not
    evaluate ($VAR, command substitution, several words); ``value`` is then the literal text.
    """

    def __init__(self, raw, name=None, value=None, exact=True):
        self.raw = raw
        self.name = name
        self.value = value
        self.exact = exact

    @property
    def is_assignment(self):
        return self.name is not None


def parse_word(text):
    """Parse one shell word at the start of ``text`` (the part after ``NAME=``).

    Returns (value, exact): exact is False when the word contains expansions or is followed by
    anything but blanks and a ``#`` comment.
    """
    value = []
    exact = True
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char in ' \t\r\n':
            break
        if char == "'":
            end = text.find("'", index + 1)
            if end < 0:
                return text.rstrip('\r\n'), False
            value.append(text[index + 1:end])
            index = end + 1
            continue
        if char == '"':
            index += 1
            closed = False
            while index < length:
                char = text[index]
                if char == '\\' and index + 1 < length and text[index + 1] in _ESCAPED_IN_DOUBLE_QUOTES:
                    value.append(text[index + 1])
                    index += 2
                    continue
                if char == '"':
                    closed = True
                    index += 1
                    break
                if char in '$`':
                    exact = False
                value.append(char)
                index += 1
            if not closed:
                return text.rstrip('\r\n'), False
            continue
        if char == '\\' and index + 1 < length:
            value.append(text[index + 1])
            index += 2
            continue
        if char in '$`;&|<>()':
            exact = False
        value.append(char)
        index += 1
    rest = text[index:].strip()
    if rest and not rest.startswith('#'):
        exact = False
    return ''.join(value), exact


def parse_line(raw):
    """Classify one physical line (see ShellLine)."""
    match = _ASSIGN_RE.match(raw)
    if not match:
        return ShellLine(raw)
    value, exact = parse_word(raw[match.end():])
    return ShellLine(raw, name=match.group(3), value=value, exact=exact)


def check_value(value):
    """Raise ValueError when ``value`` cannot be stored in a shell env file read by sh and systemd."""
    for bad, label in (('\n', 'a newline'), ('\r', 'a carriage return'), ('\x00', 'a NUL byte')):
        if bad in value:
            raise ValueError('value %r contains %s; /bin/sh and systemd EnvironmentFile= would read it '
                             'differently, so it cannot be written' % (value, label))


def quote(value):
    """Double-quote ``value`` so that dash, bash and systemd's EnvironmentFile read it identically."""
    check_value(value)
    return '"%s"' % ''.join('\\' + char if char in _ESCAPED_IN_DOUBLE_QUOTES else char for char in value)


def render_assignment(name, value):
    """``NAME="value"\\n``."""
    if not _NAME_RE.match(name or ''):
        raise ValueError('%r is not a valid shell variable name (letters, digits, _; not starting with a digit)'
                         % (name,))
    return '%s=%s\n' % (name, quote(value))


class ShellEnvFile(LineDocument):
    """A parsed shell env file that can be edited line-preservingly."""

    parse_line = staticmethod(parse_line)

    def values(self):
        """Every assigned variable with its value; the last assignment wins, as when sourced."""
        result = {}
        for line in self.lines:
            if line.is_assignment:
                result[line.name] = line.value
        return result

    def get(self, name, default=None):
        return self.values().get(name, default)

    def _indexes(self, name):
        return [index for index, line in enumerate(self.lines) if line.name == name]

    def set(self, name, value):
        """Make ``name`` hold ``value`` with exactly one assignment; return True when lines changed.

        An assignment that already yields ``value`` is left untouched (whatever its quoting).
        A new assignment goes after the last commented template line ``#NAME=`` when there is
        one (where the distro template documents it), else at the end of the file.
        """
        new_raw = render_assignment(name, value)
        indexes = self._indexes(name)
        if indexes:
            last = self.lines[indexes[-1]]
            if len(indexes) == 1 and last.exact and last.value == value:
                return False
            keep_newline = last.raw.endswith('\n')
            self.lines[indexes[-1]] = parse_line(new_raw if keep_newline else new_raw.rstrip('\n'))
            for index in reversed(indexes[:-1]):
                del self.lines[index]
            return True
        commented = re.compile(r'^[ \t]*#[ \t]*(export[ \t]+)?%s=' % re.escape(name))
        position = None
        for index, line in enumerate(self.lines):
            if commented.match(line.raw):
                position = index + 1
        if position is None:
            position = len(self.lines)
        if position > 0 and not self.lines[position - 1].raw.endswith('\n'):
            self.lines[position - 1] = parse_line(self.lines[position - 1].raw + '\n')
        self.lines.insert(position, parse_line(new_raw))
        return True

    def unset(self, name):
        """Remove every assignment of ``name``; return True when lines changed."""
        indexes = self._indexes(name)
        for index in reversed(indexes):
            del self.lines[index]
        return bool(indexes)


def parse(text):
    return ShellEnvFile(text)


def apply_updates(text, updates):
    """``text`` with each (name, value-or-None) of ``updates`` set or removed; every other line kept byte-for-byte."""
    document = parse(text)
    for name, value in updates:
        if value is None:
            document.unset(name)
        else:
            document.set(name, value)
    return document.render()


def render_exclusive(header_lines, assignments):
    """A whole file: ``# `` header lines, a blank line, then one ``NAME="value"`` per (name, value)."""
    return comment_header(header_lines) + ''.join(render_assignment(name, value) for name, value in assignments)
