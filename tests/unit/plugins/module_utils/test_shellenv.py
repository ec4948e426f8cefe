# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from ansible_collections.fleet.kdump.plugins.module_utils import shellenv

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'config')


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


@pytest.mark.parametrize('name', ['kdump-tools-bookworm.conf', 'sysconfig-kdump-suse'])
def test_round_trip_is_byte_identical(name):
    text = fixture(name)
    assert shellenv.parse(text).render() == text


def test_debian_template_values():
    values = shellenv.parse(fixture('kdump-tools-bookworm.conf')).values()
    assert values == {'USE_KDUMP': '1', 'KDUMP_KERNEL': '/var/lib/kdump/vmlinuz',
                      'KDUMP_INITRD': '/var/lib/kdump/initrd.img', 'KDUMP_COREDIR': '/var/crash'}


def test_suse_template_values():
    values = shellenv.parse(fixture('sysconfig-kdump-suse')).values()
    assert values['KDUMP_SAVEDIR'] == '/var/crash'
    assert values['KDUMP_DUMPFORMAT'] == 'compressed'
    assert values['KDUMP_DUMPLEVEL'] == '31'
    assert values['KDUMP_COMMANDLINE'] == ''


@pytest.mark.parametrize('line, value, exact', [
    ('A=plain\n', 'plain', True),
    ('A="two words"\n', 'two words', True),
    ("A='single $x'\n", 'single $x', True),
    ('A="esc \\"q\\" \\$ \\` \\\\ \\n"\n', 'esc "q" $ ` \\ \\n', True),
    ('A=x # comment\n', 'x', True),
    ('A="$HOME/x"\n', '$HOME/x', False),
    ('A=a b\n', 'a', False),
    ('export A=1\n', '1', True),
    ('A=\n', '', True),
])
def test_parse_values(line, value, exact):
    parsed = shellenv.parse_line(line)
    assert parsed.name == 'A'
    assert (parsed.value, parsed.exact) == (value, exact)


def test_set_keeps_equal_value_and_other_lines():
    text = 'A=1\n# keep me\nB="x y"\n'
    env = shellenv.parse(text)
    assert env.set('A', '1') is False
    assert env.set('B', 'x y') is False
    assert env.render() == text
    assert env.set('B', 'z') is True
    assert env.render() == 'A=1\n# keep me\nB="z"\n'


def test_set_new_goes_after_commented_template_line_and_dups_collapse():
    env = shellenv.parse('#X="old"\nY=1\nZ=1\nZ=2\n')
    env.set('X', 'new')
    env.set('Z', '3')
    env.set('W', 'w')
    assert env.render() == '#X="old"\nX="new"\nY=1\nZ="3"\nW="w"\n'


def test_append_to_file_without_trailing_newline():
    env = shellenv.parse('A=1')
    env.set('B', '2')
    assert env.render() == 'A=1\nB="2"\n'


def test_unset():
    env = shellenv.parse('A=1\nB=2\nA=3\n')
    assert env.unset('A') is True
    assert env.render() == 'B=2\n'
    assert env.unset('A') is False


@pytest.mark.parametrize('value', ['a\nb', 'a\rb'])
def test_newlines_refused(value):
    with pytest.raises(ValueError, match='cannot be written'):
        shellenv.quote(value)


def test_bad_variable_name_refused():
    with pytest.raises(ValueError, match='not a valid shell variable name'):
        shellenv.render_assignment('1BAD', 'x')


NASTY = ['plain', 'two words', 'dq " in', 'dollar $HOME', 'tick `id`', 'back\\slash', "single ' q", 'hash # x',
         'trailing\\', '\\$', 'semi; rm -rf /']


@pytest.mark.parametrize('value', NASTY)
def test_quote_round_trips_through_our_parser(value):
    assert shellenv.parse_line(shellenv.render_assignment('V', value)).value == value


@pytest.mark.skipif(not shutil.which('dash'), reason='dash not installed')
def test_dash_reads_what_we_write(tmp_path):
    path = tmp_path / 'env'
    path.write_text(''.join(shellenv.render_assignment('V%d' % i, v) for i, v in enumerate(NASTY)))
    script = '. %s; ' % path + '; '.join('printf "%%s\\0" "$V%d"' % i for i in range(len(NASTY)))
    out = subprocess.run(['dash', '-c', script], check=True, capture_output=True).stdout.decode()
    assert out.split('\0')[:-1] == NASTY


def test_render_exclusive():
    text = shellenv.render_exclusive(['Ansible managed', ''], [('A', '1'), ('B', 'x y')])
    assert text == '# Ansible managed\n#\n\nA="1"\nB="x y"\n'
