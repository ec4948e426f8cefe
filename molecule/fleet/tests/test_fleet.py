# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the three site.yml runs of converge.yml left behind: their output, exit codes and reports."""

import json
import os
import re
from pathlib import Path

import pytest
import yaml

SCENARIO_DIR = Path(os.environ.get("MOLECULE_SCENARIO_DIRECTORY", Path(__file__).resolve().parent.parent))
PLATFORMS = yaml.safe_load((SCENARIO_DIR / "molecule.yml").read_text(encoding="utf-8"))["platforms"]
HOSTS = sorted(p["name"] for p in PLATFORMS)
CANARIES = sorted(p["name"] for p in PLATFORMS if "kdump_canary" in p["groups"])
REST = sorted(set(HOSTS) - set(CANARIES))
SERIAL = 2

RECAP_LINE = re.compile(r"^(?P<host>\S+)\s+: ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
                        r"\s+failed=(?P<failed>\d+)", re.MULTILINE)


def run_dir(name):
    return Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "fleet-runs" / name


def read_log(name):
    return (run_dir(name) / "site.log").read_text(encoding="utf-8")


def exit_code(log):
    return int(re.search(r"^EXIT CODE: (\d+)$", log, re.MULTILINE).group(1))


def recap(log):
    return {m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"} for m in RECAP_LINE.finditer(log)}


def play_batches(log, play_prefix):
    """Hosts of each occurrence of a play: with serial, Ansible runs the play once per batch."""
    batches = []
    for section in re.split(r"^PLAY \[", log, flags=re.MULTILINE)[1:]:
        if section.startswith(play_prefix):
            section = section.split("\nPLAY RECAP", 1)[0]
            batches.append(sorted(set(re.findall(r"^\w+: \[([^\]\s]+)", section, re.MULTILINE))))
    return batches


def report(name):
    return json.loads((run_dir(name) / "kdump-report" / "kdump-report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def first():
    return read_log("first")


@pytest.fixture(scope="module")
def rerun():
    return read_log("rerun")


@pytest.fixture(scope="module")
def failing():
    return read_log("failing-canary")


def test_first_run_succeeds_on_every_host(first):
    assert exit_code(first) == 0, first[-3000:]
    results = recap(first)
    assert sorted(set(results) - {"localhost"}) == HOSTS
    assert all(r["failed"] == 0 and r["unreachable"] == 0 for r in results.values())
    assert all(results[h]["changed"] > 0 for h in HOSTS), "a fresh host must be configured"


def test_canary_gate_opens_before_rollout(first):
    assert "Canary gate open" in first
    assert first.index("Canary gate open") < first.index("PLAY [Rollout")


def test_rollout_runs_in_batches_of_serial(first):
    batches = play_batches(first, "Rollout")
    assert len(batches) == -(-len(REST) // SERIAL), batches
    assert all(len(batch) <= SERIAL for batch in batches), batches
    assert sorted(h for batch in batches for h in batch) == REST
    assert not set(CANARIES) & {h for batch in batches for h in batch}


def test_rerun_changes_no_target(rerun):
    assert exit_code(rerun) == 0, rerun[-3000:]
    results = recap(rerun)
    changed = {h: r["changed"] for h, r in results.items() if h in HOSTS and r["changed"]}
    assert changed == {}, changed


@pytest.mark.parametrize("run", ["first", "rerun"])
def test_report_names_every_host_honestly(run):
    data = report(run)
    records = {r["host"]: r for r in data["hosts"]}
    assert sorted(records) == HOSTS
    for name in HOSTS:
        assert records[name]["state"] == "not_armed"
        assert any("no kexec in container" in e for e in records[name]["errors"]), records[name]["errors"]


def test_failing_canary_stops_the_rollout(failing):
    assert exit_code(failing) != 0
    assert "Canary gate closed" in failing
    assert "PLAY [Rollout" not in failing
    results = recap(failing)
    assert all(results[h]["failed"] > 0 for h in CANARIES), results


def test_failing_canary_is_in_the_report(failing):
    data = report("failing-canary")
    records = {r["host"]: r for r in data["hosts"]}
    for name in CANARIES:
        assert records[name]["state"] != "armed"
        assert records[name]["errors"], records[name]


# The rollout runs (last in converge.yml): molecule-fleet-02, the first rollout host, has a stand-in grub, so it needs
# a reboot, and its container stops when it reboots: the reboot never comes back (vars/inject-reboot-never-returns.yml).
FAILING = "molecule-fleet-02"
AFTER_FAILING = sorted(set(REST) - {FAILING})


def rollout_failure_message(log):
    """The message the Report play failed the run with, after writing the report."""
    messages = re.findall(r'"msg": "(The rollout failed on .*?)"\n', log)
    assert len(messages) == 1, log[-3000:]
    return messages[0].replace('\\"', '"')


def assert_rollout_failed_after_the_report(name):
    log = read_log(name)
    assert exit_code(log) != 0, log[-3000:]
    assert "Canary gate open" in log
    # Every failure was rescued and recorded: no host failed, the Report play ran to its last task and failed there.
    results = recap(log)
    assert all(results[h]["failed"] == 0 and results[h]["unreachable"] == 0 for h in HOSTS), results
    assert results["localhost"]["failed"] == 1, results
    assert log.index("PLAY [Rollout") < log.index("PLAY [Report")
    message = rollout_failure_message(log)
    assert message.startswith("The rollout failed on %s (the report: %s/kdump-report.md)." % (
        FAILING, run_dir(name) / "kdump-report")), message
    data = report(name)
    records = {r["host"]: r for r in data["hosts"]}
    assert sorted(records) == HOSTS
    failed = records[FAILING]
    assert failed["rollout"]["status"] == "failed", failed
    # The reboot itself was tried (kdump_reserve asked for it) and did not come back within kdump_reboot_timeout.
    assert failed["crashkernel_configured"], failed
    assert "timed out" in failed["rollout"]["detail"].lower(), failed["rollout"]
    assert "rollout failed: " + failed["rollout"]["detail"] in failed["errors"], failed["errors"]
    assert "%s: %s" % (FAILING, failed["rollout"]["detail"]) in message, message
    assert data["summary"]["rollouts_failed"] == [FAILING]
    for name_ in CANARIES:
        assert records[name_]["rollout"]["status"] == "not_run", records[name_]
    markdown = (run_dir(name) / "kdump-report" / "kdump-report.md").read_text(encoding="utf-8")
    assert "| %s | failed | " % FAILING in markdown
    return log, message, data, records, markdown


def test_rollout_stops_past_max_fail_percentage_and_reports_the_hosts_not_reached():
    """kdump_serial=1, kdump_max_fail_percentage=0: the first batch fails, so no later batch runs."""
    log, message, data, records, markdown = assert_rollout_failed_after_the_report("rollout-stops")
    assert play_batches(log, "Rollout") == [[FAILING]]
    stop = ("The rollout stopped after 1 of %d hosts: 1 failed (%s), 100.0%% of the hosts reached, above "
            "kdump_max_fail_percentage 0%%; not rolled out: %s." % (len(REST), FAILING, ", ".join(AFTER_FAILING)))
    assert stop in message, message
    assert data["summary"]["rollouts_not_reached"] == AFTER_FAILING
    for host in AFTER_FAILING:
        assert records[host]["rollout"] == {"status": "not_reached", "detail": stop}, records[host]
        assert "not rolled out: " + stop in records[host]["errors"]
        assert "| %s | not rolled out | " % host in markdown
    assert "**%s**" % stop in markdown


def test_rollout_goes_on_within_max_fail_percentage_and_the_run_still_fails():
    """kdump_serial=2, kdump_max_fail_percentage=50: 1 of 2 and then 1 of 4 failed, never above 50%."""
    log, message, data, records, markdown = assert_rollout_failed_after_the_report("rollout-goes-on")
    batches = play_batches(log, "Rollout")
    assert sorted(h for batch in batches for h in batch) == REST, batches
    assert "The rollout went on for every other host (kdump_max_fail_percentage 50%)." in message, message
    assert data["summary"]["rollouts_not_reached"] == []
    for host in AFTER_FAILING:
        assert records[host]["rollout"] == {"status": "done", "detail": ""}, records[host]
    assert "not rolled out" not in markdown


@pytest.mark.parametrize("run", ["first", "rerun"])
def test_a_rollout_without_failures_reports_every_rollout_host_done(run):
    records = {r["host"]: r for r in report(run)["hosts"]}
    assert all(records[h]["rollout"] == {"status": "done", "detail": ""} for h in REST), records
    assert all(records[h]["rollout"]["status"] == "not_run" for h in CANARIES), records
