# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""kdump_reserve's grubby backend against the real grubby-bls, and size=auto against kdumpctl's own defaults.

grubby-bls rewrites /etc/kernel/cmdline and /etc/default/grub of the machine it runs on, so everything runs in a
throwaway, network-less container (the lab image plus grub-common). The container holds a BLS tree modelled on
RHEL 9: /boot is its own mount, three entries (the newest kernel with explicit options, an older one whose
options are ``$kernelopts`` from grubenv, the rescue entry), a grubenv, /etc/kernel/cmdline and /etc/default/grub.
kdump_reserve runs as its own process from a JSON file of arguments (container/driver.py); the assertions are on
the entry files themselves and on what ``grubby --info`` reads back.
"""

from __future__ import annotations

import json
import re

import pytest

import conformance_support as support

ORACLE = 'grubby-bls (kdump_reserve)'
AUTO_ORACLE = 'kdumpctl get-default-crashkernel (kdump_reserve size=auto)'
MACHINE_ID = '3b1c5a0e9f2d4c6e8a7b9d1f0e2c4a6b'
NEW = '5.14.0-503.14.1.el9_5.x86_64'
OLD = '5.14.0-427.13.1.el9_4.x86_64'
RHEL9_DEFAULT = '1G-4G:192M,4G-64G:256M,64G-:512M'
ROOT_ARGS = 'root=/dev/mapper/rhel-root ro'
TAIL_ARGS = 'resume=/dev/mapper/rhel-swap rd.lvm.lv=rhel/root rd.lvm.lv=rhel/swap rhgb quiet'
ENTRIES = '/boot/loader/entries'
NEW_ENTRY = '%s/%s-%s.conf' % (ENTRIES, MACHINE_ID, NEW)
OLD_ENTRY = '%s/%s-%s.conf' % (ENTRIES, MACHINE_ID, OLD)
RESCUE_ENTRY = '%s/%s-0-rescue.conf' % (ENTRIES, MACHINE_ID)
ALL_ENTRIES = (NEW_ENTRY, OLD_ENTRY, RESCUE_ENTRY)
OS_RELEASE = ('NAME="Red Hat Enterprise Linux"\nVERSION="9.5 (Plow)"\nID="rhel"\nID_LIKE="fedora"\n'
              'VERSION_ID="9.5"\nPLATFORM_ID="platform:el9"\nPRETTY_NAME="Red Hat Enterprise Linux 9.5 (Plow)"\n')


def entry(version, title, options, linux=None):
    return ('title %s\nversion %s\nlinux %s\ninitrd /initramfs-%s.img $tuned_initrd\noptions %s\n'
            'grub_users $grub_users\ngrub_arg --unrestricted\ngrub_class rhel\n'
            % (title, version, linux or '/vmlinuz-%s' % version, version, options))


def rhel9_machine(crashkernel=RHEL9_DEFAULT):
    """Files of a RHEL 9 machine; ``crashkernel`` is the current value (None: none)."""
    ck = ' crashkernel=%s' % crashkernel if crashkernel else ''
    args = '%s%s %s' % (ROOT_ARGS, ck, TAIL_ARGS)
    files = {
        '/etc/machine-id': MACHINE_ID + '\n',
        NEW_ENTRY: entry(NEW, 'Red Hat Enterprise Linux (%s) 9.5 (Plow)' % NEW, args + ' $tuned_params'),
        OLD_ENTRY: entry(OLD, 'Red Hat Enterprise Linux (%s) 9.4 (Plow)' % OLD, '$kernelopts $tuned_params'),
        RESCUE_ENTRY: entry('0-rescue-%s' % MACHINE_ID, 'Red Hat Enterprise Linux (0-rescue-%s) 9.5 (Plow)'
                            % MACHINE_ID, args, linux='/vmlinuz-0-rescue-%s' % MACHINE_ID),
        '/etc/kernel/cmdline': args + '\n',
        '/etc/default/grub': (
            'GRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR="$(sed \'s, release .*$,,g\' /etc/system-release)"\n'
            'GRUB_DEFAULT=saved\nGRUB_DISABLE_SUBMENU=true\nGRUB_TERMINAL_OUTPUT="console"\n'
            'GRUB_CMDLINE_LINUX="%s %s"\nGRUB_DISABLE_RECOVERY="true"\nGRUB_ENABLE_BLSCFG=true\n'
            % (ck.strip(), TAIL_ARGS)).replace('"  ', '"').replace('=" ', '="'),
        '/boot/vmlinuz-%s' % NEW: 'kernel image\n',
        '/boot/vmlinuz-%s' % OLD: 'kernel image\n',
        '/boot/vmlinuz-0-rescue-%s' % MACHINE_ID: 'kernel image\n',
    }
    grubenv = [('saved_entry', '%s-%s' % (MACHINE_ID, NEW)), ('kernelopts', args), ('boot_success', '0')]
    return {'files': files, 'grubenv': grubenv}


def reserve(env=None, **args):
    step = {'module': 'kdump_reserve', 'args': dict({'bootloader': 'grubby'}, **args)}
    if env:
        step['env'] = env
    return step


def check(**args):
    return reserve(_ansible_check_mode=True, **args)


def crashkernels(text):
    return re.findall(r'(?:^|\s)crashkernel=(\S+)', text)


def options_of(files, path):
    match = re.search(r'^options (.*)$', files[path], re.MULTILINE)
    return match.group(1)


def grubenv_kernelopts(files):
    match = re.search(r'^kernelopts=(.*)$', files['/boot/grub2/grubenv'], re.MULTILINE)
    return match.group(1) if match else ''


def effective_args(files, path):
    """The arguments a boot of ``path`` gets: its options line with $kernelopts expanded from grubenv."""
    return options_of(files, path).replace('$kernelopts', grubenv_kernelopts(files))


def grub_cmdline_linux(files):
    match = re.search(r'^GRUB_CMDLINE_LINUX="(.*)"$', files['/etc/default/grub'], re.MULTILINE)
    return match.group(1) if match else ''


def info_entries(info):
    entries, current = [], None
    for line in info['stdout'].splitlines():
        key, _sep, value = line.partition('=')
        value = value.strip('"')
        if key == 'index':
            current = {}
            entries.append(current)
        if current is not None:
            current[key] = value
    return entries


# ------------------------------------------------------------------------------------- the cases

def cases():
    """(name, setup, steps, check) where check(steps) returns a list of problems."""
    result = []

    def add(name, setup, steps, verify):
        result.append((name, setup, steps, verify))

    def all_hold(values, entries=ALL_ENTRIES, kernelopts=True, etc=True):
        def verify(steps):
            problems = []
            last = steps[-1]
            files = last['after']
            for path in entries:
                if crashkernels(effective_args(files, path)) != values:
                    problems.append('%s boots with %s, wanted %s' % (path, crashkernels(effective_args(files, path)),
                                                                     values))
            if kernelopts and crashkernels(grubenv_kernelopts(files)) != values:
                problems.append('grubenv kernelopts holds %s' % crashkernels(grubenv_kernelopts(files)))
            if etc:
                for path, text in (('/etc/kernel/cmdline', files['/etc/kernel/cmdline']),
                                   ('/etc/default/grub GRUB_CMDLINE_LINUX', grub_cmdline_linux(files))):
                    if crashkernels(text) != values:
                        problems.append('%s holds %s, wanted %s' % (path, crashkernels(text), values))
            for item in info_entries(last['info']):
                if item['kernel'] in kernels_of(entries) and crashkernels(item['args']) != values:
                    problems.append('grubby --info reads %s for %s' % (crashkernels(item['args']), item['kernel']))
            return problems
        return verify

    add('set a fixed size on ALL (over the RHEL 9 default range)', rhel9_machine(),
        [reserve(size='256M')], all_hold(['256M']))
    add('change fixed -> range', rhel9_machine('256M'),
        [reserve(size='2G-64G:256M,64G-:512M')], all_hold(['2G-64G:256M,64G-:512M']))
    add('change range -> fixed', rhel9_machine(),
        [reserve(size='320M')], all_hold(['320M']))
    add(',high with a ,low companion', rhel9_machine(),
        [reserve(size='512M,high', low='128M')], all_hold(['512M,high', '128M,low']))
    add(',high/,low back to a plain size', rhel9_machine(),
        [reserve(size='512M,high', low='96M'), reserve(size='384M')], all_hold(['384M']))
    add('remove (state=absent)', rhel9_machine(), [reserve(state='absent')], all_hold([]))
    add('kernels=DEFAULT changes only the default entry', rhel9_machine(),
        [reserve(size='448M', kernels='DEFAULT')], only_changed([NEW_ENTRY], ['448M']))
    add('kernels=<path> of the $kernelopts entry changes only that entry', rhel9_machine(),
        [reserve(size='448M', kernels='/boot/vmlinuz-%s' % OLD)], only_changed([OLD_ENTRY], ['448M']))
    add('kernels=<path> of the rescue entry changes only that entry', rhel9_machine(),
        [reserve(size='448M', kernels='/boot/vmlinuz-0-rescue-%s' % MACHINE_ID)], only_changed([RESCUE_ENTRY], ['448M']))
    add('a second run is changed=false and writes nothing', rhel9_machine(),
        [reserve(size='256M'), reserve(size='256M')], second_run_unchanged)
    add('a second run of a range value is changed=false', rhel9_machine(),
        [reserve(size=RHEL9_DEFAULT)], first_run_unchanged)
    add('a second run of state=absent is changed=false', rhel9_machine(None),
        [reserve(state='absent')], first_run_unchanged)
    add('check mode writes nothing (set)', rhel9_machine(), [check(size='256M')], check_mode_wrote_nothing)
    add('check mode writes nothing (absent)', rhel9_machine(), [check(state='absent')], check_mode_wrote_nothing)
    add('check mode writes nothing (kernels=<path>)', rhel9_machine(),
        [check(size='256M', kernels='/boot/vmlinuz-%s' % OLD)], check_mode_wrote_nothing)
    add('read back: configured is what grubby --info=DEFAULT says', rhel9_machine(),
        [reserve(size='512M,high', low='128M')], configured_matches_info)
    return result


def kernels_of(entries):
    names = {NEW_ENTRY: '/boot/vmlinuz-%s' % NEW, OLD_ENTRY: '/boot/vmlinuz-%s' % OLD,
             RESCUE_ENTRY: '/boot/vmlinuz-0-rescue-%s' % MACHINE_ID}
    return [names[path] for path in entries]


def only_changed(changed, values):
    def verify(steps):
        step = steps[-1]
        problems = []
        for path in ALL_ENTRIES:
            before, after = effective_args(step['before'], path), effective_args(step['after'], path)
            if path in changed:
                if crashkernels(after) != values:
                    problems.append('%s boots with %s, wanted %s' % (path, crashkernels(after), values))
                kept = [word for word in after.split() if not word.startswith('crashkernel=')]
                if kept != [word for word in before.split() if not word.startswith('crashkernel=')]:
                    problems.append('%s lost or changed other arguments: %r -> %r' % (path, before, after))
            elif step['after'][path] != step['before'][path]:
                problems.append('%s changed although only %s was asked for' % (path, changed))
        if grubenv_kernelopts(step['after']) != grubenv_kernelopts(step['before']):
            problems.append('grubenv kernelopts changed (it serves the other $kernelopts entries)')
        if step['result'].get('changed') is not True:
            problems.append('changed is %r' % step['result'].get('changed'))
        return problems
    return verify


def second_run_unchanged(steps):
    first, second = steps
    problems = []
    if first['result'].get('changed') is not True:
        problems.append('first run changed=%r' % first['result'].get('changed'))
    if second['result'].get('changed') is not False:
        problems.append('second run changed=%r' % second['result'].get('changed'))
    if second['after'] != second['before']:
        problems.append('second run rewrote %s' % [p for p in second['after'] if second['after'][p] != second['before'].get(p)])
    return problems


def first_run_unchanged(steps):
    step = steps[0]
    problems = []
    if step['result'].get('changed') is not False:
        problems.append('changed=%r on a machine that already holds the value' % step['result'].get('changed'))
    if step['after'] != step['before']:
        problems.append('rewrote %s' % [p for p in step['after'] if step['after'][p] != step['before'].get(p)])
    return problems


def check_mode_wrote_nothing(steps):
    step = steps[0]
    problems = []
    if step['result'].get('changed') is not True:
        problems.append('check mode reported changed=%r' % step['result'].get('changed'))
    if step['after'] != step['before']:
        problems.append('check mode wrote %s' % [p for p in step['after'] if step['after'][p] != step['before'].get(p)])
    if not step['result'].get('commands'):
        problems.append('check mode listed no commands')
    return problems


def configured_matches_info(steps):
    step = steps[0]
    default = [item for item in info_entries(step['info']) if item['kernel'] == '/boot/vmlinuz-%s' % NEW]
    problems = []
    if not default:
        return ['grubby --info=ALL lists no %s: %s' % (NEW, step['info'])]
    read_back = crashkernels(default[0]['args'])
    if step['result'].get('configured') != ' '.join(read_back):
        problems.append('configured=%r, grubby --info reads %r' % (step['result'].get('configured'), read_back))
    return problems


# ------------------------------------------------------------------------------------- running them

def run_in_container(image, tmp_path, grubby, kdump_utils, cases_data, extra_mounts=()):
    work = tmp_path / 'work'
    boot = tmp_path / 'boot'
    work.mkdir()
    boot.mkdir()
    (boot / 'loader' / 'entries').mkdir(parents=True)
    os_release = tmp_path / 'os-release'
    os_release.write_text(OS_RELEASE)
    support.write_json(work / 'cases.json', cases_data)
    mounts = support.collection_mounts() + [
        (str(work), '/work', 'rw'),
        (str(boot), '/boot', 'rw'),
        (str(grubby / 'grubby-bls'), '/usr/sbin/grubby', 'ro'),
        (str(kdump_utils), '/oracles/kdump-utils', 'ro'),
        (str(support.HERE / 'container' / 'kdumpctl.sh'), '/usr/local/sbin/kdumpctl', 'ro'),
        (str(os_release), '/etc/os-release', 'ro'),
    ] + list(extra_mounts)
    driver = '/opt/fleet/collections/ansible_collections/fleet/kdump/tests/conformance/container/driver.py'
    proc = support.podman_run(image, ['python3', driver, '/work/cases.json', '/work/results.json'], mounts=mounts)
    assert proc.returncode == 0, 'the container driver failed (rc=%s):\n%s\n%s' % (proc.returncode, proc.stdout,
                                                                                   proc.stderr[-4000:])
    return json.loads((work / 'results.json').read_text()), boot


@pytest.fixture(scope='module')
def oracles():
    return support.oracle_dir('grubby'), support.oracle_dir('kdump-utils')


def step_errors(record):
    problems = []
    for number, step in enumerate(record['steps']):
        if step['result'].get('failed'):
            problems.append('step %d failed: %s %s' % (number, step['result'].get('msg'), step['stderr'][-500:]))
        if step['info']['rc'] != 0:
            problems.append('grubby --info=ALL failed after step %d: %s' % (number, step['info']['stderr']))
    return problems


def test_grubby_cases(oracles, tmp_path):
    image = support.conformance_image(ORACLE)
    grubby, kdump_utils = oracles
    chosen = cases()
    data = [{'name': name, 'setup': setup, 'steps': steps} for name, setup, steps, _verify in chosen]
    results, _boot = run_in_container(image, tmp_path, grubby, kdump_utils, data)
    failures = []
    for (name, _setup, _steps, verify), record in zip(chosen, results):
        problems = step_errors(record) or verify(record['steps'])
        if problems:
            result = json.dumps(record['steps'][-1]['result'])[:1500]
            failures.append('%s:\n  %s\n  result: %s' % (name, '\n  '.join(problems), result))
    support.judge(ORACLE, failures, len(chosen))


def test_failing_grubby_leaves_every_entry_byte_identical(oracles, tmp_path):
    """The rescue entry sits on a read-only mount: grubby updates the others, then cannot rewrite it."""
    image = support.conformance_image(ORACLE)
    grubby, kdump_utils = oracles
    setup = rhel9_machine()
    rescue = tmp_path / 'rescue.conf'
    rescue.write_text(setup['files'][RESCUE_ENTRY])
    data = [{'name': 'read-only rescue entry', 'setup': setup, 'steps': [reserve(size='256M')]}]
    results, _boot = run_in_container(image, tmp_path, grubby, kdump_utils, data,
                                      extra_mounts=[(str(rescue), RESCUE_ENTRY, 'ro')])
    step = results[0]['steps'][0]
    problems = []
    if not step['result'].get('failed'):
        problems.append('kdump_reserve did not fail although grubby could not update %s: %s'
                        % (RESCUE_ENTRY, step['result']))
    for path in sorted(step['before']):
        if step['after'].get(path) != step['before'][path]:
            problems.append('%s is not byte-identical after the failure:\n--- before\n%s--- after\n%s'
                            % (path, step['before'][path], step['after'].get(path)))
    support.judge(ORACLE + ' (failure mid-way)', problems and ['; '.join(problems)] or [], 1)
    assert not problems


AUTO_CASES = [
    # (label, FLEET_UNAME_M, KDUMP_KERNELVER in /etc/sysconfig/kdump)
    ('x86_64', 'x86_64', None),
    ('aarch64 (4K pages)', 'aarch64', '5.14.0-503.14.1.el9_5.aarch64'),
    ('aarch64 (64K pages)', 'aarch64', '5.14.0-503.14.1.el9_5.aarch64+64k'),
]


def test_size_auto_is_kdumpctl_default(oracles, tmp_path):
    """size=auto on EL 9: the module asks kdumpctl get-default-crashkernel (here the oracle's own) and writes it."""
    image = support.conformance_image(AUTO_ORACLE)
    grubby, kdump_utils = oracles
    data = []
    for label, arch, kernelver in AUTO_CASES:
        setup = rhel9_machine()
        setup['files']['/etc/sysconfig/kdump'] = 'KDUMP_KERNELVER="%s"\n' % (kernelver or '')
        env = {'FLEET_UNAME_M': arch}
        # The second step asks the oracle directly, through the same kdumpctl, for comparison.
        data.append({'name': label, 'setup': setup,
                     'steps': [reserve(size='auto', env=env),
                               {'command': ['kdumpctl', 'get-default-crashkernel'], 'env': env}]})
    results, _boot = run_in_container(image, tmp_path, grubby, kdump_utils, data)
    failures = []
    for (label, _arch, _kernelver), record in zip(AUTO_CASES, results):
        module_step, oracle_step = record['steps']
        expected = oracle_step['stdout'].strip()
        problems = []
        if not re.match(r'^[0-9GMT:,-]+$', expected):
            problems.append('kdumpctl get-default-crashkernel printed %r (%s)' % (expected, oracle_step['stderr']))
        result = module_step['result']
        if result.get('failed') or result.get('desired') != expected:
            problems.append('size=auto resolved to %r, kdumpctl says %r (%s)'
                            % (result.get('desired'), expected, result.get('msg')))
        for path in ALL_ENTRIES:
            if crashkernels(effective_args(module_step['after'], path)) != [expected]:
                problems.append('%s boots with %s' % (path, crashkernels(effective_args(module_step['after'], path))))
        if problems:
            failures.append('%s: %s' % (label, '; '.join(problems)))
    support.judge(AUTO_ORACLE, failures, len(AUTO_CASES))
