# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: customers
short_description: Every customer of a CSP partner as an inventory host, from Partner Center
version_added: 0.2.0
description:
  - Lists every customer of the partner through Partner Center (C(GET /v1/customers), every page) and makes each one
    a host of the group C(partnercenter_customers), so that the role P(csp.partnercenter.customer_users#role) and the
    playbook C(csp.partnercenter.provision_customers) converge the whole fleet without a hand-kept host list.
  - Each host is named by the customer's primary domain in lower case (see O(hostnames)) and has the host variables
    C(partnercenter_customer_id), C(partnercenter_customer_domain), C(partnercenter_company_name),
    C(partnercenter_tenant_id) and C(partnercenter_relationship).
  - What Partner Center lists is data, never a template, on every ansible-core release. The host variables are
    marked unsafe (untrusted), and only a DNS name or the customer's id (a GUID) becomes a host name, because
    before ansible-core 2.19 a host name is templated wherever a play uses C(inventory_hostname) or
    C(ansible_play_batch). A customer whose id is not a GUID is left out, with a warning naming it. The same
    holds for customers read from the cache.
  - The configuration is a YAML file whose name ends in C(partnercenter.yml) or C(partnercenter.yaml) and that holds
    O(plugin=csp.partnercenter.customers). The connection options are those of the modules, with the same
    E(PARTNERCENTER_*) environment variables, so the collection's AWX credential type serves an inventory source as
    it serves a job template.
  - Requests are one C(list_customers) call for every started 500 customers (three for 1,200 customers) and at most
    one token request, none when the token cache already holds a token for the credential. With O(cache) on and a
    fresh cache entry the plugin sends no request at all.
  - Secrets are never written to the inventory, the cache or an error message; every error names the option to fix.
author:
  - csp.partnercenter contributors (@csp-partnercenter)
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - csp.partnercenter.connection
  - csp.partnercenter.connection_env
options:
  plugin:
    description:
      - The name of this plugin. The file is only read as this plugin's configuration when it says so.
    type: str
    required: true
    choices: [csp.partnercenter.customers]
  hostnames:
    description:
      - How a customer's host is named. Each customer gets the first of these that names it and no other customer
        of the partner, so names do not depend on the order Partner Center lists customers in.
      - V(domain) is the primary domain in lower case (C(contoso.onmicrosoft.com)); V(domain_prefix) is the
        primary domain up to its first dot (C(contoso)); V(customer_id) is the customer's tenant id, always unique.
      - A name is used only when it is a DNS name (letters, digits and hyphens in lower case, in dot-separated
        labels of at most 63 characters) that names this customer alone, is not a name of the controller
        (C(localhost), C(localhost.localdomain), a name ending in C(.localhost), C(127.0.0.1) or any name whose last
        label is a number), not C(all) or C(ungrouped), not another customer's id, and not a host or group an
        earlier inventory source made (a customer is never merged into a host of a static inventory; put its
        variables in C(host_vars/) instead).
      - A customer that none of the entries names so becomes the host of its tenant id (a GUID, in lower case), with
        a warning naming the customer and why. A name that is not safe (template syntax, C(localhost)) is warned
        about even when a later entry names the customer. The warnings show what Partner Center sent with control
        characters escaped.
    type: list
    elements: str
    choices: [domain, domain_prefix, customer_id]
    default: [domain]
  include_domains:
    description:
      - Glob patterns (C(*), C(?), C([...]), case-insensitive) of primary domains. When O(include_domains) or
        O(include_company_names) is set, only customers matching at least one pattern of either become hosts.
    type: list
    elements: str
    default: []
  exclude_domains:
    description:
      - Glob patterns of primary domains whose customers never become hosts. Exclusion wins over inclusion.
    type: list
    elements: str
    default: []
  include_company_names:
    description:
      - Glob patterns (case-insensitive) of company names; see O(include_domains).
    type: list
    elements: str
    default: []
  exclude_company_names:
    description:
      - Glob patterns of company names whose customers never become hosts. Exclusion wins over inclusion.
    type: list
    elements: str
    default: []
notes:
  - The cache (O(cache)) holds each customer's id, primary domain, company name, tenant id and relationship, nothing
    else, under a key made of the configuration file's path and a hash of O(api_url), O(tenant_id) and O(client_id),
    so another partner or endpoint never reads this one's entry. C(ansible-playbook --flush-cache) (and
    C(ansible-inventory --flush-cache) from ansible-core 2.19 on) and C(meta) C(refresh_inventory) list the
    customers again.
  - When the listing fails, ansible-core turns the error into a warning and goes on without the source; set
    E(ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true) (or C(any_unparsed_is_failed) in the C([inventory]) section of
    C(ansible.cfg)) to make it fail the run instead of converging no customer.
  - Options of the file that this plugin does not have (a misspelt C(include_domain:)) fail the inventory, naming
    the option meant.
seealso:
  - module: csp.partnercenter.partnercenter_customer_info
"""

# One YAML document with one configuration file, the other two as comments: the yamllint sanity test of
# ansible-core 2.16 (certification runs it) parses EXAMPLES as a single document, and ansible-lint refuses
# a key given twice.
EXAMPLES = r"""
# customers.partnercenter.yml: only the Contoso and Fabrikam tenants, without test tenants, grouped by
# relationship (partnercenter_reseller, partnercenter_advisor), cached for an hour. The connection comes
# from the PARTNERCENTER_* environment variables (an AWX credential injects them).
plugin: csp.partnercenter.customers
include_domains:
  - contoso*.onmicrosoft.com
include_company_names:
  - Fabrikam*
exclude_company_names:
  - "* (test)"
keyed_groups:
  - key: partnercenter_relationship
    prefix: partnercenter
groups:
  partnercenter_microsoft_domains: partnercenter_customer_domain.endswith('.onmicrosoft.com')
compose:
  ansible_connection: "'local'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/csp.partnercenter/inventory
cache_timeout: 3600

# Every customer, named by its primary domain: a customers.partnercenter.yml of one line,
#   plugin: csp.partnercenter.customers
# Short host names (host_vars/contoso.yml), the tenant id where two customers share a prefix:
#   plugin: csp.partnercenter.customers
#   hostnames:
#     - domain_prefix
#     - customer_id
"""

import fnmatch
import hashlib

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.csp.partnercenter.plugins.module_utils import _correlation, _http
from ansible_collections.csp.partnercenter.plugins.module_utils._connection import build_client
from ansible_collections.csp.partnercenter.plugins.module_utils._customers import CustomersAPI
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError, PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._connection_options import (
    SECRET_OPTIONS, URL_OPTIONS, check_connection_options, connection_argument_spec, url_credentials,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._scrub import Scrubber
from ansible_collections.csp.partnercenter.plugins.module_utils._suggest import closest
from ansible_collections.csp.partnercenter.plugins.plugin_utils._host_names import choose_host_names

display = Display()

GROUP = "partnercenter_customers"
# host variable -> field of the customer (the snake_case view of _customers.to_snake)
HOST_VARS = (
    ("partnercenter_customer_id", "id"),
    ("partnercenter_customer_domain", "domain"),
    ("partnercenter_company_name", "company_name"),
    ("partnercenter_tenant_id", "tenant_id"),
    ("partnercenter_relationship", "relationship_to_partner"),
)
CACHED_FIELDS = tuple(field for _name, field in HOST_VARS)
# The environment variable each connection option falls back to, as the modules read it.
ENV = dict((name, spec["fallback"][1][0]) for name, spec in connection_argument_spec().items())


def _matches(value, patterns):
    value = value.lower() if isinstance(value, str) else ""
    return any(fnmatch.fnmatchcase(value, pattern.lower()) for pattern in patterns)


def selected(customer, include_domains=(), exclude_domains=(), include_company_names=(), exclude_company_names=()):
    """Whether ``customer`` becomes a host: it matches an include pattern (if any is given) and no exclude one."""
    domain, name = customer.get("domain"), customer.get("company_name")
    if (include_domains or include_company_names) and not (
            _matches(domain, include_domains) or _matches(name, include_company_names)):
        return False
    return not (_matches(domain, exclude_domains) or _matches(name, exclude_company_names))


def host_vars(customer):
    """The host variables of ``customer``; values from Partner Center are data, never templates.

    wrap_var marks them unsafe before ansible-core 2.19; from 2.19 on it leaves them untrusted, as
    every string an inventory plugin sets without trust_as_template is.
    """
    return dict((name, wrap_var(customer.get(field))) for name, field in HOST_VARS)


def connection_key(params):
    """A short hash of what selects the partner's data: another partner or endpoint gets another cache entry."""
    material = "\0".join(str(params.get(name) or "") for name in ("api_url", "tenant_id", "client_id"))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]


def _is_cached_listing(value):
    return isinstance(value, list) and all(isinstance(c, dict) and c.get("id") for c in value)


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = "csp.partnercenter.customers"

    def verify_file(self, path):
        if not super(InventoryModule, self).verify_file(path):
            return False
        return path.endswith(("partnercenter.yml", "partnercenter.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        config = self._read_config_data(path)
        self._refuse_unknown_options(config, path)
        params = dict((name, self.get_option(name)) for name in ENV)
        customers = self._customers(path, params, cache)
        self._populate(customers)

    def _refuse_unknown_options(self, config, path):
        known = sorted(self._options)
        for key in sorted(str(k) for k in config):
            if key not in known:
                meant = closest(key, known)
                raise AnsibleParserError("%s: %s is not an option of the csp.partnercenter.customers inventory "
                                         "plugin%s" % (path, key, "; did you mean %s?" % meant if meant else ""))

    def _customers(self, path, params, cache):
        key = "%s_%s" % (self.get_cache_key(path), connection_key(params))
        use_cache = self.get_option("cache")
        if use_cache and cache:
            try:
                cached = self._cache[key]
            except KeyError:
                cached = None
            if _is_cached_listing(cached):
                return cached
        customers = self._list_customers(path, params)
        if use_cache:
            self._cache[key] = customers
        return customers

    def _list_customers(self, path, params):
        scrubber = Scrubber(params.get(option) for option in SECRET_OPTIONS)
        for option, _variable in URL_OPTIONS:
            scrubber.add(url_credentials(params.get(option)))
        if not _http.HAS_REQUESTS:
            raise AnsibleParserError("The csp.partnercenter.customers inventory plugin needs the Python library "
                                     "requests (pip install 'requests>=2.28')")
        # The run's id (set here when the inventory is read first, before the forks; see _correlation).
        try:
            correlation_id = _correlation.start_run() or _correlation.run_correlation_id()
        except InputError as exc:
            raise AnsibleParserError("%s: the environment variable %s" % (path, exc))
        try:
            api_url, authority = check_connection_options(params)
            client = build_client(params, api_url, authority, warn=lambda text: display.warning(scrubber.clean(text)),
                                  scrubber=scrubber, correlation_id=correlation_id,
                                  pool_size=1)
            listing = CustomersAPI(client).list()
        except InputError as exc:
            raise AnsibleParserError(scrubber.clean(
                "%s: %s (set option %s in this file or the environment variable %s)"
                % (path, exc, exc.option, ENV.get(exc.option, "PARTNERCENTER_*"))))
        except PartnerCenterError as exc:
            raise AnsibleParserError(scrubber.clean(
                "%s: could not list the partner's customers: %s" % (path, exc.full_message())))
        return [dict((field, customer.get(field)) for field in CACHED_FIELDS) for customer in listing]

    def _populate(self, customers):
        try:
            hosts = choose_host_names(customers, self.get_option("hostnames"),
                                      taken=list(self.inventory.hosts) + list(self.inventory.groups))
        except ValueError as exc:
            raise AnsibleParserError("csp.partnercenter.customers: %s" % exc)
        filters = dict((option, self.get_option(option)) for option in (
            "include_domains", "exclude_domains", "include_company_names", "exclude_company_names"))
        strict = self.get_option("strict")
        self.inventory.add_group(GROUP)
        for customer, host, note in sorted(hosts, key=lambda h: h.name or ""):
            if not selected(customer, **filters):
                continue
            if note:
                display.warning("csp.partnercenter.customers: %s" % note)
            if host is None:
                continue
            self.inventory.add_host(host, group=GROUP)
            variables = host_vars(customer)
            for name, value in variables.items():
                self.inventory.set_variable(host, name, value)
            self._set_composite_vars(self.get_option("compose"), variables, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, host, strict=strict)
