# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which slice of a crashkernel= range applies at a given RAM: our evaluation against kdump-lib.sh's own.

kdump-utils' ``kdump_get_arch_recommend_crashkernel`` gives the distribution default (what ``size=auto`` writes on
EL 9+, see test_grubby_bls.py) and ``kdump_get_arch_recommend_size`` the size it reserves on a machine, from
System RAM rounded up to 128M like the kernel's parse_crashkernel_mem(). Ours is the range evaluation of
module_utils/crashkernel.py that kdump_reserve uses, at the same rounded RAM, from 512M to 4T.
"""

from __future__ import annotations

import subprocess

import conformance_support as support

from ansible_collections.fleet.kdump.plugins.module_utils import crashkernel

ORACLE = 'kdump-lib.sh get_recommend_size (range evaluation)'
MIB = 1 << 20
VARIANTS = [
    # (label, uname -m, kdump kernel release)
    ('x86_64', 'x86_64', '5.14.0-503.14.1.el9_5.x86_64'),
    ('aarch64 4K pages', 'aarch64', '5.14.0-503.14.1.el9_5.aarch64'),
    ('aarch64 64K pages', 'aarch64', '5.14.0-503.14.1.el9_5.aarch64+64k'),
]


def ram_sizes_mib():
    """512M to 4T: every 128M up to 8G, around every range boundary, powers of two and unaligned sizes."""
    sizes = set(range(512, 8192 + 1, 128))
    for boundary in (1024, 2048, 4096, 16384, 32768, 65536, 131072, 1 << 20):
        sizes.update(boundary + delta for delta in (-129, -128, -127, -1, 0, 1, 127, 128, 129))
    power = 512
    while power <= 4 << 20:
        sizes.update((power, power - 1, power + 1))
        power *= 2
    sizes.update((1000, 1536, 3000, 3968, 5000, 63999, 100000, 1000001, 2500000, 4 << 20))
    return sorted(size for size in sizes if 512 <= size <= 4 << 20)


def rounded_ram(mib):
    """System RAM as the kernel's ranges see it: rounded up to 128M (kernel/crash_reserve.c, kdump-lib.sh)."""
    step = 128 * MIB
    return -(-mib * MIB // step) * step


def test_range_evaluation_agrees_with_kdump_lib():
    oracle = support.oracle_dir('kdump-utils')
    sizes = ram_sizes_mib()
    failures = []
    total = 0
    procs = [subprocess.Popen(['bash', str(support.BIN / 'kdump-lib-sizes.sh'), str(oracle), arch, kernel]
                              + [str(size) for size in sizes], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True) for _label, arch, kernel in VARIANTS]
    for (label, _arch, _kernel), proc in zip(VARIANTS, procs):
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        lines = dict(line.split('\t', 1) for line in out.splitlines())
        default = lines.pop('default')
        spec = crashkernel.parse(default)
        assert spec.kind == 'ranges', 'the %s default %r is not a range value' % (label, default)
        for size in sizes:
            total += 1
            theirs = crashkernel.memparse(lines[str(size)])
            ours = spec.size_for(rounded_ram(size))
            if ours != theirs:
                failures.append('%s, RAM %dM, crashkernel=%s: kdump-lib.sh reserves %s, we evaluate %s'
                                % (label, size, default, lines[str(size)], crashkernel.format_bytes(ours)))
    assert total >= 300
    support.judge(ORACLE, failures, total)
