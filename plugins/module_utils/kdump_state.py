# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only kdump host state for fleet.kdump.kdump_verify.

Pure functions: every function takes text, numbers or paths handed in by the
caller, so the tests can point them at fixtures and temporary trees. Nothing
here runs a command or writes anything.
"""

from __future__ import annotations

import datetime
import os
import re
import stat

from ansible_collections.fleet.kdump.plugins.module_utils.crashkernel import human_bytes

CHECK_NAMES = (
    'kexec_supported',
    'crashkernel_cmdline',
    'memory_reserved',
    'capture_kernel_loaded',
    'service_enabled',
    'capture_initrd',
    'dump_dir',
    'free_space',
    'remote_target',
    'compression_supported',
)
# Every check on the armed checklist (spec section 8) is required by default.
DEFAULT_REQUIRE = CHECK_NAMES

SYSFS_CRASH_LOADED = '/sys/kernel/kexec_crash_loaded'
SYSFS_CRASH_SIZE = '/sys/kernel/kexec_crash_size'
SYSFS_FADUMP_REGISTERED = ('/sys/kernel/fadump/registered', '/sys/kernel/fadump_registered')

# SysRq keys that only print state into the kernel log (KDOC sysrq.rst).
ALLOWED_SYSRQ_KEYS = {
    'l': 'show a backtrace of all active CPUs',
    'm': 'show memory information',
    'p': 'show the current registers and flags',
    't': 'show the list of tasks and their state',
    'w': 'show tasks in uninterruptible (blocked) state',
}
# What the refused keys would do, for the refusal message.
DESTRUCTIVE_SYSRQ_KEYS = {
    'b': 'reboots immediately without sync or unmount',
    'c': 'crashes the kernel (panic)',
    'e': 'sends SIGTERM to every process except init',
    'f': 'calls the OOM killer',
    'i': 'sends SIGKILL to every process except init',
    'j': 'thaws frozen filesystems',
    'k': 'kills every process on the current console (SAK)',
    'n': 'resets the nice level of real-time tasks',
    'o': 'powers the machine off',
    'r': 'switches the keyboard out of raw mode',
    's': 'syncs all filesystems',
    'u': 'remounts every filesystem read-only',
}


# ---------------------------------------------------------------------------
# Small readers
# ---------------------------------------------------------------------------

def parse_meminfo(text):
    """/proc/meminfo as {'MemTotal': bytes, ...} (kB values converted to bytes)."""
    result = {}
    for line in (text or '').splitlines():
        match = re.match(r'^(\S+):\s+(\d+)(?:\s+(kB))?\s*$', line)
        if match:
            value = int(match.group(2))
            result[match.group(1)] = value * 1024 if match.group(3) else value
    return result


def parse_iomem_regions(text, name, top_level=False):
    """The /proc/iomem regions called ``name`` ('Crash kernel', 'System RAM') as (start, end) inclusive.

    Non-root readers see every address as zero (spec 4.2); such lines give no
    regions because their extent is unknown. ``top_level`` skips nested (indented) regions.
    """
    regions = []
    pattern = re.compile(r'^%s([0-9a-fA-F]+)-([0-9a-fA-F]+)\s*:\s*%s\s*$' % ('' if top_level else r'\s*', re.escape(name)))
    for line in (text or '').splitlines():
        match = pattern.match(line)
        if not match:
            continue
        start, end = int(match.group(1), 16), int(match.group(2), 16)
        if start == 0 and end == 0:
            continue
        regions.append((start, end))
    return regions


def parse_iomem_crash(text):
    """The 'Crash kernel' regions of /proc/iomem as a list of (start, end) inclusive."""
    return parse_iomem_regions(text, 'Crash kernel')


def region_bytes(regions):
    return sum(end - start + 1 for start, end in regions)


RAM_ROUNDING = 128 << 20


def kernel_ram_bytes(iomem_text, memtotal_bytes=None, reserved=None):
    """Total RAM as the kernel's crashkernel ranges see it, rounded up to 128M (kernel/crash_reserve.c), or None.

    The kernel matches ranges against all of its RAM (memblock); the sum of the 'System RAM' regions of
    /proc/iomem is that figure, as kdump-utils' get_system_size reads it. MemTotal lacks the kernel's own
    image and early reservations (a 64G host shows about 63G), so it is only the fallback for a reader
    that sees no addresses: MemTotal plus what is reserved now.
    """
    # Top-level regions only: memory a live shrink gave back (/sys/kernel/kexec_crash_size) shows up again as a
    # 'System RAM' region nested in the one that held the reservation, and would count twice.
    total = region_bytes(parse_iomem_regions(iomem_text, 'System RAM', top_level=True))
    if not total:
        if not memtotal_bytes:
            return None
        total = int(memtotal_bytes) + (reserved or 0)
    return -(-total // RAM_ROUNDING) * RAM_ROUNDING


def format_region(region):
    return '%#x-%#x' % region


def fadump_on_cmdline(cmdline):
    """fadump=on|nocma replaces crashkernel= on POWER (spec 8)."""
    return bool(re.search(r'(?:^|\s)fadump=(?:on|nocma)(?:\s|$)', cmdline or ''))


# ---------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------

def parse_since(value):
    """``dumps_since`` as epoch seconds: a number (epoch) or an ISO 8601 time.

    A naive ISO time (no offset) is the managed host's local time, the same
    clock that names the dump directories. Raises ValueError with the accepted forms.
    """
    if value is None or value == '':
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    iso = text.replace('Z', '+00:00').replace('z', '+00:00')
    if len(iso) > 10 and iso[10] == ' ':
        iso = iso[:10] + 'T' + iso[11:]
    try:
        moment = datetime.datetime.fromisoformat(iso)
    except ValueError:
        raise ValueError('dumps_since=%r is neither epoch seconds (1767225600) nor an ISO 8601 time '
                         '(2026-01-01T00:00:00Z, 2026-01-01 01:00:00+01:00)' % (value,))
    return moment.timestamp()


def iso_time(epoch):
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


# ---------------------------------------------------------------------------
# Panic extraction
# ---------------------------------------------------------------------------

_DMESG_PREFIX = re.compile(r'^\[\s*\d+\.\d+\]\s?(?:\[\s*[TC]\d+\]\s?)?')
_PANIC_LINE = re.compile(r'Kernel panic - not syncing:')
_OOPS_LINE = re.compile(r'(BUG: |Oops|general protection fault|Unable to handle kernel)')
_TRACE_END = re.compile(r'(</TASK>|---\[ end Kernel panic|^Kernel Offset:|^Rebooting in)')


def strip_dmesg_prefix(line):
    """'[   52.124000] Kernel panic - ...' -> 'Kernel panic - ...'."""
    return _DMESG_PREFIX.sub('', line.rstrip('\r\n'))


def extract_panic(text, max_lines=12):
    """The panic line and the first lines of its backtrace from a vmcore-dmesg.txt / dmesg.<stamp>.

    Returns the lines (dmesg timestamps stripped) joined with newlines, the
    panic line first, stopping at the end of the trace or after ``max_lines``
    lines; None when the log holds no panic. Without a 'Kernel panic' line
    (log cut short) the first oops line is used instead.
    """
    lines = [strip_dmesg_prefix(line) for line in (text or '').splitlines()]
    start = None
    for index, line in enumerate(lines):
        if _PANIC_LINE.search(line):
            start = index
            break
    if start is None:
        for index, line in enumerate(lines):
            if _OOPS_LINE.search(line):
                start = index
                break
    if start is None:
        return None
    picked = [lines[start].strip()]
    for line in lines[start + 1:]:
        if len(picked) >= max_lines:
            break
        if _TRACE_END.search(line.strip()):
            break
        if line.strip():
            picked.append(line.rstrip())
    return '\n'.join(picked)


# ---------------------------------------------------------------------------
# Dump discovery (spec 1.9, 2.4, 3.2)
# ---------------------------------------------------------------------------

def find_dumps(path, layout, since=None, read_dmesg=None, max_panic_lines=12):
    """Dumps under ``path`` in a family table's ``layout`` (a DumpLayout), newest first.

    Each dump is {path, time, timestamp, size_bytes, complete, files, core, dmesg, panic, world_readable}
    (world_readable: the files any user can read, see world_readable()).
    ``timestamp`` (epoch) is the modification time of the core file (the
    directory's when there is none): it is the real end of the write and does
    not depend on the time zone the capture environment used to name the
    directory. ``since`` (epoch) keeps only dumps written at or after it.
    ``read_dmesg(path) -> text`` reads the dmesg file (defaults to a plain read).
    Directories that match no layout (lost+found, kexec_cmd, apport's .crash files) are skipped.
    """
    pattern, classify = layout.directory, layout.classify
    if read_dmesg is None:
        read_dmesg = _read_text
    try:
        names = os.listdir(path)
    except OSError:
        return []
    dumps = []
    for name in names:
        directory = os.path.join(path, name)
        if not pattern.match(name) or not os.path.isdir(directory) or os.path.islink(directory):
            continue
        try:
            files = sorted(entry for entry in os.listdir(directory) if os.path.isfile(os.path.join(directory, entry)))
        except OSError:
            continue
        complete, core, dmesg = classify(set(files))
        if complete is None:
            continue
        stamp_path = os.path.join(directory, core)
        try:
            timestamp = os.stat(stamp_path).st_mtime
        except OSError:
            timestamp = os.stat(directory).st_mtime
        if since is not None and timestamp < since:
            continue
        size = 0
        for entry in files:
            try:
                size += os.stat(os.path.join(directory, entry)).st_size
            except OSError:
                pass
        panic = None
        if dmesg:
            panic = extract_panic(read_dmesg(os.path.join(directory, dmesg)), max_panic_lines)
        dumps.append({
            'world_readable': world_readable(path, directory, files),
            'path': directory,
            'time': iso_time(timestamp),
            'timestamp': int(timestamp),
            'size_bytes': size,
            'complete': bool(complete),
            'files': files,
            'core': core,
            'dmesg': dmesg,
            'panic': panic,
        })
    dumps.sort(key=lambda dump: (dump['timestamp'], dump['path']), reverse=True)
    return dumps


def world_readable(path, directory, files):
    """The files of a dump that any user of the host can read: readable by others, in a dump directory and a
    dump path that others may enter. A dump holds the crashed kernel's memory (keys, passwords), so it must be
    root's only; the capture kernel creates RHEL's <ip>-<date> directories with its own umask."""
    try:
        if not (os.stat(path).st_mode & stat.S_IXOTH and os.stat(directory).st_mode & stat.S_IXOTH):
            return []
    except OSError:
        return []
    exposed = []
    for name in files:
        try:
            if os.stat(os.path.join(directory, name)).st_mode & stat.S_IROTH:
                exposed.append(name)
        except OSError:
            pass
    return exposed


def dump_findings(dumps):
    """One finding per dump whose files every user can read (``world_readable`` of find_dumps)."""
    return ['dump %s is readable by every user of the host (%s): a dump holds the memory of the crashed kernel; '
            'make the dump directory root-only (chmod 0700)' % (dump['path'], ', '.join(dump['world_readable']))
            for dump in dumps if dump.get('world_readable')]


def _read_text(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read().decode('utf-8', 'replace')
    except (IOError, OSError):
        return None


# ---------------------------------------------------------------------------
# Dump size estimate and dump directory
# ---------------------------------------------------------------------------

def estimate_dump_bytes(meminfo, dump_level, compression):
    """A conservative estimate of the next dump's size in bytes (None without MemTotal).

    Start from MemTotal (the worst case: `-d 0`, ELF). With dump level bit 16
    set, free pages are left out, so subtract MemFree as it is now. With
    per-page compression (zlib/lzo/snappy/zstd) halve the rest. Cache and user
    pages (bits 2, 4, 8) and zero pages (bit 1) are deliberately NOT subtracted
    and 2:1 is below what kernel memory usually compresses to, so a real
    `-d 31` compressed dump is normally much smaller than this figure; memory
    use at crash time can however differ from now.
    """
    total = (meminfo or {}).get('MemTotal')
    if not total:
        return None
    kept = total
    if dump_level and dump_level & 16:
        kept -= (meminfo or {}).get('MemFree', 0)
    if compression and compression != 'none':
        kept //= 2
    return max(kept, 0)


def check_dump_dir(path, st):
    """(ok, detail) for a local dump directory's os.stat result (None = missing).

    Vmcores hold all kernel memory: the directory must belong to root and not be
    writable by others, except with the sticky bit (Ubuntu's apport keeps /var/crash 1777).
    """
    if st is None:
        return False, '%s does not exist' % path
    if not stat.S_ISDIR(st.st_mode):
        return False, '%s is not a directory' % path
    mode = stat.S_IMODE(st.st_mode)
    if st.st_uid != 0:
        return False, '%s is owned by uid %d, not root' % (path, st.st_uid)
    if mode & 0o022 and not mode & stat.S_ISVTX:
        return False, '%s is writable by non-root users (mode %04o)' % (path, mode)
    return True, '%s exists, owned by root, mode %04o' % (path, mode)


# ---------------------------------------------------------------------------
# Remote target helpers
# ---------------------------------------------------------------------------

def split_nfs_location(location):
    """'server:/export/crash' -> ('server', '/export/crash'); ('[fe80::1]:/x') -> ('fe80::1', '/x')."""
    text = (location or '').strip()
    if text.startswith('nfs://'):
        rest = text[len('nfs://'):]
        host, _sep, path = rest.partition('/')
        return host.rsplit('@', 1)[-1].split(':', 1)[0], '/' + path
    if text.startswith('['):
        host, _sep, rest = text[1:].partition(']')
        return host, rest.lstrip(':') or '/'
    host, _sep, path = text.partition(':')
    return host, path or '/'


def export_listed(showmount_output, export_path):
    """True when `showmount -e` lists ``export_path`` or one of its parents."""
    exports = []
    for line in (showmount_output or '').splitlines()[1:]:
        if line.strip():
            exports.append(line.split()[0].rstrip('/') or '/')
    wanted = (export_path or '/').rstrip('/') or '/'
    for export in exports:
        if wanted == export or wanted.startswith(export.rstrip('/') + '/'):
            return True
    return False


def ssh_check_argv(location, key=None, port=None):
    """The non-interactive login probe (BatchMode: no password prompt, host key must be trusted)."""
    argv = ['ssh', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5']
    if key:
        argv += ['-i', key]
    if port:
        argv += ['-p', str(port)]
    return argv + [location, 'true']


def device_path(spec):
    """UUID=/LABEL=/PARTUUID= dump target devices as /dev/disk/by-* paths (RHEL `ext4 UUID=...`)."""
    text = (spec or '').strip().strip('"')
    for prefix, directory in (('UUID=', 'by-uuid'), ('LABEL=', 'by-label'), ('PARTUUID=', 'by-partuuid'),
                              ('PARTLABEL=', 'by-partlabel')):
        if text.startswith(prefix):
            return '/dev/disk/%s/%s' % (directory, text[len(prefix):])
    return text


# ---------------------------------------------------------------------------
# SysRq diagnostics
# ---------------------------------------------------------------------------

def validate_sysrq_keys(keys):
    """The requested diagnostics keys, deduplicated in order; ValueError naming any refused key."""
    result = []
    for key in keys or []:
        key = str(key)
        if key not in ALLOWED_SYSRQ_KEYS:
            if key in DESTRUCTIVE_SYSRQ_KEYS:
                why = 'it ' + DESTRUCTIVE_SYSRQ_KEYS[key]
            else:
                why = 'it is not one of the read-only SysRq keys'
            allowed = ', '.join('%s (%s)' % item for item in sorted(ALLOWED_SYSRQ_KEYS.items()))
            raise ValueError('diagnostics key %r refused: %s. Only these non-destructive keys are allowed: %s'
                             % (key, why, allowed))
        if key not in result:
            result.append(key)
    return result


def parse_kmsg_records(chunks):
    """Messages from /dev/kmsg records ('prio,seq,usec,flags;text' + ' KEY=value' continuation lines)."""
    lines = []
    for chunk in chunks:
        for record_line in chunk.splitlines():
            if record_line.startswith(' '):
                continue  # dictionary continuation (SUBSYSTEM=..., DEVICE=...)
            header, sep, message = record_line.partition(';')
            if sep and re.match(r'^\d+,\d+,\d+', header):
                # /dev/kmsg escapes unprintable bytes as \xNN: one record of `m` holds several lines.
                lines.extend(re.sub(r'\\x([0-9a-fA-F]{2})', lambda m: chr(int(m.group(1), 16)), message).splitlines())
            elif not sep:
                lines.append(record_line)
    return lines


def new_dmesg_lines(before, after):
    """Lines of `dmesg` output ``after`` that were not yet in ``before`` (the fallback without /dev/kmsg)."""
    before_lines = (before or '').splitlines()
    after_lines = (after or '').splitlines()
    if before_lines:
        last = before_lines[-1]
        for index in range(len(after_lines) - 1, -1, -1):
            if after_lines[index] == last:
                return after_lines[index + 1:]
    return after_lines


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------

_JOURNAL_REASON = re.compile(r'fail|error|cannot|could not|unable|not enough|no memory|too small|invalid', re.I)


def journal_reason(text, unit, limit=3):
    """The lines of a kdump service's journal (``journalctl -o cat``) that say why it failed, joined by '; '.

    systemd's own lines about the unit ("kdump.service: Failed with result", "Failed to start ...") say only
    that it failed; the tool's lines (kdumpctl, kdump-config, kexec) say why. None when no line says.
    """
    lines = []
    for line in (text or '').splitlines():
        line = line.strip().lstrip('* ').strip()
        if not line or line.startswith(unit + '.service:') or line.startswith('Failed to start '):
            continue
        if _JOURNAL_REASON.search(line):
            lines.append(line)
    return '; '.join(lines[-limit:]) or None


def build_checks(facts):
    """The list of {name, ok, detail} from the gathered ``facts`` dict (see kdump_verify for its keys)."""
    checks = []

    def add(name, ok, detail):
        checks.append({'name': name, 'ok': bool(ok), 'detail': detail})

    container = facts.get('container')
    loaded = facts.get('kexec_crash_loaded')
    if container:
        add('kexec_supported', False, 'no kexec in container (%s): the kernel belongs to the host, '
            'kdump can only be armed and verified on the host or a VM' % container)
    elif loaded is None and facts.get('fadump_registered') is None:
        add('kexec_supported', False, '%s is missing: this kernel has no kexec/kdump support' % SYSFS_CRASH_LOADED)
    else:
        add('kexec_supported', True, '%s present' % SYSFS_CRASH_LOADED)

    running = facts.get('crashkernel_running')
    if running:
        add('crashkernel_cmdline', True, 'crashkernel=%s on the running kernel command line' % running)
    elif facts.get('fadump_cmdline'):
        add('crashkernel_cmdline', True, 'fadump= on the running kernel command line')
    else:
        add('crashkernel_cmdline', False, 'no crashkernel= on the running kernel command line (/proc/cmdline); '
            'reserve memory and reboot')

    reserved = facts.get('reserved_bytes')
    regions = facts.get('crash_regions') or []
    if reserved:
        where = (' at ' + ', '.join(regions)) if regions else ''
        add('memory_reserved', True, '%s reserved for the capture kernel%s' % (human_bytes(reserved), where))
    elif reserved is None:
        add('memory_reserved', False, 'could not read %s' % SYSFS_CRASH_SIZE)
    elif running:
        add('memory_reserved', False, 'crashkernel=%s is set but nothing is reserved: no range matches this '
            'RAM size, the reservation failed, or the host was not rebooted' % running)
    else:
        add('memory_reserved', False, 'no memory reserved for the capture kernel (%s is 0)' % SYSFS_CRASH_SIZE)

    if loaded == 1 or facts.get('fadump_registered') == 1:
        add('capture_kernel_loaded', True, 'capture kernel loaded (%s = 1)' % SYSFS_CRASH_LOADED
            if loaded == 1 else 'fadump registered')
    elif loaded is None:
        add('capture_kernel_loaded', False, 'capture kernel cannot be loaded (%s missing)' % SYSFS_CRASH_LOADED)
    elif facts.get('service_journal'):
        add('capture_kernel_loaded', False, 'no capture kernel loaded (%s = 0); %s says: %s'
            % (SYSFS_CRASH_LOADED, (facts.get('service') or {}).get('name') or 'the kdump service',
               facts['service_journal']))
    else:
        add('capture_kernel_loaded', False, 'no capture kernel loaded (%s = 0); start the kdump service'
            % SYSFS_CRASH_LOADED)

    service = facts.get('service') or {}
    state = service.get('enabled_state')
    if state is None:
        add('service_enabled', False, 'could not run: systemctl not found, %s state unknown' % service.get('name'))
    elif facts.get('config_enabled') is False:
        add('service_enabled', False, '%s is %s but %s: the service loads nothing'
            % (service.get('name'), state, facts.get('config_disabled_detail') or 'the kdump configuration is off'))
    else:
        add('service_enabled', bool(service.get('enabled')), '%s is %s' % (service.get('name'), state))

    initrd = facts.get('initrd') or {}
    if initrd.get('path'):
        add('capture_initrd', initrd.get('fresh'), '%s: %s' % (initrd['path'], initrd.get('detail')))
    else:
        add('capture_initrd', False, 'no kdump initrd found (looked for %s)'
            % (', '.join(initrd.get('candidates') or []) or 'nothing'))

    target = facts.get('target') or {}
    local = target.get('type') in (None, 'local')
    dump_dir = facts.get('dump_dir')
    if dump_dir is not None:
        add('dump_dir', dump_dir[0], dump_dir[1])
    else:
        add('dump_dir', True, 'not checked here: dumps go to the %s target %s'
            % (target.get('type'), target.get('location')))

    free = facts.get('free_bytes')
    estimate = facts.get('estimated_dump_bytes')
    if not local and dump_dir is None:
        add('free_space', True, 'not checked here: dumps go to the %s target %s'
            % (target.get('type'), target.get('location')))
    elif free is None:
        add('free_space', False, 'could not determine free space for %s' % facts.get('dump_path'))
    elif estimate is None:
        add('free_space', False, 'could not estimate the dump size (no MemTotal in /proc/meminfo)')
    else:
        add('free_space', free >= estimate, '%s free, estimated dump size up to %s (%s)'
            % (human_bytes(free), human_bytes(estimate), facts.get('estimate_basis') or 'estimate'))

    remote = facts.get('remote')
    if remote is None:
        add('remote_target', True, 'not applicable: local dump target')
    else:
        add('remote_target', remote[0], remote[1])

    compression = facts.get('compression')
    supported = facts.get('supported_compressions')
    if not compression or compression == 'none':
        add('compression_supported', True, 'no page compression configured')
    elif supported is None:
        add('compression_supported', False, 'could not run: makedumpfile not found, cannot confirm %s support; '
            'makedumpfile is what writes the dump: install it (kdump-tools and kexec-tools depend on it)' % compression)
    elif compression in supported:
        add('compression_supported', True, '%s is built into makedumpfile (supported: %s)'
            % (compression, ', '.join(sorted(supported))))
    else:
        add('compression_supported', False, '%s is configured but this makedumpfile lacks it (supported: %s): '
            'pages would be written uncompressed' % (compression, ', '.join(sorted(supported)) or 'none'))
    return checks


def evaluate(checks, require):
    """(ready, reasons): ready when every required check passed; reasons = details of the failed ones."""
    by_name = dict((check['name'], check) for check in checks)
    reasons = []
    for name in require:
        check = by_name.get(name)
        if check is not None and not check['ok']:
            reasons.append('%s: %s' % (name, check['detail']))
    return not reasons, reasons
