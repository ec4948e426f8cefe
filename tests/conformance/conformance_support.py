# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared plumbing of the conformance tests: where the oracles are, how to run our modules, the tally.

The oracles are the distributions' own programs (kdump-utils ``kdumpctl``/``kdump-lib.sh``, Fedora's
``grubby-bls``, openSUSE's ``kdump-read-config.sh``), found under ``FLEET_KDUMP_ORACLES`` in the layout of
``../shared/oracles`` (``scripts/fetch-oracles.sh`` clones the pinned commits). They are run, never copied.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

HERE = Path(__file__).resolve().parent
BIN = HERE / 'bin'
# The tests run inside the collection tree that `make collection-tree` builds:
# <build>/ansible_collections/fleet/kdump/tests/conformance.
COLLECTION = HERE.parents[1]
COLLECTIONS_ROOT = HERE.parents[4]

ORACLE_VERSIONS = {
    'kdump-utils': 'kdump-utils v1.0.61 (63f248c)',
    'grubby': 'Fedora grubby-bls (fedora-riscv/grubby d696710)',
    'suse-kdump': 'openSUSE kdump v2.1.9 (34da4b8)',
}
# What each oracle must hold to be usable.
ORACLE_FILES = {
    'kdump-utils': ('kdumpctl', 'kdump-lib.sh', 'kdump-lib-initramfs.sh', 'kdump-logger.sh', 'gen-kdump-conf.sh'),
    'grubby': ('grubby-bls',),
    'suse-kdump': ('kdump-read-config.sh', 'sysconfig.kdump.in'),
}

LAB_IMAGE = os.environ.get('LAB_IMAGE', 'localhost/fleet-kdump-debian12:latest')
CONFORMANCE_IMAGE = 'localhost/fleet-kdump-conformance:latest'


def oracles_root():
    """The FLEET_KDUMP_ORACLES directory, or None when unset or missing."""
    value = os.environ.get('FLEET_KDUMP_ORACLES', '')
    if not value or not os.path.isdir(value):
        return None
    return Path(value).resolve()


def oracle_dir(name):
    """The directory of one oracle; skips the test when it (or a file it needs) is missing."""
    root = oracles_root()
    if root is None:
        pytest.skip('no oracles: FLEET_KDUMP_ORACLES is unset or not a directory')
    path = root / name
    missing = [item for item in ORACLE_FILES[name] if not (path / item).is_file()]
    if missing:
        pytest.skip('oracle %s lacks %s under %s' % (name, ', '.join(missing), path))
    return path


# ------------------------------------------------------------------------------------------------ tally

class Tally(object):
    """Cases judged by each oracle: the stage's closing lines are printed from it (scripts/conformance.sh)."""

    def __init__(self):
        self.counts = collections.OrderedDict()
        self.failed_tests = set()          # every test pytest reported as failed
        self.judged_failed_tests = set()   # tests whose failure is already counted as failed cases
        self.current_test = None

    def _slot(self, oracle):
        return self.counts.setdefault(oracle, {'passed': 0, 'failed': 0, 'skipped': 0})

    def record(self, oracle, passed, count=1):
        self._slot(oracle)['passed' if passed else 'failed'] += count
        if not passed and self.current_test:
            self.judged_failed_tests.add(self.current_test)

    def skip(self, oracle, count=1):
        self._slot(oracle)['skipped'] += count

    def as_dict(self):
        # A test that failed outside an oracle's judgement (the harness broke) still counts as one failure.
        unjudged = sorted(self.failed_tests - self.judged_failed_tests)
        return {'oracles': self.counts, 'versions': ORACLE_VERSIONS, 'unjudged_failures': unjudged}


TALLY = Tally()


def judge(oracle, failures, total):
    """Record ``total`` cases of which ``failures`` (a list of descriptions) failed; assert none did."""
    TALLY.record(oracle, True, total - len(failures))
    if failures:
        TALLY.record(oracle, False, len(failures))
    assert not failures, '%d of %d cases failed for %s:\n%s' % (
        len(failures), total, oracle, '\n\n'.join(str(item) for item in failures[:20]))


# ------------------------------------------------------------------------------------- our modules, in-process

class _Exit(Exception):
    pass


class _Fail(Exception):
    pass


def _exit_json(self, **kwargs):
    kwargs.setdefault('changed', False)
    raise _Exit(kwargs)


def _fail_json(self, msg=None, **kwargs):
    kwargs['failed'] = True
    kwargs['msg'] = msg
    kwargs.pop('exception', None)
    raise _Fail(kwargs)


def run_module_inprocess(main, args):
    """Run a module's real ``main()`` with ``args`` in this process; return (result, failed)."""
    saved = basic.AnsibleModule.exit_json, basic.AnsibleModule.fail_json, basic.AnsibleModule.warn
    warnings = []
    basic.AnsibleModule.exit_json = _exit_json
    basic.AnsibleModule.fail_json = _fail_json
    basic.AnsibleModule.warn = lambda self, msg: warnings.append(msg)
    result, failed = None, None
    try:
        with patch_module_args(dict(args)):
            try:
                main()
            except _Exit as exc:
                result, failed = exc.args[0], False
            except _Fail as exc:
                result, failed = exc.args[0], True
    finally:
        basic.AnsibleModule.exit_json, basic.AnsibleModule.fail_json, basic.AnsibleModule.warn = saved
    if result is None:
        raise AssertionError('%s returned without exit_json or fail_json' % main)
    result['warnings'] = warnings
    return result, failed


# --------------------------------------------------------------------------------------------- containers

def podman():
    return shutil.which('podman')


def require_lab():
    return os.environ.get('FLEET_KDUMP_REQUIRE_LAB') == '1'


def ansible_package_dir():
    import ansible
    return Path(ansible.__file__).resolve().parent


def conformance_image(oracle):
    """Build (once, cached by podman) the image the container cases run in; skip without podman or lab image.

    It is the container lab's Debian 12 image plus grub-common (grub-editenv, which grubby-bls calls as
    grub2-editenv) from Debian's archive.
    """
    if not podman():
        if require_lab():
            pytest.fail('podman is missing (FLEET_KDUMP_REQUIRE_LAB=1)')
        TALLY.skip(oracle)
        pytest.skip('podman is missing')
    have = subprocess.run([podman(), 'image', 'exists', LAB_IMAGE], check=False).returncode == 0
    if not have:
        if require_lab():
            pytest.fail('%s is missing: run lab/container.sh build' % LAB_IMAGE)
        TALLY.skip(oracle)
        pytest.skip('%s is missing (lab/container.sh build)' % LAB_IMAGE)
    build = subprocess.run([podman(), 'build', '--quiet', '--pull=never', '--build-arg', 'BASE=%s' % LAB_IMAGE,
                            '-t', CONFORMANCE_IMAGE, '-f', str(HERE / 'container' / 'Containerfile'),
                            str(HERE / 'container')], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, check=False)
    if build.returncode != 0:
        pytest.fail('building %s failed:\n%s' % (CONFORMANCE_IMAGE, build.stdout[-3000:]))
    return CONFORMANCE_IMAGE


def podman_run(image, argv, mounts=(), network=False, tmpfs=(), timeout=600, extra=()):
    """Run ``argv`` in a throwaway, unprivileged container; return the CompletedProcess (text)."""
    command = [podman(), 'run', '--rm', '--name', 'fleet-kdump-conformance-%s' % uuid.uuid4().hex[:12],
               '--pull=never', '--systemd=false', '--entrypoint', '']
    if not network:
        command.append('--network=none')
    for source, target, mode in mounts:
        command += ['-v', '%s:%s:%s' % (source, target, mode)]
    for target in tmpfs:
        command += ['--tmpfs', target]
    command += list(extra)
    command.append(image)
    command += list(argv)
    return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=timeout, check=False)


def collection_mounts():
    """Mounts that let python3 in a container import the real modules: the collection tree and ansible."""
    return [(str(COLLECTIONS_ROOT), '/opt/fleet/collections', 'ro'),
            (str(ansible_package_dir()), '/opt/fleet/lib/ansible', 'ro')]


def write_json(path, data):
    Path(path).write_text(json.dumps(data, indent=1, sort_keys=True))
