# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Crash titles and stable signatures from a crashed kernel's log; fleet-wide grouping.

This module is PRIVATE to the fleet.kdump collection. It can have breaking changes at any time.

``parse_crash(text)`` reads the kernel log saved with a dump (``vmcore-dmesg.txt``,
``dmesg.<stamp>``, ``makedumpfile --dump-dmesg`` output, also syslog/journal copies) and
returns a ``crash`` record: a canonical title in the style of kernel bug trackers
(``BUG: kernel NULL pointer dereference in ext4_xxx``), the guilty frame, the kernel release,
taint flags, hardware, CPU/PID/comm of the crash and a signature: a hash of the title and
the normalised top frames, so the same crash on two hosts and two kernel builds groups
together and a different guilty function does not.

``group_crashes(dumps)`` groups dumps of a fleet by signature.

``summarize_sysrq(key, text)`` condenses what a non-destructive SysRq key printed (the diagnostics of
a host that hangs): the blocked tasks and what they wait in, what each CPU runs, the memory figures.

Pure functions: text in, dicts out. No host access (docs/triage.md explains the rules).
"""

from __future__ import annotations

import hashlib
import re

# Guilty frame plus this many callers go into the signature. One frame is too coarse for
# generic victims (a NULL dereference in a shared helper), many frames split one bug by the
# path that reached it (sysrq from a write to /proc versus the keyboard).
SIGNATURE_FRAMES = 3
SIGNATURE_LENGTH = 16
EXCERPT_FRAMES = 8
TITLE_MAX = 160

NO_CRASH_TITLE = 'no crash report in the kernel log'
NO_DMESG_TITLE = 'no kernel log saved with the dump'

# ---------------------------------------------------------------------------
# Frames that are never to blame: the guilty frame is the first frame of the crash's
# stack that is in none of these lists (names are compared after normalisation, which
# drops compiler suffixes such as .cold, .isra.0 or .constprop.0).
# ---------------------------------------------------------------------------

# Printing the report and panicking.
REPORTING_FRAMES = frozenset((
    'dump_stack', 'dump_stack_lvl', '__dump_stack', 'show_stack', 'show_trace_log_lvl', 'dump_backtrace',
    'show_regs', '__show_regs', 'panic', 'vpanic', 'nmi_panic', 'add_taint', 'print_tainted',
    '__warn', 'warn_slowpath_fmt', 'warn_slowpath_null', '__warn_printk', 'report_bug', 'fixup_bug',
    '__stack_chk_fail', 'spl_dumpstack', 'spl_panic', 'bad_page', 'print_address_description',
    'kasan_report', '__kasan_report', 'end_report', 'check_memory_region', 'check_memory_region_inline',
    'nmi_cpu_backtrace', 'nmi_trigger_cpumask_backtrace', 'trigger_single_cpu_backtrace',
    'arch_trigger_cpumask_backtrace', 'lapic_can_unplug_cpu', 'rcu_dump_cpu_stacks', 'print_cpu_stall',
    'rcu_sched_clock_irq', 'check_cpu_stall', 'rcu_pending', 'check_hung_uninterruptible_tasks',
    'check_hung_task', 'watchdog', 'watchdog_timer_fn', 'lockup_detector_update_enable',
    'watchdog_overflow_callback', 'watchdog_hardlockup_check', 'watchdog_check_hardlockup',
))
# Exception entry and fault handling (x86_64 and arm64): they run because of the crash.
EXCEPTION_FRAMES = frozenset((
    'die', '__die', '__die_body', 'die_addr', 'oops_end', 'do_trap', 'do_error_trap', 'do_invalid_op',
    'handle_bug', 'exc_invalid_op', 'invalid_op', 'no_context', '__bad_area_nosemaphore',
    'bad_area_nosemaphore', 'bad_area', 'page_fault_oops', 'kernelmode_fixup_or_oops', 'do_user_addr_fault',
    'do_kern_addr_fault', '__do_page_fault', 'do_page_fault', 'exc_page_fault', 'page_fault',
    'async_page_fault', 'do_general_protection', 'exc_general_protection', 'general_protection',
    'do_divide_error', 'exc_divide_error', 'divide_error', 'exc_double_fault', 'do_double_fault',
    'double_fault', 'do_stack_segment', 'exc_stack_segment', 'fixup_exception',
    'die_kernel_fault', '__do_kernel_fault', 'do_translation_fault', 'do_bad_area', 'do_mem_abort',
    'do_sp_pc_abort', 'el1_abort', 'el1_da', 'el1_ia', 'el1_pc', 'el1_sync', 'el1_sync_handler',
    'el1h_64_sync', 'el1h_64_sync_handler', 'el1_undef', 'el1_inv', 'el1_dbg', 'do_undefinstr',
    'do_el1_undef', 'bug_handler', 'brk_handler', 'call_break_hook', 'call_el1_break_hook',
    'do_debug_exception', 'el1_error', 'el1h_64_error', 'el1h_64_error_handler', 'do_serror',
    'arm64_serror_panic', 'bad_mode', 'arm64_notify_die', '__pte_error',
))
# Interrupt, timer, NMI and perf plumbing that interrupted the code a watchdog caught.
INTERRUPT_FRAMES = frozenset((
    '__hrtimer_run_queues', 'hrtimer_run_queues', 'hrtimer_interrupt', 'tick_sched_timer',
    'tick_sched_handle', 'tick_handle_periodic', 'tick_sched_do_timer', 'update_process_times',
    '__sysvec_apic_timer_interrupt', 'sysvec_apic_timer_interrupt', 'apic_timer_interrupt',
    'smp_apic_timer_interrupt', 'asm_call_irq_on_stack', 'asm_call_on_stack', 'asm_call_sysvec_on_stack',
    'call_on_irq_stack', 'irq_exit', 'irq_exit_rcu', '__irq_exit_rcu', 'do_softirq', '__do_softirq',
    'arch_timer_handler_virt', 'arch_timer_handler_phys', 'handle_percpu_devid_irq', 'generic_handle_irq',
    'generic_handle_domain_irq', '__handle_domain_irq', 'handle_domain_irq', 'gic_handle_irq',
    'el1_irq', 'el1_interrupt', 'el1h_64_irq', 'el1h_64_irq_handler', 'do_interrupt_handler',
    'trigger_load_balance', '__perf_event_overflow', 'perf_event_overflow', 'x86_pmu_handle_irq',
    'amd_pmu_handle_irq', 'intel_pmu_handle_irq', 'perf_event_nmi_handler', 'nmi_handle',
    'default_do_nmi', 'do_nmi', 'exc_nmi', 'end_repeat_nmi', 'nmi', 'srso_alias_return_thunk',
    'srso_return_thunk', '__x86_return_thunk', 'retint_userspace_restore_args',
))
# Library and locking helpers: a crash inside them is the caller's bug.
HELPER_FRAMES = frozenset((
    'memcpy', '__memcpy', 'memcpy_erms', 'memcpy_orig', 'memset', '__memset', 'memset_erms', 'memmove',
    '__memmove', 'memcmp', 'strlen', 'strnlen', 'strcmp', 'strncmp', 'strcpy', 'strscpy', 'strlcpy',
    'clear_page', 'clear_page_erms', 'clear_page_rep', 'clear_page_orig', 'copy_page',
    'copy_user_enhanced_fast_string', 'copy_user_generic_string', 'copy_user_generic_unrolled',
    'rep_movs_alternative', '_copy_to_user', '_copy_from_user', 'copy_page_to_iter',
    '__list_add_valid', '__list_add_valid_or_report', '__list_del_entry_valid',
    '__list_del_entry_valid_or_report', 'list_del', 'list_add', 'refcount_warn_saturate',
    'native_queued_spin_lock_slowpath', 'queued_spin_lock_slowpath', '__pv_queued_spin_lock_slowpath',
    '_raw_spin_lock', '_raw_spin_lock_irq', '_raw_spin_lock_irqsave', '_raw_spin_lock_bh',
    '_raw_spin_unlock', '_raw_spin_unlock_irq', '_raw_spin_unlock_irqrestore', '_raw_spin_unlock_bh',
    '_raw_read_lock', '_raw_write_lock', 'do_raw_spin_lock', '__cmpxchg_case_acq_32',
    'smp_call_function_many_cond', 'smp_call_function_many', 'smp_call_function_single',
    'kfree', 'kmem_cache_free', 'kmem_cache_alloc', 'kmem_cache_alloc_noprof', '__kmalloc',
    '__slab_free', '___slab_alloc', '__slab_alloc',
))
# Waiting: a hung task sleeps in these; the interesting frame is what it waits for.
WAIT_FRAMES = frozenset((
    '__switch_to', 'context_switch', '__schedule', 'schedule', 'schedule_timeout', 'schedule_preempt_disabled',
    'io_schedule', 'io_schedule_timeout', 'wait_for_completion', 'wait_for_completion_timeout',
    'wait_for_completion_io', 'wait_for_completion_killable', 'wait_for_common', '__wait_for_common',
    'do_wait_for_common', 'rwsem_down_read_slowpath', 'rwsem_down_write_slowpath', 'down_read', 'down_write',
    'down', '__down', '__down_common', 'down_read_killable', 'down_write_killable', 'mutex_lock',
    '__mutex_lock', '__mutex_lock_slowpath', 'mutex_lock_nested', 'mutex_lock_killable', 'rt_mutex_lock',
    'bit_wait_io', '__wait_on_bit', 'out_of_line_wait_on_bit', 'wait_on_page_bit', 'folio_wait_bit',
    'folio_wait_bit_common', 'wait_on_page_bit_common', 'wait_on_page_bit_killable', 'folio_wait_bit_killable',
    '__wait_on_bit_lock', 'sleep_on_page', 'sleep_on_page_killable', '__lock_page', '__lock_page_killable',
    '__folio_lock', '__folio_lock_killable', 'wait_woken', 'rwsem_down_read_failed', 'rwsem_down_write_failed',
    'schedule_hrtimeout_range', 'schedule_hrtimeout_range_clock', 'bit_wait', 'bit_wait_io_timeout',
    # SPL (ZFS) condition variables: the waiter is their caller (zio_wait, txg_wait_synced, ...)
    'cv_wait_common', '__cv_wait', '__cv_wait_io', '__cv_wait_sig', '__cv_timedwait_common',
))
# Freeing pages: a bad page state is noticed here, not caused here.
PAGE_FREE_FRAMES = frozenset((
    'free_pages_prepare', '__free_pages_ok', 'free_pcppages_bulk', 'free_unref_page', 'free_unref_page_list',
    'free_unref_page_commit', '__free_pages', 'free_pages', 'page_frag_free', 'free_compound_page',
    '__put_compound_page', 'put_compound_page', 'put_page', '__put_page', 'release_pages', '__folio_put',
    'free_the_page', '__free_one_page',
))
SKIP_PREFIXES = ('kasan_', '__kasan', '__asan_', 'asm_exc_', 'asm_sysvec_', 'asm_common_interrupt')

# ---------------------------------------------------------------------------
# Line prefixes: syslog/journal copies, printk log levels, timestamps, caller ids.
# ---------------------------------------------------------------------------

_SYSLOG_DATE = re.compile(
    r'^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) )?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} '
    r'\d\d:\d\d:\d\d(?: \d{4})? +\S+ +'
    r'|^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)? +\S+ +')
_KERNEL_TAG = re.compile(r'^(?:kern\.\w+ +)?kernel: ?')
_LOGLEVEL = re.compile(r'^<\d{1,2}>')
_TIMESTAMP = re.compile(r'\[ *(\d+\.\d+)\] ?(?:\[ *([TC]\d+)\] ?)?')

# ---------------------------------------------------------------------------
# Report headers. Each entry: kind, pattern. Searched in this order on every line.
# ---------------------------------------------------------------------------

_HEADERS = (
    ('kasan', re.compile(r'BUG: KASAN: ([\w-]+) in (\S+)')),
    ('null_deref', re.compile(r'BUG: kernel NULL pointer dereference|BUG: unable to handle kernel NULL pointer '
                              r'dereference|Unable to handle kernel NULL pointer dereference')),
    ('page_fault', re.compile(r'BUG: unable to handle page fault|BUG: unable to handle kernel paging request'
                              r'|Unable to handle kernel paging request')),
    ('unable_to_handle', re.compile(r'Unable to handle kernel ((?:execute|write|read|access)\b[^,]*?)'
                                    r'(?: at virtual address.*)?$')),
    ('gpf', re.compile(r'general protection fault')),
    ('kernel_bug', re.compile(r'kernel BUG at (\S+?)!?$|kernel BUG at (\S+)')),
    ('double_fault', re.compile(r'PANIC: double fault')),
    ('divide_error', re.compile(r'divide error: ')),
    ('stack_segment', re.compile(r'stack segment: ')),
    ('bad_mode', re.compile(r'Bad mode in (.+?) handler detected')),
    ('serror', re.compile(r'SError Interrupt on CPU\d+')),
    ('undefined_instruction', re.compile(r'Internal error: Oops - [Uu]ndefined instruction')),
    ('invalid_opcode', re.compile(r'^(?:Oops: )?invalid opcode: ')),
    ('soft_lockup', re.compile(r'BUG: soft lockup - CPU#(\d+) stuck for \d+s! \[(.+):(\d+)\]')),
    ('hard_lockup', re.compile(r'Watchdog detected hard LOCKUP on cpu (\d+)|CPU (\d+) self-detected hard LOCKUP')),
    ('rcu_stall', re.compile(r'INFO: rcu_\w+ (?:self-)?detected (?:expedited )?stall')),
    ('hung_task', re.compile(r'INFO: task (.+):(\d+) blocked for more than \d+ seconds')),
    ('warning', re.compile(r'^WARNING: (?:CPU: (\d+) PID: (\d+) )?at (\S+)(?: +(\S+))?')),
    ('scheduling_while_atomic', re.compile(r'BUG: scheduling while atomic: (.+)/(\d+)/0x')),
    ('sleeping_in_atomic', re.compile(r'BUG: sleeping function called from invalid context')),
    ('bad_page', re.compile(r'BUG: Bad page state in process (\S+)')),
    ('spinlock', re.compile(r'BUG: spinlock (lockup suspected|already unlocked|recursion|bad magic|wrong owner'
                            r'|wrong CPU)')),
    ('stack_guard', re.compile(r'BUG: stack guard page was hit')),
    ('workqueue_lockup', re.compile(r'BUG: workqueue lockup')),
    ('bug', re.compile(r'^BUG: (.+)')),
)
_PANIC = re.compile(r'Kernel panic[ :-]+not syncing:? *(.*)')
_SYSRQ_CRASH = re.compile(r'SysRq ?: Trigger a crash|sysrq: Trigger a crash')
_LIST_CORRUPTION = re.compile(r'list_(?:add|del) corruption')

# Lines that continue the current report rather than start one.
_OOPS_MARKER = re.compile(r'^(?:Oops: )?(?:Oops|invalid opcode|Internal error): ')

# How bad a report is when the log holds no panic line: an oops kills the task, a
# lockup or scheduling bug is reported and the kernel goes on, a warning is a warning.
_OOPS_KINDS = frozenset(('null_deref', 'page_fault', 'unable_to_handle', 'gpf', 'kernel_bug', 'double_fault',
                         'divide_error', 'stack_segment', 'bad_mode', 'serror', 'undefined_instruction',
                         'invalid_opcode', 'list_corruption', 'sysrq'))
# RCU stalls are often the echo of a lockup reported next to them: they rank just below.
_SEVERITY = dict([(kind, 3) for kind in _OOPS_KINDS] + [('rcu_stall', 1.5), ('warning', 1), ('bug', 1)])

# Panics that only announce a report printed before them.
_CONSEQUENCE_PANICS = (
    (re.compile(r'^softlockup: hung tasks'), ('soft_lockup',)),
    (re.compile(r'^hung_task: blocked tasks'), ('hung_task',)),
    (re.compile(r'^(?:Watchdog detected )?[Hh]ard LOCKUP'), ('hard_lockup',)),
    (re.compile(r'^RCU Stall'), ('rcu_stall',)),
    (re.compile(r'^(?:kernel: )?panic_on_warn set'), None),
    (re.compile(r'^(?:Fatal exception|Oops|Attempted to kill (?:the idle task|init)|Aiee, killing interrupt '
                r'handler|Asynchronous SError Interrupt)'), tuple(_OOPS_KINDS) + ('kasan',)),
)

# Frames: "func+0x1c/0x30 [module]", "[<ffffffff81234567>] ? func+0x1c/0x30", ppc "[c..] [c..] func+0x.. (unreliable)",
# arm64 "func+0x1c/0x30 (P)", syzbot "func+0x1c/0x30 mm/file.c:12", inline "func mm/file.c:12 [inline]".
_FRAME = re.compile(
    r'^(?:\[<?(?:0x)?[0-9a-f]+>?\] *){0,2}(\? +)?([A-Za-z_.$][\w.$]*)\+0x[0-9a-f]+/0x[0-9a-f]+'
    r'(?: +\[([\w-]+)(?: \w+)?\])?(?: +\((unreliable|[PLC])\))?')
_SYMBOLIZED_FRAME = re.compile(r'^(\? +)?([A-Za-z_][\w.]*) +\(?[\w./-]+\.[chS]:\d+\)?(?: \[inline\])? *$')
_BARE_FRAME = re.compile(r'^([A-Za-z_][\w.]*)$')
_STACK_MARKERS = re.compile(r'^(?:</?(?:IRQ|NMI|TASK|EOI|SOFTIRQ)> *)+')
_CALL_TRACE = re.compile(r'^(?:Call [Tt]race|Backtrace):?\s*$')
_PC_LINE = re.compile(
    r'^(?:RIP|EIP|IP|NIP)(?::| ) *(?:[0-9a-f]{4}:)?(?: *\[<?[0-9a-f]+>?\])* *([A-Za-z_][\w.]*)(?:\+0x[0-9a-f]+| )'
    r'|^pc *: *(?:\[<[0-9a-f]+>\] *)?([A-Za-z_][\w.]*)\+0x'
    r'|^PC is at ([A-Za-z_][\w.]*)\+0x')
_PC_MODULE = re.compile(r'\+0x[0-9a-f]+/0x[0-9a-f]+ +\[([\w-]+)\]')
_LR_LINE = re.compile(r'^lr *: *([A-Za-z_][\w.]*)\+0x|^LR is at ([A-Za-z_][\w.]*)\+0x')
_CPU_LINE = re.compile(r'^CPU: (\d+) (?:UID: \d+ )?PID: (\d+) Comm: (.*?)(?= Kdump:| Not tainted| Tainted:|$)'
                       r'|^Pid: (\d+), comm: (.*?)(?= Not tainted| Tainted:|$)')
_RELEASE = re.compile(r'(?:Not tainted|Tainted: ([A-Z ]*?))(?: +-{3,})? +(\d[\w.+~-]*)')
_TAINT_ONLY = re.compile(r'Tainted: ([A-Z][A-Z ]*?) *$')
_TAINT_NAMES = re.compile(r'^Tainted: ((?:\[[A-Z]\]=\w+(?:, )?)+)')
_HARDWARE = re.compile(r'^Hardware name: (.+?) *$')
_LINUX_VERSION = re.compile(r'^Linux version (\S+)')
_BLOCK_END = re.compile(r'^(?:---\[ end |Kernel Offset:|Rebooting in |SMP: stopping|Starting crashdump kernel|Bye!)')

_ADDRESS = re.compile(r'\b(?:0x)?[0-9a-fA-F]{12,}\b')
_OFFSET = re.compile(r'\+0x[0-9a-f]+/0x[0-9a-f]+')
_X86_HINT = re.compile(r'^(?:RIP|RSP|RAX|EFLAGS|CR2: |Call Trace:|</?(?:IRQ|NMI|TASK|EOI)>)|entry_SYSCALL_64|do_syscall_64'
                       r'|asm_exc_|__x64_sys_')
_ARM64_HINT = re.compile(r'^(?:pstate: |pc : |x29: |Call trace:)|el0_svc|el1h_64_|el0t_64_|\(DT\)$|__arm64_sys_')


class Line(object):
    __slots__ = ('text', 'time', 'context')

    def __init__(self, text, time, context):
        self.text = text
        self.time = time
        self.context = context


def normalize_name(name):
    """Frame name without compiler suffixes: 'watchdog_timer_fn.cold.8' -> 'watchdog_timer_fn'."""
    return name.split('.', 1)[0] if name and not name.startswith('.') else (name or '').lstrip('.').split('.', 1)[0]


def is_skipped(name, extra=frozenset()):
    name = normalize_name(name)
    if name in REPORTING_FRAMES or name in EXCEPTION_FRAMES or name in INTERRUPT_FRAMES or name in HELPER_FRAMES:
        return True
    return name in extra or name.startswith(SKIP_PREFIXES)


def split_lines(text):
    """Kernel log lines with syslog prefixes, log levels, timestamps and caller ids taken off."""
    lines = []
    for raw in (text or '').splitlines():
        line = raw.rstrip('\r').rstrip()
        match = _SYSLOG_DATE.match(line)
        if match:
            rest = line[match.end():]
            stamp = _TIMESTAMP.search(rest[:80])
            if stamp:
                rest = rest[stamp.start():]
            else:
                # 'run1.sh[1]: ' or 'kernel: ' style tags before the message
                rest = _KERNEL_TAG.sub('', rest)
            line = rest
        line = _LOGLEVEL.sub('', line)
        time = context = None
        match = _TIMESTAMP.match(line)
        if match:
            time = float(match.group(1))
            context = match.group(2)
            line = line[match.end():]
        lines.append(Line(line, time, context))
    return lines


def _frame_from(text):
    """(name, module, reliable, text) for a stack frame line, or None."""
    body = _STACK_MARKERS.sub('', text.strip())
    if not body:
        return None
    match = _FRAME.match(body)
    if match:
        reliable = not match.group(1) and match.group(4) != 'unreliable'
        return match.group(2), match.group(3), reliable, _frame_text(body)
    match = _SYMBOLIZED_FRAME.match(body)
    if match:
        return match.group(2), None, not match.group(1), body
    return None


def _frame_text(body):
    """A frame as printed, without the address columns: 'vfs_write+0xca/0x3f0'."""
    return re.sub(r'^(?:\[<?(?:0x)?[0-9a-f]+>?\] *)+', '', body)


def _pc_from(text):
    """(function, module) of a RIP/IP/pc/PC line, or None (also for user-space and unsymbolised PCs)."""
    match = _PC_LINE.match(text.strip())
    if not match:
        return None
    name = match.group(1) or match.group(2) or match.group(3)
    if name and not re.match(r'^0x[0-9a-f]+$', name):
        module = _PC_MODULE.search(text)
        return name, module.group(1) if module else None
    return None


class Block(object):
    """One report (or panic) in the log: its header line and the lines that belong to it."""

    def __init__(self, kind, index, line, match):
        self.kind = kind
        self.index = index
        self.header = line.text.strip()
        self.context = line.context
        self.time = line.time
        self.match = match
        self.lines = []
        self.marker = None

    # Filled by _analyse
    frames = ()
    pc = None
    lr = None
    cpu_line = None
    hardware = None


def _header(text):
    stripped = text.strip()
    for kind, pattern in _HEADERS:
        match = pattern.search(stripped)
        if match:
            if kind == 'invalid_opcode' and not pattern.match(stripped):
                continue
            if kind in ('bug', 'warning') and not pattern.match(stripped):
                # 'watchdog: BUG: soft lockup' is matched above; a BUG:/WARNING: mid-line is no header
                continue
            return kind, match
    match = _PANIC.search(stripped)
    if match:
        return 'panic', match
    return None, None


def _blocks(lines):
    blocks = []
    current = None
    for index, line in enumerate(lines):
        kind, match = _header(line.text)
        if kind is not None:
            if (current is not None and kind == 'invalid_opcode' and current.kind == 'kernel_bug'
                    and current.marker is None):
                current.marker = line.text.strip()
                current.lines.append(line)
                continue
            if (current is not None and kind == 'page_fault' and current.kind == 'null_deref'
                    and index - current.index < 3):
                current.lines.append(line)
                continue
            current = Block(kind, index, line, match)
            blocks.append(current)
            continue
        if current is None:
            continue
        if current.context and line.context and line.context != current.context and not current.kind == 'panic':
            continue  # another CPU's or task's line interleaved with this report
        if current.context and line.context and line.context != current.context:
            continue
        if _OOPS_MARKER.match(line.text.strip()) and current.marker is None:
            current.marker = line.text.strip()
        current.lines.append(line)
    return blocks


def _analyse(block):
    frames = []
    in_trace = False
    bare_mode = False
    for line in [Line(block.header, block.time, block.context)] + block.lines:
        text = line.text.strip()
        if not text:
            continue
        if _BLOCK_END.match(text):
            if text.startswith('---[ end') or text.startswith('Kernel Offset') or text.startswith('Rebooting'):
                in_trace = False
            continue
        if block.cpu_line is None and _CPU_LINE.match(text):
            block.cpu_line = text
        if block.hardware is None:
            match = _HARDWARE.match(text)
            if match:
                block.hardware = match.group(1)
        if _CALL_TRACE.match(text):
            in_trace = True
            bare_mode = False
            continue
        pc = _pc_from(text)
        if pc is not None:
            if block.pc is None:
                block.pc = pc[0]
            # A RIP line inside a trace is the exception frame's own function (nested fault,
            # interrupted code under a watchdog): it belongs in the sequence. The old x86 oops
            # repeats the RIP after the trace ('RIP  [<...>] func'): not a frame.
            if not text.startswith('RIP  '):
                frames.append((pc[0], pc[1], True, text))
            continue
        match = _LR_LINE.match(text)
        if match:
            if block.lr is None:
                block.lr = match.group(1) or match.group(2)
            continue
        frame = _frame_from(text)
        if frame is not None:
            frames.append(frame)
            continue
        if in_trace and (bare_mode or not frames):
            match = _BARE_FRAME.match(text)
            if match and '_' in text or (match and bare_mode):
                bare_mode = True
                frames.append((match.group(1), None, True, text))
                continue
        bare_mode = False
    block.frames = frames
    return block


def _reliable(frames):
    """(name, module) of the reliable frames, normalised; a frame repeated at once (the PC line and the
    trace's first frame, arm64's '(L)' link-register frame) counts once."""
    result = []
    for name, module, reliable, _text in frames:
        if not reliable:
            continue
        name = normalize_name(name)
        if result and result[-1][0] == name:
            result[-1] = (name, result[-1][1] or module)
            continue
        result.append((name, module))
    return result


def _guilty(block, extra_skip=frozenset()):
    """(guilty name, index in the reliable frames or None)."""
    frames = _reliable(block.frames)
    for index, (name, _module) in enumerate(frames):
        if not is_skipped(name, extra_skip):
            return name, index
    return None, None


def _frame_label(name, module):
    return '%s [%s]' % (name, module) if module else name


def _header_function(block):
    """The function named on the header line itself (WARNING ... at file func+0x, KASAN ... in func+0x)."""
    if block.kind == 'warning':
        name = block.match.group(4)
        if not name:
            for line in block.lines[:1]:
                frame = _frame_from(line.text)
                if frame:
                    name = frame[0]
        if name:
            name = re.sub(r'\(\)$', '', _OFFSET.sub('', name).split('+', 1)[0])
        return normalize_name(name) if name else None
    if block.kind == 'kasan':
        return normalize_name(block.match.group(2).split('+', 1)[0])
    return None


def _clean_reason(reason):
    # '04: An NMI occurred. Depending on your system the reason ...': the first sentence says it
    reason = re.split(r'\. (?=[A-Z])', reason or '', 1)[0]
    reason = _OFFSET.sub('', reason)
    reason = _ADDRESS.sub('ADDR', reason)
    reason = re.sub(r'\s+', ' ', reason).strip()
    reason = re.sub(r'\s*\.\.\.$', '', reason).rstrip()
    return reason[:TITLE_MAX]


def _title(kind, block, guilty, panic_reason=None):
    where = ' in %s' % guilty if guilty else ''
    if kind == 'sysrq':
        return 'sysrq triggered crash'
    if kind == 'null_deref':
        return 'BUG: kernel NULL pointer dereference' + where
    if kind == 'page_fault':
        return 'BUG: unable to handle page fault' + where
    if kind == 'unable_to_handle':
        return 'Unable to handle kernel %s%s' % (block.match.group(1).strip(), where)
    if kind == 'gpf':
        return 'general protection fault' + where
    if kind == 'list_corruption':
        return 'BUG: corrupted list' + where
    if kind == 'kernel_bug':
        return 'kernel BUG' + where
    if kind == 'double_fault':
        return 'PANIC: double fault' + where
    if kind == 'divide_error':
        return 'divide error' + where
    if kind == 'stack_segment':
        return 'stack segment fault' + where
    if kind == 'bad_mode':
        return 'Bad mode in %s handler%s' % (block.match.group(1), where)
    if kind == 'serror':
        return 'SError Interrupt' + where
    if kind == 'undefined_instruction':
        return 'Internal error: undefined instruction' + where
    if kind == 'invalid_opcode':
        return 'invalid opcode' + where
    if kind == 'soft_lockup':
        return 'BUG: soft lockup' + where
    if kind == 'hard_lockup':
        return 'Watchdog detected hard LOCKUP' + where
    if kind == 'rcu_stall':
        return 'INFO: rcu detected stall' + where
    if kind == 'hung_task':
        return 'INFO: task hung' + where
    if kind == 'warning':
        return 'WARNING' + where
    if kind == 'kasan':
        return 'KASAN: %s%s' % (block.match.group(1), where)
    if kind == 'scheduling_while_atomic':
        return 'BUG: scheduling while atomic' + where
    if kind == 'sleeping_in_atomic':
        return 'BUG: sleeping function called from invalid context' + where
    if kind == 'bad_page':
        return 'BUG: Bad page state'
    if kind == 'spinlock':
        return 'BUG: spinlock %s%s' % (block.match.group(1), where)
    if kind == 'stack_guard':
        return 'BUG: stack guard page was hit' + where
    if kind == 'workqueue_lockup':
        return 'BUG: workqueue lockup'
    if kind == 'stack_protector':
        return 'stack-protector: Kernel stack is corrupted' + where
    if kind == 'bug':
        return 'BUG: %s' % _clean_reason(re.sub(r'[\d]+', 'N', block.match.group(1)))
    if kind in ('panic', 'oom', 'machine_check'):
        return 'Kernel panic - not syncing: %s' % _clean_reason(panic_reason)
    return NO_CRASH_TITLE


def _choose(blocks):
    """(crash block, panic block) following the rules in docs/triage.md."""
    panics = [block for block in blocks if block.kind == 'panic']
    panic = panics[0] if panics else None
    reports = [block for block in blocks if block.kind != 'panic']
    if panic is not None:
        reason = panic.match.group(1).strip()
        for pattern, kinds in _CONSEQUENCE_PANICS:
            if not pattern.match(reason):
                continue
            before = [block for block in reports if block.index < panic.index]
            if kinds is not None:
                before = [block for block in before if block.kind in kinds]
            if not before:
                return panic, panic
            chosen = before[-1]
            # A hung-task scan prints every blocked task before panicking: take the first of that run.
            position = reports.index(chosen)
            while (position > 0 and reports[position - 1].kind == chosen.kind == 'hung_task'
                   and reports[position - 1].index < chosen.index):
                position -= 1
                chosen = reports[position]
            return chosen, panic
        return panic, panic
    if not reports:
        return None, None
    best = max(_SEVERITY.get(block.kind, 2) for block in reports)
    for block in reports:
        if _SEVERITY.get(block.kind, 2) == best:
            return block, None
    return None, None


def _cpu_info(text):
    """{'cpu', 'pid', 'comm', 'kernel', 'taint'} from a 'CPU: 1 PID: 2 Comm: sh ...' line."""
    info = {}
    match = _CPU_LINE.match(text or '')
    if not match:
        return info
    if match.group(1) is not None:
        info['cpu'] = int(match.group(1))
        info['pid'] = int(match.group(2))
        info['comm'] = match.group(3).strip() or None
    else:
        info['pid'] = int(match.group(4))
        info['comm'] = match.group(5).strip() or None
    release = _RELEASE.search(text)
    if release:
        info['kernel'] = release.group(2)
        info['taint'] = _taint_letters(release.group(1))
    elif 'Not tainted' in text:
        info['taint'] = ''
    else:
        only = _TAINT_ONLY.search(text)
        if only:
            info['taint'] = _taint_letters(only.group(1))
    return info


def _taint_letters(flags):
    # 'G' (only GPL modules) is the untainted state of the first position; 'P' means proprietary.
    return ''.join(letter for letter in (flags or '') if letter.isalpha() and letter != 'G')


def _detect_arch(lines):
    x86 = arm64 = 0
    for line in lines:
        text = line.text.strip()
        if _X86_HINT.search(text):
            x86 += 1
        if _ARM64_HINT.search(text):
            arm64 += 1
    if x86 == arm64 == 0:
        return None
    return 'x86_64' if x86 > arm64 else 'arm64'


def signature_of(title, frames):
    """Stable signature: the title and the normalised frame labels, hashed."""
    material = '\n'.join([title] + list(frames))
    return hashlib.sha256(material.encode('utf-8')).hexdigest()[:SIGNATURE_LENGTH]


def empty_crash(title=NO_CRASH_TITLE, kind='unknown'):
    return {
        'title': title, 'kind': kind, 'guilty_frame': None, 'frames': [], 'signature': signature_of(title, []),
        'kernel': None, 'taint': None, 'tainted': None, 'hardware': None, 'cpu': None, 'pid': None, 'comm': None,
        'arch': None, 'panic': None, 'excerpt': None,
    }


def parse_crash(text):
    """The ``crash`` record of a kernel log (see the module docstring and docs/triage.md)."""
    if text is None:
        return empty_crash(NO_DMESG_TITLE, 'no_dmesg')
    lines = split_lines(text)
    blocks = [_analyse(block) for block in _blocks(lines)]
    block, panic = _choose(blocks)
    if block is None:
        crash = empty_crash()
        crash['kernel'] = _kernel_from_banner(lines)
        return crash

    sysrq = any(_SYSRQ_CRASH.search(line.text) for line in lines[:block.index + 1])
    kind = block.kind
    panic_reason = panic.match.group(1).strip() if panic is not None else None
    source = block
    if kind == 'panic':
        kind = _panic_kind(panic_reason, lines[:block.index])
        if not block.frames:
            # A log cut at the top: the oops header is lost but its trace is still there.
            source = _orphan_trace(lines, blocks, block) or block
    elif not block.frames and panic is not None and panic is not block:
        # 'BUG: soft lockup' followed at once by its panic: the stack is printed by the panic.
        source = panic
    near_header = ' '.join(line.text for line in lines[max(0, block.index - 3):block.index + 1])
    if kind == 'kernel_bug' and (_LIST_CORRUPTION.search(near_header) or 'lib/list_debug.c' in block.header):
        kind = 'list_corruption'

    extra_skip = {'hung_task': WAIT_FRAMES, 'bad_page': PAGE_FREE_FRAMES}.get(kind, frozenset())
    header_function = _header_function(block)
    guilty, guilty_index = _guilty(source, extra_skip)
    if kind == 'stack_protector':
        match = re.search(r'corrupted in: ([A-Za-z_][\w.]*)', panic_reason or '')
        if match:
            guilty = normalize_name(match.group(1))
            guilty_index = _index_of(source, guilty)
    elif header_function and not is_skipped(header_function):
        guilty = header_function
        guilty_index = _index_of(source, guilty)
    elif kind == 'bad_mode' and source.pc is None and source.lr:
        guilty, guilty_index = normalize_name(source.lr), None
    if guilty is None and source.pc and not is_skipped(source.pc, extra_skip):
        guilty = normalize_name(source.pc)
    if guilty is None and source.pc:
        guilty = normalize_name(source.pc)
    if guilty == 'sysrq_handle_crash' or (kind == 'panic' and (panic_reason or '').startswith('sysrq triggered crash')):
        kind = 'sysrq'
    elif sysrq and kind in _OOPS_KINDS and guilty is None:
        kind = 'sysrq'

    title = _title(kind, block, guilty, panic_reason)
    frames = _signature_frames(source, guilty, guilty_index)
    if kind in ('oom', 'machine_check') or (kind == 'panic' and not guilty):
        frames = []  # the stack of an OOM or hardware panic is whatever allocated or ran: noise
    info = _best_info(block, source, panic, lines)
    crash = {
        'title': title[:TITLE_MAX],
        'kind': kind,
        'guilty_frame': guilty,
        'frames': frames,
        'signature': signature_of(title[:TITLE_MAX], frames),
        'kernel': info.get('kernel') or _kernel_from_banner(lines),
        'taint': info.get('taint'),
        'tainted': bool(info['taint']) if info.get('taint') is not None else None,
        'hardware': source.hardware or block.hardware or (panic.hardware if panic is not None else None),
        'cpu': info.get('cpu'),
        'pid': info.get('pid'),
        'comm': info.get('comm'),
        'arch': _detect_arch(lines[block.index:]) or _detect_arch(lines),
        'panic': panic.header if panic is not None else None,
        'excerpt': _excerpt(block, source, panic, guilty),
    }
    return crash


def _orphan_trace(lines, blocks, panic):
    """A pseudo block of the lines before ``panic`` that follow the previous report, if they hold frames."""
    start = 0
    for block in blocks:
        if block.index < panic.index:
            start = block.index + 1 + len(block.lines)
    if start >= panic.index:
        return None
    orphan = Block('orphan', start, Line('', None, None), None)
    orphan.lines = lines[start:panic.index]
    _analyse(orphan)
    return orphan if orphan.frames else None


def _index_of(block, name):
    for index, (frame, _module) in enumerate(_reliable(block.frames)):
        if frame == name:
            return index
    return None


def _signature_frames(block, guilty, guilty_index):
    frames = _reliable(block.frames)
    if guilty_index is not None:
        chosen = frames[guilty_index:guilty_index + SIGNATURE_FRAMES]
    elif guilty:
        chosen = [(guilty, None)] + [frame for frame in frames if not is_skipped(frame[0])][:SIGNATURE_FRAMES - 1]
    else:
        chosen = []
    return [_frame_label(name, module) for name, module in chosen]


def _panic_kind(reason, before):
    lowered = (reason or '').lower()
    if lowered.startswith('stack-protector'):
        return 'stack_protector'
    if lowered.startswith('out of memory') or 'deadlocked on memory' in lowered:
        return 'oom'
    if 'machine check' in lowered or any(line.text.startswith('mce: [Hardware Error]') for line in before):
        return 'machine_check'
    if lowered.startswith('asynchronous serror interrupt'):
        return 'serror'
    if lowered.startswith('softlockup'):
        return 'soft_lockup'
    return 'panic'


def _best_info(block, source, panic, lines):
    """CPU/PID/comm/kernel/taint: the report's own header first, then its CPU line, then the panic's."""
    info = {}
    for candidate in (block, source, panic):
        if candidate is not None and candidate.cpu_line:
            for key, value in _cpu_info(candidate.cpu_line).items():
                info.setdefault(key, value)
    if block.kind == 'soft_lockup':
        info['cpu'] = int(block.match.group(1))
        info['comm'], info['pid'] = block.match.group(2), int(block.match.group(3))
    elif block.kind == 'hung_task':
        info['comm'], info['pid'], info['cpu'] = block.match.group(1), int(block.match.group(2)), None
    elif block.kind == 'hard_lockup':
        info['cpu'] = int(block.match.group(1) or block.match.group(2))
    if not info.get('taint'):
        for line in lines:
            match = _TAINT_NAMES.match(line.text.strip())
            if match:
                info['taint'] = ''.join(re.findall(r'\[([A-Z])\]', match.group(1)))
                break
    return info


def _kernel_from_banner(lines):
    for line in lines:
        match = _LINUX_VERSION.match(line.text.strip())
        if match:
            return match.group(1)
    for line in lines:
        info = _cpu_info(line.text.strip())
        if info.get('kernel'):
            return info['kernel']
    return None


def _excerpt(block, source, panic, guilty):
    """The header, the oops line, the faulting PC, the trace from the guilty frame on, the panic line."""
    picked = [block.header] if block.header else []
    if block.marker and block.marker != block.header:
        picked.append(block.marker)
    for line in block.lines + (source.lines if source is not block else []):
        text = line.text.strip()
        if _PC_LINE.match(text) or text.startswith('PC is at '):
            picked.append(text)
            if _pc_from(text) is None:
                lr = next((other.text.strip() for other in block.lines if _LR_LINE.match(other.text.strip())), None)
                if lr:
                    picked.append(lr)
            break
    frames = [frame for frame in source.frames if frame[2] and not frame[3].startswith(('RIP', 'IP', 'pc', 'PC'))]
    start = 0
    for index, frame in enumerate(frames):
        if normalize_name(frame[0]) == guilty:
            start = index
            break
    for frame in frames[start:start + EXCERPT_FRAMES]:
        picked.append('  ' + frame[3])
    if panic is not None and panic.header not in picked:
        picked.append(panic.header)
    return '\n'.join(picked)


# ---------------------------------------------------------------------------
# Fleet grouping
# ---------------------------------------------------------------------------

def group_crashes(dumps):
    """Group dumps by crash signature.

    ``dumps`` is an iterable of dicts with ``host``, ``path``, ``time`` (ISO 8601), ``timestamp``
    (epoch, optional) and ``crash`` (a ``parse_crash`` record); a dump without ``crash`` is
    skipped. Returns one dict per signature, most frequent first: ``signature``, ``title``,
    ``kind``, ``guilty_frame``, ``count``, ``hosts``, ``kernels``, ``first_seen``,
    ``last_seen``, ``example`` (the newest dump: host, path, time, panic, excerpt) and
    ``dumps`` (host, path, time, oldest first).
    """
    groups = {}
    for dump in dumps or []:
        crash = dump.get('crash')
        if not crash:
            continue
        key = crash['signature']
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                'signature': key, 'title': crash['title'], 'kind': crash.get('kind'),
                'guilty_frame': crash.get('guilty_frame'), 'count': 0, 'hosts': set(), 'kernels': set(),
                'members': [],
            }
        group['count'] += 1
        group['hosts'].add(dump.get('host'))
        kernel = crash.get('kernel') or dump.get('kernel')
        if kernel:
            group['kernels'].add(kernel)
        group['members'].append(dump)
    result = []
    for group in groups.values():
        members = sorted(group.pop('members'), key=_when)
        newest = members[-1]
        group['hosts'] = sorted(host for host in group['hosts'] if host is not None)
        group['kernels'] = sorted(group['kernels'])
        group['first_seen'] = members[0].get('time')
        group['last_seen'] = newest.get('time')
        group['example'] = {
            'host': newest.get('host'), 'path': newest.get('path'), 'time': newest.get('time'),
            'panic': newest['crash'].get('panic'), 'excerpt': newest['crash'].get('excerpt'),
        }
        group['dumps'] = [{'host': dump.get('host'), 'path': dump.get('path'), 'time': dump.get('time')}
                          for dump in members]
        result.append(group)
    result.sort(key=lambda group: (-group['count'], group['title'], group['signature']))
    return result


def _when(dump):
    timestamp = dump.get('timestamp')
    return (timestamp if isinstance(timestamp, (int, float)) else 0, dump.get('time') or '', dump.get('path') or '')


# ---------------------------------------------------------------------------
# SysRq diagnostics (kdump_verify's ``diagnostics``): what a hung host's kernel printed, condensed
# ---------------------------------------------------------------------------

# 'task:jbd2/vda1-8     state:D stack:0     pid:152   ppid:2      flags:0x00004000' (5.14+) and
# 'jbd2/vda1-8     D    0   152      2 0x00000000' / 'name D ffffff8008084dfc 0 1 0 0x0' (older kernels).
_TASK_NEW = re.compile(r'^task:(.+?) +state:([A-Za-z]) .*?\bpid: *(\d+)')
_TASK_OLD = re.compile(r'^(\S.*?) +([RSDTtXZIPKW]) +(?:[0-9a-f]{8,16} +)?\d+ +(\d+) +\d+ +0x[0-9a-f]+$')
_NMI_BACKTRACE = re.compile(r'^NMI backtrace for cpu (\d+)(?: skipped: idling at ([A-Za-z_][\w.]*))?')
_MEM_INFO_PAIR = re.compile(r'\b([a-z_]+(?:\(\w+\))?):(\d+)\b')
_MEM_KEYS = ('free', 'active_anon', 'inactive_anon', 'active_file', 'inactive_file', 'unevictable', 'dirty',
             'writeback', 'slab_reclaimable', 'slab_unreclaimable', 'mapped', 'shmem', 'pagetables')
SYSRQ_TASKS_LISTED = 20


_AT_FUNCTION_END = re.compile(r'\+0x([0-9a-f]+)/0x\1\b')


def _tasks(lines):
    """(name, pid, state, frames) of every task header in ``lines`` with the frames printed under it."""
    tasks = []
    for line in lines:
        text = line.text.strip()
        match = _TASK_NEW.match(text) or _TASK_OLD.match(text)
        if match:
            tasks.append([match.group(1).strip(), int(match.group(3)), match.group(2), []])
            continue
        if tasks:
            frame = _frame_from(text)
            # '? func+0x2d/0x2d': an address at the very end of a function is a stale pointer on the stack
            if frame is not None and not (not frame[2] and _AT_FUNCTION_END.search(text)):
                tasks[-1][3].append(frame)
    return tasks


def _waiting_in(frames):
    """The first frame below the scheduler and the generic wait and lock plumbing. A trace of '? ' frames only
    (old kernels without frame pointers) is read as if reliable, from its last wait frame on."""
    block = Block('tasks', 0, Line('', None, None), None)
    block.frames = frames
    name = _guilty(block, WAIT_FRAMES)[0]
    if name is None and frames and not any(frame[2] for frame in frames):
        waits = [index for index, frame in enumerate(frames) if frame[0] in WAIT_FRAMES]
        if waits:
            block.frames = [(frame[0], frame[1], True, frame[3]) for frame in frames[waits[-1]:]]
            name = _guilty(block, WAIT_FRAMES)[0]
    return name


def _cpu_blocks(lines):
    """{cpu: [lines]} of an 'l' (or 'p') answer, split at 'NMI backtrace for cpu N' / 'CPU: N' lines."""
    blocks, current, idle = {}, None, {}
    for line in lines:
        text = line.text.strip()
        match = _NMI_BACKTRACE.match(text)
        if match:
            current = int(match.group(1))
            blocks.setdefault(current, [])
            if match.group(2):
                idle[current] = normalize_name(match.group(2))
            continue
        match = _CPU_LINE.match(text)
        if match and match.group(1) is not None and (current is None or blocks.get(current)):
            current = int(match.group(1))
            blocks.setdefault(current, [])
        if current is not None:
            blocks[current].append(line)
    return blocks, idle


def summarize_sysrq(key, text):
    """A short dict of what SysRq ``key`` printed (``text`` as kdump_verify returns it).

    ``w``/``t``: ``tasks`` (states counted), ``blocked`` (D-state tasks: name, pid, waiting_in);
    ``l``/``p``: ``cpus`` (cpu, comm, function: where the CPU was, ``idle`` when it idled);
    ``m``: the Mem-Info page counts and swap; always ``lines``. An unavailable key gives ``error``.
    """
    text = text or ''
    if text.startswith('unavailable:'):
        return {'key': key, 'error': text, 'lines': 0}
    lines = split_lines(text)
    summary = {'key': key, 'lines': len([line for line in lines if line.text.strip()])}
    if key in ('w', 't'):
        tasks = _tasks(lines)
        states = {}
        for _name, _pid, state, _frames in tasks:
            states[state] = states.get(state, 0) + 1
        blocked = [{'task': name, 'pid': pid, 'waiting_in': _waiting_in(frames)}
                   for name, pid, state, frames in tasks if state == 'D']
        summary.update(tasks=len(tasks), states=states, blocked=blocked[:SYSRQ_TASKS_LISTED],
                       blocked_total=len(blocked))
    elif key in ('l', 'p'):
        blocks, idle = _cpu_blocks(lines)
        cpus = []
        for cpu in sorted(blocks):
            block = Block('cpu', 0, Line('', None, None), None)
            block.lines = blocks[cpu]
            _analyse(block)
            info = _cpu_info(block.cpu_line or '')
            function = idle.get(cpu) or (normalize_name(block.pc) if block.pc else _guilty(block)[0])
            cpus.append({'cpu': cpu, 'comm': info.get('comm'), 'function': function, 'idle': cpu in idle})
        summary['cpus'] = cpus
    elif key == 'm':
        memory = {}
        for index, line in enumerate(lines):
            stripped = line.text.strip()
            if stripped == 'Mem-Info:':
                # the counters follow on indented 'name:value' lines, up to the first 'Node ' line
                counters = []
                for other in lines[index + 1:]:
                    if not _MEM_INFO_PAIR.match(other.text.strip()) or other.text.strip().startswith('Node '):
                        break
                    counters.append(other.text)
                pairs = dict(_MEM_INFO_PAIR.findall(' '.join(counters)))
                memory.update((name + '_pages', int(pairs[name])) for name in _MEM_KEYS if name in pairs)
            match = re.match(r'^(Free|Total) swap *= *(\d+)kB', stripped)
            if match:
                memory['swap_%s_kb' % match.group(1).lower()] = int(match.group(2))
            match = re.match(r'^(\d+) pages RAM$', stripped)
            if match:
                memory['ram_pages'] = int(match.group(1))
        summary['memory'] = memory
    return summary
