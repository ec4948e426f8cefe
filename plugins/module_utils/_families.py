# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The registry of family tables: which table serves a host, and the family names the modules accept."""

from __future__ import annotations

from ansible_collections.fleet.kdump.plugins.module_utils import _family_debian, _family_rhel, _family_suse
from ansible_collections.fleet.kdump.plugins.module_utils import _family_ubuntu
from ansible_collections.fleet.kdump.plugins.module_utils._family import FamilyTable, SettingsError
from ansible_collections.fleet.kdump.plugins.module_utils.common import major_version, parse_os_release, read_text

# Each os-release ID belongs to one table (a distribution with a table of its own, like Ubuntu, claims its IDs
# from its family's table); a family name (the modules' family option) selects the table of that name.
TABLES = (_family_rhel.TABLE, _family_debian.TABLE, _family_ubuntu.TABLE, _family_suse.TABLE)
FAMILIES = tuple(sorted(set(table.family for table in TABLES), key=[table.family for table in TABLES].index))
# The cross-distro vocabulary: every option some table lists (kdump_config's options but its own four).
OPTION_NAMES = tuple(sorted(set(name for table in TABLES for name in table.option_names()),
                            key=[name for table in TABLES for name in table.option_names()].index))


def get(name):
    """The table called ``name`` (a family name or a table's own name); a FamilyTable passes through."""
    if isinstance(name, FamilyTable):
        return name
    for table in TABLES:
        if table.name == name:
            return table
    raise SettingsError('family %r is invalid; valid: %s' % (name, ', '.join(FAMILIES)))


def detect(os_release):
    """The table serving a parsed os-release (``ID`` first, then ``ID_LIKE`` in order), or None."""
    ids = [os_release.get('ID', '').lower()] + os_release.get('ID_LIKE', '').lower().split()
    for ident in ids:
        for table in TABLES:
            if ident in table.os_ids or any(ident.startswith(prefix) for prefix in table.os_id_prefixes):
                return table
    return None


def resolve(requested, os_release):
    """(table, major version or None) for a module's ``family`` option on the host described by ``os_release``.

    ``auto`` is the host's own table. An explicit family uses the host's table and version when the host belongs
    to that family, else the family's table with no version (newest tooling assumed). ValueError when ``auto``
    finds no table.
    """
    detected = detect(os_release)
    version = major_version(os_release)
    if requested in (None, 'auto'):
        if detected is None:
            raise ValueError('could not detect the distribution family from /etc/os-release (ID=%s); set family to '
                             'one of %s' % (os_release.get('ID') or 'unknown', ', '.join(FAMILIES)))
        return detected, version
    if detected is not None and detected.family == requested:
        return detected, version
    return get(requested), None


def read_os_release(path='/etc/os-release'):
    """The host's os-release as a dict ({} when it cannot be read)."""
    return parse_os_release(read_text(path, ''))
