# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The customers inventory plugin's pure parts: options, host variables, filters, host names, cache key."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from pathlib import Path

import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core before 2.19: every string is a template
    def trust_as_template(value):
        return value

from ansible_collections.csp.partnercenter.plugins.doc_fragments.connection import ModuleDocFragment as Connection
from ansible_collections.csp.partnercenter.plugins.doc_fragments.connection_env import (
    ModuleDocFragment as ConnectionEnv,
)
from ansible_collections.csp.partnercenter.plugins.filter.variable_near_misses import variable_near_misses
from ansible_collections.csp.partnercenter.plugins.inventory import customers as plugin
from ansible_collections.csp.partnercenter.plugins.module_utils._connection_options import connection_argument_spec

ROLE_SPECS = Path(__file__).resolve().parents[3] / "roles" / "customer_users" / "meta" / "argument_specs.yml"


def customer(domain, name="Company", cid=None):
    return {"id": cid or "id-" + domain, "domain": domain, "company_name": name, "tenant_id": cid,
            "relationship_to_partner": "reseller"}


def test_connection_options_and_environment_variables_are_the_modules():
    spec = connection_argument_spec()
    documented = yaml.safe_load(Connection.DOCUMENTATION)["options"]
    wired = yaml.safe_load(ConnectionEnv.DOCUMENTATION)["options"]
    assert set(documented) == set(wired) == set(spec)
    for name, option in spec.items():
        assert [e["name"] for e in wired[name]["env"]] == [option["fallback"][1][0]], name
        assert documented[name].get("default") == option.get("default"), name
    assert plugin.ENV["client_secret"] == "PARTNERCENTER_CLIENT_SECRET"


def test_host_variables_are_no_near_misses_of_the_role_arguments():
    arguments = list(yaml.safe_load(ROLE_SPECS.read_text(encoding="utf-8"))["argument_specs"]["main"]["options"])
    assert "partnercenter_users_common" in arguments
    names = [name for name, _field in plugin.HOST_VARS]
    assert variable_near_misses(names, arguments) == []
    assert set(names) & set(arguments) == {"partnercenter_customer_id", "partnercenter_customer_domain"}


def test_includes_match_either_list_and_excludes_win():
    contoso = customer("Contoso.onmicrosoft.com", "Contoso Ltd")
    labs = customer("contosolabs.onmicrosoft.com", "Contoso Labs (test)")
    fabrikam = customer("fabrikam.com", "Fabrikam")
    everyone = [contoso, labs, fabrikam]
    assert [c for c in everyone if plugin.selected(c)] == everyone

    def kept(**filters):
        return [c["domain"] for c in everyone if plugin.selected(c, **filters)]

    assert kept(include_domains=["contoso*"]) == ["Contoso.onmicrosoft.com", "contosolabs.onmicrosoft.com"]
    assert kept(include_domains=["CONTOSO.*"], include_company_names=["fab*"]) == [
        "Contoso.onmicrosoft.com", "fabrikam.com"]
    assert kept(include_domains=["contoso*"], exclude_company_names=["* (TEST)"]) == ["Contoso.onmicrosoft.com"]
    assert kept(exclude_domains=["*.onmicrosoft.com"]) == ["fabrikam.com"]
    assert kept(include_company_names=["nobody"]) == []


def test_host_variables_are_never_templated():
    # From ansible-core 2.19 on, strings an inventory plugin sets are untrusted anyway; before it, wrap_var
    # is what keeps them data (make test-matrix runs this on 2.16 to 2.18, where it fails without it).
    payload = "{{ lookup('pipe', 'id') }}"
    variables = plugin.host_vars(customer(payload + ".example", "Hostile " + payload, cid=payload))
    templar = Templar(loader=DataLoader(), variables=variables)
    for name in variables:
        assert templar.template(trust_as_template("{{ %s }}" % name)) == variables[name], name
    assert templar.template(trust_as_template("{{ partnercenter_company_name }}")) == "Hostile " + payload


def test_host_vars_and_cache_key():
    entry = customer("contoso.onmicrosoft.com", "Contoso", cid="0f9c")
    assert plugin.host_vars(entry) == {
        "partnercenter_customer_id": "0f9c", "partnercenter_customer_domain": "contoso.onmicrosoft.com",
        "partnercenter_company_name": "Contoso", "partnercenter_tenant_id": "0f9c",
        "partnercenter_relationship": "reseller"}
    base = {"api_url": "https://api.partnercenter.microsoft.com", "tenant_id": "t", "client_id": "c",
            "client_secret": "s1"}
    key = plugin.connection_key(base)
    assert plugin.connection_key(dict(base, client_secret="s2")) == key, "the secret is not part of the key"
    for option in ("api_url", "tenant_id", "client_id"):
        assert plugin.connection_key(dict(base, **{option: "other"})) != key, option
    assert "s1" not in key


def test_only_files_named_for_the_plugin_are_read(tmp_path):
    module = plugin.InventoryModule()
    for name, wanted in (("customers.partnercenter.yml", True), ("partnercenter.yaml", True),
                         ("customers.yml", False), ("partnercenter.yml.bak", False)):
        path = tmp_path / name
        path.write_text("plugin: csp.partnercenter.customers\n", encoding="utf-8")
        assert module.verify_file(str(path)) is wanted, name
