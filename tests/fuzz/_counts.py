# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fleet.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Examples each property ran (one module object, whatever name pytest gives conftest)."""

from __future__ import annotations

import collections

COUNTS = collections.Counter()
