# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os

import pytest

from ansible_collections.fleet.kdump.plugins.module_utils.crashkernel import (
    choose_tier, default_tiers, format_bytes, from_cmdline, human_bytes, memparse, parse, same_tokens, split_cmdline,
    tokens_text)

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'reserve')
M = 1 << 20
G = 1 << 30


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


@pytest.mark.parametrize('text, expected', [
    ('0', 0), ('4096', 4096), ('1K', 1024), ('1k', 1024), ('192M', 201326592), ('1G', G), ('2T', 2 << 40),
    ('1P', 1 << 50), ('1E', 1 << 60), ('0x10000000', 256 * M), ('0x10M', 16 * M), ('016', 16),
])
def test_memparse_accepts_kernel_forms(text, expected):
    assert memparse(text) == expected


@pytest.mark.parametrize('text', ['', 'M', '-1M', '1.5G', '256Q', '0x', '1 G', '1GB', 'abc'])
def test_memparse_rejects(text):
    with pytest.raises(ValueError):
        memparse(text)


@pytest.mark.parametrize('n, text', [(0, '0'), (201326592, '192M'), (G, '1G'), (1536 * M, '1536M'), (1000, '1000'), (4096, '4K')])
def test_format_bytes(n, text):
    assert format_bytes(n) == text


@pytest.mark.parametrize('value, kind, normalised', [
    ('256M', 'simple', '256M'),
    ('256M@16M', 'simple', '256M@16M'),
    ('268435456', 'simple', '256M'),
    ('0x10000000', 'simple', '256M'),
    ('1G-4G:192M,4G-64G:256M,64G-:512M', 'ranges', '1G-4G:192M,4G-64G:256M,64G-:512M'),
    ('1024M-4G:192M,4G-:256M@16M', 'ranges', '1G-4G:192M,4G-:256M@16M'),
    ('384M-:128M', 'ranges', '384M-:128M'),
    ('512M,high', 'high', '512M,high'),
    ('128M,low', 'low', '128M,low'),
    ('0,low', 'low', '0,low'),
    ('64M,cma', 'cma', '64M,cma'),
    ('crashkernel=192M', 'simple', '192M'),
    ('auto', 'auto', 'auto'),
])
def test_parse_valid_forms(value, kind, normalised):
    spec = parse(value)
    assert spec.kind == kind
    assert str(spec) == normalised
    assert parse(str(spec)) == spec


@pytest.mark.parametrize('value, reason', [
    ('256', 'no unit'),
    ('256Q', 'not a memory size'),
    ('1G-:', 'size of range'),
    ('4G-1G:256M', 'ends before it starts'),
    ('1G-1G:256M', 'ends before it starts'),
    ('1G-4G:192M,2G-8G:256M', 'overlap'),
    ('1G-:192M,64G-:512M', 'overlap'),
    ('@16M', 'size before @ is missing'),
    ('256M@', 'offset after @ is missing'),
    ('256M@1M@2M', "more than one '@'"),
    (',medium', "unknown suffix ',medium'"),
    ('256M,medium', "unknown suffix ',medium'"),
    ('-256M', 'neither a size'),
    ('1G-4G:-192M', 'not a memory size'),
    ('256M;reboot', "';'"),
    ('256M $(id)', "'$'"),
    ('256M`id`', "'`'"),
    ('256M crashkernel=1G', "' '"),
    ('1G-4G:192M,high', 'plain size only'),
    ('256M@16M,low', 'plain size only'),
    ('', 'empty'),
    ('1G4G:192M', "needs 'start-[end]'"),
])
def test_parse_rejects_with_value_and_valid_forms(value, reason):
    with pytest.raises(ValueError) as exc:
        parse(value)
    message = str(exc.value)
    assert "'%s'" % value in message
    assert reason in message
    assert 'valid forms' in message


def test_parse_non_strict_accepts_bare_bytes_as_the_kernel_does():
    assert parse('256', strict=False).size == 256


def test_equality_is_on_parsed_values():
    assert parse('256M') == parse('262144K') == parse('0x10000000')
    assert parse('256M') != parse('256M@16M')
    assert parse('256M') != parse('256M,high')
    assert parse('1G-:256M') != parse('256M')


@pytest.mark.parametrize('ram, expected', [
    (G - 1, 0),            # below the first range: the kernel reserves nothing
    (G, 192 * M),          # start is inclusive
    (4 * G - 1, 192 * M),
    (4 * G, 256 * M),      # end is exclusive
    (64 * G - 1, 256 * M),
    (64 * G, 512 * M),     # open end
    (1 << 50, 512 * M),
])
def test_ranges_size_for_boundaries(ram, expected):
    assert parse('1G-4G:192M,4G-64G:256M,64G-:512M').size_for(ram) == expected


def test_size_for_simple_suffixed_and_auto():
    assert parse('192M').size_for(G) == 192 * M
    assert parse('512M,high').size_for(G) == 512 * M
    assert parse('auto').size_for(G) is None


def test_from_cmdline_debian_fixture():
    assert from_cmdline(fixture('proc-cmdline-debian12.txt')) == {'main': '384M-:128M', 'high': None, 'low': None, 'cma': None}


def test_from_cmdline_without_crashkernel():
    assert from_cmdline(fixture('proc-cmdline-none.txt')) == {'main': None, 'high': None, 'low': None, 'cma': None}


def test_from_cmdline_last_one_wins_per_class():
    cmdline = ('ro crashkernel=384M-:128M crashkernel=512M,high quiet crashkernel=192M crashkernel=72M,low '
               'crashkernel=1G,high crashkernel=32M,cma')
    assert from_cmdline(cmdline) == {'main': '192M', 'high': '1G,high', 'low': '72M,low', 'cma': '32M,cma'}


def test_from_cmdline_ignores_quoted_text_and_init_arguments():
    cmdline = 'ro dyndbg="file crashkernel=1G +p" crashkernel=192M -- crashkernel=9G'
    assert from_cmdline(cmdline)['main'] == '192M'
    assert split_cmdline(cmdline) == ['ro', 'dyndbg="file crashkernel=1G +p"', 'crashkernel=192M']


def test_same_tokens_compares_parsed_values():
    assert same_tokens({'main': '256M'}, {'main': '262144K', 'high': None})
    assert not same_tokens({'main': '256M'}, {'main': '192M'})
    assert not same_tokens({'main': '256M'}, {'main': None})


def test_tokens_text():
    assert tokens_text({'main': '192M', 'high': None, 'low': None, 'cma': None}) == '192M'
    assert tokens_text({'main': None, 'high': '512M,high', 'low': '128M,low', 'cma': None}) == '512M,high 128M,low'
    assert tokens_text({'main': None, 'high': None, 'low': None, 'cma': None}) is None


@pytest.mark.parametrize('ram, expected', [(512 * M, '128M'), (G - 1, '128M'), (G, '192M'), (4 * G, '256M'), (64 * G, '512M'), (2 << 40, '512M')])
def test_default_tiers_x86_64(ram, expected):
    assert choose_tier(ram, default_tiers('x86_64')) == expected


def test_choose_tier_any_order_and_below_all():
    tiers = [('8G', '256M'), ('2G', '160M')]
    assert choose_tier(9 * G, tiers) == '256M'
    assert choose_tier(2 * G, tiers) == '160M'
    assert choose_tier(G, tiers) is None


def test_default_tiers_unknown_arch_falls_back_to_x86_64():
    assert default_tiers('riscv64') == default_tiers('x86_64')
    assert choose_tier(G, default_tiers('aarch64')) == '256M'


def test_human_bytes():
    assert human_bytes(256 * 1024 ** 2) == '256M'
    assert human_bytes(1536 * 1024 ** 2) == '1.5G'
    assert human_bytes(None) == 'unknown'
    assert human_bytes(12) == '12B'
