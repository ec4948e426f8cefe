# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""verify.yml, crash_test.yml and disable.yml as converge.yml ran them after the site.yml runs.

Containers never load a capture kernel: the crash test must refuse on each one, each refusal with its own
message, and nothing is crashed (the crash tasks never run).
"""

import re
import stat

from test_fleet import CANARIES, HOSTS, exit_code, recap, report, run_dir

PHRASE = 'kdump_crash_test_confirm does not equal the confirmation phrase "I understand this host will crash"'
NOT_READY = "kdump is not ready (capture kernel not loaded): "
# The tasks of crash_trigger.yml: none may even be listed when the crash test is refused.
CRASH_TASKS = ("Crash test | Record the host's clock before the crash", "Crash test | Trigger the crash")


def read(name, playbook):
    return (run_dir(name) / f"{playbook}.log").read_text(encoding="utf-8")


def refusals(log):
    """The refusal message printed for each host: {host: message}."""
    return dict((host, message.replace('\\"', '"'))
                for host, message in re.findall(r'"msg": "Crash test refused on (\S+?): (.*?)"\n', log))


def test_audit_reads_every_host_and_changes_nothing():
    log = read("audit", "verify")
    assert exit_code(log) == 0, log[-3000:]
    results = recap(log)
    assert all(results[h]["changed"] == 0 and results[h]["failed"] == 0 for h in HOSTS), results
    records = {r["host"]: r for r in report("audit")["hosts"]}
    assert sorted(records) == HOSTS
    assert all(records[h]["state"] == "not_armed" and "kexec_supported" in records[h]["failed_checks"] for h in HOSTS)


def test_report_files_are_not_world_readable():
    directory = run_dir("audit") / "kdump-report"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for name in ("kdump-report.json", "kdump-report.md", "kdump-report.html"):
        assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600, name


def test_wrong_confirm_phrase_is_refused_with_its_own_message():
    log = read("crash-wrong-phrase", "crash_test")
    assert exit_code(log) != 0
    messages = refusals(log)
    assert sorted(messages) == CANARIES, log[-3000:]
    for host in CANARIES:
        assert PHRASE in messages[host]
    assert not any(task in log for task in CRASH_TASKS)


def test_capture_kernel_not_loaded_is_refused_with_its_own_message():
    log = read("crash-not-loaded", "crash_test")
    assert exit_code(log) != 0
    messages = refusals(log)
    assert sorted(messages) == CANARIES, log[-3000:]
    for host in CANARIES:
        # the right phrase, a canary: the only reason left is that nothing is loaded, and why
        assert messages[host].startswith(NOT_READY), messages[host]
        assert "kexec_supported: no kexec in container" in messages[host]
        assert PHRASE not in messages[host] and "canary group" not in messages[host]
    assert not any(task in log for task in CRASH_TASKS)
    # every target failed its play (kdump_crash_test_refusal=fail), so the run ends there: no report play
    assert "PLAY [Report" not in log


def test_a_host_outside_the_canary_group_is_never_crash_tested():
    # crash_test.yml targets <kdump_targets>:&<kdump_canary_group>: a host outside the group is not even
    # reached (the role's own refusal, "host is not in the canary group", is in molecule/default).
    log = read("crash-not-canary", "crash_test")
    assert exit_code(log) == 0, log[-3000:]
    assert "skipping: no hosts matched" in log
    assert "Crash test refused" not in log and not any(task in log for task in CRASH_TASKS)
    records = {r["host"]: r for r in report("crash-not-canary")["hosts"]}
    assert records["molecule-fleet-02"]["crash_test"]["status"] == "not_run"


def test_disable_switches_kdump_off_and_keeps_a_backup():
    log = read("disable", "disable")
    assert exit_code(log) == 0, log[-3000:]
    results = recap(log)
    assert all(results[h]["failed"] == 0 and results[h]["changed"] > 0 for h in HOSTS), results
    # kdump_config enabled=false with backup=true: USE_KDUMP=0, the previous file kept beside it
    backups = re.findall(r'"backup_file": "(/etc/default/kdump-tools\.[^"]+)"', log)
    assert len(backups) == len(HOSTS), backups
    records = {r["host"]: r for r in report("disable")["hosts"]}
    assert all(records[h]["state"] == "disabled" for h in HOSTS)


def test_audit_after_disable_sees_the_service_off():
    log = read("audit-after-disable", "verify")
    assert exit_code(log) == 0, log[-3000:]
    records = {r["host"]: r for r in report("audit-after-disable")["hosts"]}
    for host in HOSTS:
        assert records[host]["service"]["enabled"] is False, records[host]["service"]
        assert "service_enabled" in records[host]["failed_checks"]
