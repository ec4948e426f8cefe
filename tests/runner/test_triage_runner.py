# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet crash triage through ansible-runner, as AWX runs it: playbooks/triage.yml and diagnose.yml.

The fixture fleet (tests/unit/plugins/fixtures/crash-fleet.yml: 21 dumps of real kernel logs over
6 hosts, 7 distinct crashes, RHEL and Debian dump layouts) is laid into the /var/crash of six lab
containers; triage.yml, launched with its AWX survey answered, must group it exactly, change
nothing, publish the groups with set_stats and write a report in Markdown, JSON and HTML. The HTML
is opened in a real headless browser (Debian's chromium): a screenshot is taken and the rendered
page must hold the key text.

The RHEL-layout hosts stand for a Debian dump server receiving RHEL clients' dumps: the containers
are Debian, so those hosts say so with kdump_dump_layout=rhel.
"""

from __future__ import annotations

import calendar
import io
import os
import shutil
import subprocess
import tarfile
import time

import pytest
import yaml

import test_site_runner
from test_site_runner import (LAB_IMAGE, REPO, _lab_available, awx_extravars, plays_run, read_report, run_playbook,
                              stats_event, survey_answers)

# The collections tree with this checkout as fleet.kdump (a module-scoped fixture of the site runner test).
collections_path = test_site_runner.collections_path

FIXTURES = REPO / 'tests' / 'unit' / 'plugins' / 'fixtures'
CRASH_LOGS = FIXTURES / 'crash'
LAB_NAME = 'triage6'
PORT_BASE = 22680
NO_DMESG_TITLE = 'no kernel log saved with the dump'
SYSRQ_SIGNATURE = 'de9f8e0dbc883095'
BROWSER_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run']

# (title, count, hosts, first seen, last seen) of each group, most frequent first: the unit test's table.
EXPECTED_GROUPS = [
    ('sysrq triggered crash', 6, ['app1', 'build1', 'db1', 'db2', 'web1', 'web2'],
     '2026-03-01T22:40:11Z', '2026-03-05T13:30:30Z'),
    ('BUG: soft lockup in btrfs_tree_unlock', 4, ['build1', 'db1', 'db2'], '2026-02-10T03:12:45Z', '2026-02-20T04:00:01Z'),
    ('BUG: kernel NULL pointer dereference in smc_llc_add_link_cont', 3, ['app1', 'db2', 'web1'],
     '2026-01-15T12:00:00Z', '2026-01-17T09:45:10Z'),
    ('INFO: task hung in filemap_read', 3, ['app1', 'build1', 'web2'], '2026-02-01T01:01:00Z', '2026-02-03T03:03:03Z'),
    ('Kernel panic - not syncing: System is deadlocked on memory', 2, ['app1', 'build1'],
     '2026-01-05T05:05:05Z', '2026-01-06T06:06:00Z'),
    ('kernel BUG in bind_evtchn_to_cpu', 2, ['db1', 'db2'], '2025-12-24T18:00:00Z', '2025-12-25T18:00:00Z'),
    (NO_DMESG_TITLE, 1, ['db1'], '2026-03-06T07:07:07Z', '2026-03-06T07:07:07Z'),
]


def fixture_fleet():
    with open(FIXTURES / 'crash-fleet.yml') as handle:
        return yaml.safe_load(handle)


def crash_tree(fleet, host):
    """A tar of the host's /var/crash as its family's kdump tool writes it (mtimes are the dump times)."""
    family = fleet['hosts'][host]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w') as tar:
        for dump in fleet['dumps']:
            if dump['host'] != host:
                continue
            when = calendar.timegm(time.strptime(dump['time'], '%Y-%m-%dT%H:%M:%SZ'))
            if family == 'rhel':
                directory = '10.0.0.%d-%s' % (sorted(fleet['hosts']).index(host) + 1,
                                              time.strftime('%Y-%m-%d-%H:%M:%S', time.gmtime(when)))
                core, dmesg = 'vmcore', 'vmcore-dmesg.txt'
            else:
                directory = time.strftime('%Y%m%d%H%M', time.gmtime(when))
                core, dmesg = 'dump.' + directory, 'dmesg.' + directory
            files = [(core, b'KDUMP   placeholder')]
            if dump['dmesg']:
                files.append((dmesg, (CRASH_LOGS / dump['dmesg']).read_bytes()))
            info = tarfile.TarInfo(directory)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o700, when
            tar.addfile(info)
            for name, data in files:
                info = tarfile.TarInfo('%s/%s' % (directory, name))
                info.size, info.mode, info.mtime = len(data), 0o600, when
                tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture(scope='module')
def crash_fleet(tmp_path_factory):
    """Six lab containers named after the fixture fleet's hosts, their /var/crash holding its dumps."""
    if not _lab_available():
        if os.environ.get('FLEET_KDUMP_REQUIRE_LAB') == '1':
            pytest.fail('container lab not available (root podman and %s)' % LAB_IMAGE)
        pytest.skip('container lab not available (root podman and %s, see lab/container.sh build)' % LAB_IMAGE)
    fleet = fixture_fleet()
    hosts = list(fleet['hosts'])
    lab_dir = tmp_path_factory.mktemp('lab')
    env = dict(os.environ, LAB_DIR=str(lab_dir), LAB_NAME=LAB_NAME, LAB_SSH_PORT_BASE=str(PORT_BASE), LAB_CANARIES='0')
    container_sh = str(REPO / 'lab' / 'container.sh')
    subprocess.run([container_sh, 'fleet-up', str(len(hosts))], env=env, check=True)
    try:
        lab_inventory = yaml.safe_load((lab_dir / LAB_NAME / 'inventory.yml').read_text())
        inventory_hosts = {}
        for index, host in enumerate(hosts, start=1):
            container = '%s-%02d' % (LAB_NAME, index)
            subprocess.run(['podman', 'exec', '-i', container, 'sh', '-c', 'mkdir -p /var/crash && tar -C /var/crash -xpf -'],
                           input=crash_tree(fleet, host), check=True)
            inventory_hosts[host] = {'ansible_port': PORT_BASE + index}
            if fleet['hosts'][host] != 'debian':
                inventory_hosts[host]['kdump_dump_layout'] = fleet['hosts'][host]
        inventory = lab_dir / 'triage-inventory.yml'
        inventory.write_text(yaml.safe_dump({'all': {
            'vars': lab_inventory['all']['vars'],
            'children': {'crash_fleet': {'hosts': inventory_hosts}},
        }}, sort_keys=False))
        yield inventory
    finally:
        subprocess.run([container_sh, 'fleet-down'], env=env, check=False)


@pytest.fixture(scope='module')
def triaged(crash_fleet, tmp_path_factory, collections_path):  # noqa: F811
    tmp_path = tmp_path_factory.mktemp('triage')
    report_dir = tmp_path / 'report'
    result, events = run_playbook(tmp_path, collections_path, 'playbooks/triage.yml', crash_fleet,
                                  survey_answers('triage', kdump_targets='crash_fleet', kdump_report_dir=str(report_dir)))
    return result, events, report_dir


def test_triage_groups_the_fixture_fleet_exactly(triaged):
    result, events, report_dir = triaged
    assert result.status == 'successful', result.stdout.read()
    report, markdown = read_report(report_dir)

    groups = [(g['title'], g['count'], g['hosts'], g['first_seen'], g['last_seen']) for g in report['crashes']]
    assert groups == EXPECTED_GROUPS
    sysrq = report['crashes'][0]
    assert sysrq['signature'] == SYSRQ_SIGNATURE
    assert sysrq['kernels'] == ['4.7.0-coreos', '5.0.0', '6.1.0-28-amd64', '6.17.0-rc7-next-20250923ce7f1a983b07']
    assert sysrq['example']['host'] == 'build1'
    assert sysrq['example']['path'] == '/var/crash/10.0.0.2-2026-03-05-13:30:30'
    assert 'sysrq_handle_crash' in sysrq['example']['excerpt']
    # distinct crashes, distinct signatures; every dump in exactly one group
    assert len({g['signature'] for g in report['crashes']}) == len(EXPECTED_GROUPS)
    assert sum(g['count'] for g in report['crashes']) == 21
    summary = report['summary']
    assert (summary['hosts'], summary['dumps'], summary['crash_signatures']) == (6, 21, 7)
    assert summary['hosts_with_dumps'] == ['app1', 'build1', 'db1', 'db2', 'web1', 'web2']

    # Per host: the newest three dumps, each with its crash record.
    hosts = {h['host']: h for h in report['hosts']}
    assert [d['crash']['title'] for d in hosts['web1']['dumps']] == [
        'sysrq triggered crash', 'BUG: kernel NULL pointer dereference in smc_llc_add_link_cont']
    db1 = hosts['db1']['dumps'][0]
    assert (db1['path'], db1['crash']['title'], db1['crash']['source']) == (
        '/var/crash/10.0.0.3-2026-03-06-07:07:07', NO_DMESG_TITLE, None)

    # AWX: the groups are published for the next workflow node.
    artifact = stats_event(events)['event_data']['artifact_data']
    assert artifact['kdump_crashes'] == report['crashes']
    assert artifact['kdump_summary']['crash_signatures'] == 7

    assert '## Crashes' in markdown
    assert '| 1 | sysrq triggered crash | 6 | app1, build1, db1, db2, web1, web2 |' in markdown
    assert '`%s`' % SYSRQ_SIGNATURE in markdown


def test_triage_changes_nothing(triaged):
    """Read-only: no task reports a change on any target, nothing but reading modules runs on them (the
    controller only writes the report)."""
    _result, events, _report_dir = triaged
    changed = [(e['event_data']['host'], e['event_data']['task']) for e in events
               if e['event'] == 'runner_on_ok' and e['event_data'].get('res', {}).get('changed')]
    assert changed == [('localhost', 'Report | Create the report directory')]
    actions = {e['event_data'].get('task_action') for e in events
               if e['event'] in ('runner_on_ok', 'runner_on_failed') and e['event_data'].get('host') != 'localhost'}
    assert actions <= {'ansible.builtin.validate_argument_spec', 'ansible.builtin.setup', 'ansible.builtin.include_vars',
                       'ansible.builtin.assert', 'fleet.kdump.kdump_verify'}, actions


def test_triage_since_keeps_only_the_newer_dumps(crash_fleet, tmp_path, collections_path):  # noqa: F811
    report_dir = tmp_path / 'report'
    result, _events = run_playbook(tmp_path, collections_path, 'playbooks/triage.yml', crash_fleet,
                                   survey_answers('triage', kdump_targets='crash_fleet', kdump_report_dir=str(report_dir),
                                                  kdump_dumps_since='2026-03-01T00:00:00Z'))
    assert result.status == 'successful', result.stdout.read()
    report = read_report(report_dir)[0]
    assert [(g['title'], g['count']) for g in report['crashes']] == [('sysrq triggered crash', 6), (NO_DMESG_TITLE, 1)]


def browser():
    for name in ('chromium', 'chromium-browser', 'google-chrome'):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get('FLEET_KDUMP_REQUIRE_LAB') == '1':
        pytest.fail('no headless browser: install chromium (.ci/run does)')
    pytest.skip('no headless browser (chromium)')


def test_html_report_opens_in_a_headless_browser(triaged, tmp_path):
    """The HTML report a person opens or attaches: rendered by chromium, a screenshot, the key text in the DOM."""
    _result, _events, report_dir = triaged
    page = (report_dir / 'kdump-report.html').resolve().as_uri()
    chromium = browser()
    screenshot = tmp_path / 'kdump-report.png'
    home = tmp_path / 'home'  # chromium's profile and crash dirs, not the user's
    home.mkdir()
    env = dict(os.environ, HOME=str(home))
    shot = subprocess.run([chromium] + BROWSER_FLAGS + ['--user-data-dir=%s' % (home / 'profile'), '--window-size=1400,2000',
                                                        '--screenshot=%s' % screenshot, page],
                          env=env, capture_output=True, text=True, timeout=180, check=False)
    assert shot.returncode == 0, shot.stderr[-2000:]
    png = screenshot.read_bytes()
    assert png.startswith(b'\x89PNG\r\n\x1a\n') and len(png) > 20000, len(png)
    # Keep the screenshot with the report, for a person to look at after the run.
    shutil.copy(str(screenshot), str(report_dir / 'kdump-report.png'))

    dom = subprocess.run([chromium] + BROWSER_FLAGS + ['--user-data-dir=%s' % (home / 'profile'), '--dump-dom', page],
                         env=env, capture_output=True, text=True, timeout=180, check=False)
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = dom.stdout
    assert '<title>kdump fleet report</title>' in text
    assert '6 hosts, 21 dumps, 7 distinct crashes.' in text
    for title, count, hosts, _first, _last in EXPECTED_GROUPS:
        assert '>%s</a>' % title in text, title
    assert SYSRQ_SIGNATURE in text
    assert 'sysrq_handle_crash' in text
    assert 'app1, build1, db1, db2, web1, web2' in text


def test_diagnose_on_a_container_reports_the_keys_unavailable(crash_fleet, tmp_path, collections_path):  # noqa: F811
    """diagnose.yml with its survey: a container cannot reach the kernel's SysRq, and the report says so per key;
    nothing is crashed or changed."""
    report_dir = tmp_path / 'report'
    result, events = run_playbook(tmp_path, collections_path, 'playbooks/diagnose.yml', crash_fleet,
                                  survey_answers('diagnose', kdump_targets='web1', kdump_report_dir=str(report_dir)))
    assert result.status == 'successful', result.stdout.read()
    assert plays_run(events) == ['Diagnose | Require the hosts to be named',
                                 'Diagnose | Ask the kernel of every target what it is doing',
                                 'Diagnose | Write the report on the controller']
    report, markdown = read_report(report_dir)
    assert [h['host'] for h in report['hosts']] == ['web1']
    diagnostics = report['hosts'][0]['diagnostics']
    assert sorted(diagnostics) == ['l', 'm', 'w']
    for key, summary in diagnostics.items():
        assert summary['error'].startswith('unavailable: could not write /proc/sysrq-trigger'), (key, summary)
    assert '## Diagnostics' in markdown and 'unavailable: could not write /proc/sysrq-trigger' in markdown
    changed = [e['event_data']['task'] for e in events if e['event'] == 'runner_on_ok'
               and e['event_data'].get('host') != 'localhost' and e['event_data'].get('res', {}).get('changed')]
    assert changed == []


def test_diagnose_needs_named_hosts(crash_fleet, tmp_path, collections_path):  # noqa: F811
    """No default target: a diagnose job without hosts fails before touching any."""
    result, events = run_playbook(tmp_path, collections_path, 'playbooks/diagnose.yml', crash_fleet,
                                  awx_extravars(kdump_report_dir=str(tmp_path / 'report')))
    assert result.status == 'failed'
    assert 'Name the hosts to diagnose in kdump_targets (there is no default target).' in result.stdout.read()
    assert not [e for e in events if e['event'] == 'runner_on_ok' and e['event_data'].get('host') != 'localhost']


def installed(package):
    return subprocess.run(['dpkg-query', '-W', '-f=${Status}', package], capture_output=True, text=True,
                          check=False).stdout == 'install ok installed'


def test_analysis_tools_in_check_mode_name_what_would_be_installed(tmp_path, collections_path):  # noqa: F811
    """kdump_analysis_tools on this host in --check: the packages are named, nothing is installed, the report says so."""
    inventory = tmp_path / 'hosts.ini'
    inventory.write_text('[kdump_hosts]\nlocalhost ansible_connection=local ansible_python_interpreter=%s\n'
                         '[kdump_canary]\n' % shutil.which('python3'))
    report_dir = tmp_path / 'report'
    crash_before = installed('crash')
    result, events = run_playbook(
        tmp_path, collections_path, 'playbooks/site.yml', inventory,
        awx_extravars(kdump_targets='kdump_hosts', kdump_report_dir=str(report_dir), kdump_analysis_tools='true'),
        cmdline='--check')
    assert result.status == 'successful', result.stdout.read()
    release = os.uname()[2]
    said = [e['event_data']['res'].get('msg', '') for e in events if e['event'] == 'runner_on_ok'
            and e['event_data'].get('task') == 'Analysis tools | State what is installed or would be']
    assert len(said) == 1
    record = read_report(report_dir)[0]['hosts'][0]['analysis_tools']
    assert record['kernel'] == release and record['check_mode'] is True and record['installed'] == []
    assert record['packages'] == ['crash', 'linux-image-%s-dbg' % release]
    assert record['missing'] == [package for package in record['packages']
                                 if not installed(package)], record
    if record['missing']:
        assert said[0] == 'Would install ' + ', '.join(record['missing'])
    else:
        assert said[0] == 'crash and the debug symbols of %s are installed' % release
    # Nothing was installed.
    assert installed('crash') == crash_before
    markdown = (report_dir / 'kdump-report.md').read_text()
    assert '## Analysis tools' in markdown
