# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real state of the containers after converge (native podman:// backend), and the controller report."""

import pytest
from conftest import CANARIES, HOSTS

# The native backend runs `podman exec` directly: ~12x faster than going through Ansible.
testinfra_hosts = ["podman://" + name for name in HOSTS]

KDUMP_DEFAULTS = "/etc/default/kdump-tools"


def sourced(host, variable):
    """Value of a variable as the init script sees it: the file is sourced by /bin/sh."""
    cmd = host.run(f". {KDUMP_DEFAULTS} && printf %s \"${variable}\"")
    assert cmd.rc == 0, cmd.stderr
    return cmd.stdout


@pytest.mark.parametrize("package", ["kdump-tools", "kexec-tools", "makedumpfile"])
def test_package_installed(host, package):
    assert host.package(package).is_installed


def test_kdump_defaults_file_is_valid_shell(host):
    config = host.file(KDUMP_DEFAULTS)
    assert config.is_file
    assert config.user == "root"
    cmd = host.run(f"sh -n {KDUMP_DEFAULTS}")
    assert cmd.rc == 0, cmd.stderr


def test_kdump_enabled_in_defaults(host):
    assert sourced(host, "USE_KDUMP") == "1"


def test_kdump_defaults_carry_role_settings(host):
    assert sourced(host, "KDUMP_COREDIR") == "/var/crash"
    assert sourced(host, "KDUMP_NUM_DUMPS") == "3"
    makedump_args = sourced(host, "MAKEDUMP_ARGS").split()
    assert makedump_args[makedump_args.index("-d") + 1] == "31"
    # compression=auto: Debian 12's makedumpfile has zlib (-c) and lzo (-l) only; -z would write uncompressed.
    assert {"-c", "-l"} & set(makedump_args)
    assert not {"-z", "-p"} & set(makedump_args)


def test_kdump_config_show_reads_what_the_role_wrote(host):
    """Debian's own reader, kdump-config of bookworm's kdump-tools 1:1.8.1, on the file kdump_config wrote."""
    show = host.run("kdump-config show")
    assert show.rc == 0, show.stderr
    fields = {}
    for line in show.stdout.splitlines():
        key, colon, value = line.partition(":")
        if colon:
            fields.setdefault(key.strip(), value.strip())
    assert fields["USE_KDUMP"] == "1"
    assert fields["KDUMP_COREDIR"] == "/var/crash"
    # bookworm's `show` prints neither MAKEDUMP_ARGS nor KDUMP_NUM_DUMPS: read them from kdump-config's own
    # trace, after its defaults and its "-F unless MAKEDUMP_ARGS starts with -F" rule have run.
    trace = host.run("sh -x /usr/sbin/kdump-config show")
    assert trace.rc == 0, trace.stderr
    seen = {}
    for line in trace.stderr.splitlines():
        for name in ("MAKEDUMP_ARGS", "KDUMP_NUM_DUMPS", "KDUMP_COREDIR"):
            if line.startswith("+ %s=" % name):
                seen[name] = line.split("=", 1)[1].strip("'")
    assert seen["KDUMP_NUM_DUMPS"] == "3"
    assert seen["KDUMP_COREDIR"] == "/var/crash"
    makedump_args = seen["MAKEDUMP_ARGS"].split()
    assert makedump_args == sourced(host, "MAKEDUMP_ARGS").split(), "kdump-config changed our arguments"
    assert makedump_args[0] == "-F" and makedump_args.count("-F") == 1
    assert makedump_args[makedump_args.index("-d") + 1] == "31"


def test_dump_dir(host):
    dump_dir = host.file("/var/crash")
    assert dump_dir.is_directory
    assert dump_dir.user == "root"
    assert dump_dir.mode == 0o700


def test_service_enabled(host):
    assert host.service("kdump-tools").is_enabled


def test_no_bootloader_was_faked(host):
    # A container boots no kernel of its own: the role must neither invent a GRUB config nor claim a reservation.
    assert not host.file("/etc/default/grub").exists
    assert not host.file("/boot/grub/grub.cfg").exists
    assert not host.exists("grubby")


def test_report_covers_every_host(report, records):
    assert sorted(records) == sorted(HOSTS)
    assert int(report["summary"]["hosts"]) == len(HOSTS)
    assert int(report["summary"]["armed"]) == 0


@pytest.mark.parametrize("name", HOSTS)
def test_report_says_not_armed_because_container(records, name):
    record = records[name]
    assert record["state"] == "not_armed"
    assert record["ready"] is False
    assert record["container"] is True
    assert record["crash_kernel_loaded"] is False
    assert record["reboot_pending"] is False
    assert record["rebooted"] is False
    assert "kexec_supported" in record["failed_checks"]
    assert any("no kexec in container" in error for error in record["errors"]), record["errors"]


@pytest.mark.parametrize("name", CANARIES)
def test_crash_test_refused_on_canary(records, name):
    crash_test = records[name]["crash_test"]
    assert crash_test["status"] == "refused"
    assert "capture kernel not loaded" in crash_test["detail"]
    assert "no kexec in container" in crash_test["detail"]


@pytest.mark.parametrize("name", sorted(set(HOSTS) - set(CANARIES)))
def test_crash_test_never_considered_outside_canary_group(records, name):
    crash_test = records[name]["crash_test"]
    assert crash_test["status"] in ("refused", "not_run")
    assert "not in the canary group" in crash_test["detail"]


@pytest.mark.parametrize("name", HOSTS)
def test_markdown_report_names_host_as_not_armed(report_md, name):
    lines = [line for line in report_md.splitlines() if line.startswith(f"| {name} |")]
    assert any("not_armed" in line and "no kexec in container" in line for line in lines), lines
