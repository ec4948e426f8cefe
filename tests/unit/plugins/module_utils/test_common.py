# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.fleet.kdump.plugins.module_utils import common


def test_major_version():
    assert common.major_version({'VERSION_ID': '9.4'}) == 9
    assert common.major_version({'VERSION_ID': '2023'}) == 2023
    assert common.major_version({'VERSION_ID': 'rawhide'}) is None
    assert common.major_version({}) is None


def test_parse_os_release_strips_quotes_and_skips_comments():
    osr = common.parse_os_release('# comment\nID="rocky"\nVERSION=\'9.4\'\nbroken line\n')
    assert osr == {'ID': 'rocky', 'VERSION': '9.4'}


@pytest.mark.parametrize('text, expected', [
    ('1\n', 1), ('0\n', 0), ('268435456\n', 268435456), ('0x10\n', 16), (7, 7), (None, None), ('', None),
    ('garbage', None), (True, None),
])
def test_parse_int(text, expected):
    assert common.parse_int(text) == expected


def test_read_int(tmp_path):
    (tmp_path / 'kexec_crash_size').write_text('268435456\n')
    assert common.read_int(str(tmp_path / 'kexec_crash_size')) == 268435456
    assert common.read_int(str(tmp_path / 'missing')) is None


def test_host_path():
    assert common.host_path('/', '/etc/kdump.conf') == '/etc/kdump.conf'
    assert common.host_path('/tmp/root', '/etc/kdump.conf') == '/tmp/root/etc/kdump.conf'


@pytest.mark.parametrize('kwargs, expected', [
    ({'containerenv_exists': True}, 'podman'),
    ({'dockerenv_exists': True}, 'docker'),
    ({'pid1_environ': 'PATH=/usr/bin\0container=podman\0TERM=xterm\0'}, 'podman'),
    ({'pid1_environ': 'container=lxc\0'}, 'lxc'),
    ({'detect_virt': 'systemd-nspawn\n'}, 'systemd-nspawn'),
    ({'detect_virt': 'none\n'}, None),
    ({'pid1_environ': 'PATH=/usr/bin\0HOME=/\0'}, None),
    ({}, None),
])
def test_detect_container(kwargs, expected):
    assert common.detect_container(**kwargs) == expected


def test_container_name_reads_markers_and_pid1_environ_below_root(tmp_path):
    environ = tmp_path / 'proc' / '1' / 'environ'
    environ.parent.mkdir(parents=True)
    environ.write_bytes(b'PATH=/usr/bin\0container=podman\0')
    assert common.container_name(str(tmp_path)) == 'podman'
    environ.write_bytes(b'PATH=/usr/bin\0HOME=/\0')
    assert common.container_name(str(tmp_path)) is None
    assert common.container_name(str(tmp_path), detect_virt='lxc\n') == 'lxc'
    (tmp_path / '.dockerenv').write_text('')
    assert common.container_name(str(tmp_path)) == 'docker'
    (tmp_path / 'run').mkdir()
    (tmp_path / 'run' / '.containerenv').write_text('')
    assert common.container_name(str(tmp_path)) == 'podman'


class FakeModule(object):
    def __init__(self, check_mode=False):
        self.check_mode = check_mode
        self.ran = []
        self.backups = []

    def run_command(self, argv, check_rc=False, data=None):
        self.ran.append(argv)
        return 0, 'out', ''

    def backup_local(self, path):
        dest = path + '.bak'
        with open(path, 'rb') as src, open(dest, 'wb') as dst:
            dst.write(src.read())
        self.backups.append(dest)
        return dest

    def atomic_move(self, src, dest):
        os.rename(src, dest)


@pytest.mark.parametrize('check_mode', [False, True])
def test_runner_records_writes_and_runs_them_only_outside_check_mode(check_mode):
    module = FakeModule(check_mode=check_mode)
    runner = common.CommandRunner(module)
    assert runner.read(['grubby', '--info=ALL']) == (0, 'out', '')
    rc, out, _err = runner.write(['update-grub'])
    assert runner.commands == [['update-grub']]
    if check_mode:
        assert (rc, out) == (0, '') and module.ran == [['grubby', '--info=ALL']]
    else:
        assert module.ran == [['grubby', '--info=ALL'], ['update-grub']]


def test_write_file_keeps_mode_backs_up_and_reports_diff(tmp_path):
    path = tmp_path / 'kdump.conf'
    path.write_text('path /var/crash\n')
    os.chmod(str(path), 0o600)
    module = FakeModule()
    result = common.write_file(module, str(path), 'path /var/crash\n', 'path /srv/crash\n', backup=True)
    assert result['changed'] is True
    assert path.read_text() == 'path /srv/crash\n'
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o600
    assert result['backup_file'] and open(result['backup_file']).read() == 'path /var/crash\n'
    assert result['diff']['before'] == 'path /var/crash\n' and result['diff']['after'] == 'path /srv/crash\n'
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith('.ansible_tmp_')] == []


def test_write_file_unchanged_and_check_mode_touch_nothing(tmp_path):
    path = tmp_path / 'f'
    path.write_text('a\n')
    before_mtime = os.stat(str(path)).st_mtime_ns
    assert common.write_file(FakeModule(), str(path), 'a\n', 'a\n')['changed'] is False
    result = common.write_file(FakeModule(check_mode=True), str(path), 'a\n', 'b\n', backup=True)
    assert result['changed'] is True and result['backup_file'] is None
    assert path.read_text() == 'a\n' and os.stat(str(path)).st_mtime_ns == before_mtime


def test_write_file_creates_missing_file_and_restore_removes_it(tmp_path):
    path = tmp_path / 'grub.d' / 'zz.cfg'
    module = FakeModule()
    result = common.write_file(module, str(path), None, 'X=1\n')
    assert result['changed'] and path.read_text() == 'X=1\n'
    assert result['diff']['before'] == ''
    common.restore_file(module, str(path), None)
    assert not path.exists()


def test_restore_file_puts_previous_content_back(tmp_path):
    path = tmp_path / 'grub'
    path.write_text('new\n')
    common.restore_file(FakeModule(), str(path), 'old\n')
    assert path.read_text() == 'old\n'


def test_comment_header_comments_each_line_and_ends_with_a_blank_line():
    assert common.comment_header(['Ansible managed', '', 'x']) == '# Ansible managed\n#\n# x\n\n'
    assert common.comment_header([]) == ''


def test_line_documents_cut_at_newlines_only():
    # str.splitlines() would also cut at \x1e, \x0c, \x85, \u2028...: a value holding one came back as two lines
    # (found by tests/fuzz). sh, systemd and kdumpctl read lines up to '\n'.
    from ansible_collections.fleet.kdump.plugins.module_utils import kdump_conf, shellenv
    from ansible_collections.fleet.kdump.plugins.module_utils.common import split_lines
    assert split_lines('a\x1eb\nc\x0cd\r\ne\u2028') == ['a\x1eb\n', 'c\x0cd\r\n', 'e\u2028']
    assert split_lines('') == [] and split_lines('\n') == ['\n']
    text = shellenv.render_exclusive([], [('A', '\x1e'), ('B', 'x\u2028y')])
    assert shellenv.parse(text).values() == {'A': '\x1e', 'B': 'x\u2028y'}
    assert kdump_conf.parse('path /var/crash\x0c/x\n').values() == {'path': '/var/crash\x0c/x'}
