# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SSH dump target reachability, checked from the host as its capture kernel will need it.

This module is PRIVATE to the collection. It can have breaking changes at any time.

The capture side (kdump-utils' kdump.sh and mkdumprd, kdump-tools' kdump-config savecore) logs in with the
configured key, non-interactively, with the server's host key already trusted, and runs ``mkdir -p``,
``mktemp -dqp``/``rmdir``, ``df --output=avail``, ``dd of=`` and ``mv`` under the dump path. The checks here
run the same remote commands, in the order in which a dump needs them, so that a forced-command wrapper on the
server that lets a dump through lets these checks through too (and the other way round).

Everything that reaches the network or the host is injected: ``resolve(host)`` returns addresses or raises
OSError, ``connect(address, port)`` returns None or a reason, ``run(argv)`` returns (rc, stdout, stderr) and
``readable(path)`` says whether a file can be read. The tests pass fixtures of real command output.
"""

from __future__ import annotations

import re

from ansible_collections.fleet.kdump.plugins.module_utils.crashkernel import human_bytes

DEFAULT_PORT = 22
DEFAULT_KNOWN_HOSTS = '/root/.ssh/known_hosts'
# ssh exits 255 when ssh itself failed (connection, host key, authentication); otherwise with the remote rc.
SSH_FAILED = 255
CONNECT_TIMEOUT = 5
STEP_NAMES = ('resolves', 'port_open', 'key_file', 'key_login', 'path_writable', 'free_space')

# What ssh prints for each way a non-interactive login fails, and what the operator should do about it.
_SSH_REASONS = (
    (re.compile(r'Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No \S+ host key is known',
                re.I),
     "the server's host key is not the one pinned in {known_hosts}: pin it from the server's own "
     "/etc/ssh/ssh_host_*_key.pub (kdump_target.host_key or the server in the inventory); the capture kernel "
     "never trusts a key on first use"),
    (re.compile(r'Permission denied \(', re.I),
     'the server refused key {key} for {user}: its public key is not in ~{user}/.ssh/authorized_keys on the server'),
    (re.compile(r'Connection refused', re.I), 'the server refused the connection on port {port}'),
    (re.compile(r'Connection timed out|Operation timed out|timed out during banner exchange', re.I),
     'the connection to port {port} timed out'),
    (re.compile(r'Could not resolve hostname', re.I), 'the host name does not resolve'),
    (re.compile(r'No route to host|Network is unreachable', re.I), 'no route to the server'),
    (re.compile(r'Load key .*: (?:Permission denied|bad permissions|invalid format)|UNPROTECTED PRIVATE KEY',
                re.I),
     'ssh cannot use key file {key}'),
)


def split_destination(location):
    """'user@host' -> (user, host); IPv6 hosts may be bracketed. No user -> (None, host)."""
    text = (location or '').strip()
    user, sep, host = text.rpartition('@')
    if not sep:
        return None, text.strip('[]') or None
    return user or None, host.strip('[]') or None


def ssh_argv(location, key, known_hosts=DEFAULT_KNOWN_HOSTS, port=DEFAULT_PORT, timeout=CONNECT_TIMEOUT):
    """The login the capture kernel makes: the key only, no prompt, the pinned known_hosts only."""
    argv = ['ssh', '-n', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes',
            '-o', 'UserKnownHostsFile=%s' % known_hosts, '-o', 'GlobalKnownHostsFile=/dev/null',
            '-o', 'IdentitiesOnly=yes', '-o', 'ConnectTimeout=%d' % timeout]
    if key:
        argv += ['-i', key]
    if port and int(port) != DEFAULT_PORT:
        argv += ['-p', str(port)]
    return argv + [location]


def ssh_reason(stderr, location, key, known_hosts, port):
    """Why ssh failed, in the operator's terms, followed by ssh's own last line."""
    user = split_destination(location)[0]
    text = (stderr or '').strip()
    last = text.splitlines()[-1] if text else 'no message'
    for pattern, reason in _SSH_REASONS:
        if pattern.search(text):
            return '%s (ssh: %s)' % (reason.format(known_hosts=known_hosts, key=key, user=user, port=port), last)
    return 'ssh %s failed (ssh: %s)' % (location, last)


def parse_df_avail(text):
    """Bytes available from `df --output=avail PATH` (1K blocks, a header line first), or None."""
    values = [line.strip() for line in (text or '').splitlines() if line.strip()]
    if len(values) < 2 or not values[-1].isdigit():
        return None
    return int(values[-1]) * 1024


def _step(name, ok, detail):
    return {'name': name, 'ok': ok, 'detail': detail}


def check_ssh(location, path, key, need_bytes, resolve, connect, run, readable,
              known_hosts=DEFAULT_KNOWN_HOSTS, port=DEFAULT_PORT):
    """Every check the capture kernel's ssh dump depends on, in order; the first failure ends the chain.

    Returns {'ok': bool, 'detail': str, 'checks': [{'name', 'ok', 'detail'}]}: ``detail`` is the first failure's
    reason (or a summary of success), the steps after it are listed as not checked.
    """
    user, host = split_destination(location)
    port = int(port or DEFAULT_PORT)
    steps = []

    def finish():
        for name in STEP_NAMES[len(steps):]:
            steps.append(_step(name, None, 'not checked: %s failed' % steps[-1]['name']))
        failed = [step for step in steps if step['ok'] is False]
        if failed:
            return {'ok': False, 'detail': '%s: %s' % (failed[0]['name'], failed[0]['detail']), 'checks': steps}
        return {'ok': True, 'checks': steps,
                'detail': 'ssh %s:%s reachable with key %s, %s writable, %s' % (
                    location, path, key, path, steps[-1]['detail'])}

    if not user or not host:
        steps.append(_step('resolves', False, 'target %r has no user: the capture kernel logs in as user@host'
                           % (location,)))
        return finish()
    try:
        addresses = list(resolve(host))
    except (OSError, ValueError) as exc:
        addresses, error = [], exc
    else:
        error = 'no address'
    if not addresses:
        steps.append(_step('resolves', False, 'host %s does not resolve (%s)' % (host, error)))
        return finish()
    steps.append(_step('resolves', True, '%s resolves to %s' % (host, ', '.join(addresses[:3]))))

    refused = connect(addresses[0], port)
    if refused:
        steps.append(_step('port_open', False, 'port %d on %s (%s) is not open: %s'
                           % (port, host, addresses[0], refused)))
        return finish()
    steps.append(_step('port_open', True, 'port %d on %s is open' % (port, host)))

    if not key or not readable(key):
        steps.append(_step('key_file', False, 'the private key %s is missing or unreadable on this host' % (key,)))
        return finish()
    steps.append(_step('key_file', True, 'private key %s readable' % key))

    base = ssh_argv(location, key, known_hosts, port)
    rc, _out, err = run(base + ['mkdir', '-p', path])
    if rc == SSH_FAILED:
        steps.append(_step('key_login', False, 'non-interactive login as %s failed: %s'
                           % (user, ssh_reason(err, location, key, known_hosts, port))))
        return finish()
    steps.append(_step('key_login', True, 'key login as %s works without a prompt, host key pinned in %s'
                       % (user, known_hosts)))
    if rc != 0:
        steps.append(_step('path_writable', False, 'no write permission on the server: mkdir -p %s failed as %s '
                           '(rc %d): %s' % (path, user, rc, (err or '').strip()[-300:])))
        return finish()

    rc, out, err = run(base + ['mktemp', '-dqp', path])
    probe = (out or '').strip()
    if rc != 0 or not probe:
        reason = (err or '').strip()[-300:] or 'mktemp printed nothing'
        steps.append(_step('path_writable', False, 'no write permission on the server: %s cannot create a '
                           'directory in %s (rc %d): %s' % (user, path, rc, reason)))
        return finish()
    run(base + ['rmdir', probe])
    steps.append(_step('path_writable', True, '%s can create directories in %s' % (user, path)))

    rc, out, err = run(base + ['df', '--output=avail', path])
    avail = parse_df_avail(out) if rc == 0 else None
    if avail is None:
        steps.append(_step('free_space', False, 'could not read the free space of %s on the server (rc %d): %s'
                           % (path, rc, (err or out or '').strip()[-300:])))
    elif need_bytes is None:
        steps.append(_step('free_space', False, '%s free on the server, but the dump size of this host could not '
                           'be estimated' % human_bytes(avail)))
    else:
        steps.append(_step('free_space', avail >= need_bytes, '%s free on the server, estimated dump of this host '
                           'up to %s' % (human_bytes(avail), human_bytes(need_bytes))))
    return finish()
