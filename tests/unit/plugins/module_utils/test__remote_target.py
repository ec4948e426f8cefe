# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os
import socket

import pytest

from ansible_collections.fleet.kdump.plugins.module_utils import _remote_target as remote

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'remote')
LOCATION = 'kdump@dumps.example.com'
KEY = '/root/.ssh/kdump_id_ed25519'
GIB = 1024 ** 3


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding='utf-8') as handle:
        return handle.read()


class Server(object):
    """The dump server as ssh sees it: answers per remote command, the calls recorded."""

    def __init__(self):
        self.calls = []
        self.answers = {
            ('mkdir', '-p', '/srv/crash'): (0, '', ''),
            ('mktemp', '-dqp', '/srv/crash'): (0, fixture('mktemp-dqp.out'), ''),
            ('rmdir', '/srv/crash/tmp.Qx3bZ0aLr1'): (0, '', ''),
            ('df', '--output=avail', '/srv/crash'): (0, fixture('df-avail-80g.out'), ''),
        }
        self.login = None  # (255, '', stderr) when ssh itself fails

    def run(self, argv):
        self.calls.append(argv)
        destination = argv.index(LOCATION)
        base, command = argv[:destination + 1], tuple(argv[destination + 1:])
        assert base == remote.ssh_argv(LOCATION, KEY)
        if self.login is not None:
            return self.login
        return self.answers.get(command, (127, '', 'unexpected %s' % (command,)))


def check(server, need=2 * GIB, resolve=None, connect=None, readable=None, location=LOCATION):
    return remote.check_ssh(location, '/srv/crash', KEY, need,
                            resolve=resolve or (lambda host: ['192.0.2.10']),
                            connect=connect or (lambda address, port: None),
                            run=server.run, readable=readable or (lambda path: path == KEY))


def steps(result):
    return dict((step['name'], step) for step in result['checks'])


def test_a_reachable_writable_server_with_room_passes_every_step():
    server = Server()
    result = check(server)
    assert result['ok'] is True, result
    assert [step['name'] for step in result['checks']] == list(remote.STEP_NAMES)
    assert all(step['ok'] is True for step in result['checks'])
    assert steps(result)['free_space']['detail'] == ('76.3G free on the server, estimated dump of this host up to 2G')
    # The login is the capture kernel's: key only, no prompt, only the pinned known_hosts.
    base = server.calls[0][:server.calls[0].index(LOCATION)]
    for option in ('BatchMode=yes', 'StrictHostKeyChecking=yes', 'UserKnownHostsFile=/root/.ssh/known_hosts',
                   'GlobalKnownHostsFile=/dev/null'):
        assert option in base
    assert ['-i', KEY] == base[base.index('-i'):base.index('-i') + 2]
    # The probe directory is removed again.
    assert server.calls[-2][-2:] == ['rmdir', '/srv/crash/tmp.Qx3bZ0aLr1']


def test_a_target_without_a_user_is_refused_before_anything_runs():
    server = Server()
    result = check(server, location='dumps.example.com')
    assert result['ok'] is False
    assert result['detail'] == ("resolves: target 'dumps.example.com' has no user: the capture kernel logs in as "
                                "user@host")
    assert server.calls == []


def test_an_unknown_host_is_reported_and_nothing_else_is_tried():
    server = Server()

    def resolve(host):
        raise socket.gaierror(-2, 'Name or service not known')

    result = check(server, resolve=resolve)
    assert result['detail'] == 'resolves: host dumps.example.com does not resolve ([Errno -2] Name or service not known)'
    assert steps(result)['port_open'] == {'name': 'port_open', 'ok': None, 'detail': 'not checked: resolves failed'}
    assert server.calls == []


def test_a_closed_port_is_reported():
    result = check(Server(), connect=lambda address, port: '[Errno 111] Connection refused')
    assert result['detail'] == ('port_open: port 22 on dumps.example.com (192.0.2.10) is not open: '
                                '[Errno 111] Connection refused')


def test_an_unreadable_key_file_is_reported():
    server = Server()
    result = check(server, readable=lambda path: False)
    assert result['detail'] == 'key_file: the private key %s is missing or unreadable on this host' % KEY
    assert server.calls == []


@pytest.mark.parametrize('stderr, reason', [
    ('ssh-hostkey-unknown.err', "the server's host key is not the one pinned in /root/.ssh/known_hosts"),
    ('ssh-publickey-denied.err', 'the server refused key %s for kdump: its public key is not in '
                                 '~kdump/.ssh/authorized_keys on the server' % KEY),
    ('ssh-timeout.err', 'the connection to port 22 timed out'),
])
def test_a_failed_login_says_why_in_the_operators_terms(stderr, reason):
    server = Server()
    server.login = (255, '', fixture(stderr))
    result = check(server)
    assert result['ok'] is False
    assert result['detail'].startswith('key_login: non-interactive login as kdump failed: ' + reason)
    # ssh's own last line follows, without the carriage return
    assert result['detail'].endswith('(ssh: %s)' % fixture(stderr).strip().splitlines()[-1].strip())
    assert len(server.calls) == 1


def test_sshs_carriage_returns_do_not_reach_the_reason():
    """ssh ends its own messages with \\r\\n (the fixtures are stored with \\n only)."""
    server = Server()
    server.login = (255, '', fixture('ssh-publickey-denied.err').replace('\n', '\r\n'))
    result = check(server)
    assert result['detail'].endswith('(ssh: kdump@192.0.2.10: Permission denied (publickey).)')
    assert '\r' not in result['detail']


def test_no_write_permission_on_the_server_is_a_finding():
    server = Server()
    server.answers[('mkdir', '-p', '/srv/crash')] = (1, '', fixture('mkdir-denied.err'))
    result = check(server)
    assert result['ok'] is False
    assert steps(result)['key_login']['ok'] is True
    assert result['detail'] == ('path_writable: no write permission on the server: mkdir -p /srv/crash failed as '
                                'kdump (rc 1): %s' % fixture('mkdir-denied.err').strip())


def test_an_existing_path_the_user_cannot_write_is_a_finding():
    server = Server()
    # mktemp -q prints nothing when it cannot create the directory
    server.answers[('mktemp', '-dqp', '/srv/crash')] = (1, '', '')
    result = check(server)
    assert result['detail'] == ('path_writable: no write permission on the server: kdump cannot create a directory '
                                'in /srv/crash (rc 1): mktemp printed nothing')
    assert not any(call[-2] == 'rmdir' for call in server.calls)


def test_too_little_room_for_this_hosts_dump_fails():
    server = Server()
    server.answers[('df', '--output=avail', '/srv/crash')] = (0, fixture('df-avail-100m.out'), '')
    result = check(server)
    assert result['ok'] is False
    assert result['detail'] == 'free_space: 100M free on the server, estimated dump of this host up to 2G'


def test_an_unknown_dump_size_cannot_pass_the_space_check():
    result = check(Server(), need=None)
    assert result['ok'] is False
    assert 'could not be estimated' in result['detail']


@pytest.mark.parametrize('text, expected', [
    (fixture('df-avail-80g.out'), 80058008 * 1024),
    ('   Avail\n', None),
    ('', None),
    ('   Avail\n-\n', None),
])
def test_df_avail_is_parsed_in_kibibytes(text, expected):
    assert remote.parse_df_avail(text) == expected


@pytest.mark.parametrize('location, expected', [
    ('kdump@dumps.example.com', ('kdump', 'dumps.example.com')),
    ('kdump@[2001:db8::1]', ('kdump', '2001:db8::1')),
    ('kdump@2001:db8::1', ('kdump', '2001:db8::1')),
    ('dumps.example.com', (None, 'dumps.example.com')),
    ('@dumps.example.com', (None, 'dumps.example.com')),
])
def test_destinations_split_into_user_and_host(location, expected):
    assert remote.split_destination(location) == expected


def test_a_non_default_port_is_passed_to_ssh():
    argv = remote.ssh_argv(LOCATION, KEY, '/etc/kdump/known_hosts', 2222)
    assert argv[-3:] == ['-p', '2222', LOCATION]
    assert 'UserKnownHostsFile=/etc/kdump/known_hosts' in argv
