# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""makedumpfile facts: build features from ``makedumpfile -v`` and the compression / dump-level flags.

Pure functions only; the module runs the binary and passes its output in.
"""

from __future__ import annotations

import re
import shlex

COMPRESSION_FLAGS = {'zlib': '-c', 'lzo': '-l', 'snappy': '-p', 'zstd': '-z'}
FLAG_COMPRESSIONS = dict((flag, name) for name, flag in COMPRESSION_FLAGS.items())
COMPRESSIONS = ('zlib', 'lzo', 'snappy', 'zstd', 'none')

# Preference of compression=auto, fastest first. lzo and snappy are both in the "fast" class
# (makedumpfile compresses each 4K page at the fastest level; no trustworthy benchmark separates
# them) and lzo is the RHEL/Fedora default collector (-l), the most exercised path in capture
# kernels, with a ratio as good as zlib. zstd is slightly slower but smaller; zlib is the slowest
# and always built, so it is the last resort.
FASTEST_FIRST = ('lzo', 'snappy', 'zstd', 'zlib')

_VERSION_RE = re.compile(r'makedumpfile:\s+version\s+(\S+)')
_FEATURE_RE = re.compile(r'^\s*(lzo|snappy|zstd)\s+(enabled|disabled)\s*$', re.MULTILINE)
_LEVEL_RE = re.compile(r'^-d(\d+(?:,\d+)*)?$')


def version(version_output):
    """The version string from ``makedumpfile -v`` ('1.7.2'), or None."""
    match = _VERSION_RE.search(version_output or '')
    return match.group(1) if match else None


def supported_compressions(version_output):
    """Compressions this makedumpfile build supports, from its ``-v`` output.

    makedumpfile 1.7.x prints ``makedumpfile: version 1.7.2 (released on 20 Oct 2022)`` followed by one
    ``<lib>\\tenabled|disabled`` line per optional library. zlib (-c) is always built in; 'none' always works.
    Returns an empty set when the text is not makedumpfile's version output.
    """
    text = version_output or ''
    if not _VERSION_RE.search(text):
        return set()
    result = {'zlib', 'none'}
    for name, state in _FEATURE_RE.findall(text):
        if state == 'enabled':
            result.add(name)
    return result


def fastest(supported):
    """The fastest compression in ``supported`` (see FASTEST_FIRST); 'zlib' when nothing better is built."""
    for name in FASTEST_FIRST:
        if name in supported:
            return name
    return 'zlib'


def _tokens(args):
    if isinstance(args, (list, tuple)):
        return list(args)
    return shlex.split(args or '')


def compression_from_args(args):
    """Compression selected by a makedumpfile argument string ('none' when no compression flag).

    The last compression flag wins, as in makedumpfile's getopt loop. Combined short options
    such as ``-lF`` are honoured.
    """
    found = 'none'
    for token in _tokens(args):
        if token.startswith('--') or not token.startswith('-'):
            continue
        if token in FLAG_COMPRESSIONS:
            found = FLAG_COMPRESSIONS[token]
            continue
        if token.startswith('-d'):
            continue
        for char in token[1:]:
            flag = '-' + char
            if flag in FLAG_COMPRESSIONS:
                found = FLAG_COMPRESSIONS[flag]
    return found


def dump_level_from_args(args):
    """The dump level (-d N or -dN) from makedumpfile arguments as int, or None when absent.

    With a retry list (``-d 11,31``) the first level is the one used first and is returned.
    """
    tokens = _tokens(args)
    level = None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        value = None
        if token == '-d' and index + 1 < len(tokens):
            value = tokens[index + 1]
            index += 1
        elif token.startswith('-d') and len(token) > 2 and token[2:3].isdigit():
            value = token[2:]
        if value is not None:
            head = value.split(',', 1)[0]
            level = int(head) if head.isdigit() else None
        index += 1
    return level


def has_flatten(args):
    """True when the arguments request flattened output (-F)."""
    for token in _tokens(args):
        if token == '-F' or (token.startswith('-') and not token.startswith('--') and not token.startswith('-d')
                             and 'F' in token[1:]):
            return True
    return False


def set_args(args, compression=None, dump_level=None, flatten=None):
    """Return makedumpfile ``args`` with the compression flag, -d level and -F replaced as asked.

    ``compression`` None keeps the current flag, 'none' removes it; ``dump_level`` None keeps -d;
    ``flatten`` True puts -F first (kdump-tools only detects a leading -F), False removes it,
    None keeps it. Every other argument is kept in order.
    """
    tokens = _tokens(args)
    kept = []
    current_compression = compression_from_args(tokens)
    current_level = dump_level_from_args(tokens)
    current_flatten = has_flatten(tokens)
    level_text = None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token == '-d':
            level_text = tokens[index + 1] if index + 1 < len(tokens) else None
            index += 2
            continue
        if token.startswith('-') and not token.startswith('--'):
            if token.startswith('-d'):
                level_text = token[2:]
                index += 1
                continue
            letters = [char for char in token[1:] if char not in 'clpzF']
            if len(token) > 1 and not letters:
                index += 1
                continue
            if len(letters) != len(token) - 1:
                token = '-' + ''.join(letters)
        kept.append(token)
        index += 1
    compression = current_compression if compression is None else compression
    if dump_level is not None:
        level_text = str(dump_level)
    elif current_level is None:
        level_text = None
    flatten = current_flatten if flatten is None else flatten
    head = []
    if flatten:
        head.append('-F')
    if compression != 'none':
        head.append(COMPRESSION_FLAGS[compression])
    tail = []
    if level_text:
        tail = ['-d', level_text]
    return ' '.join(head + kept + tail)
