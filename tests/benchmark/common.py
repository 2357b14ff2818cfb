# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the scenarios share: names, seeds, declared users, the two common plays, small helpers."""

from __future__ import annotations

import json
import math
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
PASSWORD = "Bench-Passw0rd!"
PAGE_SIZE = 500  # what the collection asks for; the emulator's max_page_size
ROLE = "csp.partnercenter.customer_users"
MODULE = "csp.partnercenter.partnercenter_user"
GROUP = "partnercenter_customers"


def pages(users: int) -> int:
    """List requests for one walk over ``users`` active users (an empty customer still costs one)."""
    return max(1, math.ceil(users / PAGE_SIZE))


def log(message: str) -> None:
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), message), file=sys.stderr, flush=True)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt_ratio(value) -> str:
    return "%.2fx" % value if value is not None else "n/a"


def dump_yaml(data) -> str:
    # JSON is valid YAML and needs no third-party library.
    return json.dumps(data, indent=1) + "\n"


# --------------------------------------------------------------------------- customers and users


@dataclass(frozen=True)
class TenantSizes:
    """The sizes of a one-customer no-op scenario: users the customer has, users declared."""
    existing: int
    declared: int


def customer_id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "https://csp.partnercenter/benchmark/" + name))


def customer_seed(name: str, existing: int = 0) -> dict:
    entry = {"id": customer_id(name), "companyName": "Bench %s" % name, "domain": "%s.onmicrosoft.com" % name}
    if existing:
        entry["generate_users"] = {"count": existing, "prefix": "user"}
    return entry


def existing_users(name: str, count: int, total: int) -> list:
    """Declarations that match the emulator's generated users exactly (a no-op converge)."""
    width = max(5, len(str(total)))
    users = []
    for n in range(1, count + 1):
        number = str(n).zfill(width)
        users.append({"user_principal_name": "user%s@%s.onmicrosoft.com" % (number, name),
                      "first_name": "User", "last_name": number, "display_name": "User %s" % number,
                      "usage_location": "US", "password": PASSWORD})
    return users


def new_users(name: str, count: int) -> list:
    return [{"user_principal_name": "new%05d@%s.onmicrosoft.com" % (n, name), "first_name": "New",
             "last_name": "%05d" % n, "display_name": "New %05d" % n, "usage_location": "US",
             "password": PASSWORD} for n in range(1, count + 1)]


# --------------------------------------------------------------------------- plays


def role_play() -> list:
    return [{"name": "Converge customers (as playbooks/provision_customers.yml)", "hosts": GROUP,
             "connection": "local", "gather_facts": False, "roles": [{"role": ROLE}]}]


def fleet_form_play() -> list:
    """The role in its large-fleet form (roles/customer_users/README.md): imported with ``rolespec_validate:
    false``, so ansible-core adds no argument-check task per host; the converge step checks the same spec."""
    return [{"name": "Converge customers (the large-fleet form)", "hosts": GROUP, "connection": "local",
             "gather_facts": False, "tasks": [{"name": "Converge every customer", "ansible.builtin.import_role": {
                 "name": ROLE, "rolespec_validate": False}}]}]


def module_play() -> list:
    """One ``partnercenter_user`` task, many-users form, from the host vars."""
    return [{"name": "One module call, many users", "hosts": GROUP, "connection": "local",
             "gather_facts": False,
             "tasks": [{"name": "Converge users", MODULE: {
                 "customer_id": "{{ partnercenter_customer_id }}", "users": "{{ partnercenter_users }}",
                 "parallelism": "{{ partnercenter_users_parallelism | default(4) }}"}}]}]
