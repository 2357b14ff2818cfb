# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Every module: member of the action group used with module_defaults, and the standard wording of
    # check_mode and diff_mode; each module gives their support and details (the module's keys win).
    DOCUMENTATION = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/csp.partnercenter.partnercenter) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - csp.partnercenter.partnercenter
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
"""

    # Modules with an action plugin of the same name.
    ACTION = r"""
options: {}
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on
      the controller.
    support: full
"""

    # Modules that only read.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: This module only reads, so it behaves the same in check mode.
  diff_mode:
    support: N/A
    details: This module never changes anything.
"""
