# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""One ``MS-CorrelationId`` for a whole run: every request of every task, host and fork.

The controller's main process (the strategy's, where the action plugins, the report callback and
the inventory plugin are first loaded) calls ``start_run()`` before any worker forks: it keeps a
``PARTNERCENTER_CORRELATION_ID`` given from outside, or sets a new GUID in its own environment,
which every fork (and every module process it starts on a local connection) inherits.  A task
reads it with ``run_correlation_id()``: the run's id, or a new one for a task outside such a run
(a module process on another host, which does not inherit the controller's environment, unless
the action plugin passes the variable on; ``_task_action`` does).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import uuid

from ansible_collections.csp.partnercenter.plugins.module_utils._validation import check_guid, is_guid

VARIABLE = "PARTNERCENTER_CORRELATION_ID"


def run_correlation_id(environ=None):
    """The run's correlation id (lower case); a new one if none is set; InputError naming the variable if
    it is set and not a GUID (Partner Center wants a GUID in ``MS-CorrelationId``)."""
    value = (os.environ if environ is None else environ).get(VARIABLE)
    if value is None or not value.strip():
        return str(uuid.uuid4())
    return check_guid(VARIABLE, value.strip())


def start_run(environ=None):
    """In the controller's main process, before the forks: the run's id, set in ``environ`` when it was not.

    A value that is not a GUID is left as it is (each task then fails naming the variable, before any
    request) and None is returned: loading a plugin must not fail.
    """
    environ = os.environ if environ is None else environ
    value = (environ.get(VARIABLE) or "").strip()
    if not value:
        value = environ[VARIABLE] = str(uuid.uuid4())
    return value.lower() if is_guid(value) else None
