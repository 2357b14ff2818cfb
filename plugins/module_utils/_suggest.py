# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

""""Did you mean ...?": the closest known name to a misspelt one, the role variables a host's variable looks like,
and which unsupported keys hold a secret."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.common.validation import check_type_dict, check_type_list

MAX_EDITS = 2
_SEPARATORS = re.compile(r"[\s_\-.]+")


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


def within_edits(first, second, limit):
    """Whether ``edit_distance(first, second) <= limit``: only cells within ``limit`` of the diagonal are computed,
    and it gives up as soon as no cell is within ``limit`` (a role task checks every one of its variable names
    against every role variable, so most pairs are far apart)."""
    if abs(len(first) - len(second)) > limit:
        return False
    over = limit + 1  # any distance above the limit
    previous2, previous = None, [min(j, over) for j in range(len(second) + 1)]
    for i in range(1, len(first) + 1):
        low, high = max(1, i - limit), min(len(second), i + limit)
        current = [over] * (len(second) + 1)
        current[0] = min(i, over)
        for j in range(low, high + 1):
            cost = 0 if first[i - 1] == second[j - 1] else 1
            cell = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and first[i - 1] == second[j - 2] and first[i - 2] == second[j - 1]:
                cell = min(cell, previous2[j - 2] + 1)
            current[j] = min(cell, over)
        if min(current) > limit and min(previous) > limit:  # every later cell builds on one of these two rows
            return False
        previous2, previous = previous, current
    return previous[len(second)] <= limit


def closest(name, known, max_edits=MAX_EDITS):
    """The known name at most ``max_edits`` edits from ``name`` (the nearest, then alphabetically), or None."""
    ranked = sorted((edit_distance(name, k), k) for k in known if k != name)
    return ranked[0][1] if ranked and ranked[0][0] <= max_edits else None


# Short forms people write for a word of a directory role's or a product's name.
_ABBREVIATIONS = {"admin": "administrator", "admins": "administrators", "adm": "administrator",
                  "mgr": "manager", "ms": "microsoft", "m365": "microsoft365", "o365": "office365"}


def _display_form(name):
    """``name`` compared as a display name: lower case, abbreviations written out, without separators."""
    return "".join(_ABBREVIATIONS.get(word, word) for word in words(name))


def closest_name(given, known):
    """The display name among ``known`` that ``given`` most likely means (a role, a product), or None.

    Compared in lower case without separators and with abbreviations written out (Helpdesk Admin is Helpdesk
    Administrator), within a letter or two for short names and up to one in five letters for longer ones
    (Global Adminstrator, Microsoft 365 E5 for E3's product name is one letter).
    """
    form = _display_form(given)
    if not form:
        return None
    allowed = max(1, min(4, len(form) // 5))
    ranked = sorted((edit_distance(form, _display_form(k)), k) for k in known if k)
    ranked = [(distance, k) for distance, k in ranked if distance <= allowed]
    return ranked[0][1] if ranked else None


def squeezed(name):
    """``name`` in lower case without separators: PartnerCenter-Users and partner_center_users are one name."""
    return _SEPARATORS.sub("", str(name).lower())


def separated(name):
    """``name`` in lower case with one ``_`` for each run of separators."""
    return _SEPARATORS.sub("_", str(name).lower())


def words(name):
    return [word for word in _SEPARATORS.split(str(name).lower()) if word]


def edits_allowed(name):
    """How many edits still make a typo of ``name``: two from eight letters, one from four, none below."""
    return min(MAX_EDITS, len(name) // 4)


# What people type for the prefix ``partnercenter_`` (lower case, without separators): the British spelling,
# the programme's full name, abbreviations.  After a short one (SHORT_SPELLING letters or fewer) a role
# variable's own ending must follow exactly: pc_user or csp_policy are somebody else's.
PARTNERCENTER_SPELLINGS = tuple(
    lead + core for lead in ("", "ms", "microsoft", "csp")
    for core in ("partnercenter", "partnercentre", "partnercentr", "partnerctr", "partnercntr")) + (
    "pcenter", "pcentre", "pctr", "pc", "mpc", "mspc", "csp")
SHORT_SPELLING = 4

CASE = "the same name in other capitals or separators"
ORDER = "the same words in another order"
TYPO = "a letter or two apart"
SPELLING = "another spelling of the %s prefix"
WORD_MISSING = "a word of it missing"


def _is_subsequence(part, whole):
    rest = iter(whole)
    return all(word in rest for word in part)


def _pieces(text, count):
    """``text`` in ``count`` pieces of (nearly) one length; [""] (in every text) when it is shorter than that."""
    if len(text) < count:
        return [""]
    bounds = [len(text) * number // count for number in range(count + 1)]
    return [text[bounds[number]:bounds[number + 1]] for number in range(count)]


def _any_of(texts):
    """A pattern that finds any of ``texts`` (never matches when there are none)."""
    return re.compile("|".join(re.escape(text) for text in texts) if texts else "(?!)")


class _Known(object):
    """The known names in each form the rules compare, made once per check of a host's variables."""

    def __init__(self, known, prefix, spellings):
        self.names = [str(k) for k in known]
        self.squeezed = dict((squeezed(k), k) for k in self.names)
        self.reordered = dict((tuple(sorted(words(k))), k) for k in self.names if len(words(k)) > 1)
        self.separated = [(separated(k), edits_allowed(squeezed(k)), k) for k in self.names]
        # A name within N edits of a known one holds one of 2N + 1 pieces of it unchanged (an edit touches at most
        # two pieces): a cheap test that leaves the edit distance to the few names that might be near.
        self.pieces = dict((k, _any_of(_pieces(form, 2 * allowed + 1))) for form, allowed, k in self.separated)
        self.prefix_words = words(prefix)
        self.endings = sorted((squeezed(k[len(prefix):]), words(k[len(prefix):]), k)
                              for k in self.names if prefix and k.startswith(prefix))
        self.spellings = [s for s in spellings if s]
        self.spelling_start = _any_of(self.spellings)  # most names start with none: one test says so
        self.prefix = prefix


def _always_a_near_miss(name, known):
    """(meant, why) when ``name`` is a known name in other capitals or separators, its words in another order,
    or a letter or two from it; nobody names a variable of their own so, so these are refused whatever is set."""
    if squeezed(name) in known.squeezed:
        return known.squeezed[squeezed(name)], CASE
    if tuple(sorted(words(name))) in known.reordered:
        return known.reordered[tuple(sorted(words(name)))], ORDER
    # with its separators: partnercenter_customers is three edits from partnercenter_customer_id, not two
    name_separated = separated(name)
    near = [meant for form, allowed, meant in known.separated
            if known.pieces[meant].search(name_separated) and within_edits(name_separated, form, allowed)]
    if near:
        return min((edit_distance(name_separated, separated(meant)), meant) for meant in near)[1], TYPO
    return None


def _near_miss_unless_set(name, known):
    """(meant, why) when ``name`` is a known name with another spelling of the prefix, or with a word of it
    missing; a variable of somebody else's may look like that, so these are refused only when ``meant`` is not set."""
    name_squeezed = squeezed(name)
    for spelling in known.spellings if known.spelling_start.match(name_squeezed) else ():
        rest = name_squeezed[len(spelling):]
        if not name_squeezed.startswith(spelling) or not rest:
            continue
        for ending, _words, meant in known.endings:
            if rest == ending or (len(spelling) > SHORT_SPELLING and len(ending) >= 5 and within_edits(rest, ending, 1)):
                return meant, SPELLING % known.prefix
    name_words = words(name)
    part = name_words[len(known.prefix_words):]
    if known.prefix_words and name_words[:len(known.prefix_words)] == known.prefix_words and part:
        shorter = sorted((len(ending_words), meant) for _ending, ending_words, meant in known.endings
                         if ending_words[-1] == part[-1] and _is_subsequence(part, ending_words))
        for _length, meant in shorter[:1]:
            return meant, WORD_MISSING
    return None


_KNOWN = {}  # (known, prefix, spellings) -> _Known: a role's, made once per process


def variable_near_misses(variables, known, prefix="", spellings=(), is_set=None):
    """[(name, meant, why)] for the names of ``variables`` that are not ``known`` but look like one.

    Refused always: a known name in other capitals or separators, its words in another order, a letter or two
    from it.  Refused unless ``is_set(meant)`` (default: ``meant`` is among ``variables``): a known name that
    starts with ``prefix`` written with one of ``spellings`` (lower case, without separators) instead, or missing
    one of the words after ``prefix``.
    """
    key = (tuple(str(k) for k in known), prefix, tuple(spellings))
    known = _KNOWN.get(key) or _KNOWN.setdefault(key, _Known(known, prefix, spellings))
    names = set(str(n) for n in variables)
    is_set = is_set or names.__contains__
    found = []
    for name in sorted(names - set(known.names)):
        miss = _always_a_near_miss(name, known)
        if miss is None:
            miss = _near_miss_unless_set(name, known)
            if miss is not None and is_set(miss[0]):
                miss = None
        if miss is not None:
            found.append((name, miss[0], miss[1]))
    return found


def near_miss_messages(variables, known, prefix="", spellings=(), is_set=None):
    """One message per near miss (``variable_near_misses``), naming the variable meant."""
    return ["%s is not a variable of this role; did you mean %s? (%s)" % miss
            for miss in variable_near_misses(variables, known, prefix, spellings, is_set)]


def _option_names(spec):
    names = {}
    for name, option in spec.items():
        for alias in [name] + list(option.get("aliases") or []):
            names[alias] = option
    return names


def _as_dict(value):
    """A dict, as Ansible would make one of ``value`` (``key=value`` text, JSON), or None."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            return check_type_dict(value)
        except (TypeError, ValueError):
            return None
    return None


def _unsupported(spec, values, prefix=""):
    """[(path, key, value, spec)] for the keys of ``values`` that ``spec`` does not know, at any depth."""
    values = _as_dict(values)
    if values is None:
        return []
    options = _option_names(spec)
    found = []
    for key, value in values.items():
        option = options.get(key)
        if option is None:
            found.append((prefix + key, key, value, spec))
            continue
        suboptions = option.get("options")
        if not suboptions:
            continue
        if option.get("type") == "list":
            try:
                items = check_type_list(value)
            except TypeError:
                continue
            for position, item in enumerate(items):
                found.extend(_unsupported(suboptions, item, "%s%s[%d]." % (prefix, key, position)))
        else:
            found.extend(_unsupported(suboptions, value, "%s%s." % (prefix, key)))
    return found


def unknown_keys(spec, values, prefix=""):
    """[(path, suggestion)] for keys of ``values`` that ``spec`` (an argument spec) does not know, nested too."""
    return [(path, closest(key, sorted(_option_names(level)))) for path, key, _value, level
            in _unsupported(spec, values, prefix)]


# Words that say a key holds a secret (Ansible's own guess for "password" fields is "pass").
_SECRET_WORDS = re.compile(r"pass|pwd|secret|token|credential")


def names_a_secret(key, spec):
    """Whether the unsupported ``key`` of a level ``spec`` holds a secret: it is a near miss of a ``no_log``
    option there (capitals and separators aside), or says so in a word, and no other option is nearer."""
    options = _option_names(spec)
    key = squeezed(key)

    def distances(secret):
        return [edit_distance(key, squeezed(name)) for name, option in options.items()
                if bool(option.get("no_log")) is secret] or [len(key) + 99]
    to_secret, to_other = min(distances(True)), min(distances(False))
    if to_other <= MAX_EDITS and to_other < to_secret:
        return False  # token_cache_dri is token_cache_dir
    near_secret = any(edit_distance(key, squeezed(name)) <= edits_allowed(squeezed(name))
                      for name, option in options.items() if option.get("no_log"))
    return near_secret or bool(_SECRET_WORDS.search(key))


def _leaves(value):
    """The text of every string and number in ``value``, as Ansible collects ``no_log`` values."""
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _leaves(item)]
    if value is None or isinstance(value, bool):
        return []
    text = str(value)
    return [text] if text else []


def misspelt_secret_values(spec, values):
    """The values of unsupported keys of ``values`` (at any depth) that hold a secret (``names_a_secret``).

    Ansible refuses such a key, but returns its value in ``invocation``: it must be masked as the ``no_log``
    option it was meant to be.
    """
    return [leaf for _path, key, value, level in _unsupported(spec, values) if names_a_secret(key, level)
            for leaf in _leaves(value)]
