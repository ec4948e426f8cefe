# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs inside the throwaway conformance container: lay out a machine, run our real modules, record everything.

    python3 driver.py CASES_JSON RESULTS_JSON

For every case: write the case's files (a BLS tree, grubenv, /etc files, kernels), then run each step, a real
module as its own process (``python3 -m ansible_collections.fleet.kdump.plugins.modules.<name> ARGS_FILE``,
the way Ansible runs a module from a file of arguments), and record the module's JSON result, the bytes of
every watched file before and after, and what ``grubby --info=ALL`` says afterwards. The assertions live in
the pytest files on the host; this driver judges nothing. A step may instead be a plain command
(``{"command": [...]}``), whose output is recorded.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import tempfile

WATCHED_DIRS = ('/boot/loader/entries',)
WATCHED_FILES = ('/boot/grub2/grubenv', '/etc/kernel/cmdline', '/etc/default/grub')
PYTHONPATH = '/opt/fleet/collections:/opt/fleet/lib'


def snapshot():
    files = {}
    for directory in WATCHED_DIRS:
        if os.path.isdir(directory):
            for name in sorted(os.listdir(directory)):
                with open(os.path.join(directory, name), 'rb') as handle:
                    files[os.path.join(directory, name)] = handle.read().decode('utf-8', 'surrogateescape')
    for path in WATCHED_FILES:
        if os.path.exists(path):
            with open(path, 'rb') as handle:
                files[path] = handle.read().decode('utf-8', 'surrogateescape')
    return files


def clear_entries():
    """Empty the entries directory; a file the host mounted there (read-only) cannot go and stays."""
    for directory in WATCHED_DIRS:
        if os.path.isdir(directory):
            for name in os.listdir(directory):
                try:
                    os.unlink(os.path.join(directory, name))
                except OSError as exc:
                    if exc.errno != errno.EBUSY:
                        raise


def lay_out(setup):
    clear_entries()
    for path in WATCHED_FILES:
        if os.path.exists(path):
            os.unlink(path)
    for path, content in sorted(setup.get('files', {}).items()):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            with open(path, 'w') as handle:
                handle.write(content)
        except OSError as exc:
            if exc.errno != errno.EROFS:
                raise  # a read-only file mounted by the host already holds the content
    grubenv = setup.get('grubenv')
    if grubenv is not None:
        os.makedirs('/boot/grub2', exist_ok=True)
        subprocess.run(['grub2-editenv', '/boot/grub2/grubenv', 'create'], check=True)
        for key, value in grubenv:
            subprocess.run(['grub2-editenv', '/boot/grub2/grubenv', 'set', '%s=%s' % (key, value)], check=True)


def run_command(step):
    env = dict(os.environ, **step.get('env', {}))
    proc = subprocess.run(step['command'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          env=env, cwd='/', check=False)
    return {'rc': proc.returncode, 'stdout': proc.stdout, 'stderr': proc.stderr, 'result': {}}


def run_step(step):
    if 'command' in step:
        return run_command(step)
    handle, args_file = tempfile.mkstemp(suffix='.json')
    with os.fdopen(handle, 'w') as out:
        json.dump({'ANSIBLE_MODULE_ARGS': step['args']}, out)
    env = dict(os.environ, PYTHONPATH=PYTHONPATH, **step.get('env', {}))
    proc = subprocess.run(['python3', '-m', 'ansible_collections.fleet.kdump.plugins.modules.%s' % step['module'],
                           args_file], stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          env=env, cwd='/', check=False)
    os.unlink(args_file)
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        result = {'failed': True, 'msg': 'no JSON from the module', 'stdout': proc.stdout}
    return {'rc': proc.returncode, 'result': result, 'stderr': proc.stderr}


def grubby_info():
    proc = subprocess.run(['grubby', '--info=ALL'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False)
    return {'rc': proc.returncode, 'stdout': proc.stdout, 'stderr': proc.stderr}


def main():
    with open(sys.argv[1]) as handle:
        cases = json.load(handle)
    results = []
    for case in cases:
        lay_out(case['setup'])
        record = {'name': case['name'], 'initial': snapshot(), 'steps': []}
        for step in case['steps']:
            before = snapshot()
            outcome = run_step(step)
            outcome['before'] = before
            outcome['after'] = snapshot()
            outcome['info'] = grubby_info()
            record['steps'].append(outcome)
        results.append(record)
    with open(sys.argv[2], 'w') as handle:
        json.dump(results, handle)


if __name__ == '__main__':
    main()
