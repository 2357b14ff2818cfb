# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""One ``partnercenter_user`` task from its parameters to its result.

The wiring between the declared users (``_declared``), the Partner Center API classes
(``_users``, ``_directory``), the planner and executor (``_planner``, ``_converge``) and
the result (``_results``).  Another backend would plug its API classes in here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils._converge import (
    Executor, MembershipSource, UserDirectory, plan_users, purge_plans,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._declared import declared_from_params
from ansible_collections.csp.partnercenter.plugins.module_utils._directory import DirectoryAPI
from ansible_collections.csp.partnercenter.plugins.module_utils._results import many_result, single_result
from ansible_collections.csp.partnercenter.plugins.module_utils._users import UsersAPI


def secrets_of(params):
    """Every password a task declares, for the scrubber."""
    passwords = [params.get("password")]
    passwords.extend(item.get("password") for item in params.get("users") or [] if isinstance(item, dict))
    return [p for p in passwords if p]


def run_user_task(params, client_for, check_mode):
    """The ``TaskResult`` of one task; every input is checked before the first request.

    ``client_for(pool_size)`` builds the Partner Center client only once the inputs are good.
    """
    desired, many = declared_from_params(params)
    parallelism = params["parallelism"] if many else 1
    client = client_for(max(10, parallelism))
    customer_id = params["customer_id"]
    api = UsersAPI(client, customer_id)
    memberships = MembershipSource(DirectoryAPI(client, customer_id))
    directory = UserDirectory(api)
    plans = plan_users(directory, desired if many else [desired], memberships=memberships, parallelism=parallelism)
    purges = []
    if many and params["purge"]:
        purges = purge_plans(directory.active, set(d.key for d in desired), params["purge_exclude"],
                             params["purge_limit"], params["purge_max_percent"])
    executor = Executor(api, check_mode=check_mode, memberships=memberships, parallelism=parallelism,
                        retry_budget=client.loop.retry_budget)
    outcomes = executor.apply_all(plans + purges)
    return many_result(outcomes, len(plans)) if many else single_result(outcomes[0])
