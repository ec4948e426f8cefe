# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""The Ubuntu table: kdump-tools as on Debian, with Ubuntu's defaults (kdump-spec sections 2.1, 2.4, 2.5).

Same files, service, dump layout and initrd as Debian (the family stays ``debian``); what differs:
- the kdump stack is installed through the meta-package ``linux-crashdump``, which pulls kdump-tools (and grub
  where it is the bootloader) and recommends apport;
- kdump-tools' default ``crashkernel=`` (its grub.d conffile, else the value the Ubuntu package ships);
- /var/crash belongs to apport too: it keeps it writable by everyone with the sticky bit for users' crash
  reports, so kdump_config leaves that mode alone there (and says so) instead of tightening it.
"""

from __future__ import annotations

from ansible_collections.fleet.kdump.plugins.module_utils import _family_debian as debian


def package_default(host):
    """kdump-tools' crashkernel value on Ubuntu: 512M-:192M on amd64/s390x up to 23.10, the big range from 24.04."""
    arch = debian.ARCH_ALIASES.get(host.arch, host.arch)
    if (host.version or 0) >= 24 or arch not in ('amd64', 's390x'):
        return debian.BIG_RANGE
    return '512M-:192M'


PACKAGES = ('linux-crashdump',) + debian.PACKAGES

TABLE = debian.TABLE.derive(
    name='ubuntu',
    os_ids=('ubuntu', 'linuxmint', 'pop'),
    distributions={'ubuntu': 'Ubuntu', 'linuxmint': 'Linux Mint', 'pop': 'Pop!_OS'},
    packages=lambda host: PACKAGES,
    default_crashkernel=debian.default_crashkernel_from(package_default),
    shared_dump_dirs={'/var/crash': 'apport'},
)
