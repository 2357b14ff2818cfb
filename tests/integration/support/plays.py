# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Small builders for the playbooks the integration tests run.

Playbooks are written as JSON, which is valid YAML, so a test reads as the task it runs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

PASSWORD = "Initial-Passw0rd!"
OTHER_PASSWORD = "Rotated-Passw0rd#"


def task(module, name=None, register=None, ignore_errors=None, **args):
    entry = {"name": name or module, "csp.partnercenter." + module: args}
    if register:
        entry["register"] = register
    if ignore_errors:
        entry["ignore_errors"] = True
    return entry


def play(*tasks, hosts="localhost", **extra):
    body = {"hosts": hosts, "gather_facts": False, "tasks": list(tasks)}
    body.update(extra)
    return json.dumps([body], indent=1)


def user_play(name="user", **args):
    """One partnercenter_user task."""
    return play(task("partnercenter_user", name=name, **args))


def jane(customer_id, **overrides):
    args = dict(customer_id=customer_id, user_principal_name="jane@contoso.onmicrosoft.com", first_name="Jane",
                last_name="Doe", display_name="Jane Doe", usage_location="US", password=PASSWORD)
    args.update(overrides)
    return args
