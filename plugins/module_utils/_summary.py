# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""What a person reads about one customer after a ``partnercenter_user`` task with ``users``.

One line of counts, then a line per non-zero action naming its users (and, for updates,
the fields), the users ``purge_exclude`` kept, and each failure's reason: one refusal that
several users met (a GDAP 403 for every create) is said once, with the users it applies to.
In check mode it says "would".  UPNs, names and reasons come from Partner Center: every line is
``printable`` (one line, no control character a terminal or log reader would act on).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils._scrub import printable

# action -> (what a real run did, what check mode predicts)
VERBS = (("created", "would create"), ("updated", "would update"), ("restored", "would restore"),
         ("deleted", "would delete"), ("renamed", "would rename"), ("offboarded", "would offboard"))


# A failure said once for several users names at most this many of them (failed_users lists each).
UPNS_NAMED = 10


def named_upns(upns, count=None):
    """At most UPNS_NAMED of ``upns``, then how many more (of ``count``, when the list itself is bounded)."""
    count = len(upns) if count is None else count
    named = ", ".join(str(u) for u in upns[:UPNS_NAMED])
    return named + (" and %d more" % (count - UPNS_NAMED) if count > UPNS_NAMED else "")


def _explained_refusal(entry):
    """What makes failures "the same": Partner Center's answer and the explanation after it, or None.

    ``msg`` is ``PartnerCenterError.full_message()``: the message, the details ending with the request
    id, then what to do next.  Only failures that carry such an explanation are grouped; the request id
    is left out (parallel writers each met the refusal), and so is the message before the details, where
    a failure not sent again says so.
    """
    error = entry.get("error") or {}
    request_id, msg = error.get("request_id"), entry.get("msg") or ""
    if not request_id or request_id not in msg:
        return None
    explanation = msg[msg.rindex(request_id) + len(request_id):].lstrip(") ")
    if not explanation:
        return None
    return (error.get("route"), error.get("status"), str(error.get("code")), error.get("description"), explanation)


def failure_groups(failed_users):
    """``failed_users`` (the result's list) as groups of the same failure, in the order first met."""
    groups, by_key = [], {}
    for entry in failed_users or []:
        key = _explained_refusal(entry)
        if key is not None and key in by_key:
            by_key[key].append(entry)
            continue
        group = [entry]
        groups.append(group)
        if key is not None:
            by_key[key] = group
    return groups


def failure_text(group):
    """One group of ``failure_groups``: "upn: msg", or the first msg once for the users it applies to."""
    first = group[0]
    if len(group) == 1:
        return "%s: %s" % (first.get("user_principal_name"), first.get("msg"))
    upns = [str(entry.get("user_principal_name")) for entry in group]
    named = ", ".join(upns[:UPNS_NAMED])
    if len(upns) > UPNS_NAMED:
        named += " and %d more (failed_users lists each)" % (len(upns) - UPNS_NAMED)
    return "%d users (%s): %s" % (len(upns), named, first.get("msg"))


def _removed_text(user):
    removed = (user.get("offboarding") or {}).get("removed") or {}
    parts = ["%s: %s" % (name.replace("_", " "), ", ".join(
        item["sku"] if isinstance(item, dict) else str(item) for item in values))
        for name, values in sorted(removed.items()) if values]
    return "; ".join(parts) or "nothing"


def _changed_fields(result, upn):
    after = ((result.get("diff") or {}).get("after") or {}).get(upn) or {}
    return sorted(k for k in after if k not in ("state", "user_principal_name"))


def customer_summary(host, result, check_mode=False):
    """Lines describing ``result`` (the registered result of the many-users form) for ``host``."""
    summary = dict(result.get("summary") or {})
    if not summary:
        return [printable("%s: %s" % (host, result.get("msg") or "no result"))]
    # the counts of the result's summary, as the report's totals count them: a purge is no delete
    if check_mode:
        head = "%s (check mode, nothing was changed): would create %d, would update %d, would restore %d, " \
               "would delete %d, would purge %d, %d unchanged" % (
                   host, summary.get("created", 0), summary.get("updated", 0), summary.get("restored", 0),
                   summary.get("deleted", 0), summary.get("purged", 0), summary.get("unchanged", 0))
    else:
        head = "%s: %d created, %d updated, %d restored, %d deleted, %d purged, %d unchanged" % (
            host, summary.get("created", 0), summary.get("updated", 0), summary.get("restored", 0),
            summary.get("deleted", 0), summary.get("purged", 0), summary.get("unchanged", 0))
    for action in ("renamed", "offboarded"):
        if summary.get(action):
            head += ", %s %d" % (dict(VERBS)[action], summary[action]) if check_mode else \
                ", %d %s" % (summary[action], action)
    if summary.get("failed"):
        head += ", %d failed" % summary["failed"]
    lines = [head]
    users = result.get("users") or []
    for action, predicted in VERBS:
        chosen = [u for u in users if u.get("action") == action]
        named = [u.get("user_principal_name") for u in chosen]
        if not named:
            continue
        if action == "updated":
            named = ["%s (%s)" % (upn, ", ".join(_changed_fields(result, upn)) or "password") for upn in named]
        elif action == "renamed":
            named = ["%s -> %s" % (u.get("previous_user_principal_name"), u.get("user_principal_name")) for u in chosen]
        elif action == "offboarded":
            named = ["%s (removed %s)" % (u.get("user_principal_name"), _removed_text(u)) for u in chosen]
        lines.append("  %s: %s" % (predicted if check_mode else action, ", ".join(named)))
    purged = [u.get("user_principal_name") for u in result.get("purged") or []]
    if purged:
        lines.append("  %s: %s" % ("would purge" if check_mode else "purged", ", ".join(purged)))
    kept = result.get("purge_excluded") or []
    if kept:
        lines.append("  kept by purge_exclude: %s" % ", ".join(kept))
    if summary.get("undeclared"):
        lines.append("  not declared, left active (purge is off): %d: %s" % (
            summary["undeclared"], named_upns(result.get("undeclared_users") or [], summary["undeclared"])))
    for group in failure_groups(result.get("failed_users")):
        lines.append("  %s: %s" % ("would fail" if check_mode else "failed", failure_text(group)))
    return [printable(line) for line in lines]
