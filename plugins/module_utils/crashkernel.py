# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``crashkernel=`` kernel parameter: grammar, evaluation and defaults.

Pure functions only. The grammar is the kernel's (Documentation/admin-guide/kernel-parameters.txt,
kernel/crash_reserve.c)::

    crashkernel ::= simple | ranges | suffixed
    simple      ::= size ["@" offset]
    ranges      ::= range ":" size {"," range ":" size} ["@" offset]
    range       ::= start "-" [end]        (start inclusive, end exclusive, open end = infinity)
    suffixed    ::= size ",high" | size ",low" | size ",cma"
    size        ::= memparse number: digits or 0x hex, optional K M G T P E suffix
"""

from __future__ import annotations

import re

UNITS = {'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30, 'T': 1 << 40, 'P': 1 << 50, 'E': 1 << 60}
SUFFIXES = ('high', 'low', 'cma')
TOKEN_CLASSES = ('main', 'high', 'low', 'cma')
# Anything outside this set can never be part of a crashkernel value; rejecting it early keeps shell
# metacharacters and whitespace away from bootloader files and command lines.
ALLOWED_CHARS = re.compile(r'^[0-9A-Za-z:,@\-]+$')
_NUMBER = re.compile(r'^(0[xX][0-9a-fA-F]+|[0-9]+)([KMGTPEkmgtpe]?)$')

VALID_FORMS = ("valid forms: a size with unit such as '256M'; '256M@16M' (size@offset); "
               "ranges '1G-4G:192M,4G-64G:256M,64G-:512M' (start-[end]:size, ascending, not overlapping, "
               "optional '@offset'); '512M,high', '128M,low' or '64M,cma'; units K M G T P E")

# Default table for size=tiers: (minimum RAM, reservation) per CPU architecture, checked top-down.
# Provenance (see docs/spec section 1.10 and 2.5):
#  * x86_64/s390x above 1G: kdump-utils kdump_get_arch_recommend_crashkernel as shipped with RHEL 9
#    (1G-4G:192M,4G-64G:256M,64G-:512M);
#  * x86_64 below 1G: Debian 12 kdump-tools default 384M-:128M (and in the lab a 1 GiB Debian 12 guest
#    captured with 128M; 112M ran out of memory);
#  * aarch64: kdump-utils since 2022-06 (1G-4G:256M,4G-64G:320M,64G-:576M);
#  * ppc64le: kdump-utils / RHEL ppc64le kdump default (2G-4G:384M,4G-16G:512M,16G-64G:1G,64G-128G:2G,128G-:4G).
DEFAULT_TIERS = {
    'x86_64': [('0', '128M'), ('1G', '192M'), ('4G', '256M'), ('64G', '512M')],
    'aarch64': [('0', '256M'), ('4G', '320M'), ('64G', '576M')],
    'ppc64le': [('0', '384M'), ('4G', '512M'), ('16G', '1G'), ('64G', '2G'), ('128G', '4G')],
}
DEFAULT_TIERS['s390x'] = DEFAULT_TIERS['x86_64']
DEFAULT_TIERS['amd64'] = DEFAULT_TIERS['x86_64']
DEFAULT_TIERS['arm64'] = DEFAULT_TIERS['aarch64']
DEFAULT_TIERS['ppc64el'] = DEFAULT_TIERS['ppc64le']


def memparse(text):
    """Kernel memparse: digits or 0x hex with an optional K/M/G/T/P/E suffix (any case) -> bytes."""
    if not isinstance(text, str):
        raise ValueError('memory value must be text, got %r' % (text,))
    match = _NUMBER.match(text.strip())
    if not match:
        raise ValueError("'%s' is not a memory size (digits or 0x hex, optional K, M, G, T, P or E)" % text)
    number, unit = match.groups()
    value = int(number, 16) if number[:2].lower() == '0x' else int(number, 10)
    return value * UNITS.get(unit.upper(), 1)


def format_bytes(n):
    """Shortest exact human form: 201326592 -> '192M', 0 -> '0', 1000 -> '1000'."""
    n = int(n)
    if n == 0:
        return '0'
    for unit in ('E', 'P', 'T', 'G', 'M', 'K'):
        if n % UNITS[unit] == 0:
            return '%d%s' % (n // UNITS[unit], unit)
    return str(n)


def human_bytes(value):
    """Short binary size for messages, one decimal at most: 268435456 -> '256M', 1610612736 -> '1.5G'."""
    if value is None:
        return 'unknown'
    for unit in ('T', 'G', 'M', 'K'):
        if value >= UNITS[unit]:
            number = float(value) / UNITS[unit]
            return ('%d%s' % (number, unit)) if number == int(number) else ('%.1f%s' % (number, unit))
    return '%dB' % value


def _size(text, what, strict):
    text = text.strip()
    if text == '':
        raise ValueError('%s is missing' % what)
    value = memparse(text)
    # The kernel reads a bare '256' as 256 bytes: in user input that is always a missing unit.
    if strict and 0 < value < UNITS['M'] and not re.search(r'[KMGTPEkmgtpe]$', text):
        raise ValueError("%s '%s' has no unit and would mean %d bytes; write e.g. '%sM'" % (what, text, value, text))
    return value


class CrashkernelSpec(object):
    """A parsed crashkernel value.

    ``kind`` is 'simple', 'ranges', 'high', 'low', 'cma' or 'auto' (the RHEL 6-8 kernel extension).
    ``size`` (simple and suffixed), ``ranges`` (list of (start, end or None, size)), ``offset`` (or None).
    Equality compares the parsed values, so '256M' == '262144K' == '0x10000000'.
    """

    def __init__(self, kind, size=None, ranges=None, offset=None):
        self.kind = kind
        self.size = size
        self.ranges = ranges or []
        self.offset = offset

    def size_for(self, ram_bytes):
        """Bytes the kernel would reserve on a machine with ``ram_bytes`` of RAM (0 when no range matches).

        None for 'auto', whose size only the RHEL kernel knows.
        """
        if self.kind == 'auto':
            return None
        if self.kind == 'ranges':
            for start, end, size in self.ranges:
                if ram_bytes >= start and (end is None or ram_bytes < end):
                    return size
            return 0
        return self.size

    def _key(self):
        return (self.kind, self.size, tuple(self.ranges), self.offset)

    def __eq__(self, other):
        return isinstance(other, CrashkernelSpec) and self._key() == other._key()

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self._key())

    def __str__(self):
        if self.kind == 'auto':
            return 'auto'
        if self.kind == 'ranges':
            text = ','.join('%s-%s:%s' % (format_bytes(start), '' if end is None else format_bytes(end), format_bytes(size))
                            for start, end, size in self.ranges)
        else:
            text = format_bytes(self.size)
        if self.offset is not None:
            text += '@' + format_bytes(self.offset)
        if self.kind in SUFFIXES:
            text += ',' + self.kind
        return text

    def __repr__(self):
        return 'CrashkernelSpec(%r)' % str(self)


def _parse_ranges(body, strict):
    ranges = []
    for item in body.split(','):
        if ':' not in item:
            raise ValueError("range '%s' has no ':size'" % item)
        bounds, size_text = item.split(':', 1)
        if '-' not in bounds:
            raise ValueError("range '%s' needs 'start-[end]' before ':'" % item)
        start_text, end_text = bounds.split('-', 1)
        start = _size(start_text, "start of range '%s'" % item, False)
        end = None if end_text.strip() == '' else _size(end_text, "end of range '%s'" % item, False)
        if end is not None and end <= start:
            raise ValueError("range '%s' ends before it starts (end must be larger than start)" % item)
        size = _size(size_text, "size of range '%s'" % item, strict)
        ranges.append((start, end, size))
    for index, (start, end, dummy) in enumerate(ranges):
        for other_start, other_end, dummy2 in ranges[index + 1:]:
            if start < (other_end if other_end is not None else float('inf')) and other_start < (end if end is not None else float('inf')):
                raise ValueError('ranges %s-%s and %s-%s overlap' % (
                    format_bytes(start), '' if end is None else format_bytes(end),
                    format_bytes(other_start), '' if other_end is None else format_bytes(other_end)))
    return ranges


def parse(value, strict=True):
    """Parse a crashkernel value into a CrashkernelSpec; ValueError naming the value and the valid forms.

    ``strict`` (for user input) also requires a unit on reservation sizes, because the kernel
    reads a bare '256' as 256 bytes. Values read back from a command line use strict=False.
    """
    if not isinstance(value, str):
        raise ValueError('crashkernel value must be text, got %r; %s' % (value, VALID_FORMS))
    text = value.strip()
    try:
        if text.startswith('crashkernel='):
            text = text[len('crashkernel='):]
        if text == '':
            raise ValueError('empty value')
        if text == 'auto':
            return CrashkernelSpec('auto')
        if not ALLOWED_CHARS.match(text):
            bad = sorted(set(ch for ch in text if not re.match(r'[0-9A-Za-z:,@\-]', ch)))
            raise ValueError('characters %s are not allowed' % ' '.join(repr(ch) for ch in bad))
        kind = None
        if ',' in text:
            head, tail = text.rsplit(',', 1)
            if tail in SUFFIXES:
                kind, text = tail, head
            elif ':' not in tail and '-' not in tail:
                raise ValueError("unknown suffix ',%s' (only ,high ,low ,cma)" % tail)
        if kind is not None:
            if ':' in text or '@' in text or ',' in text:
                raise ValueError(',%s takes a plain size only (no ranges, no @offset)' % kind)
            return CrashkernelSpec(kind, size=_size(text, 'size', strict))
        offset = None
        if '@' in text:
            text, offset_text = text.split('@', 1)
            if '@' in offset_text:
                raise ValueError("more than one '@'")
            offset = _size(offset_text, 'offset after @', False)
        if ':' in text:
            return CrashkernelSpec('ranges', ranges=_parse_ranges(text, strict), offset=offset)
        if '-' in text or ',' in text:
            raise ValueError("'%s' is neither a size nor a list of 'start-[end]:size' ranges" % text)
        return CrashkernelSpec('simple', size=_size(text, 'size before @' if offset is not None else 'size', strict), offset=offset)
    except ValueError as exc:
        raise ValueError("invalid crashkernel value '%s': %s; %s" % (value, exc, VALID_FORMS))


def token_class(value):
    """'high', 'low', 'cma' for suffixed values, else 'main' (the kernel's get_last_crashkernel classes)."""
    for suffix in SUFFIXES:
        if value.endswith(',' + suffix):
            return suffix
    return 'main'


def split_cmdline(cmdline):
    """Split a kernel command line into words like the kernel does (double quotes group, '--' ends it)."""
    words = []
    current = []
    in_quotes = False
    has_word = False
    for char in cmdline or '':
        if char == '"':
            in_quotes = not in_quotes
            current.append(char)
            has_word = True
        elif char.isspace() and not in_quotes:
            if has_word:
                words.append(''.join(current))
            current, has_word = [], False
        else:
            current.append(char)
            has_word = True
    if has_word:
        words.append(''.join(current))
    if '--' in words:
        words = words[:words.index('--')]
    return words


def crashkernel_values(cmdline):
    """Every crashkernel= value on ``cmdline`` in order (raw strings, quotes removed)."""
    return [word.split('=', 1)[1].replace('"', '') for word in split_cmdline(cmdline) if word.startswith('crashkernel=')]


def from_cmdline(cmdline_text):
    """Effective crashkernel values of a command line: the last one of each class wins.

    Returns {'main': '256M' | None, 'high': ..., 'low': ..., 'cma': ...} with raw value strings.
    """
    result = dict((name, None) for name in TOKEN_CLASSES)
    for value in crashkernel_values(cmdline_text):
        result[token_class(value)] = value
    return result


def parse_tokens(tokens):
    """{'main': '256M', ...} -> {'main': CrashkernelSpec, ...}; unparsable values stay as their raw string."""
    parsed = {}
    for name in TOKEN_CLASSES:
        raw = (tokens or {}).get(name)
        if raw is None:
            parsed[name] = None
            continue
        try:
            parsed[name] = parse(raw, strict=False)
        except ValueError:
            parsed[name] = raw
    return parsed


def same_tokens(left, right):
    """True when two token dicts mean the same to the kernel (parsed comparison, not text)."""
    return parse_tokens(left) == parse_tokens(right)


def tokens_text(tokens):
    """Token dict -> the value text we report: '192M', or '512M,high 128M,low'; None when empty."""
    values = [tokens[name] for name in TOKEN_CLASSES if tokens and tokens.get(name)]
    return ' '.join(values) if values else None


def choose_tier(ram_bytes, tiers):
    """Pick the size of the last tier whose min_ram <= ram_bytes from [(min_ram, size), ...] (any order).

    Returns the size text, or None when RAM is below every tier.
    """
    chosen = None
    chosen_min = -1
    for min_ram, size in tiers:
        min_bytes = memparse(str(min_ram)) if not isinstance(min_ram, int) else min_ram
        if min_bytes <= ram_bytes and min_bytes > chosen_min:
            chosen, chosen_min = size, min_bytes
    return chosen


def default_tiers(arch):
    """The shipped tier table for a CPU architecture (x86_64 table for unknown ones)."""
    return DEFAULT_TIERS.get(arch, DEFAULT_TIERS['x86_64'])
