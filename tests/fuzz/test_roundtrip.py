# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Round trips of the parsers, for any input hypothesis makes up.

* parse -> render is byte-identical for any text (kdump.conf and the shell-env files, both LineDocuments);
* render -> parse gives back the settings rendered (kdump.conf directives, shell assignments);
* crashkernel parse -> str -> parse is stable (the same parsed value, and str is a fixed point).
"""

from __future__ import annotations

from hypothesis import given, strategies as st

from ansible_collections.fleet.kdump.plugins.module_utils import crashkernel, kdump_conf, shellenv
from ansible_collections.fleet.kdump.tests.fuzz._counts import COUNTS

# Text as files hold it: any character, with newlines, CRs, quotes, '#', '$', '\\', form feeds and other
# separators Python's splitlines() knows but sh and kdumpctl do not, made likely.
SPECIAL = st.sampled_from(['\n', '\r\n', '\r', '#', '"', "'", '\\', '$', '`', '=', ' ', '\t', '\x0b', '\x0c',
                           '\x1c', '\x85', '\u2028', 'export ', 'path ', 'KDUMP_', '\x00'])
ANY_TEXT = st.lists(st.one_of(st.text(max_size=12), SPECIAL), max_size=40).map(''.join)


def count(name):
    COUNTS[name] += 1


@given(ANY_TEXT)
def test_kdump_conf_parse_render_is_byte_identical(text):
    count('kdump.conf parse -> render byte-identical')
    assert kdump_conf.parse(text).render() == text


@given(ANY_TEXT)
def test_shellenv_parse_render_is_byte_identical(text):
    count('shell-env parse -> render byte-identical')
    assert shellenv.parse(text).render() == text


# A kdump.conf value: no newline, CR or '#' (check_value refuses them); render_line strips the ends.
CONF_VALUE = st.text(st.characters(blacklist_characters='\n\r#', blacklist_categories=('Cs',)), min_size=1, max_size=30)
DIRECTIVE = st.sampled_from(sorted(kdump_conf.KNOWN_DIRECTIVES))


@given(st.dictionaries(DIRECTIVE, CONF_VALUE, max_size=8), st.lists(st.text(max_size=20).filter(
    lambda line: '\n' not in line and '\r' not in line), max_size=3))
def test_kdump_conf_render_parse_gives_back_the_settings(settings, header):
    # an empty value is refused (check_value); render_line writes a value without its outer blanks
    settings = dict((key, value) for key, value in settings.items() if value.strip())
    count('kdump.conf render -> parse same settings')
    text = kdump_conf.render_exclusive(header, sorted(settings.items()))
    assert kdump_conf.parse(text).values() == dict((key, value.strip()) for key, value in settings.items())


@given(st.dictionaries(DIRECTIVE, CONF_VALUE, max_size=6), ANY_TEXT)
def test_kdump_conf_apply_updates_then_parse_holds_each_update(settings, base):
    settings = dict((key, value.strip()) for key, value in settings.items() if value.strip())
    # one target slot: keep at most one target directive among the updates
    targets = [key for key in settings if key in kdump_conf.TARGET_DIRECTIVES]
    for key in targets[1:]:
        del settings[key]
    count('kdump.conf apply_updates -> parse holds updates')
    values = kdump_conf.parse(kdump_conf.apply_updates(base, sorted(settings.items()))).values()
    for key, value in settings.items():
        assert values[key] == value


SHELL_NAME = st.from_regex(r'\A[A-Za-z_][A-Za-z0-9_]{0,15}\Z')
SHELL_VALUE = st.text(st.characters(blacklist_characters='\n\r\x00', blacklist_categories=('Cs',)), max_size=30)


@given(st.dictionaries(SHELL_NAME, SHELL_VALUE, max_size=8), st.lists(st.text(max_size=20).filter(
    lambda line: '\n' not in line and '\r' not in line), max_size=3))
def test_shellenv_render_parse_gives_back_the_settings(settings, header):
    count('shell-env render -> parse same settings')
    text = shellenv.render_exclusive(header, sorted(settings.items()))
    document = shellenv.parse(text)
    assert document.values() == settings
    assert all(line.exact for line in document.lines if line.is_assignment)


@given(st.dictionaries(SHELL_NAME, st.one_of(st.none(), SHELL_VALUE), max_size=6), ANY_TEXT)
def test_shellenv_apply_updates_then_parse_holds_each_update(updates, base):
    count('shell-env apply_updates -> parse holds updates')
    values = shellenv.parse(shellenv.apply_updates(base, sorted(updates.items()))).values()
    for name, value in updates.items():
        if value is None:
            assert name not in values
        else:
            assert values[name] == value


UNIT = st.sampled_from(['', 'K', 'M', 'G', 'T', 'k', 'm', 'g'])
NUMBER = st.one_of(st.integers(0, 1 << 20).map(str), st.integers(0, 1 << 40).map(hex))
SIZE = st.builds(lambda n, u: n + u, NUMBER, UNIT)
RANGE = st.builds(lambda a, b, s: '%s-%s:%s' % (a, b, s), SIZE, st.one_of(st.just(''), SIZE), SIZE)
CRASHKERNEL = st.one_of(
    SIZE,
    st.builds(lambda s, o: '%s@%s' % (s, o), SIZE, SIZE),
    st.lists(RANGE, min_size=1, max_size=4).map(','.join),
    st.builds(lambda r, o: '%s@%s' % (','.join(r), o), st.lists(RANGE, min_size=1, max_size=3), SIZE),
    st.builds(lambda s, k: '%s,%s' % (s, k), SIZE, st.sampled_from(['high', 'low', 'cma', 'medium'])),
    st.just('auto'),
    st.text(st.sampled_from('0123456789xXabcdefKMGTPE-:,@ high'), max_size=24),
)


@given(CRASHKERNEL)
def test_crashkernel_parse_str_parse_is_stable(value):
    count('crashkernel parse -> str -> parse stable')
    try:
        spec = crashkernel.parse(value, strict=False)
    except ValueError as exc:
        # a refusal names the value and the valid forms
        assert "invalid crashkernel value '%s'" % value in str(exc) and crashkernel.VALID_FORMS in str(exc)
        return
    count('crashkernel parse -> str -> parse stable, of which parsed')
    text = str(spec)
    again = crashkernel.parse(text, strict=False)
    assert again == spec
    assert str(again) == text
    # what a bootloader reads back is the same reservation on every machine size
    for ram in (0, 1 << 30, 3 << 30, 64 << 30, 1 << 40):
        assert again.size_for(ram) == spec.size_for(ram)
