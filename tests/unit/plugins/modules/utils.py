# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared helpers for fleet.kdump module unit tests.

Usage::

    from ansible_collections.fleet.kdump.tests.unit.plugins.modules.utils import (
        AnsibleExitJson, AnsibleFailJson, patch_module, set_module_args)

    def test_x(patch_module):
        with set_module_args({'size': '256M', '_ansible_check_mode': True}):
            with pytest.raises(AnsibleExitJson) as exc:
                my_module.main()
        result = exc.value.args[0]
"""

from __future__ import annotations

import contextlib
import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

try:  # ansible-core >= 2.19 ships the supported helper (it also sets the serialization profile)
    from ansible.module_utils.testing import patch_module_args as _patch_module_args
except ImportError:  # pragma: no cover - older ansible-core
    _patch_module_args = None


class AnsibleExitJson(Exception):
    """Raised instead of exiting when a module calls exit_json; args[0] is the result dict."""


class AnsibleFailJson(Exception):
    """Raised instead of exiting when a module calls fail_json; args[0] is the result dict."""


@contextlib.contextmanager
def set_module_args(args):
    """Expose ``args`` (a dict, may hold ``_ansible_check_mode`` / ``_ansible_diff``) to AnsibleModule."""
    args = dict(args or {})
    if _patch_module_args is not None:
        with _patch_module_args(args):
            yield
        return
    saved_args = basic._ANSIBLE_ARGS
    saved_profile = getattr(basic, '_ANSIBLE_PROFILE', None)
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
    if hasattr(basic, '_ANSIBLE_PROFILE'):
        basic._ANSIBLE_PROFILE = 'legacy'
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = saved_args
        if hasattr(basic, '_ANSIBLE_PROFILE'):
            basic._ANSIBLE_PROFILE = saved_profile


def exit_json(self, **kwargs):
    kwargs.setdefault('changed', False)
    raise AnsibleExitJson(kwargs)


def fail_json(self, msg=None, **kwargs):
    kwargs['failed'] = True
    kwargs['msg'] = msg
    kwargs.pop('exception', None)
    raise AnsibleFailJson(kwargs)


@pytest.fixture
def patch_module(monkeypatch):
    """Make AnsibleModule.exit_json/fail_json raise AnsibleExitJson/AnsibleFailJson."""
    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
    return monkeypatch


def run_module(main, args):
    """Run ``main`` with ``args``; return (result dict, failed bool). Needs the patch_module fixture active."""
    with set_module_args(args):
        try:
            main()
        except AnsibleExitJson as exc:
            return exc.args[0], False
        except AnsibleFailJson as exc:
            return exc.args[0], True
    raise AssertionError('module returned without calling exit_json or fail_json')
