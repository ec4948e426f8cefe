# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/kdump/files/kdump_receive.py, the dump server's forced command, run as sshd runs it."""

from __future__ import annotations

import importlib.util
import os
import stat
import subprocess
import sys

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'roles', 'kdump', 'files', 'kdump_receive.py')
spec = importlib.util.spec_from_file_location('kdump_receive', SCRIPT)
receive = importlib.util.module_from_spec(spec)
spec.loader.exec_module(receive)


@pytest.fixture
def root(tmp_path):
    path = tmp_path / 'crash'
    path.mkdir(mode=0o700)
    return str(path)


def forced(root, command, stdin=b''):
    """Run the wrapper as sshd does: dump path as argument, the client's command in SSH_ORIGINAL_COMMAND."""
    env = dict(os.environ, SSH_ORIGINAL_COMMAND=command)
    return subprocess.run([sys.executable, SCRIPT, root], input=stdin, env=env, capture_output=True, timeout=30,
                          check=False)


def test_the_dump_sequence_of_kdump_utils_runs_confined_and_private(root):
    """What kdump-utils' kdump.sh sends for an ssh dump (its quoting included), then mkdumprd's probes."""
    stamp = root + '/192.0.2.21-2026-12-02-01:10:11'
    assert forced(root, 'mkdir -p %s' % stamp).returncode == 0
    data = b'makedumpfile flattened stream\n' * 100
    done = forced(root, "umask 0077 && dd bs=512 of='%s/vmcore-incomplete'" % stamp, stdin=data)
    assert done.returncode == 0, done.stderr
    assert forced(root, "mv '%s/vmcore-incomplete' '%s/vmcore.flat'" % (stamp, stamp)).returncode == 0
    core = os.path.join(stamp, 'vmcore.flat')
    with open(core, 'rb') as handle:
        assert handle.read() == data
    assert stat.S_IMODE(os.stat(core).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(stamp).st_mode) == 0o700

    probe = forced(root, 'mktemp -dqp %s' % root)
    assert probe.returncode == 0
    made = probe.stdout.decode().strip()
    assert os.path.dirname(made) == root
    assert forced(root, 'rmdir %s' % made).returncode == 0
    assert not os.path.exists(made)
    df = forced(root, 'df --output=avail %s' % root)
    assert df.returncode == 0
    assert df.stdout.decode().split()[0] == 'Avail'


def test_kdump_tools_dd_without_umask_still_writes_a_private_file(root):
    """kdump-tools sends `dd of=FILE` with no umask: the wrapper's own umask keeps the dump private."""
    stamp = root + '/192.0.2.22-202612020110'
    assert forced(root, 'mkdir -p %s' % stamp).returncode == 0
    assert forced(root, 'dd of=%s/dump-incomplete' % stamp, stdin=b'x' * 4096).returncode == 0
    assert forced(root, 'mv %s/dump-incomplete %s/dump.202612020110' % (stamp, stamp)).returncode == 0
    assert stat.S_IMODE(os.stat(stamp + '/dump.202612020110').st_mode) == 0o600


@pytest.mark.parametrize('command, reason', [
    ('', 'an interactive login (no command)'),
    ('sh', "'sh' is not a dump operation"),
    ('rm -rf {root}', "'rm -rf {root}' is not a dump operation"),
    ('cat /etc/shadow', "'cat /etc/shadow' is not a dump operation"),
    ('mkdir -p /etc/cron.d/x', '/etc/cron.d/x is outside the dump path {root}'),
    ('mkdir -p {root}/../escape', "'{root}/../escape' contains .."),
    ('mkdir -p crash', "'crash' is not an absolute path"),
    ("dd of=/root/.ssh/authorized_keys", '/root/.ssh/authorized_keys is outside the dump path {root}'),
    ('dd if=/etc/shadow of={root}/x', "dd operand 'if=/etc/shadow' (only bs=N and of=FILE)"),
    ('dd bs=512', 'dd without of=FILE'),
    ('mv {root}/a /tmp/a', '/tmp/a is outside the dump path {root}'),
    ('mv -t /tmp {root}/a', "'mv -t /tmp {root}/a' is not a dump operation"),
    ('rmdir {root}', '{root} is the dump path itself'),
    ('mkdir -p {root}; sh', "'mkdir -p {root}; sh' is not a dump operation"),
    ('mkdir -p {root} && sh', "'mkdir -p {root} && sh' is not a dump operation"),
    ('scp -f {root}/x', 'scp -f {root}/x (only the sink: scp -t FILE)'),
    ('scp -r -t {root}/x', 'scp -r -t {root}/x (only the sink: scp -t FILE)'),
    ("mkdir -p '{root}", 'does not parse'),
])
def test_anything_else_is_refused_and_nothing_runs(root, tmp_path, command, reason):
    command, reason = command.format(root=root), reason.format(root=root)
    before = sorted(os.listdir(str(tmp_path)))
    done = forced(root, command)
    assert done.returncode == 1
    assert done.stdout == b''
    message = done.stderr.decode()
    assert message.startswith('fleet-kdump-receive: refused: ')
    assert reason in message
    assert sorted(os.listdir(str(tmp_path))) == before
    assert os.listdir(root) == []


def test_a_symbolic_link_out_of_the_dump_path_is_refused(root, tmp_path):
    outside = tmp_path / 'outside'
    outside.mkdir()
    os.symlink(str(outside), os.path.join(root, 'link'))
    done = forced(root, 'dd of=%s/link/x' % root, stdin=b'x')
    assert done.returncode == 1
    assert 'is outside the dump path' in done.stderr.decode()
    assert os.listdir(str(outside)) == []


def test_the_sftp_subsystem_starts_in_the_dump_path_without_read_remove_or_link(root, monkeypatch):
    monkeypatch.setattr(receive, 'sftp_server', lambda: '/usr/lib/openssh/sftp-server')
    for command in ('/usr/lib/openssh/sftp-server', 'internal-sftp', '/usr/libexec/openssh/sftp-server'):
        assert receive.plan(command, root) == ['/usr/lib/openssh/sftp-server', '-d', root, '-u', '077', '-P',
                                               'read,readlink,remove,rmdir,symlink,hardlink']


def test_legacy_scp_sink_is_confined(root, monkeypatch):
    monkeypatch.setattr(receive, 'program', lambda name: '/usr/bin/' + name)
    assert receive.plan('scp -t %s/d/dmesg.2026' % root, root) == ['/usr/bin/scp', '-t', '--', root + '/d/dmesg.2026']
    assert receive.plan('scp -p -d -t -- %s/d' % root, root) == ['/usr/bin/scp', '-p', '-d', '-t', '--', root + '/d']


def test_a_dump_path_that_is_not_absolute_refuses_everything():
    with pytest.raises(receive.Refused, match='is not an absolute directory below /'):
        receive.plan('true', '/')
    with pytest.raises(receive.Refused, match='is not an absolute directory below /'):
        receive.plan('true', 'crash')
