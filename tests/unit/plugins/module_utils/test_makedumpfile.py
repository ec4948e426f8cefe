# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os

import pytest

from ansible_collections.fleet.kdump.plugins.module_utils import makedumpfile

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'config')


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def test_bookworm_build_has_zlib_and_lzo_only():
    output = fixture('makedumpfile-v-1.7.2-bookworm.txt')
    assert makedumpfile.version(output) == '1.7.2'
    assert makedumpfile.supported_compressions(output) == {'zlib', 'lzo', 'none'}
    assert makedumpfile.fastest(makedumpfile.supported_compressions(output)) == 'lzo'


def test_full_build_and_fastest_order():
    output = ('makedumpfile: version 1.7.8 (released on 13 Nov 2025)\n'
              'lzo\tdisabled\nsnappy\tenabled\nzstd\tenabled\n\n')
    supported = makedumpfile.supported_compressions(output)
    assert supported == {'zlib', 'snappy', 'zstd', 'none'}
    assert makedumpfile.fastest(supported) == 'snappy'
    assert makedumpfile.fastest({'zlib', 'zstd', 'none'}) == 'zstd'
    assert makedumpfile.fastest({'zlib', 'none'}) == 'zlib'


@pytest.mark.parametrize('output', ['', 'bash: makedumpfile: command not found\n', 'lzo\tenabled\n'])
def test_not_makedumpfile_output_means_unknown(output):
    assert makedumpfile.supported_compressions(output) == set()
    assert makedumpfile.version(output) is None


@pytest.mark.parametrize('args, compression, level', [
    ('-l --message-level 7 -d 31', 'lzo', 31),
    ('-F -c -d 31', 'zlib', 31),
    ('-z -d1', 'zstd', 1),
    ('-lF --message-level 7 -d 17', 'lzo', 17),
    ('-c -p -d 11,31', 'snappy', 11),
    ('--message-level 7', 'none', None),
    ('', 'none', None),
])
def test_compression_and_level_from_args(args, compression, level):
    assert makedumpfile.compression_from_args(args) == compression
    assert makedumpfile.dump_level_from_args(args) == level


def test_set_args_replaces_only_what_is_asked():
    assert makedumpfile.set_args('-l --message-level 7 -d 31', 'zstd', 1) == '-z --message-level 7 -d 1'
    # unchanged request keeps the distro default text exactly (idempotency of the RHEL template)
    assert makedumpfile.set_args('-l --message-level 7 -d 31', 'lzo', 31) == '-l --message-level 7 -d 31'
    # -F goes first: kdump-config only detects a leading -F
    assert makedumpfile.set_args('-c -d 31', 'lzo', None, flatten=True) == '-F -l -d 31'
    assert makedumpfile.set_args('-lF --num-threads=4 -d31', None, None, flatten=False) == '-l --num-threads=4 -d 31'
    assert makedumpfile.set_args('-c -d 11,31', None, None, flatten=True) == '-F -c -d 11,31'
    assert makedumpfile.set_args('-c -d 31', 'none', None) == '-d 31'
    assert makedumpfile.has_flatten('-F -c') and makedumpfile.has_flatten('-cF')
    assert not makedumpfile.has_flatten('-c --message-level 7')
