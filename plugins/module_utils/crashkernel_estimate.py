# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A cheap estimate of the crashkernel= a host needs, without crashing it (fleet.kdump.kdump_verify's ``estimate``).

Pure functions over text and numbers the module reads. Where the distribution has its own estimator its
answer wins (kdumpctl estimate, kdump-config show; parsed by the family tables); elsewhere this model adds up
what the capture kernel must hold, in the spirit of kdump-utils' ``kdumpctl estimate`` (kdump-spec 4.3):

    kernel image in memory   the running kernel's code, rodata, data and bss (/proc/iomem); the capture kernel is the
                             same image. Without root: 6 x the compressed image (kdump-tools' x86 factor).
    kernel modules           the loaded size (/proc/modules) of the modules the capture initrd holds
    capture initrd           its file (loaded into the reservation) plus its unpacked files (the initramfs is unpacked
                             into a tmpfs in the reservation); unpacked size unknown: 2 x the file (kdumpctl counts the
                             file 3 times in all)
    runtime                  what the capture environment's kernel and user space allocate while the dump is written,
                             the family table's ``capture_runtime_bytes``
"""

from __future__ import annotations

import posixpath
import re

from ansible_collections.fleet.kdump.plugins.module_utils.crashkernel import format_bytes, human_bytes

MIB = 1 << 20
# kdump-utils' runtime reservation: 16M for a dracut initrd that only runs the dump script.
RUNTIME_BYTES = 16 * MIB
# kdump-tools' factor from the compressed to the decompressed x86 kernel image (kdump-config's estimator).
COMPRESSED_KERNEL_FACTOR = 6
# Without the unpacked size, the initrd counts 3 times in all (kdumpctl estimate since 2025).
UNPACKED_INITRD_FACTOR = 2

_IOMEM_KERNEL = re.compile(r'^\s*([0-9a-fA-F]+)-([0-9a-fA-F]+)\s*:\s*Kernel (code|rodata|data|bss)\s*$')
# GNU cpio -tv lines (lsinitramfs -l, lsinitrd): mode, links, owner, group, size, date (3 fields), name.
_LISTING = re.compile(r'^(?P<mode>[-dlcbps][-rwxsStT]{9})\s+\d+\s+\S+\s+\S+\s+(?P<size>\d+)\s+\S+\s+\d+\s+\S+\s+(?P<name>.+)$')
_MODULE_FILE = re.compile(r'^(?P<name>[^/]+)\.ko(?:\.(?:xz|zst|gz|bz2|lz4))?$')


def parse_iomem_kernel(text):
    """Bytes of the running kernel's image in memory (code, rodata, data, bss) from /proc/iomem; None when the
    addresses are hidden (not root) or the lines are missing."""
    total = 0
    seen = set()
    for line in (text or '').splitlines():
        match = _IOMEM_KERNEL.match(line)
        if not match:
            continue
        start, end = int(match.group(1), 16), int(match.group(2), 16)
        if end <= start:
            return None  # non-root readers see zeroed addresses
        total += end - start + 1
        seen.add(match.group(3))
    return total if seen else None


def parse_initrd_listing(text):
    """(unpacked bytes, module names) of an initrd from a cpio -tv style listing; (None, set()) when nothing parsed.

    Module names use the kernel's spelling (dashes as underscores), as /proc/modules lists them.
    """
    total = 0
    files = 0
    modules = set()
    for line in (text or '').splitlines():
        match = _LISTING.match(line.strip())
        if not match:
            continue
        if match.group('mode').startswith('-'):
            total += int(match.group('size'))
            files += 1
            module = _MODULE_FILE.match(posixpath.basename(match.group('name').strip()))
            if module:
                modules.add(module.group('name').replace('-', '_'))
    return (total, modules) if files else (None, set())


def parse_proc_modules(text):
    """{module name: loaded size in bytes} from /proc/modules."""
    sizes = {}
    for line in (text or '').splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[1].isdigit():
            sizes[fields[0]] = int(fields[1])
    return sizes


def round_up_mib(value):
    return -(-int(value) // MIB) * MIB


def model(kernel_bytes, initrd_bytes, unpacked_bytes=None, modules_bytes=0, runtime_bytes=RUNTIME_BYTES):
    """The model's estimate: {'bytes', 'components', 'detail'}; bytes rounded up to a whole MiB, as the tools print.

    ``kernel_bytes`` and ``initrd_bytes`` are required; an unknown ``unpacked_bytes`` counts the initrd file again
    UNPACKED_INITRD_FACTOR times.
    """
    components = [
        ('kernel', int(kernel_bytes)),
        ('modules', int(modules_bytes or 0)),
        ('initrd', int(initrd_bytes)),
        ('unpacked initrd', int(unpacked_bytes) if unpacked_bytes is not None else UNPACKED_INITRD_FACTOR * int(initrd_bytes)),
        ('runtime', int(runtime_bytes)),
    ]
    total = round_up_mib(sum(value for _name, value in components))
    detail = ' + '.join('%s %s' % (name, human_bytes(value)) for name, value in components)
    if unpacked_bytes is None:
        detail += ' (unpacked initrd unknown: %d x the file)' % UNPACKED_INITRD_FACTOR
    return {
        'bytes': total,
        'size': format_bytes(total),
        'components': dict((name.replace(' ', '_') + '_bytes', value) for name, value in components),
        'detail': '%s = %s' % (detail, format_bytes(total)),
    }
