# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reservation model's parsers and sum, on what a Debian 12 lab VM (1 GiB, kernel 6.1.0-50) really showed:
/proc/iomem, /proc/modules and `lsinitramfs -l` of its kdump initrd (fixtures/verify/*-bookworm-vm.txt,
lsinitramfs-l-kdump-bookworm.txt, read over SSH)."""

from __future__ import annotations

import os

import pytest

from ansible_collections.fleet.kdump.plugins.module_utils import crashkernel_estimate as est

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'verify')
M = 1 << 20


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def test_kernel_image_in_memory_from_iomem():
    # code 2b200000-2c001d31, rodata 2c200000-2cae6fff, data 2cc00000-2ce489bf, bss 2d50d000-2e5fffff
    assert est.parse_iomem_kernel(fixture('iomem-bookworm-vm.txt')) == 44189426


def test_hidden_or_missing_kernel_lines_are_unknown():
    assert est.parse_iomem_kernel(fixture('iomem-nonroot.txt')) is None
    assert est.parse_iomem_kernel('00100000-3ffdbfff : System RAM\n') is None
    assert est.parse_iomem_kernel('') is None


def test_initrd_listing_sums_the_files_and_names_the_modules():
    unpacked, modules = est.parse_initrd_listing(fixture('lsinitramfs-l-kdump-bookworm.txt'))
    assert unpacked == 19223945  # the VM's own awk over the same listing said 365 files, 19223945 bytes
    assert len(modules) == 19
    assert {'virtio_blk', 'virtio_net', 'ext4', 'jbd2', 'crc32c_intel', 'dm_mod'} <= modules
    assert all('-' not in name for name in modules)


@pytest.mark.parametrize('line, name', [
    ('-rw-r--r--   1 root     root        29217 Jul  2 13:50 usr/lib/modules/6.12.57+deb13-amd64/kernel/fs/ext4/ext4.ko.xz', 'ext4'),
    ('-rw-r--r--   1 root     root        29217 Jul  2  2025 usr/lib/modules/6.12/kernel/drivers/md/dm-mod.ko.zst', 'dm_mod'),
])
def test_compressed_module_files_and_year_dates(line, name):
    assert est.parse_initrd_listing(line) == (29217, {name})


def test_nothing_listed():
    assert est.parse_initrd_listing('') == (None, set())
    assert est.parse_initrd_listing('Image: /boot/initramfs.img: 24M\n=====\n') == (None, set())


def test_proc_modules():
    sizes = est.parse_proc_modules(fixture('proc-modules-bookworm-vm.txt'))
    assert len(sizes) == 71 and sizes['ext4'] == 991232 and sizes['virtio_blk'] == 28672


def test_model_on_the_lab_vm_lands_one_grid_step_above_the_proven_minimum_s_predecessor():
    """The lab's Debian 12 VM: 112M fails, 128M captures; the model (with Debian's runtime) says 117M."""
    unpacked, modules = est.parse_initrd_listing(fixture('lsinitramfs-l-kdump-bookworm.txt'))
    loaded = est.parse_proc_modules(fixture('proc-modules-bookworm-vm.txt'))
    result = est.model(est.parse_iomem_kernel(fixture('iomem-bookworm-vm.txt')), 7059788, unpacked,
                       sum(size for name, size in loaded.items() if name in modules), 48 * M)
    assert result['components'] == {'kernel_bytes': 44189426, 'modules_bytes': 1871872, 'initrd_bytes': 7059788,
                                    'unpacked_initrd_bytes': 19223945, 'runtime_bytes': 48 * M}
    assert result['bytes'] == 117 * M and result['size'] == '117M'
    assert 112 * M < result['bytes'] <= 128 * M
    assert result['detail'].endswith('= 117M') and 'runtime 48M' in result['detail']


def test_model_without_the_unpacked_size_counts_the_initrd_three_times():
    result = est.model(40 * M, 10 * M, None, 0, 16 * M)
    assert result['components']['unpacked_initrd_bytes'] == 20 * M
    assert result['bytes'] == 86 * M and 'unpacked initrd unknown' in result['detail']
