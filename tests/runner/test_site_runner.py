# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the fleet playbooks through ansible-runner, the engine AWX job templates use.

Extra vars go in the way AWX passes them (runner writes them to env/extravars, typed as AWX
surveys type them, plus AWX's own awx_*/tower_* vars) and the assertions read the job events
and the artifacts AWX would store, including the set_stats artifact_data its workflows branch on.

Two targets, neither of which can be harmed:
- localhost in --check mode (this CI host: nothing is installed or changed, nothing is crashed);
- a container fleet from lab/container.sh (skipped when podman or the lab image is missing):
  converge for real, then rerun with the crash test requested on the canary — a container cannot
  load a capture kernel, so the canary refuses, the canary gate closes and the rollout never runs.
The report entry point is also run over inventory hosts whose variables hold registered results, for the
outcomes neither target can produce (a passed or failed crash test, dumps).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ansible_runner = pytest.importorskip('ansible_runner')

REPO = Path(__file__).resolve().parents[2]
SURVEYS = REPO / 'docs' / 'awx'
LAB_IMAGE = os.environ.get('LAB_IMAGE', 'localhost/fleet-kdump-debian12:latest')
CONFIRM = 'I understand this host will crash'
# Actions that run on the controller only; everything else reaches the host.
CONTROLLER_ACTIONS = {
    'ansible.builtin.include_vars', 'ansible.builtin.assert', 'ansible.builtin.debug', 'ansible.builtin.set_stats',
    'ansible.builtin.validate_argument_spec', 'ansible.builtin.fail', 'ansible.builtin.meta',
    'ansible.builtin.include_tasks', 'ansible.builtin.import_tasks', 'ansible.builtin.include_role',
    'ansible.builtin.import_role', 'ansible.builtin.set_fact', 'include_vars', 'assert', 'debug', 'set_stats',
    'validate_argument_spec', 'fail', 'meta', 'include_tasks', 'include_role', 'set_fact',
}


def awx_extravars(**survey):
    """Extra vars as an AWX job launch sends them: AWX metadata plus the survey answers."""
    extravars = {
        'awx_job_id': 4242, 'awx_job_template_name': 'kdump site', 'awx_user_name': 'admin',
        'tower_job_id': 4242, 'tower_job_template_name': 'kdump site', 'tower_user_name': 'admin',
    }
    extravars.update(survey)
    return extravars


def survey_answers(survey, **answers):
    """Extra vars of a job launched with this docs/awx survey: the answers given, the defaults otherwise,
    typed as AWX sends them (a multiselect as a list)."""
    spec = json.loads((SURVEYS / ('%s.survey.json' % survey)).read_text())['spec']
    extravars = {}
    for question in spec:
        name = question['variable']
        value = answers.pop(name, question.get('default', ''))
        if question['type'] == 'multiselect' and isinstance(value, str):
            value = [choice for choice in value.split('\n') if choice]
        extravars[name] = value
    assert not answers, 'not in the %s survey: %s' % (survey, sorted(answers))
    return awx_extravars(**extravars)


@pytest.fixture(scope='module')
def collections_path(tmp_path_factory):
    """A collections tree in which fleet.kdump is this checkout (as an EE would have it installed)."""
    root = tmp_path_factory.mktemp('collections')
    target = root / 'ansible_collections' / 'fleet'
    target.mkdir(parents=True)
    (target / 'kdump').symlink_to(REPO)
    return root


def run_playbook(tmp_path, collections_path, playbook, inventory, extravars, cmdline=None):
    private = tmp_path / 'runner'
    private.mkdir(exist_ok=True)
    bin_dir = str(Path(sys.executable).parent)
    result = ansible_runner.run(
        private_data_dir=str(private),
        project_dir=str(REPO),
        playbook=playbook,
        inventory=str(inventory),
        extravars=extravars,
        cmdline=cmdline,
        envvars={
            'ANSIBLE_COLLECTIONS_PATH': str(collections_path),
            'ANSIBLE_PIPELINING': 'True',
            'ANSIBLE_HOST_KEY_CHECKING': 'False',
            'ANSIBLE_FORCE_COLOR': 'False',
            'PATH': bin_dir + os.pathsep + os.environ.get('PATH', ''),
        },
        quiet=True,
        timeout=1800,
    )
    events = list(result.events)
    return result, events


def stats_event(events):
    return next(e for e in events if e['event'] == 'playbook_on_stats')


def plays_run(events):
    return [e['event_data']['play'] for e in events if e['event'] == 'playbook_on_play_start']


def host_results(events, host):
    """(action, event, result) of each task result of host."""
    results = []
    for e in events:
        data = e.get('event_data', {})
        if data.get('host') != host or e['event'] not in ('runner_on_ok', 'runner_on_failed', 'runner_on_skipped'):
            continue
        results.append((data.get('task_action'), e['event'], data.get('res', {})))
    return results


SSH_EXEC = re.compile(r'SSH: EXEC (?P<tool>\S+) .*?-o Port=(?P<port>\d+) (?P<rest>.*)$')


def remote_operations(events):
    """{ssh port: [(tool, command)]}: every SSH operation of a -vvv run, as the ssh connection plugin logs it.

    With pipelining a module execution is one `ssh ... python3` command; anything else (mkdir of a remote tmp
    directory, an sftp/scp file transfer, its cleanup) shows up as a separate operation.
    """
    operations = {}
    for event in events:
        for line in (event.get('stdout') or '').splitlines():
            match = SSH_EXEC.search(line)
            if match:
                operations.setdefault(int(match['port']), []).append((match['tool'], match['rest']))
    return operations


def module_executions(operations):
    return [command for tool, command in operations if tool == 'ssh' and 'python' in command]


def host_ports(inventory):
    """{host: ssh port} of a lab/container.sh inventory."""
    data = yaml.safe_load(Path(inventory).read_text())
    groups = data['all']['children']['kdump_hosts']['children']
    return dict((name, host['ansible_port']) for group in groups.values() for name, host in group['hosts'].items())


def read_report(report_dir):
    with open(report_dir / 'kdump-report.json') as handle:
        report = json.load(handle)
    markdown = (report_dir / 'kdump-report.md').read_text()
    return report, markdown


# ----------------------------------------------------------------------------------------- localhost, check mode

def localhost_without_canaries(tmp_path):
    """An inventory of this host in kdump_hosts, and an empty canary group."""
    inventory = tmp_path / 'hosts.ini'
    inventory.write_text('[kdump_hosts]\nlocalhost ansible_connection=local ansible_python_interpreter=%s\n'
                         '[kdump_canary]\n' % shutil.which('python3'))
    return inventory


def test_site_check_mode_on_localhost_changes_nothing_and_reports(tmp_path, collections_path):
    """site.yml --check against this host: no failure, a full report, set_stats for AWX."""
    inventory = localhost_without_canaries(tmp_path)
    report_dir = tmp_path / 'report'
    result, events = run_playbook(
        tmp_path, collections_path, 'playbooks/site.yml', inventory,
        awx_extravars(kdump_targets='kdump_hosts', kdump_report_dir=str(report_dir), kdump_reboot='if_needed',
                      kdump_serial='50%', kdump_reboot_timeout=600),
        cmdline='--check --diff')

    assert result.status == 'successful', result.stdout.read()
    assert result.rc == 0
    assert plays_run(events)[-1].startswith('Report')
    # Nothing is crashed: the crash trigger never ran.
    assert not [e for e in events if 'Trigger the crash' in e.get('event_data', {}).get('task', '')
                and e['event'] == 'runner_on_ok']

    report, markdown = read_report(report_dir)
    assert [h['host'] for h in report['hosts']] == ['localhost']
    record = report['hosts'][0]
    assert record['family'] == 'debian'
    assert record['state'] in ('not_armed', 'reboot_pending')
    assert record['errors'], 'a host that is not armed must say why'
    assert '| localhost | debian |' in markdown

    artifact = stats_event(events)['event_data']['artifact_data']
    assert artifact['kdump_summary']['hosts'] == 1
    assert artifact['kdump_summary']['armed'] == 0
    assert artifact['kdump_summary']['not_armed_hosts'] == ['localhost']


def gate_result(events):
    """The event of site.yml's canary gate assertion (ok or failed)."""
    return next(e for e in events if e['event'] in ('runner_on_ok', 'runner_on_failed')
                and e['event_data'].get('task', '').startswith('Canary gate | Require'))


@pytest.mark.parametrize('allow_no_canary', ['false', 'true'])
def test_crash_test_without_canaries_closes_the_gate_unless_allowed(tmp_path, collections_path, allow_no_canary):
    """kdump_crash_test with an empty canary group: nothing would prove capture, so the rollout must not start,
    unless the operator says kdump_allow_no_canary (answered as an AWX survey string)."""
    inventory = localhost_without_canaries(tmp_path)
    report_dir = tmp_path / 'report'
    result, events = run_playbook(
        tmp_path, collections_path, 'playbooks/site.yml', inventory,
        awx_extravars(kdump_targets='kdump_hosts', kdump_report_dir=str(report_dir), kdump_crash_test='true',
                      kdump_crash_test_confirm=CONFIRM, kdump_allow_no_canary=allow_no_canary),
        cmdline='--check')

    gate = gate_result(events)
    message = gate['event_data']['res']['msg']
    plays = plays_run(events)
    if allow_no_canary == 'true':
        assert result.status == 'successful', result.stdout.read()
        assert gate['event'] == 'runner_on_ok'
        assert message.startswith('Canary gate open (0 canaries): kdump_allow_no_canary is true'), message
        assert any(p.startswith('Rollout') for p in plays)
    else:
        assert result.status == 'failed'
        assert gate['event'] == 'runner_on_failed'
        assert message.startswith('Canary gate closed: kdump_crash_test is true but no target is in the canary group '
                                  'kdump_canary'), message
        assert 'kdump_allow_no_canary=true' in message
        assert not any(p.startswith('Rollout') for p in plays), 'the gate must stop the run before the rollout'
    # The report of the gate play is written either way; nothing was crash-tested.
    report = read_report(report_dir)[0]
    assert [h['crash_test']['status'] for h in report['hosts']] == ['not_run']


def test_role_rejects_a_wrong_type_readably(tmp_path, collections_path):
    """argument_specs: kdump_reboot_timeout must be an int, and the error says which variable and why."""
    inventory = tmp_path / 'hosts.ini'
    inventory.write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % shutil.which('python3'))
    result, events = run_playbook(
        tmp_path, collections_path, 'playbooks/site.yml', inventory,
        awx_extravars(kdump_reboot_timeout='soon', kdump_crash_test='maybe', kdump_report_dir=str(tmp_path / 'r')),
        cmdline='--check')

    assert result.status == 'failed'
    failed = [e for e in events if e['event'] == 'runner_on_failed']
    assert failed, 'argument validation must fail the host'
    message = failed[0]['event_data']['res']['msg']
    assert 'kdump_reboot_timeout' in message and 'int' in message
    assert 'kdump_crash_test' in message and 'bool' in message


# ------------------------------------------------------------------------------------------- container fleet

def _lab_available():
    if os.geteuid() != 0 or not shutil.which('podman'):
        return False
    return subprocess.run(['podman', 'image', 'exists', LAB_IMAGE], check=False).returncode == 0


@pytest.fixture(scope='module')
def fleet(tmp_path_factory):
    if not _lab_available():
        if os.environ.get('FLEET_KDUMP_REQUIRE_LAB') == '1':  # make test: a missing lab is a failure, not a skip
            pytest.fail('container lab not available (root podman and %s)' % LAB_IMAGE)
        pytest.skip('container lab not available (root podman and %s, see lab/container.sh build)' % LAB_IMAGE)
    lab_dir = tmp_path_factory.mktemp('lab')
    env = dict(os.environ, LAB_DIR=str(lab_dir), LAB_NAME='runner6', LAB_SSH_PORT_BASE='22640', LAB_CANARIES='1')
    subprocess.run([str(REPO / 'lab' / 'container.sh'), 'fleet-up', '3'], env=env, check=True)
    inventory = lab_dir / 'runner6' / 'inventory.yml'
    if not inventory.exists():
        inventory = Path(subprocess.run([str(REPO / 'lab' / 'container.sh'), 'inventory'], env=env, check=True,
                                        capture_output=True, text=True).stdout.strip())
    yield inventory
    subprocess.run([str(REPO / 'lab' / 'container.sh'), 'fleet-down'], env=env, check=False)


SITE_SURVEY = dict(kdump_targets='kdump_hosts', kdump_reboot='if_needed', kdump_serial='50%', kdump_keep_dumps=3,
                   kdump_panic_settings={'kernel.panic': 10, 'kernel.panic_on_oops': 1})


@pytest.fixture(scope='module')
def converged(fleet, tmp_path_factory, collections_path):
    """site.yml for real on the container fleet, as an AWX job with the site survey answered (-vvv: SSH log)."""
    tmp_path = tmp_path_factory.mktemp('converge')
    report_dir = tmp_path / 'report'
    result, events = run_playbook(
        tmp_path, collections_path, 'playbooks/site.yml', fleet,
        awx_extravars(kdump_report_dir=str(report_dir), kdump_max_fail_percentage=0, **SITE_SURVEY), cmdline='-vvv')
    return result, events, report_dir


@pytest.fixture(scope='module')
def noop(converged, fleet, tmp_path_factory, collections_path):
    """The same job again on the converged fleet: the nightly rerun that proves the fleet is still armed."""
    tmp_path = tmp_path_factory.mktemp('noop')
    result, events = run_playbook(
        tmp_path, collections_path, 'playbooks/site.yml', fleet,
        awx_extravars(kdump_report_dir=str(tmp_path / 'report'), kdump_max_fail_percentage=0, **SITE_SURVEY),
        cmdline='-vvv')
    return result, events


def test_site_converges_the_container_fleet(converged):
    result, events, report_dir = converged
    assert result.status == 'successful', result.stdout.read()
    plays = plays_run(events)
    assert any(p.startswith('Canary gate') for p in plays)
    assert any(p.startswith('Rollout') for p in plays)

    report, markdown = read_report(report_dir)
    hosts = {h['host']: h for h in report['hosts']}
    assert sorted(hosts) == ['runner6-01', 'runner6-02', 'runner6-03']
    for record in hosts.values():
        # A container can never be armed: no kexec. The report must say so, not claim success.
        assert record['family'] == 'debian'
        assert record['state'] == 'not_armed'
        assert record['container'] is True
        assert any('kexec' in reason for reason in record['errors'])
        assert record['crash_test']['status'] == 'not_run'
    assert 'runner6-03' in markdown and 'kexec' in markdown
    artifact = stats_event(events)['event_data']['artifact_data']['kdump_summary']
    assert artifact['hosts'] == 3 and artifact['not_armed'] == 3


def test_first_converge_costs_only_the_module_executions_it_needs(converged, fleet):
    """A fresh Debian container: preflight, debconf, apt, config, reserve, the panic drop-in (copy: stat and
    copy), the service, the verify after the change. No setup, no second verify of an unchanged host."""
    _result, events, _report_dir = converged
    operations = remote_operations(events)
    for host, port in host_ports(fleet).items():
        modules = module_executions(operations[port])
        assert len(modules) == 9, (host, modules)
    assert not [e for e in events if e.get('event_data', {}).get('task_action') in ('ansible.builtin.setup', 'setup')
                and e['event'] == 'runner_on_ok']


def test_noop_rerun_changes_nothing_in_three_module_executions_per_host(noop, fleet):
    """The whole site.yml, every play: kdump_verify, kdump_config, kdump_reserve on each host, nothing else
    reaches the host (no fact gathering, no file transfer, no remote tmp directory)."""
    result, events = noop
    assert result.status == 'successful', result.stdout.read()
    changed = [(e['event_data']['host'], e['event_data']['task']) for e in events
               if e['event'] == 'runner_on_ok' and e['event_data'].get('res', {}).get('changed')
               and e['event_data'].get('host', '').startswith('runner6')]
    assert changed == []
    operations = remote_operations(events)
    for host, port in host_ports(fleet).items():
        assert len(module_executions(operations[port])) == 3, (host, operations[port])
        assert len(operations[port]) == 3, (host, operations[port])
        actions = [action for action, event, _res in host_results(events, host)
                   if action not in CONTROLLER_ACTIONS and event != 'runner_on_skipped']
        assert sorted(actions) == ['fleet.kdump.kdump_config', 'fleet.kdump.kdump_reserve',
                                   'fleet.kdump.kdump_verify'], (host, actions)


def test_crash_test_refusal_closes_the_canary_gate(noop, fleet, tmp_path, collections_path):
    """Crash test requested and confirmed; the canary cannot prove capture, so the rollout never starts."""
    report_dir = tmp_path / 'report'
    result, events = run_playbook(
        tmp_path, collections_path, 'playbooks/site.yml', fleet,
        awx_extravars(kdump_report_dir=str(report_dir), kdump_crash_test='true',  # AWX multiplechoice: strings
                      kdump_crash_test_confirm=CONFIRM, **SITE_SURVEY))

    assert result.status == 'failed'
    plays = plays_run(events)
    assert not any(p.startswith('Rollout') for p in plays), 'the gate must stop the run before the rollout'
    gate = [e for e in events if e['event'] == 'runner_on_failed'
            and e['event_data'].get('task', '').startswith('Canary gate | Require')]
    assert gate and 'runner6-01' in gate[0]['event_data']['res']['msg']
    # Nothing was crashed.
    assert not [e for e in events if e['event'] == 'runner_on_ok'
                and 'Trigger the crash' in e['event_data'].get('task', '')]

    # Requesting the crash test changes nothing on any host.
    changed = [(e['event_data']['host'], e['event_data']['task']) for e in events
               if e['event'] == 'runner_on_ok' and e['event_data'].get('res', {}).get('changed')
               and e['event_data'].get('host', '').startswith('runner6')]
    assert changed == []

    report, markdown = read_report(report_dir)
    canary = next(h for h in report['hosts'] if h['host'] == 'runner6-01')
    assert canary['crash_test']['status'] == 'refused'
    assert 'capture kernel not loaded' in canary['crash_test']['detail']
    assert canary['canary_failure']
    rest = next(h for h in report['hosts'] if h['host'] == 'runner6-02')
    assert rest['crash_test']['status'] == 'not_run'
    assert '| runner6-01 | refused |' in markdown


# ------------------------------------------------------------------------------------------- calibrate gate
# A calibration crashes the canary at every step. Neither target here can be crashed (a container has no kexec,
# this CI host runs in check mode), so these tests hold the gate: who is refused, with which message, and that a
# refusal changes nothing and publishes no calibration. The search itself runs on a VM (molecule vm-calibrate).

CALIBRATE_SEARCH_TASKS = ('Calibrate | Fix the search', 'Calibrate | Show the plan', 'Calibrate | Put panic=10',
                          'Calibrate | Try one size', 'Calibrate | Set the host to the recommended size')


def calibrate_refusals(events):
    """[(event, host, message)] of the calibrate gate's refusal tasks (the report and the failure)."""
    return [(e['event'], e['event_data']['host'], e['event_data']['res'].get('msg', ''))
            for e in events if e['event'] in ('runner_on_ok', 'runner_on_failed')
            and e['event_data'].get('task', '').startswith(('Calibrate | Report why', 'Calibrate | Fail the canary'))]


def assert_no_search_and_no_change(events):
    started = [(e['event_data'].get('host'), e['event_data']['task']) for e in events
               if e['event'] in ('runner_on_ok', 'runner_on_failed')
               and e['event_data'].get('task', '').startswith(CALIBRATE_SEARCH_TASKS)]
    assert started == [], 'the search must not start behind a refusal'
    # The report directory the report play creates is the controller's output, not a change to a host.
    changed = [(e['event_data']['host'], e['event_data']['task']) for e in events
               if e['event'] == 'runner_on_ok' and e['event_data'].get('res', {}).get('changed')
               and not e['event_data']['task'].startswith('Report | ')]
    assert changed == []


def calibrate_run_failure(events):
    """The message calibrate.yml's report play fails the run with, after writing the report."""
    failures = [e['event_data']['res'].get('msg', '') for e in events if e['event'] == 'runner_on_failed'
                and e['event_data'].get('task') == "Report | Fail the run when a canary's calibration was refused or failed"]
    assert len(failures) == 1, failures
    return failures[0]


def test_calibrate_refuses_a_wrong_confirmation_on_the_canary(noop, fleet, tmp_path, collections_path):
    """calibrate.yml launched with its AWX survey, the phrase mistyped: the canary fails naming the phrase (and the
    capture kernel a container cannot load), nothing changes, the hosts outside the canary group are not in the
    play, and no calibration is published."""
    report_dir = tmp_path / 'report'
    result, events = run_playbook(
        tmp_path, collections_path, 'playbooks/calibrate.yml', fleet,
        survey_answers('calibrate', kdump_targets='kdump_hosts', kdump_crash_test_confirm='I understand this host will',
                       kdump_report_dir=str(report_dir)))

    assert result.status == 'failed'
    refusals = calibrate_refusals(events)
    assert [(event, host) for event, host, _msg in refusals] == [
        ('runner_on_ok', 'runner6-01'), ('runner_on_failed', 'runner6-01')], refusals
    message = refusals[1][2]
    assert message.startswith('Calibration refused on runner6-01: '), message
    assert ('kdump_crash_test_confirm does not equal the confirmation phrase "I understand this host will crash"'
            in message), message
    assert 'kdump is not ready (capture kernel not loaded)' in message
    assert 'canary group' not in message and 'check mode' not in message
    assert_no_search_and_no_change(events)
    # Only the canary plays, then the report play on the controller: the report holds the refusal, and the run
    # fails after it, naming the canary and the report.
    touched = {e['event_data'].get('host') for e in events if e['event'].startswith('runner_on_')}
    assert touched == {'runner6-01', 'localhost'}, touched
    report, markdown = read_report(report_dir)
    canary = next(h for h in report['hosts'] if h['host'] == 'runner6-01')
    assert canary['calibration'] is None
    assert canary['calibration_refusal'] == refusals[0][2]
    assert canary['calibration_failure'] == message
    assert '| runner6-01 | refused | %s |' % refusals[0][2] in markdown
    assert calibrate_run_failure(events) == 'The calibration did not complete on runner6-01 (the report: %s). runner6-01: %s' % (
        report_dir / 'kdump-report.md', message)
    # What the gate read on the canary: no capture kernel, and no estimate to start from (the kernel is the host's).
    ready = next(e['event_data']['res'] for e in events if e['event'] == 'runner_on_ok'
                 and e['event_data'].get('task', '').startswith('Calibrate | Read the kdump state'))
    assert ready['crash_kernel_loaded'] is False
    assert ready['estimate']['bytes'] is None, ready['estimate']
    assert ready['estimate']['detail'] == 'nothing to estimate: a container, the kernel belongs to the host', ready['estimate']
    assert 'kdump_calibration' not in (stats_event(events)['event_data'].get('artifact_data') or {})


def test_calibrate_never_touches_a_host_outside_the_canary_group(noop, fleet, tmp_path, collections_path):
    """The right phrase, a non-canary as the target: calibrate.yml plays on no host. The role's calibrate entry
    point run on that host from another play refuses it by name and does not fail it."""
    result, events = run_playbook(
        tmp_path, collections_path, 'playbooks/calibrate.yml', fleet,
        survey_answers('calibrate', kdump_targets='runner6-02', kdump_crash_test_confirm=CONFIRM,
                       kdump_report_dir=str(tmp_path / 'report')))
    assert result.status == 'successful', result.stdout.read()
    assert not [e for e in events if e['event'].startswith('runner_on_') and e['event_data'].get('host') != 'localhost']

    playbook = tmp_path / 'calibrate_entry_point.yml'
    playbook.write_text(yaml.safe_dump([{
        'name': 'Calibrate through the entry point', 'hosts': 'runner6-02', 'gather_facts': False,
        'tasks': [{'name': 'Calibrate',
                   'ansible.builtin.import_role': {'name': 'fleet.kdump.kdump', 'tasks_from': 'calibrate'}}],
    }]))
    result, events = run_playbook(tmp_path, collections_path, str(playbook), fleet,
                                  survey_answers('calibrate', kdump_crash_test_confirm=CONFIRM))
    assert result.status == 'successful', result.stdout.read()
    refusals = calibrate_refusals(events)
    assert [(event, host) for event, host, _msg in refusals] == [('runner_on_ok', 'runner6-02')], refusals
    message = refusals[0][2]
    assert message.startswith('Calibration refused on runner6-02: host is not in the canary group kdump_canary; '
                              'kdump is not ready (capture kernel not loaded)'), message
    assert 'confirmation phrase' not in message
    assert_no_search_and_no_change(events)


def test_calibrate_in_check_mode_refuses_the_canary(tmp_path, collections_path):
    """The job type *check* with the right phrase on a canary (this host): refused before anything is crashed."""
    inventory = tmp_path / 'hosts.ini'
    inventory.write_text('[kdump_hosts]\nlocalhost ansible_connection=local ansible_python_interpreter=%s\n'
                         '[kdump_canary]\nlocalhost\n' % shutil.which('python3'))
    result, events = run_playbook(
        tmp_path, collections_path, 'playbooks/calibrate.yml', inventory,
        survey_answers('calibrate', kdump_targets='kdump_hosts', kdump_crash_test_confirm=CONFIRM,
                       kdump_report_dir=str(tmp_path / 'report')), cmdline='--check')
    assert result.status == 'failed'
    refusals = calibrate_refusals(events)
    assert [(event, host) for event, host, _msg in refusals] == [
        ('runner_on_ok', 'localhost'), ('runner_on_failed', 'localhost')], refusals
    message = refusals[1][2]
    assert 'check mode: nothing is crashed' in message, message
    assert 'confirmation phrase' not in message and 'canary group' not in message
    assert_no_search_and_no_change(events)
    assert calibrate_run_failure(events).startswith('The calibration did not complete on localhost (the report: ')
    assert read_report(tmp_path / 'report')[0]['hosts'][0]['calibration_failure'] == message


# ------------------------------------------------------------------------------------------- report rendering

FIXTURE_RESULTS = REPO / 'tests' / 'unit' / 'plugins' / 'fixtures' / 'report' / 'results.yml'


def test_report_renders_every_state_from_registered_results(tmp_path, collections_path):
    """The role's report entry point over hosts whose variables hold the results the role registers, for the
    outcomes a container lab cannot produce: armed with dumps, a passed and a failed crash test, reboot pending."""
    results = yaml.safe_load(FIXTURE_RESULTS.read_text())
    crash_failed = dict(results['crash_assert_failed'], msg='Crash test on canary-02 did not prove a capture:\n'
                                                            '0 complete | 1 incomplete new dump(s)')
    hosts = {
        'armed-01': {'__kdump_verify': results['verify_armed'], '__kdump_reserve': results['reserve_active']},
        'pending-01': {'__kdump_verify': results['verify_before_reboot'], '__kdump_reserve': results['reserve_pending'],
                       '__kdump_reboot': results['skipped']},
        'canary-01': {'__kdump_verify': results['verify_armed'], '__kdump_crash_ready': results['verify_armed'],
                      '__kdump_crash_trigger': results['crash_trigger_started'],
                      '__kdump_crash_verify': results['verify_after_crash'], '__kdump_crash_result': results['crash_passed']},
        'canary-02': {'__kdump_verify': results['verify_armed'], '__kdump_crash_ready': results['verify_armed'],
                      '__kdump_crash_trigger': results['crash_trigger_started'],
                      '__kdump_crash_verify': results['verify_after_crash'], '__kdump_crash_result': crash_failed,
                      '__kdump_canary_failure': results['canary_failure']},
        'off-01': {'__kdump_verify': results['verify_armed'], 'kdump_state': 'absent'},
        'gone-01': {},
    }
    inventory = tmp_path / 'hosts.yml'
    inventory.write_text(yaml.safe_dump({'fleet': {'hosts': hosts}}, sort_keys=False))
    playbook = tmp_path / 'report.yml'
    playbook.write_text(yaml.safe_dump([{
        'name': 'Report', 'hosts': 'localhost', 'gather_facts': False,
        'tasks': [{'name': 'Report', 'ansible.builtin.import_role': {'name': 'fleet.kdump.kdump', 'tasks_from': 'report'}}],
    }]))
    report_dir = tmp_path / 'report'
    result, events = run_playbook(tmp_path, collections_path, str(playbook), inventory,
                                  awx_extravars(kdump_targets='fleet', kdump_report_dir=str(report_dir)))
    assert result.status == 'successful', result.stdout.read()

    report, markdown = read_report(report_dir)
    assert report['generated_by'] == 'fleet.kdump'
    assert [h['host'] for h in report['hosts']] == list(hosts)
    states = {h['host']: (h['state'], h['crash_test']['status']) for h in report['hosts']}
    assert states == {'armed-01': ('armed', 'not_run'), 'pending-01': ('reboot_pending', 'not_run'),
                      'canary-01': ('armed', 'passed'), 'canary-02': ('armed', 'failed'),
                      'off-01': ('disabled', 'not_run'), 'gone-01': ('unknown', 'not_run')}
    summary = report['summary']
    assert (summary['hosts'], summary['armed'], summary['reboot_pending'], summary['disabled'], summary['unknown']) == (6, 3, 1, 1, 1)
    assert summary['reserved_bytes_total'] == 4 * 201326592
    assert stats_event(events)['event_data']['artifact_data']['kdump_summary'] == summary

    assert '| armed | 3 |' in markdown and '| unknown (unreachable or failed) | 1 |' in markdown
    assert '(805306368 bytes)' in markdown
    assert ('| pending-01 | debian | reboot_pending | reboot pending: crashkernel=192M takes effect at next boot; '
            'crashkernel_cmdline: no crashkernel=') in markdown
    assert '| gone-01 | ? | unknown | no kdump_verify result: host unreachable, failed or not run |' in markdown
    assert '| canary-01 | passed | Crash test passed on canary-01: new dump /var/crash/202611280102' in markdown
    # One line per row: newlines folded, pipes escaped.
    assert ('| canary-02 | failed | Crash test on canary-02 did not prove a capture: 0 complete \\| 1 incomplete new '
            'dump(s) |') in markdown
    assert '- **armed-01** `/var/crash/202611262341` (INCOMPLETE, 2026-11-26T23:41:52Z)' in markdown
    assert '  Kernel panic - not syncing: sysrq triggered crash\n  CPU: 0 PID: 812 Comm: sh\n' in markdown
    # The newest three dumps per host, no more.
    assert '202611242341' not in markdown and '202611242341' not in json.dumps(report)


def calibration_record(host, ram, minimum, recommended, steps):
    """What the role's calibrate entry point leaves in __kdump_calibration (the calibration filter's result + the host)."""
    mib = 1 << 20
    return {
        'host': host, 'kernel': '6.1.0-50-amd64', 'ram_bytes': ram, 'status': 'complete', 'complete': True,
        'minimum': minimum * mib, 'minimum_size': '%dM' % minimum, 'highest_failure': (minimum - 16) * mib,
        'highest_failure_size': '%dM' % (minimum - 16), 'recommended': recommended * mib,
        'recommended_size': '%dM' % recommended, 'ratio': round(float(recommended) / minimum, 3), 'margin': 1.25,
        'floor': 64 * mib, 'start': 256 * mib, 'resolution': 16 * mib, 'estimate': 117 * mib, 'estimate_size': '117M',
        'estimate_source': 'model', 'estimate_detail': 'kernel 42.1M + ... = 117M', 'seconds': 612, 'next': None,
        'steps': [{'size': size * mib, 'size_text': '%dM' % size, 'outcome': outcome, 'detail': '', 'seconds': 150}
                  for size, outcome in steps],
        'notes': [],
    }


def test_report_renders_the_calibration(tmp_path, collections_path):
    """Two canaries of different RAM calibrated: their rows, the tiers to apply fleet-wide, set_stats kdump_calibration."""
    results = yaml.safe_load(FIXTURE_RESULTS.read_text())
    hosts = {
        'canary-1g': {'__kdump_verify': results['verify_armed'],
                      '__kdump_calibration': calibration_record('canary-1g', 1 << 30, 128, 160,
                                                                [(256, 'captured'), (128, 'captured'), (112, 'no_dump')])},
        'canary-2g': {'__kdump_verify': results['verify_armed'],
                      '__kdump_calibration': calibration_record('canary-2g', 2 << 30, 144, 180 + 12,
                                                                [(256, 'captured'), (128, 'no_dump'), (144, 'captured')])},
        'web-01': {'__kdump_verify': results['verify_armed']},
        # calibrate.yml's records of a canary that refused (the role's refusal, then the rescue of its failure)
        # and of one that could not be reached (the rescue only): neither is a calibration to apply
        'canary-refused': {'__kdump_verify': results['verify_container'],
                           '__kdump_calibrate_refusal': results['calibrate_refused'],
                           '__kdump_calibrate_failure': results['calibrate_failure']},
        'canary-gone': {'__kdump_calibrate_failure': results['canary_unreachable']},
    }
    inventory = tmp_path / 'hosts.yml'
    inventory.write_text(yaml.safe_dump({'fleet': {'hosts': hosts}}, sort_keys=False))
    playbook = tmp_path / 'report.yml'
    playbook.write_text(yaml.safe_dump([{
        'name': 'Report', 'hosts': 'localhost', 'gather_facts': False,
        'tasks': [{'name': 'Report', 'ansible.builtin.import_role': {'name': 'fleet.kdump.kdump', 'tasks_from': 'report'}}],
    }]))
    report_dir = tmp_path / 'report'
    result, events = run_playbook(tmp_path, collections_path, str(playbook), inventory,
                                  awx_extravars(kdump_targets='fleet', kdump_report_dir=str(report_dir)))
    assert result.status == 'successful', result.stdout.read()

    report, markdown = read_report(report_dir)
    assert report['calibration']['kdump_crashkernel'] == 'tiers'
    assert report['calibration']['kdump_crashkernel_tiers'] == [{'min_ram': '0', 'size': '160M'},
                                                                {'min_ram': '2G', 'size': '192M'}]
    assert [h['calibration'] and h['calibration']['minimum_size'] for h in report['hosts']] == [
        '128M', '144M', None, None, None]
    assert '| canary-refused | refused | %s |' % results['calibrate_refused']['msg'] in markdown
    assert '| canary-gone | failed | %s |' % results['canary_unreachable']['msg'] in markdown
    html = (report_dir / 'kdump-report.html').read_text()
    assert 'calibration refused: Calibration refused on canary-01: kdump_crash_test_confirm does not equal' in html
    assert 'calibration failed: canary-01 is unreachable: ' in html
    stats = stats_event(events)['event_data']['artifact_data']
    assert stats['kdump_calibration']['kdump_crashkernel_tiers'] == report['calibration']['kdump_crashkernel_tiers']
    assert [record['host'] for record in stats['kdump_calibration']['records']] == ['canary-1g', 'canary-2g']
    assert ('| canary-1g | 6.1.0-50-amd64 | 1.00 GB | complete | 128M | 112M | 160M | 1.25 | 117M (model) | '
            '256M captured, 128M captured, 112M no_dump | 612 |') in markdown
    assert 'Apply fleet-wide: `kdump_crashkernel: tiers` with `kdump_crashkernel_tiers: [{"min_ram": "0", "size": "160M"}' in markdown
