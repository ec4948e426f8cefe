# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os
import shutil

import pytest

from ansible_collections.fleet.kdump.plugins.module_utils import bootloader
from ansible_collections.fleet.kdump.plugins.module_utils.bootloader import (
    BootloaderError, GrubBackend, GrubbyBackend, detect, edit_default_grub, grub_cfg_cmdlines, holds, parse_grubby_info,
    render_dropin, replace_crashkernel)
from ansible_collections.fleet.kdump.plugins.module_utils.common import CommandRunner
from ansible_collections.fleet.kdump.tests.unit.plugins.fixtures.reserve.fakes import FakeGrubby, fixture, make_grub_host


class FakeModule(object):
    """The AnsibleModule surface the backends use; commands go to ``handlers`` keyed by basename."""

    def __init__(self, handlers, check_mode=False):
        self.handlers = handlers
        self.check_mode = check_mode
        self.ran = []

    def run_command(self, argv, check_rc=False, data=None):
        self.ran.append(list(argv))
        return self.handlers[os.path.basename(argv[0])](argv)

    def backup_local(self, path):
        shutil.copy(path, path + '.bak')
        return path + '.bak'

    def atomic_move(self, src, dest):
        os.rename(src, dest)


# ------------------------------------------------------------------------------ pure helpers

def test_parse_grubby_info_fixture():
    entries = parse_grubby_info(fixture('grubby-info-all-el9.txt'))
    assert [e['index'] for e in entries] == ['0', '1']
    assert entries[0]['kernel'] == '/boot/vmlinuz-5.14.0-427.13.1.el9_4.x86_64'
    assert entries[0]['args'].startswith('ro crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M resume=')
    assert entries[1]['title'] == 'Rocky Linux (0-rescue-8c3b3c1d0f9e4a6c9d3e2b1a0f9e8d7c) 9.4 (Blue Onyx)'


def test_replace_and_holds():
    args = 'ro crashkernel=384M-:128M quiet crashkernel=1G'
    assert replace_crashkernel(args, ['192M']) == 'ro quiet crashkernel=192M'
    assert replace_crashkernel(args, []) == 'ro quiet'
    assert holds('ro crashkernel=192M', ['192M'])
    assert holds('ro crashkernel=196608K', ['192M'])          # parsed comparison
    assert not holds('ro crashkernel=1G crashkernel=192M', ['192M'])  # exactly one wanted
    assert holds('ro crashkernel=128M,low crashkernel=512M,high', ['512M,high', '128M,low'])
    assert holds('ro quiet', [])
    assert not holds('ro crashkernel=192M', [])


def test_grub_cfg_cmdlines_first_is_default_entry():
    lines = grub_cfg_cmdlines(fixture('grub.cfg-debian12.txt'))
    assert len(lines) == 3
    assert lines[0] == 'root=UUID=0b3c5e4f-6a7d-4e2b-9c1f-2d3e4f5a6b7c ro console=ttyS0,115200n8 quiet crashkernel=384M-:128M'
    assert 'crashkernel' not in lines[2]  # recovery entry: GRUB_CMDLINE_LINUX only


def test_edit_default_grub_strips_both_and_appends():
    text = edit_default_grub(fixture('default-grub-el8.txt'), 'GRUB_CMDLINE_LINUX', ['256M'], strip_also=('GRUB_CMDLINE_LINUX_DEFAULT',))
    assert 'GRUB_CMDLINE_LINUX="resume=/dev/mapper/rl-swap rd.lvm.lv=rl/root rd.lvm.lv=rl/swap rhgb quiet crashkernel=256M"' in text
    assert 'crashkernel=auto' not in text
    assert 'GRUB_DISTRIBUTOR="$(sed \'s, release .*$,,g\' /etc/system-release)"' in text  # untouched
    assert edit_default_grub(text, 'GRUB_CMDLINE_LINUX', ['256M']) == text  # idempotent


def test_edit_default_grub_keeps_a_line_that_already_holds_the_value():
    # RHEL 9's /etc/default/grub carries the default crashkernel= first; the value is right, so nothing moves.
    text = ('GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX="crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M resume=/dev/mapper/rhel-swap '
            'rhgb quiet"\nGRUB_ENABLE_BLSCFG=true\n')
    assert edit_default_grub(text, 'GRUB_CMDLINE_LINUX', ['1G-4G:192M,4G-64G:256M,64G-:512M'],
                             strip_also=('GRUB_CMDLINE_LINUX_DEFAULT',)) == text
    changed = edit_default_grub(text, 'GRUB_CMDLINE_LINUX', ['256M'])
    assert 'GRUB_CMDLINE_LINUX="resume=/dev/mapper/rhel-swap rhgb quiet crashkernel=256M"' in changed


def test_edit_default_grub_adds_missing_variable():
    assert edit_default_grub('GRUB_TIMEOUT=5\n', 'GRUB_CMDLINE_LINUX_DEFAULT', ['192M']) == \
        'GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT="crashkernel=192M"\n'


def test_detect(tmp_path):
    grub_dir = tmp_path / 'boot' / 'grub'
    grub_dir.mkdir(parents=True)
    which = {'grubby': '/usr/sbin/grubby', 'update-grub': '/usr/sbin/update-grub'}.get
    # prefer_grubby is the family table's choice (True on the RHEL family)
    assert detect(True, which, grub_dirs=(str(grub_dir),)) == 'grubby'
    assert detect(False, which, grub_dirs=(str(grub_dir),)) == 'grub'
    assert detect(False, which, container=True, grub_dirs=(str(grub_dir),)) == 'none'
    assert detect(False, lambda name: None, grub_dirs=(str(grub_dir),)) == 'none'
    assert detect(False, which, grub_dirs=(str(tmp_path / 'nothing'),)) == 'grubby'
    assert detect(False, lambda name: None, grub_dirs=(str(tmp_path / 'nothing'),)) == 'none'


# ------------------------------------------------------------------------------ grubby backend

def grubby_backend(grubby, kernels='ALL', check_mode=False, default_grub='/nonexistent/default/grub',
                   bls_dir='/nonexistent/loader/entries', grubby_files=()):
    module = FakeModule({'grubby': grubby}, check_mode=check_mode)
    runner = CommandRunner(module)
    return GrubbyBackend(module, runner, '/usr/sbin/grubby', kernels=kernels, default_grub=default_grub,
                         bls_dir=bls_dir, grubby_files=grubby_files), runner, module


def test_grubby_changes_all_entries_and_reads_back():
    grubby = FakeGrubby(fixture('grubby-info-all-el9.txt'))
    backend, runner, module = grubby_backend(grubby)
    result = backend.apply(['256M'])
    assert result['changed']
    assert runner.commands == [['/usr/sbin/grubby', '--update-kernel=ALL', '--remove-args=crashkernel'],
                               ['/usr/sbin/grubby', '--update-kernel=ALL', '--args=crashkernel=256M']]
    assert all(entry['args'].endswith(' crashkernel=256M') and entry['args'].count('crashkernel=') == 1 for entry in grubby.entries)
    assert result['configured']['main'] == '256M'
    assert 'crashkernel=1G-4G:192M' in result['diff'][0]['before'] and 'crashkernel=256M' in result['diff'][0]['after']
    assert ['/usr/sbin/grubby', '--info=ALL'] in module.ran  # read back after writing

    again, runner2, module2 = grubby_backend(grubby)
    second = again.apply(['262144K'])
    assert not second['changed'] and runner2.commands == [] and second['diff'] == []


def test_grubby_check_mode_runs_nothing_that_writes():
    grubby = FakeGrubby(fixture('grubby-info-all-el9.txt'))
    before = [dict(entry) for entry in grubby.entries]
    backend, runner, module = grubby_backend(grubby, check_mode=True)
    result = backend.apply(['256M'])
    assert result['changed'] and len(runner.commands) == 2
    assert grubby.entries == before
    assert all('--info=' in argv[1] for argv in module.ran)
    assert result['configured']['main'] == '256M'


def test_grubby_default_only_and_single_kernel():
    grubby = FakeGrubby(fixture('grubby-info-all-el9.txt'))
    backend, runner, module = grubby_backend(grubby, kernels='DEFAULT')
    backend.apply(['320M'])
    assert 'crashkernel=320M' in grubby.entries[0]['args']
    assert 'crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M' in grubby.entries[1]['args']
    kernel = grubby.entries[1]['kernel']
    backend, runner, module = grubby_backend(grubby, kernels=kernel)
    backend.apply([])
    assert runner.commands == [['/usr/sbin/grubby', '--update-kernel=%s' % kernel, '--remove-args=crashkernel']]
    assert 'crashkernel' not in grubby.entries[1]['args']


def test_grubby_read_back_mismatch_restores_and_fails():
    grubby = FakeGrubby(fixture('grubby-info-all-el9.txt'), drop_second_arg=True)
    original = [entry['args'] for entry in grubby.entries]
    backend, runner, module = grubby_backend(grubby)
    with pytest.raises(BootloaderError) as exc:
        backend.apply(['512M,high', '128M,low'])
    assert 'previous arguments were restored' in str(exc.value)
    assert 'crashkernel=512M,high crashkernel=128M,low' in str(exc.value)
    assert [sorted(entry['args'].split()) for entry in grubby.entries] == [sorted(a.split()) for a in original]
    assert ['/usr/sbin/grubby', '--update-kernel=%s' % grubby.entries[0]['kernel'],
            '--args=crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M'] in runner.commands


def test_grubby_failing_write_restores_each_entry_read_back():
    # grubby removes the old crashkernel= from every entry, then fails to add the new one (a classic, non-BLS
    # grub2 layout: no files to snapshot). The backend must put each entry's previous value back through grubby.
    grubby = FakeGrubby(fixture('grubby-info-all-el9.txt'))
    grubby.fail_write = lambda argv: any(arg.startswith('--args=') for arg in argv) and 'crashkernel=256M' in argv[-1]
    before = dict((entry['kernel'], entry['args']) for entry in grubby.entries)
    backend, runner, module = grubby_backend(grubby)
    with pytest.raises(BootloaderError) as exc:
        backend.apply(['256M'])
    assert 'error writing entry' in str(exc.value) and 'previous arguments were restored' in str(exc.value)
    # the failed write, then the restore: per entry, remove what is there and add the old value back
    assert grubby.writes[:2] == [(['--update-kernel=ALL', '--remove-args=crashkernel'], 'ok'),
                                 (['--update-kernel=ALL', '--args=crashkernel=256M'], 'failed')]
    restore = grubby.writes[2:]
    assert [status for _argv, status in restore] == ['ok'] * len(restore)
    for kernel, args in before.items():
        assert (['--update-kernel=%s' % kernel, '--args=crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M'], 'ok') in restore
    # read back through grubby --info: every entry carries its previous arguments again
    after = dict((entry['kernel'], entry['args']) for entry in parse_grubby_info(grubby(['grubby', '--info=ALL'])[1]))
    assert dict((k, sorted(v.split())) for k, v in after.items()) == dict((k, sorted(v.split())) for k, v in before.items())
    assert backend.configured()['main'] == '1G-4G:192M,4G-64G:256M,64G-:512M'


def test_grubby_failing_midway_on_bls_restores_every_file_byte_for_byte(tmp_path):
    # grubby-bls rewrites grubenv's kernelopts and /etc/kernel/cmdline (creating it), then the entries one by
    # one; re-adding the old values through grubby would expand $kernelopts and move the arguments around.
    entries = tmp_path / 'entries'
    entries.mkdir()
    files = {entries / 'a-5.14.0-503.conf': 'title A\noptions root=/dev/vda1 crashkernel=1G-4G:192M ro quiet\n',
             entries / 'a-5.14.0-427.conf': 'title B\noptions $kernelopts\n',
             tmp_path / 'grubenv': '# GRUB Environment Block\nkernelopts=root=/dev/vda1 crashkernel=1G-4G:192M ro\n'}
    for path, text in files.items():
        path.write_text(text)
    cmdline = tmp_path / 'cmdline'
    grubby = FakeGrubby(fixture('grubby-info-all-el9.txt'))

    def failing_midway(argv):
        if any(arg.startswith('--update-kernel') for arg in argv):
            for path in files:
                path.write_text('rewritten by grubby\n')
            cmdline.write_text('root=/dev/vda1 ro crashkernel=256M\n')
            return 1, '', 'sed: cannot rename /boot/loader/entries/a-0-rescue.conf: Device or resource busy\n'
        return grubby(argv)

    backend, runner, module = grubby_backend(failing_midway, bls_dir=str(entries),
                                             grubby_files=(str(tmp_path / 'grubenv'), str(cmdline)))
    with pytest.raises(BootloaderError) as exc:
        backend.apply(['256M'])
    assert 'Device or resource busy' in str(exc.value)
    assert dict((path, path.read_text()) for path in files) == files
    assert not cmdline.exists()
    assert runner.commands == [['/usr/sbin/grubby', '--update-kernel=ALL', '--remove-args=crashkernel']]


def test_grubby_keeps_default_grub_in_line(tmp_path):
    default_grub = tmp_path / 'grub'
    default_grub.write_text(fixture('default-grub-el8.txt'))
    grubby = FakeGrubby(fixture('grubby-info-all-el9.txt'))
    backend, runner, module = grubby_backend(grubby, default_grub=str(default_grub))
    result = backend.apply(['256M'])
    assert 'rhgb quiet crashkernel=256M"' in default_grub.read_text()
    assert [d['before_header'] for d in result['diff']][1] == '%s (content)' % default_grub


# ------------------------------------------------------------------------------ grub backend

def grub_backend(host, kernels='ALL', check_mode=False):
    module = FakeModule({'update-grub': host['fake_update'], 'grub-mkconfig': host['fake_update']}, check_mode=check_mode)
    runner = CommandRunner(module)
    tools = {'update-grub': host['update_grub'], 'grub-mkconfig': host['grub_mkconfig']}
    backend = GrubBackend(module, runner, tools.get, kernels=kernels, default_grub=host['default_grub'], dropin=host['dropin'],
                          grub_cfg=host['grub_cfg'])
    return backend, runner


def test_render_dropin_is_valid_shell_that_leaves_exactly_one_value(tmp_path):
    host = make_grub_host(tmp_path)
    with open(host['dropin'], 'w') as handle:
        handle.write(render_dropin('GRUB_CMDLINE_LINUX_DEFAULT', ['192M']))
    host['fake_update'](['update-grub'])
    lines = grub_cfg_cmdlines(open(host['grub_cfg']).read())
    assert lines[0] == 'root=UUID=0b3c5e4f-6a7d-4e2b-9c1f-2d3e4f5a6b7c ro console=ttyS0,115200n8 quiet crashkernel=192M'
    assert 'crashkernel' not in lines[2]


def test_grub_dropin_debian12_lab_case(tmp_path):
    host = make_grub_host(tmp_path)
    kdump_tools_before = open(os.path.join(host['grubd'], 'kdump-tools.cfg')).read()
    default_before = open(host['default_grub']).read()
    backend, runner = grub_backend(host)
    assert backend.use_dropin
    result = backend.apply(['192M'])
    assert result['changed']
    assert runner.commands == [[host['update_grub']]]
    assert result['configured'] == {'main': '192M', 'high': None, 'low': None, 'cma': None}
    lines = grub_cfg_cmdlines(open(host['grub_cfg']).read())
    assert lines[0] == 'root=UUID=0b3c5e4f-6a7d-4e2b-9c1f-2d3e4f5a6b7c ro console=ttyS0,115200n8 crashkernel=192M quiet'
    assert [line.count('crashkernel=') for line in lines] == [1, 1, 1]  # kernels=ALL: recovery entries too
    # never touch the dpkg conffile nor /etc/default/grub
    assert open(os.path.join(host['grubd'], 'kdump-tools.cfg')).read() == kdump_tools_before
    assert open(host['default_grub']).read() == default_before
    headers = [d['before_header'] for d in result['diff']]
    assert '%s (content)' % host['dropin'] in headers and result['diff'][0]['before'] == ''

    backend, runner = grub_backend(host)
    second = backend.apply(['192M'])
    assert not second['changed'] and runner.commands == [] and second['diff'] == []


def test_grub_kernels_default_uses_linux_default(tmp_path):
    host = make_grub_host(tmp_path)
    backend, runner = grub_backend(host, kernels='DEFAULT')
    backend.apply(['256M'])
    lines = grub_cfg_cmdlines(open(host['grub_cfg']).read())
    assert lines[0].endswith('quiet crashkernel=256M')
    assert 'crashkernel' not in lines[2]  # recovery entries do not get GRUB_CMDLINE_LINUX_DEFAULT


def test_grub_check_mode_writes_nothing(tmp_path):
    host = make_grub_host(tmp_path)
    cfg_before = open(host['grub_cfg']).read()
    backend, runner = grub_backend(host, check_mode=True)
    result = backend.apply(['192M'])
    assert result['changed'] and runner.commands == [[host['update_grub']]]
    assert not os.path.exists(host['dropin'])
    assert host['fake_update'].runs == 0
    assert open(host['grub_cfg']).read() == cfg_before
    assert 'crashkernel=192M' in result['diff'][0]['after']


def test_grub_stale_grub_cfg_only_reruns_update(tmp_path):
    host = make_grub_host(tmp_path)
    with open(host['dropin'], 'w') as handle:
        handle.write(render_dropin('GRUB_CMDLINE_LINUX', ['192M']))
    backend, runner = grub_backend(host)
    result = backend.apply(['192M'])
    assert result['changed'] and runner.commands == [[host['update_grub']]]
    assert result['configured']['main'] == '192M'


def test_grub_read_back_mismatch_restores_files_and_fails(tmp_path):
    host = make_grub_host(tmp_path)
    # A later-sorting snippet that re-adds its own value defeats ours: the read-back must notice.
    with open(os.path.join(host['grubd'], 'zzz-local.cfg'), 'w') as handle:
        handle.write('GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=1G"\n')
    host['fake_update'](['update-grub'])
    cfg_before = open(host['grub_cfg']).read()
    backend, runner = grub_backend(host)
    with pytest.raises(BootloaderError) as exc:
        backend.apply(['192M'])
    assert 'crashkernel=1G' in str(exc.value) and 'restored' in str(exc.value)
    assert not os.path.exists(host['dropin'])
    assert runner.commands == [[host['update_grub']], [host['update_grub']]]
    assert open(host['grub_cfg']).read() == cfg_before


def test_update_grub_failing_midway_restores_dropin_and_grub_cfg(tmp_path):
    # update-grub dies after truncating grub.cfg; the backend removes its drop-in and regenerates, which works.
    host = make_grub_host(tmp_path)
    cfg_before = open(host['grub_cfg']).read()
    host['fake_update'].fail_runs = (1,)
    backend, runner = grub_backend(host)
    with pytest.raises(BootloaderError) as exc:
        backend.apply(['192M'])
    assert 'No space left on device' in str(exc.value) and 'previous files were restored' in str(exc.value)
    assert runner.commands == [[host['update_grub']], [host['update_grub']]]  # the update, then the restore's
    assert not os.path.exists(host['dropin'])
    assert open(host['grub_cfg']).read() == cfg_before
    assert grub_cfg_cmdlines(open(host['grub_cfg']).read())[0].endswith('crashkernel=384M-:128M')
    assert sorted(os.listdir(host['grubd'])) == ['kdump-tools.cfg']  # no temp file left


def test_update_grub_failing_every_time_puts_grub_cfg_back_byte_for_byte(tmp_path):
    host = make_grub_host(tmp_path)
    cfg_before = open(host['grub_cfg']).read()
    host['fake_update'].fail_runs = 'all'
    backend, runner = grub_backend(host)
    with pytest.raises(BootloaderError):
        backend.apply(['192M'])
    assert host['fake_update'].runs == 2
    assert not os.path.exists(host['dropin'])
    assert open(host['grub_cfg']).read() == cfg_before
    assert sorted(os.listdir(os.path.dirname(host['grub_cfg']))) == ['grub.cfg']


def test_update_grub_failing_on_a_stale_grub_cfg_alone_puts_it_back(tmp_path):
    # Our drop-in is already right, only grub.cfg is stale: nothing of ours to undo, grub.cfg goes back as it was.
    host = make_grub_host(tmp_path)
    with open(host['dropin'], 'w') as handle:
        handle.write(render_dropin('GRUB_CMDLINE_LINUX', ['192M']))
    dropin = open(host['dropin']).read()
    cfg_before = open(host['grub_cfg']).read()
    host['fake_update'].fail_runs = 'all'
    backend, runner = grub_backend(host)
    with pytest.raises(BootloaderError):
        backend.apply(['192M'])
    assert runner.commands == [[host['update_grub']]]
    assert open(host['grub_cfg']).read() == cfg_before and open(host['dropin']).read() == dropin


def test_grub_without_grubd_support_edits_default_grub(tmp_path):
    host = make_grub_host(tmp_path, default_grub='default-grub-el8.txt', kdump_tools_cfg=False)
    with open(host['grub_mkconfig'], 'w') as handle:
        handle.write('#!/bin/sh\n. /etc/default/grub\n')  # upstream grub-mkconfig: no grub.d
    host['fake_update'].source_grubd = False
    backend, runner = grub_backend(host)
    assert not backend.use_dropin
    result = backend.apply(['256M'])
    assert result['changed'] and not os.path.exists(host['dropin'])
    assert 'rhgb quiet crashkernel=256M"' in open(host['default_grub']).read()
    assert grub_cfg_cmdlines(open(host['grub_cfg']).read())[0].endswith('crashkernel=256M')


def test_grub_backend_refuses_single_kernel(tmp_path):
    host = make_grub_host(tmp_path)
    with pytest.raises(BootloaderError) as exc:
        grub_backend(host, kernels='/boot/vmlinuz-6.1.0-28-amd64')
    assert '/boot/vmlinuz-6.1.0-28-amd64' in str(exc.value)


def test_module_constants_are_the_real_paths():
    assert bootloader.GRUB_DROPIN == '/etc/default/grub.d/zz-fleet-kdump.cfg'
    assert bootloader.DEFAULT_GRUB == '/etc/default/grub'
