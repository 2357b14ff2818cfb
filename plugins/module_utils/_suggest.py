# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

""""Did you mean ...?": the closest known name to a misspelt one."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MAX_EDITS = 2


def edit_distance(first, second):
    """Optimal string alignment distance (Damerau-Levenshtein without repeated edits of one substring)."""
    previous2, previous = None, list(range(len(second) + 1))
    for i in range(1, len(first) + 1):
        current = [i] + [0] * len(second)
        for j in range(1, len(second) + 1):
            cost = 0 if first[i - 1] == second[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and first[i - 1] == second[j - 2] and first[i - 2] == second[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(second)]


def closest(name, known, max_edits=MAX_EDITS):
    """The known name at most ``max_edits`` edits from ``name`` (the nearest, then alphabetically), or None."""
    ranked = sorted((edit_distance(name, k), k) for k in known if k != name)
    return ranked[0][1] if ranked and ranked[0][0] <= max_edits else None


def near_miss_messages(names, known, prefix=""):
    """One message per name of ``names`` (starting with ``prefix``) that is not known but close to a known one."""
    known = [str(k) for k in known]
    messages = []
    for name in sorted(set(str(n) for n in names if str(n).startswith(prefix)) - set(known)):
        meant = closest(name, known)
        if meant:
            messages.append("%s is not a variable of this role; did you mean %s?" % (name, meant))
    return messages


def unknown_keys(spec, values, prefix=""):
    """[(path, suggestion)] for keys of ``values`` that ``spec`` (an argument spec) does not know, nested too."""
    if not isinstance(values, dict):
        return []
    known = set()
    for name, option in spec.items():
        known.add(name)
        known.update(option.get("aliases") or [])
    found = []
    for key, value in values.items():
        if key not in known:
            found.append((prefix + key, closest(key, sorted(known))))
            continue
        option = spec.get(key) or next((o for o in spec.values() if key in (o.get("aliases") or [])), {})
        suboptions = option.get("options")
        if suboptions and isinstance(value, dict):
            found.extend(unknown_keys(suboptions, value, "%s%s." % (prefix, key)))
        elif suboptions and isinstance(value, list):
            for position, item in enumerate(value):
                found.extend(unknown_keys(suboptions, item, "%s%s[%d]." % (prefix, key, position)))
    return found
