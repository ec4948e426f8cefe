# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bootloader backends that own ``crashkernel=`` on the kernel command line.

* ``grubby`` (RHEL family, BLS or classic grub2): ``grubby --info`` to read, ``--update-kernel`` with
  ``--remove-args=crashkernel`` / ``--args=crashkernel=...`` to write.
* ``grub`` (Debian/Ubuntu/SUSE, EL without grubby): our own ``/etc/default/grub.d/zz-fleet-kdump.cfg``
  when grub-mkconfig sources grub.d (Debian patch), otherwise ``/etc/default/grub`` itself; then
  ``update-grub`` or ``grub(2)-mkconfig -o <grub.cfg>``; read back from the generated grub.cfg.

Every backend reads back what the bootloader holds after writing; on mismatch it puts the previous
state back (files and bootloader) and raises BootloaderError.
All host paths are attributes/arguments so tests can point them at temporary files.
"""

from __future__ import annotations

import os
import re

from ansible_collections.fleet.kdump.plugins.module_utils.common import read_text, restore_file, write_file
from ansible_collections.fleet.kdump.plugins.module_utils.crashkernel import (
    crashkernel_values, from_cmdline, same_tokens, split_cmdline, token_class)

DEFAULT_GRUB = '/etc/default/grub'
# What grubby-bls rewrites besides /etc/default/grub (spec 5.1): the BLS entries, grubenv's kernelopts (which
# "options $kernelopts" entries expand) and /etc/kernel/cmdline (--update-kernel=ALL creates it when missing).
BLS_DIR = '/boot/loader/entries'
GRUBBY_FILES = ('/boot/grub2/grubenv', '/etc/kernel/cmdline')
GRUB_DROPIN = '/etc/default/grub.d/zz-fleet-kdump.cfg'
GRUB_CFG_CANDIDATES = ('/boot/grub2/grub.cfg', '/boot/grub/grub.cfg')
GRUB_DIRS = ('/boot/grub2', '/boot/grub')

_LINUX_LINE = re.compile(r'^\s*(?:linux|linux16|linuxefi)\s+\S+(.*)$')


class BootloaderError(Exception):
    """A backend could not read, write or verify the bootloader (message is for the user)."""


def desired_tokens(values):
    """['512M,high', '128M,low'] -> {'main': None, 'high': '512M,high', 'low': '128M,low', 'cma': None}."""
    tokens = {'main': None, 'high': None, 'low': None, 'cma': None}
    for value in values:
        tokens[token_class(value)] = value
    return tokens


def holds(cmdline, values):
    """True when ``cmdline`` carries exactly ``values`` as its crashkernel= words (parsed comparison)."""
    return len(crashkernel_values(cmdline)) == len(values) and same_tokens(from_cmdline(cmdline), desired_tokens(values))


def replace_crashkernel(cmdline, values):
    """``cmdline`` without any crashkernel= word, with ``values`` appended as crashkernel=<value>."""
    words = [word for word in split_cmdline(cmdline) if not word.startswith('crashkernel=')]
    return ' '.join(words + ['crashkernel=%s' % value for value in values])


# ---------------------------------------------------------------------------------------------- detection

def detect(prefer_grubby, which, container=False, grub_dirs=GRUB_DIRS):
    """Pick 'grubby', 'grub' or 'none' for this host.

    ``which(name)`` returns an executable's path or None. ``prefer_grubby`` (the family table's choice: the
    RHEL family, spec 5.1) takes grubby over grub when both are there; grub needs a /boot/grub* directory
    and a way to regenerate grub.cfg. A container has no bootloader of its own.
    """
    if container:
        return 'none'
    has_grub = any(os.path.isdir(path) for path in grub_dirs) and bool(
        which('update-grub') or which('grub2-mkconfig') or which('grub-mkconfig'))
    if which('grubby') and (prefer_grubby or not has_grub):
        return 'grubby'
    if has_grub:
        return 'grub'
    return 'none'


# ---------------------------------------------------------------------------------------------- grubby

def parse_grubby_info(text):
    """Parse ``grubby --info=...`` output into a list of entry dicts (index, kernel, args, root, initrd, title, id)."""
    entries = []
    current = None
    for line in (text or '').splitlines():
        line = line.strip()
        if '=' not in line:
            continue
        key, value = line.split('=', 1)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in '"\'':
            value = value[1:-1]
        if key == 'index':
            current = {'index': value}
            entries.append(current)
        elif current is not None:
            current[key] = value
    return entries


class GrubbyBackend(object):
    name = 'grubby'

    def __init__(self, module, runner, grubby, kernels='ALL', default_grub=DEFAULT_GRUB, bls_dir=BLS_DIR,
                 grubby_files=GRUBBY_FILES):
        self.module = module
        self.runner = runner
        self.grubby = grubby
        self.kernels = kernels
        self.default_grub = default_grub
        self.bls_dir = bls_dir
        self.grubby_files = grubby_files

    def _snapshot(self):
        """{path: content or None} of the files grubby may rewrite; None when there is no BLS tree."""
        if not os.path.isdir(self.bls_dir):
            return None
        paths = list(self.grubby_files) + sorted(
            os.path.join(self.bls_dir, name) for name in os.listdir(self.bls_dir) if name.endswith('.conf'))
        return dict((path, read_text(path)) for path in paths)

    def info(self, which):
        rc, out, err = self.runner.read([self.grubby, '--info=%s' % which])
        entries = [entry for entry in parse_grubby_info(out) if 'kernel' in entry]
        if rc != 0 or not entries:
            raise BootloaderError('grubby --info=%s found no boot entry (rc=%s): %s' % (which, rc, (err or out).strip()))
        return entries

    def configured(self):
        """Token dict of the entry the next boot uses (the default one, or the kernel we manage)."""
        target = self.kernels if self.kernels not in ('ALL', 'DEFAULT') else 'DEFAULT'
        return from_cmdline(self.info(target)[0].get('args', ''))

    def _default_grub_after(self, values):
        before = read_text(self.default_grub)
        if before is None or self.kernels != 'ALL':
            return before, before
        # A later grub2-mkconfig may reapply GRUB_CMDLINE_LINUX to every entry (spec 5.1): keep it in line.
        return before, edit_default_grub(before, 'GRUB_CMDLINE_LINUX', values, strip_also=('GRUB_CMDLINE_LINUX_DEFAULT',))

    def apply(self, values):
        """Make the managed entries carry exactly ``values``. Returns {changed, diff, configured}."""
        entries = self.info(self.kernels)
        grub_before, grub_after = self._default_grub_after(values)
        stale = [entry for entry in entries if not holds(entry.get('args', ''), values)]
        diff = []
        if stale:
            before = ''.join('%s: %s\n' % (entry['kernel'], entry.get('args', '')) for entry in entries)
            after = ''.join('%s: %s\n' % (entry['kernel'], replace_crashkernel(entry.get('args', ''), values)) for entry in entries)
            diff.append({'before_header': 'grubby --info=%s (args)' % self.kernels, 'after_header': 'grubby --info=%s (args)' % self.kernels,
                         'before': before, 'after': after})
            snapshot = None if self.module.check_mode else self._snapshot()
            commands = []
            if any(crashkernel_values(entry.get('args', '')) for entry in stale):
                commands.append([self.grubby, '--update-kernel=%s' % self.kernels, '--remove-args=crashkernel'])
            if values:
                commands.append([self.grubby, '--update-kernel=%s' % self.kernels,
                                 '--args=%s' % ' '.join('crashkernel=%s' % value for value in values)])
            for argv in commands:
                rc, out, err = self.runner.write(argv, check_rc=False)
                if rc != 0:
                    self._restore(entries, grub_before, snapshot)
                    raise BootloaderError('%s failed (rc=%s): %s; the previous arguments were restored' % (' '.join(argv), rc, (err or out).strip()))
        grub_result = write_file(self.module, self.default_grub, grub_before, grub_after) if grub_before is not None else {'changed': False}
        if grub_result['changed']:
            diff.append(grub_result['diff'])
        changed = bool(stale) or grub_result['changed']
        if self.module.check_mode:
            return {'changed': changed, 'diff': diff, 'configured': desired_tokens(values) if changed else self.configured()}
        if stale:
            wrong = [entry for entry in self.info(self.kernels) if not holds(entry.get('args', ''), values)]
            if wrong:
                self._restore(entries, grub_before, snapshot)
                raise BootloaderError('after grubby the entries %s hold %s instead of %s; the previous arguments were restored' % (
                    ', '.join(entry['kernel'] for entry in wrong),
                    '; '.join(' '.join('crashkernel=%s' % v for v in crashkernel_values(entry.get('args', ''))) or 'no crashkernel' for entry in wrong),
                    ' '.join('crashkernel=%s' % value for value in values) or 'no crashkernel'))
        return {'changed': changed, 'diff': diff, 'configured': self.configured()}

    def _restore(self, entries, grub_before, snapshot=None):
        """Undo a failed update: the files byte-for-byte on BLS (grubby cannot put $kernelopts or the order of
        the arguments back), otherwise through grubby with each entry's previous crashkernel= values."""
        if grub_before is not None:
            restore_file(self.module, self.default_grub, grub_before)
        if snapshot is not None:
            for path, before in sorted(snapshot.items()):
                if read_text(path) != before:
                    restore_file(self.module, path, before)
            return
        for entry in entries:
            self.runner.write([self.grubby, '--update-kernel=%s' % entry['kernel'], '--remove-args=crashkernel'], check_rc=False)
            previous = crashkernel_values(entry.get('args', ''))
            if previous:
                self.runner.write([self.grubby, '--update-kernel=%s' % entry['kernel'],
                                   '--args=%s' % ' '.join('crashkernel=%s' % value for value in previous)], check_rc=False)


# ---------------------------------------------------------------------------------------------- grub

_STRIP = "sed -E 's/(^|[[:space:]]+)crashkernel=[^[:space:]]*//g'"


def render_dropin(variable, values):
    """Content of our grub.d drop-in: strip every crashkernel= from both variables, add ours to ``variable``."""
    lines = [
        '# Managed by fleet.kdump (kdump_reserve); changes here are overwritten.',
        '# grub-mkconfig sources /etc/default/grub.d/*.cfg in lexical order, so this zz- file runs after',
        '# kdump-tools.cfg (a dpkg conffile we leave alone): drop every crashkernel= set before and add ours,',
        '# so exactly one value reaches the linux line.',
    ]
    for name in ('GRUB_CMDLINE_LINUX', 'GRUB_CMDLINE_LINUX_DEFAULT'):
        extra = ''.join(' crashkernel=%s' % value for value in values) if name == variable else ''
        lines.append('%s="$(printf \'%%s\' "$%s" | %s)%s"' % (name, name, _STRIP, extra))
    return '\n'.join(lines) + '\n'


_ASSIGNMENT = re.compile(r'^(\s*)(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$')


def _unquote(raw):
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in '"\'':
        return raw[1:-1]
    return raw


def edit_default_grub(text, variable, values, strip_also=()):
    """/etc/default/grub with crashkernel= removed from ``variable`` (and ``strip_also``) and ``values`` appended to ``variable``.

    Only the last assignment of each variable counts when the file is sourced, so that is the one edited;
    a missing ``variable`` is appended.
    """
    lines = (text or '').splitlines()
    last = {}
    for number, line in enumerate(lines):
        match = _ASSIGNMENT.match(line)
        if match and match.group(2) in (variable,) + tuple(strip_also):
            last[match.group(2)] = number
    for name, number in last.items():
        current = _unquote(_ASSIGNMENT.match(lines[number]).group(3))
        wanted = values if name == variable else []
        if holds(current, wanted):
            continue  # already right: keep the line byte-for-byte (RHEL 9 puts crashkernel= first)
        indent = _ASSIGNMENT.match(lines[number]).group(1)
        lines[number] = '%s%s="%s"' % (indent, name, replace_crashkernel(current, wanted))
    if variable not in last and values:
        lines.append('%s="%s"' % (variable, replace_crashkernel('', values)))
    return '\n'.join(lines) + '\n'


def grub_cfg_cmdlines(text):
    """Arguments of every linux line of a generated grub.cfg, in file order (first = default entry)."""
    result = []
    for line in (text or '').splitlines():
        match = _LINUX_LINE.match(line)
        if match:
            result.append(match.group(1).strip())
    return result


def find_grub_cfg(candidates=GRUB_CFG_CANDIDATES):
    for path in candidates:
        if os.path.exists(path):
            return path
    for path in candidates:
        if os.path.isdir(os.path.dirname(path)):
            return path
    return None


class GrubBackend(object):
    name = 'grub'

    def __init__(self, module, runner, which, kernels='ALL', default_grub=DEFAULT_GRUB, dropin=GRUB_DROPIN,
                 grub_cfg=None, grub_cfg_candidates=GRUB_CFG_CANDIDATES):
        if kernels not in ('ALL', 'DEFAULT'):
            raise BootloaderError("the grub backend manages GRUB_CMDLINE_LINUX (kernels=ALL) or GRUB_CMDLINE_LINUX_DEFAULT "
                                  "(kernels=DEFAULT) for every kernel; it cannot target the single kernel '%s'" % kernels)
        self.module = module
        self.runner = runner
        self.kernels = kernels
        self.variable = 'GRUB_CMDLINE_LINUX' if kernels == 'ALL' else 'GRUB_CMDLINE_LINUX_DEFAULT'
        self.default_grub = default_grub
        self.dropin = dropin
        self.grub_cfg = grub_cfg or find_grub_cfg(grub_cfg_candidates)
        if self.grub_cfg is None:
            raise BootloaderError('no grub.cfg (looked for %s)' % ', '.join(grub_cfg_candidates))
        update_grub = which('update-grub')
        mkconfig = which('grub2-mkconfig') or which('grub-mkconfig')
        if update_grub and self.grub_cfg.endswith('/boot/grub/grub.cfg'):
            self.update_command = [update_grub]
        elif mkconfig:
            self.update_command = [mkconfig, '-o', self.grub_cfg]
        else:
            raise BootloaderError('neither update-grub nor grub2-mkconfig/grub-mkconfig found')
        # Only Debian's grub-mkconfig sources /etc/default/grub.d/*.cfg; elsewhere edit /etc/default/grub.
        if mkconfig:
            self.use_dropin = '/default/grub.d/' in (read_text(mkconfig, '') or '')
        else:
            self.use_dropin = os.path.isdir(os.path.dirname(dropin))

    def configured(self):
        lines = grub_cfg_cmdlines(read_text(self.grub_cfg, ''))
        return from_cmdline(lines[0] if lines else '')

    def _files(self, values):
        """[(path, before, after)] for the files this backend writes."""
        if self.use_dropin:
            return [(self.dropin, read_text(self.dropin), render_dropin(self.variable, values))]
        before = read_text(self.default_grub)
        other = 'GRUB_CMDLINE_LINUX_DEFAULT' if self.variable == 'GRUB_CMDLINE_LINUX' else 'GRUB_CMDLINE_LINUX'
        return [(self.default_grub, before, edit_default_grub(before or '', self.variable, values, strip_also=(other,)))]

    def apply(self, values):
        files = self._files(values)
        lines = grub_cfg_cmdlines(read_text(self.grub_cfg, ''))
        generated_ok = bool(lines) and holds(lines[0], values)
        diff = []
        changed_files = []
        for path, before, after in files:
            result = write_file(self.module, path, before, after)
            if result['changed']:
                diff.append(result['diff'])
                changed_files.append((path, before))
        if not changed_files and generated_ok:
            return {'changed': False, 'diff': [], 'configured': self.configured()}
        grub_cfg_before = read_text(self.grub_cfg)
        rc, out, err = self.runner.write(self.update_command, check_rc=False)
        if rc != 0:
            self._restore(changed_files, grub_cfg_before)
            raise BootloaderError('%s failed (rc=%s): %s; the previous files were restored' % (
                ' '.join(self.update_command), rc, (err or out).strip()))
        if self.module.check_mode:
            return {'changed': True, 'diff': diff, 'configured': desired_tokens(values)}
        grub_cfg_after = read_text(self.grub_cfg, '')
        if grub_cfg_before != grub_cfg_after:
            diff.append({'before_header': '%s (generated)' % self.grub_cfg, 'after_header': '%s (generated)' % self.grub_cfg,
                         'before': '\n'.join(grub_cfg_cmdlines(grub_cfg_before)) + '\n', 'after': '\n'.join(grub_cfg_cmdlines(grub_cfg_after)) + '\n'})
        lines = grub_cfg_cmdlines(grub_cfg_after)
        if not lines or not holds(lines[0], values):
            self._restore(changed_files, grub_cfg_before)
            raise BootloaderError('after %s the default entry of %s has %s instead of %s (another grub setting overrides it?); '
                                  'the previous files were restored and grub.cfg regenerated' % (
                                      ' '.join(self.update_command), self.grub_cfg,
                                      ' '.join('crashkernel=%s' % v for v in crashkernel_values(lines[0] if lines else '')) or 'no crashkernel',
                                      ' '.join('crashkernel=%s' % value for value in values) or 'no crashkernel'))
        return {'changed': True, 'diff': diff, 'configured': self.configured()}

    def _restore(self, changed_files, grub_cfg_before):
        """Put the files we wrote back and regenerate grub.cfg from them; when that regeneration fails too,
        put the grub.cfg read before the update back byte for byte (a generator that failed mid-way may have
        left it half written)."""
        for path, before in changed_files:
            restore_file(self.module, path, before)
        rc = 0
        if changed_files:
            rc = self.runner.write(self.update_command, check_rc=False)[0]
        if (rc != 0 or not changed_files) and read_text(self.grub_cfg) != grub_cfg_before:
            restore_file(self.module, self.grub_cfg, grub_cfg_before)
