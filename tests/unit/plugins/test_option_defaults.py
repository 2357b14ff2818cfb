# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""ansible-doc shows each option's effective default: an option whose text names its default documents it as
``default``, the module's argument spec has that default, and an option without one says why ansible-doc shows
none."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import glob
import os
import re

import pytest
import yaml

from ansible_collections.csp.partnercenter.plugins.plugin_utils._task_action import TASKS

PLUGINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, os.pardir, "plugins")
# what a text says when it names a default: "Defaults to V(present)", "defaults to the top-level value"
NAMES_A_DEFAULT = re.compile(r"\bdefaults? (?:to|is)\b", re.IGNORECASE)
NAMED_VALUE = re.compile(r"\bdefaults? (?:to|is) V\(([^)]*)\)", re.IGNORECASE)
# what an option without a documented default says instead
WHY_NONE = "ansible-doc shows no default"


def _blocks(path):
    """{name: documentation} of a plugin file's documentation blocks (DOCUMENTATION, a doc fragment's others)."""
    tree = ast.parse(open(path, "rb").read())
    nodes = [n for n in tree.body if _named(n) == "DOCUMENTATION"] + [
        n for c in tree.body if isinstance(c, ast.ClassDef) and c.name == "ModuleDocFragment" for n in c.body
        if _named(n) and _named(n).isupper()]
    return dict((_named(node), yaml.safe_load(node.value.value)) for node in nodes)


def _named(node):
    """The name a module-level or class-level text constant is assigned to, else None."""
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Constant) \
            and isinstance(node.value.value, str):
        return node.targets[0].id
    return None


def _documents(path):
    return [d for d in _blocks(path).values() if isinstance(d.get("options"), dict)]


def _options(options, prefix=""):
    for name, option in sorted((options or {}).items()):
        yield prefix + name, option
        yield from _options(option.get("suboptions"), "%s%s." % (prefix, name))


def _text(option):
    description = option.get("description") or []
    return " ".join(description if isinstance(description, list) else [description])


DOCUMENTED = [("%s:%s" % (os.path.relpath(path, PLUGINS), name), option)
              for path in sorted(glob.glob(os.path.join(PLUGINS, "*", "*.py")))
              for document in _documents(path) for name, option in _options(document["options"])]


def test_every_plugin_option_is_checked():
    names = [name for name, _option in DOCUMENTED]
    assert "modules/partnercenter_user.py:state" in names and "doc_fragments/connection.py:token_cache_dir" in names
    assert "modules/partnercenter_user.py:users.state" in names and len(names) > 80


@pytest.mark.parametrize("name, option", DOCUMENTED, ids=[name for name, _option in DOCUMENTED])
def test_an_option_that_names_its_default_documents_it_or_says_why_not(name, option):
    text = _text(option)
    if not NAMES_A_DEFAULT.search(text):
        return
    named = NAMED_VALUE.search(text)
    if option.get("default") is None:
        assert WHY_NONE in text, "%s says it has a default, but ansible-doc shows none and it says not why" % name
    elif named:
        shown = str(option["default"]).lower() if isinstance(option["default"], bool) else str(option["default"])
        assert shown == named.group(1), "%s: documented default %r, text %r" % (name, option["default"], named.group(0))


def _module_options(module):
    """A module's options as ansible-doc shows them: its own, and those of its documentation fragments."""
    document = _blocks(os.path.join(PLUGINS, "modules", module + ".py"))["DOCUMENTATION"]
    options = dict(document.get("options") or {})
    for fragment in document.get("extends_documentation_fragment") or []:
        parts = fragment.split(".")[2:]  # csp.partnercenter.<file>[.<block>]
        block = _blocks(os.path.join(PLUGINS, "doc_fragments", parts[0] + ".py"))[
            parts[1].upper() if len(parts) > 1 else "DOCUMENTATION"]
        options.update(block.get("options") or {})
    return dict(_options(options))


@pytest.mark.parametrize("module", sorted(TASKS))
def test_every_module_documents_the_defaults_of_its_argument_spec(module):
    options = _module_options(module)
    spec = dict(_options(TASKS[module].argument_spec))
    for name, option in spec.items():
        documented = options.get(name) or {}
        assert documented.get("default") == option.get("default"), (module, name)


def test_the_user_module_shows_the_defaults_of_every_item():
    options = _module_options("partnercenter_user")
    assert (options["state"]["default"], options["force_change_password"]["default"],
            options["update_password"]["default"]) == ("present", True, "on_create")
    for name in ("state", "force_change_password", "update_password"):
        assert options["users." + name].get("default") is None and WHY_NONE in _text(options["users." + name])
