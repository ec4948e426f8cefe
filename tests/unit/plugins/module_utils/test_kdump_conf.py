# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os

import pytest

from ansible_collections.fleet.kdump.plugins.module_utils import kdump_conf

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'config')


def template():
    with open(os.path.join(FIXTURES, 'kdump.conf.kdump-utils-x86_64')) as handle:
        return handle.read()


def test_template_round_trip_and_values():
    text = template()
    conf = kdump_conf.parse(text)
    assert conf.render() == text
    assert conf.entries() == [('auto_reset_crashkernel', 'yes'), ('path', '/var/crash'),
                              ('core_collector', 'makedumpfile -l --message-level 7 -d 31')]
    assert conf.errors() == []
    assert conf.targets() == []


@pytest.mark.parametrize('line, directive, value', [
    ('path /var/crash\n', 'path', '/var/crash'),
    ('  path   /var/crash   \n', 'path', '/var/crash'),
    ('path /var/crash # where dumps go\n', 'path', '/var/crash'),
    ('path /var/cr#ash\n', 'path', '/var/cr'),
    ('kdump_post "/usr/local/bin/post.sh"\n', 'kdump_post', '/usr/local/bin/post.sh'),
    ('dracut_args --mount "/dev/sdb1 /mnt ext4 defaults"\n', 'dracut_args', '--mount "/dev/sdb1 /mnt ext4 defaults"'),
    ('"quoted" value"\n', '"quoted"', 'value"'),
    ('path\n', 'path', ''),
])
def test_line_grammar(line, directive, value):
    parsed = kdump_conf.parse_line(line)
    assert (parsed.directive, parsed.value) == (directive, value)


@pytest.mark.parametrize('line', ['# path /x\n', '   # path /x\n', '\n', '   \t\n'])
def test_comments_and_blanks(line):
    assert kdump_conf.parse_line(line).directive is None


@pytest.mark.parametrize('text, fragment', [
    ('path /a\npath /b\n', "'path' appears 2 times"),
    ('ssh a@b\nnfs h:/e\n', 'more than one dump target'),
    ('ext4 /dev/sdb1\ndracut_args --mount "/dev/sdc1 /m ext4 defaults"\n', 'more than one dump target'),
    ('dracut_args --mount "a b c d" --mount "e f g h"\n', 'more than one --mount'),
    ('net a@b\n', "deprecated directive 'net'"),
    ('options e1000 debug=1\n', 'KDUMP_COMMANDLINE_APPEND'),
    ('override_resettable 1\n', "deprecated directive 'override_resettable'"),
    ('bogus 1\n', "unknown directive 'bogus'"),
    ('path\n', "'path' has an empty value"),
    ('default reboot\nfailure_action reboot\n', "'default' and 'failure_action'"),
    ('failure_action explode\n', "failure_action 'explode'"),
    ('final_action shell\n', "final_action 'shell'"),
    ('force_rebuild 1\nforce_no_rebuild 1\n', 'both 1'),
    # kdumpctl check_ssh_config: user@ and the host as "ssh -G" resolves it
    ('ssh dumps.example.com\n', 'has no user'),
    ('ssh kdump@Dumps.Example.com\n', 'write kdump@dumps.example.com'),
    ('ssh kdump@2.2\n', 'write kdump@2.0.0.2'),
    ('ssh kdump@010.1.1.1\n', 'write kdump@8.1.1.1'),
    ('ssh kdump@2001:db8:0::1\n', 'write kdump@2001:db8::1'),
    ('ssh -oProxyCommand=x@dumps\n', 'read by ssh as an option'),
    ('ssh a@b@c\n', "more than one '@'"),
    # kdumpctl parse_config: the device and type of dracut_args --mount
    ('dracut_args --mount "/dev/vdb1 /mnt"\n', 'finds none'),
    ('dracut_args --mount="/dev/vdb1 /mnt ext4 defaults"\n', 'finds none'),
])
def test_errors_kdumpctl_would_raise(text, fragment):
    errors = kdump_conf.parse(text).errors()
    assert any(fragment in error for error in errors), errors


@pytest.mark.parametrize('text', [
    'ssh kdump@dumps.example.com\n', 'ssh kdump@192.0.2.7\n', 'ssh root@[2001:db8:0::1]\n', 'ssh k@2001:db8::1\n',
    'ssh k@host_x.example\n', 'dracut_args --mount "/dev/vdb1 /mnt ext4 defaults"\n', 'dracut_args --mount "UUID=ab"\n',
])
def test_ssh_and_mount_forms_kdumpctl_accepts(text):
    assert kdump_conf.parse(text).errors() == []


def test_dracut_mount_counts_as_target():
    conf = kdump_conf.parse('dracut_args --mount "/dev/sdb1 /mnt ext4 defaults" --add-drivers "ext4"\n')
    assert conf.targets() == [('dracut_args', '--mount "/dev/sdb1 /mnt ext4 defaults" --add-drivers "ext4"')]
    assert kdump_conf.mount_spec(conf.get('dracut_args')) == ['/dev/sdb1', '/mnt', 'ext4', 'defaults']
    assert kdump_conf.parse('dracut_args --omit-drivers "a b"\n').targets() == []


def test_set_replaces_in_place_keeps_rest_byte_for_byte():
    text = template()
    conf = kdump_conf.parse(text)
    assert conf.set('path', '/var/crash') is False
    assert conf.render() == text
    assert conf.set('path', '/srv/crash') is True
    after = conf.render()
    assert after == text.replace('\npath /var/crash\n', '\npath /srv/crash\n')


def test_set_collapses_duplicates_removes_and_appends():
    conf = kdump_conf.parse('# c\npath /a\nsshkey /k\npath /b')
    conf.set('path', '/c')
    conf.set('sshkey', None)
    conf.set('failure_action', 'shell')
    assert conf.render() == '# c\npath /c\nfailure_action shell\n'


@pytest.mark.parametrize('value', ['a#b', 'a\nb', '', '   '])
def test_render_refuses_what_the_file_cannot_carry(value):
    with pytest.raises(ValueError):
        kdump_conf.render_line('path', value)


def test_render_value_with_whole_quotes_survives_the_reader():
    line = kdump_conf.render_line('kdump_post', '"/x"')
    assert kdump_conf.parse_line(line).value == '"/x"'


def test_render_exclusive():
    text = kdump_conf.render_exclusive(['Ansible managed'], [('path', '/var/crash'), ('ssh', 'a@b')])
    assert text == '# Ansible managed\n\npath /var/crash\nssh a@b\n'
    assert kdump_conf.parse(text).errors() == []


def test_set_target_takes_the_place_of_the_old_one():
    conf = kdump_conf.parse('# target\nnfs srv:/e\npath /p\nssh a@b\n')
    assert conf.set_target('ssh', 'c@d') is True
    assert conf.render() == '# target\nssh c@d\npath /p\n'
    assert conf.set_target('ssh', 'c@d') is False
    assert conf.set_target(None, None) is True
    assert conf.render() == '# target\npath /p\n'
    assert conf.set_target('raw', '/dev/sdb') is True
    assert conf.render() == '# target\npath /p\nraw /dev/sdb\n'
