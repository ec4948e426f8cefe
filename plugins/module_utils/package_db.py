# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Installed package versions and debconf answers, read the cheap way.

One ``dpkg-query -W`` or ``rpm -q`` call answers for all the names at once; neither python-apt nor the
rpm bindings are imported (importing python-apt alone costs more than a whole kdump_verify run). The
parsers are pure: a module runs the argv and hands the output over.
"""

from __future__ import annotations


class PackageQuery(object):
    """How one package database is asked for the installed versions of some packages.

    ``argv(names)`` is the query command; ``parse(rc, stdout, stderr, names)`` returns
    {name: version or None} for every name asked (None: not installed, or not usable as installed).
    """

    def __init__(self, name, argv, parse):
        self.name = name
        self._argv = argv
        self._parse = parse

    def argv(self, names):
        return self._argv(list(names))

    def parse(self, rc, stdout, stderr, names):
        versions = dict((name, None) for name in names)
        versions.update((name, version) for name, version in self._parse(stdout or '') if name in versions)
        return versions


# dpkg's ${db:Status-Abbrev}: desired action, then the package state. These states have the files unpacked and
# configured (W and t: only triggers pending); n, c, H, U, F are not (or not completely) installed.
DPKG_INSTALLED_STATES = frozenset('iWt')


def _dpkg_argv(names):
    return ['dpkg-query', '-W', '-f=${Package}\\t${Version}\\t${db:Status-Abbrev}\\n', '--'] + names


def _parse_dpkg(stdout):
    """``dpkg-query -W -f='${Package}\\t${Version}\\t${db:Status-Abbrev}\\n'`` lines -> (name, version).

    Names dpkg never heard of go to stderr ("no packages found matching"); known but removed packages print
    with state ``n`` or ``c``. Of a Multi-Arch package's several lines, an installed one wins.
    """
    for line in stdout.splitlines():
        fields = line.split('\t')
        if len(fields) < 3 or not fields[0]:
            continue
        name, version, status = fields[0], fields[1], fields[2]
        if len(status) >= 2 and status[1] in DPKG_INSTALLED_STATES and version:
            yield name, version


def _rpm_argv(names):
    # EPOCH only when set, as rpm -q prints it: 1:1.7.4-6.el9.
    return ['rpm', '-q', '--qf', '%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n', '--'] + names


def _parse_rpm(stdout):
    """``rpm -q --qf '%{NAME}\\t...'`` lines -> (name, version); "package X is not installed" lines are skipped.

    rpm exits with the number of names not installed, so the exit code is no error here. Several installed
    versions of one name (install-only packages) print one line each: the last one is reported.
    """
    for line in stdout.splitlines():
        fields = line.split('\t')
        if len(fields) == 2 and fields[0] and fields[1]:
            yield fields[0], fields[1]


DPKG = PackageQuery('dpkg', _dpkg_argv, _parse_dpkg)
RPM = PackageQuery('rpm', _rpm_argv, _parse_rpm)

DEBCONF_CONFIG = '/var/cache/debconf/config.dat'


def parse_debconf(text, packages):
    """{question: value} of the debconf answers that belong to ``packages`` (question names ``<package>/...``).

    ``text`` is debconf's config.dat: RFC 822 stanzas (Name, Template, Value, Owners, Flags) separated by blank
    lines. A question asked but never answered has no Value line and reads as None.
    """
    prefixes = tuple('%s/' % package for package in packages)
    answers = {}
    for stanza in (text or '').replace('\r\n', '\n').split('\n\n'):
        fields = {}
        for line in stanza.split('\n'):
            if ':' in line and not line.startswith((' ', '\t')):
                field, _sep, value = line.partition(':')
                fields[field.strip()] = value.strip()
        name = fields.get('Name')
        if name and name.startswith(prefixes):
            answers[name] = fields.get('Value')
    return answers
