# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cross-distro kdump vocabulary, written to and read back from each family's configuration file.

One set of option names (path, target, dump_level, compression, failure_action, ...) is translated to
``/etc/kdump.conf`` directives (RHEL family), ``/etc/default/kdump-tools`` variables (Debian/Ubuntu) or
``/etc/sysconfig/kdump`` variables (SUSE), refusing what the distro's own tooling would reject when the
machine has already crashed. Which key each option owns and how is the family table's business
(``_family_*``); this engine validates the input, checks the ``settings`` passthrough against the table, asks
each of the table's options for its edits and applies them line-preservingly.

``effective_config(family, text)`` is the reverse direction and is shared with kdump_verify.
``family`` is a family name or a FamilyTable. Everything here is pure: no host access.
"""

from __future__ import annotations

from ansible_collections.fleet.kdump.plugins.module_utils import makedumpfile
from ansible_collections.fleet.kdump.plugins.module_utils._family import (
    COMPRESSION_CHOICES, FAILURE_ACTIONS, FINAL_ACTIONS, Context, Host, SettingsError, check_dump_level)
from ansible_collections.fleet.kdump.plugins.module_utils._families import OPTION_NAMES, get
from ansible_collections.fleet.kdump.plugins.module_utils.common import parse_int


# ---------------------------------------------------------------------------------------------
# validation of the options (independent of the current file)

def check_options(table, options):
    """Checks common to every family; raise SettingsError on bad input."""
    listed = table.option_names()
    for name in sorted(options):
        if name != 'settings' and name not in listed and options[name] is not None:
            raise SettingsError('%s %r is not supported on %s: %s has no such setting'
                                % (name, options[name], table.name, table.config_file))
    path = options.get('path')
    if path is not None and not str(path).startswith('/'):
        raise SettingsError('path %r is relative; use an absolute path such as /var/crash' % (path,))
    if options.get('dump_level') is not None:
        options['dump_level'] = check_dump_level(options['dump_level'])
    compression = options.get('compression')
    if compression is not None and compression not in makedumpfile.COMPRESSIONS:
        raise SettingsError('compression %r is invalid; valid: %s' % (compression, ', '.join(COMPRESSION_CHOICES)))
    for name, valid in (('failure_action', FAILURE_ACTIONS), ('final_action', FINAL_ACTIONS)):
        if options.get(name) is not None and options[name] not in valid:
            raise SettingsError('%s %r is invalid; valid: %s' % (name, options[name], ', '.join(valid)))
    keep = options.get('keep_dumps')
    if keep is not None and (isinstance(keep, bool) or parse_int(keep) is None or parse_int(keep) < 0):
        raise SettingsError('keep_dumps %r is invalid: use an integer >= 0 (0 keeps every dump)' % (keep,))
    texts = [(name, options.get(name)) for name in ('path', 'ssh_key', 'core_collector', 'pre_hook', 'post_hook')]
    # An empty dracut_args removes the directive (documented), so there is no value to check.
    if options.get('dracut_args') != '':
        texts.append(('dracut_args', options.get('dracut_args')))
    texts += [(name, value) for name in ('extra_bins', 'extra_modules') for value in options.get(name) or ()]
    texts.append(('target.location', (options.get('target') or {}).get('location')))
    for name, value in texts:
        if value is not None:
            try:
                table.file_format.check_value(name, str(value))
            except ValueError as exc:
                raise SettingsError('%s: %s' % (name, exc))


def _settings_text(table, key, value):
    """A settings value as the string the file holds (None = remove the key)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return table.bool_text(key, value)
    if isinstance(value, (list, tuple)):
        return ' '.join(str(item) for item in value)
    return str(value)


def check_settings(family, settings, given_options, version=None):
    """Validate the ``settings`` passthrough for ``family``; return {key: string or None}."""
    table = get(family)
    deprecated = table.deprecated_settings(version)
    option_keys = table.option_keys()
    result = {}
    for key, value in (settings or {}).items():
        if key in table.reserved_settings:
            raise SettingsError(table.reserved_settings[key])
        if key in deprecated:
            raise SettingsError('settings key %r is deprecated and refused by the %s kdump tooling; use %s instead'
                                % (key, table.family, deprecated[key]))
        if key not in table.settings_keys:
            raise SettingsError('settings key %r is not a known %s kdump setting; valid: %s'
                                % (key, table.family, ', '.join(sorted(table.settings_keys))))
        for option, keys in option_keys.items():
            if key in keys and given_options.get(option) is not None:
                raise SettingsError('settings key %r conflicts with the %s option; set it only once' % (key, option))
        text = _settings_text(table, key, value)
        if text is not None:
            try:
                table.file_format.check_value(key, text)
            except ValueError as exc:
                raise SettingsError(table.file_format.setting_error(key, exc))
        result[key] = text
    return result


# ---------------------------------------------------------------------------------------------
# writing

def desired_updates(family, options, current_text, version=None, host=None):
    """The (key, value-or-None) edits that realise ``options`` on top of ``current_text``.

    ``options`` uses the module's option names; ``compression`` must already be resolved
    (never 'auto'). ``host`` (a Host) gives the family's rules the host's version and tools; without it
    ``version`` alone is known. Returns (updates, warnings). Raises SettingsError on bad input.
    """
    table = get(family)
    host = host or Host(version=version)
    options = dict(options)
    check_options(table, options)
    settings = check_settings(table, options.get('settings'), options, host.version)
    ctx = Context(table, current_text, options, host, settings)
    updates = []
    for option in table.options:
        updates.extend(option.write(ctx))
    table.adjust_settings(settings, ctx.warnings)
    updates.extend(sorted(settings.items()))
    return updates, ctx.warnings


def apply_merge(family, current_text, updates):
    """Apply ``updates`` to ``current_text`` keeping every other line byte-for-byte."""
    return get(family).file_format.apply_updates(current_text, updates)


def render_exclusive(family, updates, header_lines):
    """A whole file holding exactly ``updates`` (removals dropped) under ``header_lines``."""
    table = get(family)
    entries = list(table.exclusive_base)
    seen = dict((key, index) for index, (key, _value) in enumerate(entries))
    for key, value in updates:
        if key in seen:
            entries[seen[key]] = (key, value)
        else:
            seen[key] = len(entries)
            entries.append((key, value))
    return table.file_format.render_exclusive(header_lines, [(key, value) for key, value in entries
                                                             if value is not None])


def validate_result(family, text):
    """Problems the distro tooling would report for ``text`` (kdump.conf only; [] elsewhere)."""
    return get(family).file_format.errors(text)


def findings(family, text):
    """Non-fatal problems in an (already written or kept) file, as readable strings."""
    table = get(family)
    return table.findings(table.file_format.parse(text).values())


# ---------------------------------------------------------------------------------------------
# reading back: the cross-distro view of a file

def effective_config(family, text):
    """Parse a config file's text into the cross-distro vocabulary (kdump_config's ``config`` return)."""
    table = get(family)
    ctx = Context(table, text or '')
    config = dict((name, None) for name in OPTION_NAMES)
    config['raw'] = ctx.values
    for option in table.options:
        config.update(option.read(ctx))
    return config
