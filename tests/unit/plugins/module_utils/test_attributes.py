# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""A user attribute is one row of ``_attributes.USER_ATTRIBUTES``: the argument spec, the checks, the planner,
the returned keys and the JSON names follow the row, and every place that documents an attribute (the user
module's options, its ``users`` suboptions and RETURN, the info module's RETURN, the role's argument spec)
is held to the table here."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import re
import sys
import types
from pathlib import Path

import pytest
import yaml

from ansible_collections.csp.partnercenter.plugins import module_utils
from ansible_collections.csp.partnercenter.plugins.module_utils import (
    _attributes, _declared, _graph_users, _planner, _users,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError
from ansible_collections.csp.partnercenter.plugins.modules import partnercenter_user, partnercenter_user_info

ROLE_SPECS = Path(__file__).resolve().parents[4] / "roles" / "customer_users" / "meta" / "argument_specs.yml"
UPN = "jane@contoso.com"
# Keys a returned user has besides the attributes: the memberships a task (or `include`) asks for.
MEMBERSHIP_KEYS = ("directory_roles", "licenses")
# Keys a returned user has when the task declares them: the Graph rows and the Graph options that are not rows.
GRAPH_KEYS = _attributes.GRAPH_ATTRIBUTE_NAMES + ("manager", "groups", "sessions_revoked")
# Keys partnercenter_user_info adds with include: [graph, groups]: what it reads into each user.
INFO_GRAPH_KEYS = tuple(_graph_users.returned_view({})) + ("groups",)
# The YAML type of a sample value of each option type.
SAMPLE_TYPES = {"str": str, "list": list, "bool": bool}
# What an option of the module's argument spec and its documentation must agree on; the role's argument spec
# has no aliases, and is itself an argument spec, so no_log counts there.
MODULE_KEYS = ("type", "elements", "choices", "required", "aliases")
ROLE_KEYS = ("type", "elements", "choices", "required", "no_log")


class Docs:
    """The documentation of the user attributes, each place parsed as the YAML it is."""

    def __init__(self):
        self.options = yaml.safe_load(partnercenter_user.DOCUMENTATION)["options"]
        self.returned_user = yaml.safe_load(partnercenter_user.RETURN)["user"]["contains"]
        info_users = yaml.safe_load(partnercenter_user_info.RETURN)["users"]
        self.info_sample = info_users["sample"]
        self.info_description = _described(info_users)
        role = yaml.safe_load(ROLE_SPECS.read_text(encoding="utf-8"))["argument_specs"]["main"]["options"]
        self.role_users = dict((name, role[name]["options"]) for name in ("partnercenter_users",
                                                                          "partnercenter_users_common"))


def _described(option):
    description = option.get("description") or ""
    return " ".join(description) if isinstance(description, list) else description


def spec_disagreements(where, spec, documented, keys=MODULE_KEYS):
    """How the documented options differ from the argument spec, recursively: names, and the ``keys``."""
    problems = []
    for name in sorted(set(spec) - set(documented)):
        problems.append("%s: %s is in the argument spec but not documented" % (where, name))
    for name in sorted(set(documented) - set(spec)):
        problems.append("%s: %s is documented but not in the argument spec" % (where, name))
    for name in sorted(set(spec) & set(documented)):
        wanted, doc = spec[name], documented[name]
        for key in keys:
            expected = wanted.get(key, "str" if key == "type" else None)
            found = doc.get(key, "str" if key == "type" else None)
            if bool(expected) != bool(found) or (expected and expected != found):
                problems.append("%s.%s: %s is %r in the argument spec, %r in the documentation"
                                % (where, name, key, expected, found))
        if wanted.get("options") or doc.get("suboptions") or doc.get("options"):
            problems.extend(spec_disagreements("%s.%s" % (where, name), wanted.get("options") or {},
                                               doc.get("suboptions") or doc.get("options") or {}, keys))
    return problems


def attribute_disagreements(attributes, spec, returned_names, docs, graph_keys=(), info_graph_keys=()):
    """Every way the documentation of the user module, the info module and the role disagrees with the
    attribute table (``attributes``), the module's argument ``spec`` and the keys of a returned user
    (``graph_keys``: those the user module adds for Graph, ``info_graph_keys``: those the info module adds)."""
    item_spec = spec["users"]["options"]
    problems = spec_disagreements("partnercenter_user options", spec, docs.options)
    for variable, role_options in sorted(docs.role_users.items()):
        # The role passes a user's keys to the module's users as they are.
        problems.extend(spec_disagreements("role variable %s" % variable, item_spec, role_options, ROLE_KEYS))
    returned = set(returned_names) | set(MEMBERSHIP_KEYS)
    for where, keys, extra in (("partnercenter_user RETURN user", docs.returned_user, graph_keys),
                               ("partnercenter_user_info RETURN sample", docs.info_sample[0], info_graph_keys)):
        wanted = returned | set(extra)
        problems.extend("%s: %s is returned but not documented" % (where, n) for n in sorted(wanted - set(keys)))
        problems.extend("%s: %s is documented but never returned" % (where, n) for n in sorted(set(keys) - wanted))
    for name in info_graph_keys:
        if "C(%s)" % name not in docs.info_description:
            problems.append("partnercenter_user_info RETURN users: the description does not name C(%s)" % name)
    item_docs = docs.options["users"]["suboptions"]
    for attribute in attributes:
        name = attribute.name
        top, item = docs.options.get(name, {}), item_docs.get(name, {})
        roles = [(variable, options.get(name, {})) for variable, options in sorted(docs.role_users.items())]
        if docs.returned_user.get(name, {}).get("type", "str") != attribute.option_type:
            problems.append("partnercenter_user RETURN user.%s: not type %s" % (name, attribute.option_type))
        sample = docs.info_sample[0].get(name)
        if sample is not None and not isinstance(sample, SAMPLE_TYPES[attribute.option_type]):
            problems.append("partnercenter_user_info RETURN sample %s: not type %s" % (name, attribute.option_type))
        described = _described(top).lower()
        compared = "compared case-insensitively" if attribute.case_insensitive else "compared exactly"
        if compared not in described:
            problems.append("partnercenter_user option %s: the description does not say %r" % (name, compared))
        limit = "at most %d characters" % (attribute.max_length or 0)
        if attribute.check is None and attribute.max_length and limit not in described:
            problems.append("partnercenter_user option %s: the description does not say %r" % (name, limit))
        for where, option in [("partnercenter_user option", top), ("partnercenter_user option users.", item)] + [
                ("role variable %s." % variable, option) for variable, option in roles]:
            says = "required to create" in _described(option).lower()
            if says != attribute.required_to_create:
                problems.append("%s%s: the description %s 'required to create'"
                                % (where, name, "says" if says else "does not say"))
        for variable, option in roles:
            if _described(option) != _described(item):
                problems.append("role variable %s.%s: described as %r, the module's users.%s as %r"
                                % (variable, name, _described(option), name, _described(item)))
    return problems


def test_the_documentation_agrees_with_the_attribute_table_and_the_argument_spec():
    problems = attribute_disagreements(_attributes.USER_ATTRIBUTES + _attributes.GRAPH_ATTRIBUTES,
                                       _declared.user_argument_spec(), _attributes.RETURNED_NAMES, Docs(), GRAPH_KEYS,
                                       INFO_GRAPH_KEYS)
    assert problems == []


def test_each_row_names_the_api_that_serves_it_and_only_partner_center_rows_go_to_partner_center():
    assert set(a.api for a in _attributes.USER_ATTRIBUTES) == {_attributes.PARTNER_CENTER}
    assert set(a.api for a in _attributes.GRAPH_ATTRIBUTES) == {_attributes.GRAPH}
    assert not set(_attributes.GRAPH_ATTRIBUTE_NAMES) & set(_users.WRITABLE_JSON)
    assert [a.json_name for a in _attributes.GRAPH_ATTRIBUTES] == [
        "jobTitle", "department", "officeLocation", "companyName", "employeeId", "mobilePhone", "businessPhones",
        "accountEnabled"]


def test_the_returned_keys_are_those_partner_center_answers_are_read_into():
    assert _attributes.RETURNED_NAMES == tuple(name for name, _json in _users.RETURNED_FIELDS)
    assert set(_users.to_snake({})) == set(_attributes.RETURNED_NAMES)


def test_a_created_user_predicted_in_check_mode_has_every_returned_key():
    desired = _planner.DesiredUser(UPN, dict(display_name="Jane", usage_location="US"), password="Pw-12345678")
    predicted = _planner.plan_user(desired, None).predicted_user()
    assert list(predicted) == list(_attributes.RETURNED_NAMES)
    assert predicted["first_name"] is None and predicted["id"] is None and predicted["state"] == "active"


@pytest.mark.parametrize("name,value,message", [
    ("first_name", "x" * 65, "is 65 characters long; Entra ID allows at most 64"),
    ("display_name", "x" * 257, "is 257 characters long; Entra ID allows at most 256"),
    ("display_name", "  ", "must not be empty"),
    ("usage_location", "UK", "UK is not an ISO 3166-1 country code; did you mean GB?"),
])
def test_each_row_checks_its_attribute_with_its_limit_before_any_request(name, value, message):
    with pytest.raises(InputError) as err:
        _declared.desired_user({"user_principal_name": UPN, name: value}, {}, "users[2].")
    assert err.value.option == "users[2]." + name and message in str(err.value)


def test_a_row_check_also_normalises_and_a_blank_allowed_row_takes_an_empty_string():
    user = _declared.desired_user({"user_principal_name": UPN, "usage_location": "de", "immutable_id": "",
                                   "first_name": "x" * 64}, {})
    assert user.fields == {"usage_location": "DE", "immutable_id": "", "first_name": "x" * 64}


# -- the recipe of docs/architecture.md ("a new user attribute"), followed once ----------------------------

NICKNAME_ROW = '    Attribute("nickname", "nickname", 128),\n'
_TABLE_RE = re.compile(r"(USER_ATTRIBUTES = \(\n(?:    .*\n)+?)(\)\n)")
_PACKAGE = module_utils.__name__
# _attributes and the files that read it when they are imported.
_READERS = ("_planner", "_declared", "_users")


@pytest.fixture
def with_nickname(monkeypatch):
    """The module_utils that read the table, imported afresh after one row was added to ``_attributes.py``.

    The modules the other tests imported stay as they are (``monkeypatch`` puts them back).
    """
    source = Path(_attributes.__file__).read_text(encoding="utf-8")
    patched, rows_added = _TABLE_RE.subn(lambda m: m.group(1) + NICKNAME_ROW + m.group(2), source)
    assert rows_added == 1, "USER_ATTRIBUTES is no longer one tuple of Attribute(...) rows"
    for name in ("_attributes",) + _READERS:
        monkeypatch.setattr(module_utils, name, getattr(module_utils, name))  # put back after the test
        monkeypatch.delitem(sys.modules, "%s.%s" % (_PACKAGE, name))
    attributes = types.ModuleType("%s._attributes" % _PACKAGE)
    attributes.__file__ = _attributes.__file__
    exec(compile(patched, _attributes.__file__, "exec"), attributes.__dict__)  # pylint: disable=exec-used
    monkeypatch.setitem(sys.modules, attributes.__name__, attributes)
    fresh = dict((name, importlib.import_module("%s.%s" % (_PACKAGE, name))) for name in _READERS)
    fresh["_attributes"] = attributes
    return types.SimpleNamespace(**fresh)


def test_a_new_row_is_an_option_at_the_top_level_and_of_each_user_refused_beside_users(with_nickname):
    spec = with_nickname._declared.user_argument_spec()
    assert spec["nickname"] == dict(type="str") and spec["users"]["options"]["nickname"] == dict(type="str")
    assert ("users", "nickname") in with_nickname._declared.USER_MODULE_RULES["mutually_exclusive"]
    assert "nickname" not in _declared.user_argument_spec()  # the real table is left as it was


def test_a_new_row_is_checked_with_its_limit(with_nickname):
    declared = with_nickname._declared
    assert declared.desired_user({"user_principal_name": UPN, "nickname": "CTO"}, {}).fields == {"nickname": "CTO"}
    for value, message in (("x" * 129, "Entra ID allows at most 128"), (" ", "must not be empty")):
        with pytest.raises(InputError) as err:
            declared.desired_user({"user_principal_name": UPN, "nickname": value}, {}, "users[0].")
        assert err.value.option == "users[0].nickname" and message in str(err.value)


def test_a_new_row_is_compared_by_the_planner_and_predicted_in_check_mode(with_nickname):
    planner = with_nickname._planner
    current = dict(id="u-1", user_principal_name=UPN, display_name="Jane", usage_location="US", nickname="CEO")
    plan = planner.plan_user(planner.DesiredUser(UPN, dict(nickname="CTO")), current)
    assert plan.kind == planner.UPDATE and plan.changes == {"nickname": "CTO"}
    assert plan.diff() == ({"nickname": "CEO"}, {"nickname": "CTO"})
    assert planner.plan_user(planner.DesiredUser(UPN, dict(nickname="CEO")), current).kind == planner.NOTHING
    created = planner.plan_user(planner.DesiredUser(UPN, dict(display_name="Jane", usage_location="US"),
                                                    password="Pw-12345678"), None).predicted_user()
    assert "nickname" in created and created["nickname"] is None


def test_a_new_row_is_read_from_and_sent_to_partner_center_under_its_json_name(with_nickname):
    users = with_nickname._users
    sent = []

    class Client:
        def call(self, route_name, values=None, body=None, **kwargs):
            sent.append((route_name, body))
            return {"id": "u-1", "userPrincipalName": UPN, "nickname": body.get("nickname")}

    returned = users.UsersAPI(Client(), "c-1").update("u-1", {"nickname": "CTO"})
    assert sent == [("update_user", {"nickname": "CTO", "attributes": {"objectType": "CustomerUser"}})]
    assert returned["nickname"] == "CTO"


def test_a_new_row_without_its_documentation_is_named_in_every_place_it_is_missing(with_nickname):
    problems = attribute_disagreements(with_nickname._attributes.USER_ATTRIBUTES,
                                       with_nickname._declared.user_argument_spec(),
                                       with_nickname._attributes.RETURNED_NAMES, Docs(), GRAPH_KEYS,
                                       INFO_GRAPH_KEYS)
    missing = [p for p in problems if "nickname" in p]
    assert missing == [
        "partnercenter_user options: nickname is in the argument spec but not documented",
        "partnercenter_user options.users: nickname is in the argument spec but not documented",
        "role variable partnercenter_users: nickname is in the argument spec but not documented",
        "role variable partnercenter_users_common: nickname is in the argument spec but not documented",
        "partnercenter_user RETURN user: nickname is returned but not documented",
        "partnercenter_user_info RETURN sample: nickname is returned but not documented",
        "partnercenter_user option nickname: the description does not say 'compared exactly'",
        "partnercenter_user option nickname: the description does not say 'at most 128 characters'",
    ]
    assert problems == missing  # nothing else disagrees
