# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""verify.yml, crash_test.yml, calibrate.yml and disable.yml as converge.yml ran them after the site.yml runs.

Containers never load a capture kernel: the crash test must refuse on each one, each refusal with its own
message, and nothing is crashed (the crash tasks never run). A refusal (kdump_crash_test_refusal=fail) or an
unreachable canary fails the run only after the report holds every canary's reason.
"""

import re
import stat

from test_fleet import CANARIES, HOSTS, exit_code, recap, report, run_dir

PHRASE = 'kdump_crash_test_confirm does not equal the confirmation phrase "I understand this host will crash"'
NOT_READY = "kdump is not ready (capture kernel not loaded): "
# The tasks of crash_trigger.yml: none may even be listed when the crash test is refused.
CRASH_TASKS = ("Crash test | Record the host's clock before the crash", "Crash test | Trigger the crash")
# The tasks of calibrate_run.yml: none may even be listed when the calibration is refused.
CALIBRATE_TASKS = ("Calibrate | Fix the search", "Calibrate | Put panic=10", "Calibrate | Try one size")


def read(name, playbook):
    return (run_dir(name) / f"{playbook}.log").read_text(encoding="utf-8")


def refusals(log):
    """The refusal message printed for each host: {host: message}."""
    return dict((host, message.replace('\\"', '"'))
                for host, message in re.findall(r'"msg": "Crash test refused on (\S+?): (.*?)"\n', log))


def run_failure(log, what):
    """The message the report play failed the run with, after the report: 'The crash test did not pass on ...'."""
    messages = re.findall(r'"msg": "(%s .*?)"\n' % re.escape(what), log)
    assert len(messages) == 1, log[-3000:]
    return messages[0].replace('\\"', '"')


def assert_failed_after_the_report(name, log, what, hosts):
    """rc != 0; every canary rescued (no host of the canary play failed), the report play ran to its last task and
    failed there, naming each host and pointing at the report it wrote."""
    assert exit_code(log) != 0, log[-3000:]
    results = recap(log)
    assert all(results[h]["failed"] == 0 for h in hosts), results
    assert results["localhost"]["failed"] == 1, results
    message = run_failure(log, what)
    assert message.startswith("%s %s (the report: %s/kdump-report.md)." % (
        what, ", ".join(hosts), run_dir(name) / "kdump-report")), message
    for host in hosts:
        assert "%s: " % host in message, message
    return message


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
    messages = refusals(log)
    assert sorted(messages) == CANARIES, log[-3000:]
    for host in CANARIES:
        assert PHRASE in messages[host]
    assert not any(task in log for task in CRASH_TASKS)
    # kdump_crash_test_refusal=fail (the default): the report first, with every canary's refusal, then the failure
    message = assert_failed_after_the_report("crash-wrong-phrase", log, "The crash test did not pass on", CANARIES)
    records = {r["host"]: r for r in report("crash-wrong-phrase")["hosts"]}
    for host in CANARIES:
        assert records[host]["crash_test"]["status"] == "refused", records[host]
        assert PHRASE in records[host]["crash_test"]["detail"]
        assert records[host]["canary_failure"].startswith("Crash test refused on %s: " % host)
        assert PHRASE in records[host]["canary_failure"] and records[host]["canary_failure"] in message


def test_capture_kernel_not_loaded_is_refused_with_its_own_message():
    log = read("crash-not-loaded", "crash_test")
    messages = refusals(log)
    assert sorted(messages) == CANARIES, log[-3000:]
    for host in CANARIES:
        # the right phrase, a canary: the only reason left is that nothing is loaded, and why
        assert messages[host].startswith(NOT_READY), messages[host]
        assert "kexec_supported: no kexec in container" in messages[host]
        assert PHRASE not in messages[host] and "canary group" not in messages[host]
    assert not any(task in log for task in CRASH_TASKS)
    # every canary refused (kdump_crash_test_refusal=fail): the report is still written, then the run fails
    message = assert_failed_after_the_report("crash-not-loaded", log, "The crash test did not pass on", CANARIES)
    assert log.index("PLAY [Report") < log.index("TASK [Report | Fail the run")
    data = report("crash-not-loaded")
    assert data["summary"]["crash_tests_refused"] == CANARIES
    records = {r["host"]: r for r in data["hosts"]}
    for host in CANARIES:
        detail = records[host]["crash_test"]["detail"]
        assert records[host]["crash_test"]["status"] == "refused"
        assert detail == "Crash test refused on %s: %s" % (host, messages[host].split(". Set kdump_crash_test_refusal")[0])
        assert NOT_READY + "kexec_supported: no kexec in container" in detail
        assert NOT_READY in message
    markdown = (run_dir("crash-not-loaded") / "kdump-report" / "kdump-report.md").read_text(encoding="utf-8")
    for host in CANARIES:
        assert "| %s | refused | Crash test refused on %s: %s" % (host, host, NOT_READY) in markdown


def test_refusal_report_only_reports_and_the_run_passes():
    # kdump_crash_test_refusal=report: the refusal is in the report, no canary failed, the run succeeds
    log = read("crash-refusal-report", "crash_test")
    assert exit_code(log) == 0, log[-3000:]
    assert all(result["failed"] == 0 for result in recap(log).values()), recap(log)
    assert set(re.findall(r"\brescued=(\d+)", log)) == {"0"}, log[-3000:]
    assert "No canary failed its crash test (0 passed, %d refused and only reported)." % len(CANARIES) in log
    records = {r["host"]: r for r in report("crash-refusal-report")["hosts"]}
    for host in CANARIES:
        assert records[host]["crash_test"]["status"] == "refused"
        assert NOT_READY in records[host]["crash_test"]["detail"]
        assert records[host]["canary_failure"] is None
    assert not any(task in log for task in CRASH_TASKS)


def test_unreachable_canaries_are_reported_and_fail_the_run():
    # every canary unreachable: the rescue still records it, the report play runs and fails the run
    log = read("crash-unreachable", "crash_test")
    message = assert_failed_after_the_report("crash-unreachable", log, "The crash test did not pass on", CANARIES)
    records = {r["host"]: r for r in report("crash-unreachable")["hosts"]}
    for host in CANARIES:
        failure = records[host]["canary_failure"]
        assert failure.startswith("%s is unreachable: " % host) and "port 1" in failure, failure
        assert records[host]["state"] == "unknown" and records[host]["crash_test"]["status"] == "not_run"
        assert "canary: " + failure in records[host]["errors"]
        assert failure in message
    # the hosts outside the canary group are in the report as the audit-free run left them: not reached
    for host in sorted(set(HOSTS) - set(CANARIES)):
        assert records[host]["state"] == "unknown" and records[host]["canary_failure"] is None
    assert not any(task in log for task in CRASH_TASKS)


def test_calibrate_refusals_are_reported_for_every_canary_and_fail_the_run():
    # kdump_canary_group=all: every host a canary, none can load a capture kernel; each refusal in the report
    log = read("calibrate-not-loaded", "calibrate")
    message = assert_failed_after_the_report("calibrate-not-loaded", log, "The calibration did not complete on", HOSTS)
    data = report("calibrate-not-loaded")
    records = {r["host"]: r for r in data["hosts"]}
    assert sorted(records) == HOSTS
    for host in HOSTS:
        refusal = records[host]["calibration_refusal"]
        assert refusal.startswith("Calibration refused on %s: %s" % (host, NOT_READY)), refusal
        assert "kexec_supported: no kexec in container" in refusal
        assert PHRASE not in refusal and "canary group" not in refusal
        assert records[host]["calibration_failure"] == refusal + "."
        assert records[host]["calibration"] is None
        assert records[host]["calibration_failure"] in message
    assert data["calibration"]["kdump_crashkernel"] is None
    markdown = (run_dir("calibrate-not-loaded") / "kdump-report" / "kdump-report.md").read_text(encoding="utf-8")
    for host in HOSTS:
        assert "| %s | refused | Calibration refused on %s: %s" % (host, host, NOT_READY) in markdown
    assert "No host was calibrated." not in markdown
    assert not any(task in log for task in CALIBRATE_TASKS)


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
