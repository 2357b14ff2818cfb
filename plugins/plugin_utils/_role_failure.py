# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""A failed customer's message as the ``customer_users`` role says it: once, in the role's variables.

The converge task (``partnercenter_customer_users``) fails in these words itself, so an OK customer runs no
second task.  An identity failure (the token request, or Partner Center refusing the token) is the same for
every customer of the run: the first host to meet it says it in full, every other names the cause in a few
words and refers to that host.  "First" is decided across the forks by ``FIRST_TO_SAY``: a few kilobytes of
shared memory and a lock made when this file is imported, in the strategy's process before any worker forks,
so every worker of the run (and only of this run: nothing is written to disk, a correlation id given from
outside and reused by the next run cannot silence it) sees the same record.  Where that sharing is not there
(the file first imported in a worker, or no shared memory), each host says it in full: more words, never fewer.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import mmap
import multiprocessing
import re

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._hints import identity_cause
from ansible_collections.csp.partnercenter.plugins.module_utils._summary import customer_summary

ROLE_NAMES = (
    (re.compile(r"\busers\["), "partnercenter_users["),
    (re.compile(r"^(purge_limit|purge_exclude|purge_max_percent|parallelism):"), r"partnercenter_users_\1:"),
    (re.compile(r"^purge:"), "partnercenter_users_purge:"),
    (re.compile(r"^customer_id:"), "partnercenter_customer_id:"),
    (re.compile(r"^customer_domain:"), "partnercenter_customer_domain:"),
)


def identity_key(result):
    """What makes two hosts' identity failures the same one (a string), or None for any other failure."""
    error = (result or {}).get("error") if isinstance(result, dict) else None
    if not isinstance(error, dict):
        return None
    if PartnerCenterError.from_dict(error).is_identity_failure:
        return json.dumps([error.get("route"), error.get("status"), str(error.get("code"))])
    return None


def role_message(result, host, said_by=None, check_mode=None):
    """``result``'s failure for ``host``, in the role's variables; an identity failure that ``said_by`` (another
    host) said in full is named in a few words.  With ``check_mode`` given, the customer's summary lines follow
    (what was done, or in check mode would be done, before the failure)."""
    message = str((result or {}).get("msg") or "failed")
    for pattern, replacement in ROLE_NAMES:
        message = pattern.sub(replacement, message)
    if said_by is not None and said_by != host:
        cause = identity_cause(PartnerCenterError.from_dict(result["error"]))
        message = "%s: %s: the same identity failure as %s, where what to do next is said in full: %s" % (
            host, cause or "an identity failure", said_by, message.split(" (", 1)[0])
    else:
        message = "%s: %s" % (host, message)
    if check_mode is not None and isinstance(result, dict) and result.get("summary"):
        message = "\n".join([message] + customer_summary(str(host), result, bool(check_mode)))
    return message


class FirstToSay(object):
    """Which host says each identity failure of the run in full, shared by every fork made after this object."""

    SIZE = 64 * 1024

    def __init__(self):
        try:
            self._memory = mmap.mmap(-1, self.SIZE)  # anonymous and shared: forks see one another's writes
            self._lock = multiprocessing.get_context("fork").Lock()
        except (OSError, ValueError, ImportError):  # no shared memory or semaphores here: each host says it in full
            self._memory = self._lock = None

    def claim(self, key, host):
        """The host that says the failure ``key`` in full: ``host`` unless another host claimed it first."""
        if self._memory is None:
            return host
        with self._lock:
            raw = self._memory[:].split(b"\0", 1)[0]
            said = json.loads(raw.decode("utf-8")) if raw else {}
            if key in said:
                return said[key]
            said[key] = host
            data = json.dumps(said).encode("utf-8") + b"\0"
            if len(data) <= self.SIZE:  # else not recorded: a later host says it in full too
                self._memory.seek(0)
                self._memory.write(data)
            return host


FIRST_TO_SAY = FirstToSay()


def failure_message(result, host, check_mode):
    """The converge task's message for the failed ``result`` of ``host``, said once per customer."""
    key = identity_key(result)
    said_by = FIRST_TO_SAY.claim(key, str(host)) if key is not None else None
    return role_message(result, host, said_by, check_mode)
