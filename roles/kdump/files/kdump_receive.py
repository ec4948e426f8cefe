# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fleet.kdump receive: the forced command of a kdump client's key on the dump server.

Installed by the fleet.kdump role on the dump server and named in the client key's authorized_keys entry:

    restrict,command="/usr/bin/python3 /usr/local/libexec/fleet-kdump-receive /srv/crash" ssh-ed25519 AAAA... kdump@web-01

sshd runs it for every login with that key and puts what the client asked for in SSH_ORIGINAL_COMMAND. It runs
only the operations a dump needs, each confined to the dump path given as its argument, without a shell:

    mkdir -p DIR               the dump's directory (kdump-utils, kdump-tools)
    mktemp -dqp DIR, rmdir DIR the write probe (kdump-utils mkdumprd, fleet.kdump kdump_verify)
    df --output=avail DIR      the free space (kdump-utils mkdumprd, fleet.kdump kdump_verify)
    dd [bs=N] of=FILE          the dump and dmesg streams, also after "umask 0077 &&" (kdump-utils, kdump-tools)
    mv FILE FILE               "-incomplete" to its final name (kdump-utils, kdump-tools)
    scp -t FILE                a file copied with legacy scp (kdump-tools' dmesg, kdump-utils' log)
    sftp                       the sftp subsystem, which scp uses by default since OpenSSH 9.0: sftp-server started
                               in the dump path, with umask 077, with the requests that read, remove or link refused
    true                       a login test

Every file it creates is readable by the account only (umask 077): a dump holds all of the client's memory.
Anything else is refused with exit status 1 and a line on stderr naming what was refused.
"""


import os
import shlex
import sys

NAME = 'fleet-kdump-receive'
BIN_DIRS = ('/usr/bin', '/bin', '/usr/sbin', '/sbin')
SFTP_SERVERS = ('/usr/lib/openssh/sftp-server', '/usr/libexec/openssh/sftp-server', '/usr/lib/ssh/sftp-server',
                '/usr/libexec/sftp-server', '/usr/lib/sftp-server')
# sftp requests a dump upload never needs: nothing is read, removed or linked through this key.
SFTP_DENIED = 'read,readlink,remove,rmdir,symlink,hardlink'
SCP_SINK_FLAGS = ('-d', '-p', '-v', '-q')
UMASK_PREFIX = [['umask', '0077', '&&'], ['umask', '077', '&&']]


class Refused(Exception):
    pass


def inside(path, root):
    """``path`` if it is ``root`` or below it (symbolic links resolved), else Refused."""
    if not path.startswith('/'):
        raise Refused('%r is not an absolute path' % path)
    if '..' in path.split('/'):
        raise Refused('%r contains ..' % path)
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    if real != real_root and not real.startswith(real_root.rstrip('/') + '/'):
        raise Refused('%s is outside the dump path %s' % (path, root))
    return path


def below(path, root):
    """``path`` strictly below ``root`` (what may be created, written, moved or removed)."""
    inside(path, root)
    if os.path.realpath(path) == os.path.realpath(root):
        raise Refused('%s is the dump path itself' % path)
    return path


def program(name):
    for directory in BIN_DIRS:
        candidate = os.path.join(directory, name)
        if os.access(candidate, os.X_OK):
            return candidate
    raise Refused('%s is not installed on the dump server' % name)


def sftp_server():
    for candidate in SFTP_SERVERS:
        if os.access(candidate, os.X_OK):
            return candidate
    raise Refused('no sftp-server on the dump server')


def plan(command, root):
    """The argv to run for SSH_ORIGINAL_COMMAND ``command`` under dump path ``root``, or Refused."""
    if not root.startswith('/') or root.rstrip('/') == '':
        raise Refused('the dump path %r given to %s is not an absolute directory below /' % (root, NAME))
    text = (command or '').strip()
    if not text:
        raise Refused('an interactive login (no command)')
    if text == 'internal-sftp' or os.path.basename(text.split()[0]) == 'sftp-server':
        return [sftp_server(), '-d', root, '-u', '077', '-P', SFTP_DENIED]
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise Refused('%r does not parse (%s)' % (text, exc))
    for prefix in UMASK_PREFIX:
        if words[:len(prefix)] == prefix:
            words = words[len(prefix):]
            break
    if not words:
        raise Refused('nothing to run in %r' % text)
    name, args = words[0], words[1:]
    if name == 'true' and not args:
        return [program('true')]
    if name == 'mkdir' and len(args) == 2 and args[0] == '-p':
        return [program('mkdir'), '-p', inside(args[1], root)]
    if name == 'mktemp' and len(args) == 2 and args[0] == '-dqp':
        return [program('mktemp'), '-dqp', inside(args[1], root)]
    if name == 'rmdir' and len(args) == 1:
        return [program('rmdir'), below(args[0], root)]
    if name == 'df' and len(args) == 2 and args[0] == '--output=avail':
        return [program('df'), '--output=avail', inside(args[1], root)]
    if name == 'dd' and args:
        operands, output = [], None
        for arg in args:
            key, sep, value = arg.partition('=')
            if sep and key == 'of' and output is None:
                output = below(value, root)
                operands.append(arg)
            elif sep and key == 'bs' and value.isdigit():
                operands.append(arg)
            else:
                raise Refused('dd operand %r (only bs=N and of=FILE)' % arg)
        if output is None:
            raise Refused('dd without of=FILE')
        return [program('dd')] + operands
    if name == 'mv' and len(args) == 2 and not any(arg.startswith('-') for arg in args):
        return [program('mv'), '--', below(args[0], root), below(args[1], root)]
    if name == 'scp' and args:
        flags, rest = [], list(args)
        while rest and rest[0] in SCP_SINK_FLAGS:
            flags.append(rest.pop(0))
        if rest[:1] == ['-t']:
            rest.pop(0)
            if rest[:1] == ['--']:
                rest.pop(0)
            if len(rest) == 1:
                return [program('scp')] + flags + ['-t', '--', below(rest[0], root)]
        raise Refused('scp %s (only the sink: scp -t FILE)' % ' '.join(args))
    raise Refused('%r is not a dump operation' % text)


def main(argv=None, environ=None):
    argv = sys.argv if argv is None else argv
    environ = os.environ if environ is None else environ
    root = argv[1] if len(argv) > 1 else ''
    command = environ.get('SSH_ORIGINAL_COMMAND', '')
    try:
        run = plan(command, root)
    except Refused as exc:
        sys.stderr.write('%s: refused: %s\n' % (NAME, exc))
        return 1
    os.umask(0o077)
    os.execv(run[0], run)
    return 1  # not reached


if __name__ == '__main__':
    sys.exit(main())
