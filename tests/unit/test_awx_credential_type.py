# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AWX credential type shipped in extensions/awx/ matches what the modules read.

AWX injects a credential as environment variables rendered from the type's ``injectors``
(Jinja in an ImmutableSandboxedEnvironment, every env injector rendered, unset fields
rendering as ""); the modules read those variables as ``env_fallback`` of their options
(``connection_argument_spec()``).  These tests keep the two in step.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from pathlib import Path

import pytest
import yaml
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.csp.partnercenter.plugins.module_utils._connection_options import connection_argument_spec

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFINITION = REPO_ROOT / "extensions" / "awx" / "credential_type_partnercenter.yml"
REGISTER_PLAYBOOK = REPO_ROOT / "playbooks" / "awx_register_credential_type.yml"
SECRET_ID = re.compile(r"secret|token|password|key", re.I)
# AWX silently skips these env injectors (awx_plugins.interfaces ENV_BLOCKLIST).
AWX_ENV_BLOCKLIST = frozenset([
    "VIRTUAL_ENV", "PATH", "PYTHONPATH", "JOB_ID", "INVENTORY_ID", "INVENTORY_SOURCE_ID",
    "INVENTORY_UPDATE_ID", "AD_HOC_COMMAND_ID", "REST_API_URL", "REST_API_TOKEN", "MAX_EVENT_RES",
    "CALLBACK_QUEUE", "CALLBACK_CONNECTION", "CACHE", "JOB_CALLBACK_DEBUG", "INVENTORY_HOSTVARS",
    "AWX_HOST", "PROJECT_REVISION", "SUPERVISOR_CONFIG_PATH",
])
SANDBOX = ImmutableSandboxedEnvironment()


def _fallback_env(spec):
    fallback = spec.get("fallback")
    if not fallback:
        return []
    _func, names = fallback
    return list(names)


SPEC = connection_argument_spec()
ENV_TO_OPTION = dict((name, option) for option, spec in SPEC.items() for name in _fallback_env(spec))


@pytest.fixture(scope="module")
def definition():
    with open(DEFINITION, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def fields(definition):
    return dict((field["id"], field) for field in definition["inputs"]["fields"])


def render(definition, inputs):
    """Render the env injectors the way AWX does (awx_plugins.interfaces inject_credential)."""
    namespace = dict((key, value) for key, value in inputs.items() if value)
    return dict((name, SANDBOX.from_string(template).render(**namespace))
                for name, template in definition["injectors"]["env"].items())


def test_top_level_shape(definition):
    assert set(definition) == {"name", "description", "kind", "inputs", "injectors"}
    assert definition["kind"] == "cloud"
    assert definition["name"] and definition["description"]
    assert set(definition["inputs"]) == {"fields", "required"}
    # Environment only: extra_vars would expose the secrets to every task and in the job's
    # launch data; no file injector is needed.
    assert set(definition["injectors"]) == {"env"}


def test_fields_are_well_formed(definition):
    ids = [field["id"] for field in definition["inputs"]["fields"]]
    assert len(ids) == len(set(ids)), "duplicate field ids"
    for field in definition["inputs"]["fields"]:
        assert set(field) <= {"id", "label", "type", "secret", "multiline", "help_text", "default", "choices",
                              "format", "ask_at_runtime"}, field
        assert re.match(r"^[a-z][a-z0-9_]*$", field["id"]), field
        assert field["label"] and field.get("type", "string") in ("string", "boolean"), field
    assert set(definition["inputs"]["required"]) <= set(ids)
    assert {"tenant_id", "client_id", "client_secret", "refresh_token"} <= set(definition["inputs"]["required"])


def test_secret_fields_are_secret(definition):
    for field_id, field in fields(definition).items():
        option_is_secret = SPEC.get(field_id, {}).get("no_log", False)
        if SECRET_ID.search(field_id) or option_is_secret:
            assert field.get("secret") is True, "%s must be secret: true" % field_id
        else:
            assert not field.get("secret"), "%s is not a secret; AWX would hide it needlessly" % field_id
    assert {"client_secret", "refresh_token"} <= set(f for f, d in fields(definition).items() if d.get("secret"))


def test_injected_variables_are_module_fallbacks(definition):
    env = definition["injectors"]["env"]
    assert env, "no env injectors"
    for name in env:
        assert not name.startswith("ANSIBLE_"), "%s: ANSIBLE_* names are reserved by AWX" % name
        assert name not in AWX_ENV_BLOCKLIST, name
        assert name in ENV_TO_OPTION, "%s is not an env fallback of any module option (%s)" % (
            name, sorted(ENV_TO_OPTION))


def test_injectors_reference_defined_inputs(definition):
    ids = set(fields(definition))
    used = set()
    for name, template in definition["injectors"]["env"].items():
        variables = meta.find_undeclared_variables(SANDBOX.parse(template))
        assert variables, "%s injects a constant" % name
        assert variables <= ids, "%s uses undefined inputs %s" % (name, variables - ids)
        # Each variable carries the field of the option it feeds (PARTNERCENTER_CLIENT_ID <- client_id).
        assert variables == {ENV_TO_OPTION[name]}, (name, variables)
        used |= variables
    assert used == ids, "inputs never injected: %s" % (ids - used)


def test_rendering_with_required_fields_only(definition):
    inputs = {"tenant_id": "contoso.onmicrosoft.com", "client_id": "22222222-2222-2222-2222-222222222222",
              "client_secret": "s3cr3t", "refresh_token": "rt"}
    env = render(definition, inputs)
    assert env["PARTNERCENTER_TENANT_ID"] == "contoso.onmicrosoft.com"
    assert env["PARTNERCENTER_CLIENT_SECRET"] == "s3cr3t"
    assert env["PARTNERCENTER_REFRESH_TOKEN"] == "rt"
    # Unset optional fields must not inject "" (which would beat the module's default):
    # they render to that default.
    for name, value in env.items():
        assert value, "%s renders empty" % name
        default = SPEC[ENV_TO_OPTION[name]].get("default")
        if ENV_TO_OPTION[name] not in inputs:
            assert value == default, (name, value, default)


def test_rendering_for_a_sovereign_cloud(definition):
    env = render(definition, {"tenant_id": "t", "client_id": "c", "client_secret": "s", "refresh_token": "r",
                              "authority": "https://login.chinacloudapi.cn",
                              "api_url": "https://partner.partnercenterapi.microsoftonline.cn",
                              "graph_url": "https://microsoftgraph.chinacloudapi.cn"})
    assert env["PARTNERCENTER_AUTHORITY"] == "https://login.chinacloudapi.cn"
    assert env["PARTNERCENTER_API_URL"] == "https://partner.partnercenterapi.microsoftonline.cn"
    assert env["PARTNERCENTER_GRAPH_URL"] == "https://microsoftgraph.chinacloudapi.cn"


def test_register_playbook_reads_this_definition():
    plays = yaml.safe_load(REGISTER_PLAYBOOK.read_text(encoding="utf-8"))
    (play,) = plays
    path = play["vars"]["partnercenter_credential_type_file"].replace("{{ playbook_dir }}", str(REGISTER_PLAYBOOK.parent))
    assert Path(path).resolve() == DEFINITION.resolve()
    (task,) = play["tasks"]
    args = task["awx.awx.credential_type"]
    assert {"name", "kind", "inputs", "injectors", "state"} <= set(args)
