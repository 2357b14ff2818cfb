# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""One ``partnercenter_user`` task from its parameters to its result.

The wiring between the declared users (``_declared``), the Partner Center API classes
(``_users``, ``_directory``), the look-ups, planner and executor (``_lookups``, ``_planner``, ``_executor``) and
the result (``_results``).  Another backend would plug its API classes in here.
``USER`` is the module's task (``_task.ModuleTask``), run by both adapters.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils._executor import Executor
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_lookups import plan_graph_steps
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_users import GraphUsersAPI
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_writes import GraphWriter
from ansible_collections.csp.partnercenter.plugins.module_utils._lookups import (
    MembershipSource, UserDirectory, plan_users,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._guard_rails import (
    refuse_mass_changes, refuse_privileged, rename_look_alikes,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._purge import purge_excluded, purge_plans, undeclared
from ansible_collections.csp.partnercenter.plugins.module_utils._declared import (
    USER_MODULE_RULES, declared_from_params, name_users_in, normalize_shorthands, user_argument_spec,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._customers import CustomersAPI
from ansible_collections.csp.partnercenter.plugins.module_utils._directory import DirectoryAPI
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError, PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._pc_errors import OUT_OF_LICENSES
from ansible_collections.csp.partnercenter.plugins.module_utils._planner import CREATE, OFFBOARDED, with_refusal
from ansible_collections.csp.partnercenter.plugins.module_utils._routes import ROUTES
from ansible_collections.csp.partnercenter.plugins.module_utils._results import many_result, single_result
from ansible_collections.csp.partnercenter.plugins.module_utils._summary import named_upns
from ansible_collections.csp.partnercenter.plugins.module_utils._task import ModuleTask
from ansible_collections.csp.partnercenter.plugins.module_utils._users import UsersAPI
from ansible_collections.csp.partnercenter.plugins.module_utils._validation import check_domain


def _body(context):
    return run_user_task(context.params, context.client, context.check_mode,
                         graph_for=lambda customer_id: graph_users_api(context, customer_id))


def graph_users_api(context, customer_id):
    """The customer's users and groups in Microsoft Graph, through its tenant's Graph client."""
    return GraphUsersAPI(context.graph(customer_id))


def secrets_of(params):
    """Every password a task declares, for the scrubber."""
    passwords = [params.get("password")]
    passwords.extend(item.get("password") for item in params.get("users") or [] if isinstance(item, dict))
    return [p for p in passwords if p]


USER = ModuleTask("partnercenter_user", user_argument_spec(), _body, rules=USER_MODULE_RULES,
                  normalize=normalize_shorthands, secrets=secrets_of)


def run_user_task(params, client_for, check_mode, graph_for=None):
    """The ``TaskResult`` of one task; every input is checked before the first request.

    ``client_for(pool_size)`` builds the Partner Center client only once the inputs are good;
    ``graph_for(customer_id)`` the customer's ``GraphUsersAPI``, only when a user declares a Graph option.
    """
    try:
        return _run(params, client_for, check_mode, graph_for)
    except InputError as exc:
        raise name_users_in(exc, params)


def _run(params, client_for, check_mode, graph_for=None):
    desired, many = declared_from_params(params)
    if params.get("customer_domain") is not None:
        check_domain("customer_domain", params["customer_domain"])
    parallelism = params["parallelism"] if many else 1
    client = client_for(max(10, parallelism))
    customers = CustomersAPI(client)
    customer_id = params["customer_id"] or customer_by_domain(customers, params["customer_domain"])
    api = UsersAPI(client, customer_id)
    memberships = MembershipSource(DirectoryAPI(client, customer_id))
    directory = UserDirectory(api)
    plans = plan_users(directory, desired if many else [desired], memberships=memberships, parallelism=parallelism)
    plans, graph_api = plan_graph_steps(lambda: graph_for(customer_id), plans, desired if many else [desired],
                                        directory.active, parallelism=parallelism)
    purges, kept, others = [], [], []
    warnings = list(groups_left_alone(plans))
    warnings += ["%s is declared offboarded but is not an active user of the customer; nothing to offboard"
                 % p.desired.user_principal_name for p in plans if p.desired.state == OFFBOARDED and p.current is None]
    if many:
        # A user's previous names are its own: never purged, never "undeclared".
        declared = set(d.key for d in desired) | set(k for d in desired for k in d.previous_keys)
        if params["purge"]:
            purges = purge_plans(directory.active, declared, params["purge_exclude"], params["purge_limit"],
                                 params["purge_max_percent"])
            kept = purge_excluded(directory.active, declared, params["purge_exclude"])
            warnings.extend(rename_look_alikes(plans, purges))
        else:
            others = undeclared(directory.active, declared, params["purge_exclude"])
    everything = refuse_privileged(plans + purges, memberships, parallelism, purged=purges, read_user=api.active)
    plans, purges = everything[:len(plans)], everything[len(plans):]
    refuse_mass_changes(plans + purges, params["mass_change_limit"])
    if params["customer_id"] and params.get("customer_domain") is not None and any(p.changed for p in plans + purges):
        check_customer_domain(customers, customer_id, params["customer_domain"])
    if any(p.kind == CREATE for p in plans):
        warnings.extend(refuse_foreign_domains(plans, customers, customer_id))
    if check_mode:
        predict_license_shortage(plans, memberships)
    graph = None
    if graph_api is not None:
        graph = GraphWriter(graph_api, ids=dict((upn, u.get("id")) for upn, u in directory.active.items()),
                            retry_budget=client.loop.retry_budget)
    executor = Executor(api, check_mode=check_mode, memberships=memberships, parallelism=parallelism,
                        retry_budget=client.loop.retry_budget, graph=graph, register_secret=client.scrubber.add)
    outcomes = executor.apply_all(plans + purges)
    result = many_result(outcomes, len(plans), undeclared=others) if many else single_result(outcomes[0])
    result.fields["customer_id"] = customer_id  # the one looked up, with customer_domain
    if many:
        result.fields["purge_excluded"] = kept
        if params["fail_on_undeclared"] and others and result.failure is None:
            result.failure = undeclared_failure(result.fields)
    result.warnings[:0] = warnings
    return result


def undeclared_failure(fields):
    """fail_on_undeclared's message: the declared users were converged, and these are nobody's."""
    return ("%d active users of the customer are declared nowhere (purge is off, so they stay): %s. Declare each (as "
            "present, offboarded or absent), list it in purge_exclude, or set fail_on_undeclared (the role's "
            "partnercenter_users_fail_on_undeclared) to false; the declared users were converged"
            % (fields["summary"]["undeclared"], named_upns(fields["undeclared_users"], fields["summary"]["undeclared"])))


def groups_left_alone(plans):
    """Warnings for the groups a ``groups.set`` leaves the user in because Graph cannot change their members."""
    for plan in plans:
        for group, why in (plan.graph.left_alone if plan.graph is not None else ()):
            yield ("groups.set of %s leaves it in group %s: %s" % (plan.desired.user_principal_name, group.label, why))


def customer_by_domain(customers, domain):
    """The tenant id of the one customer whose primary domain is ``domain``; InputError for none or several."""
    found = customers.by_domain(domain)
    if len(found) == 1:
        return found[0]["id"]
    if not found:
        raise InputError("customer_domain", "%s is the primary domain of none of this partner's customers. Check the "
                                            "spelling, that it is the customer's primary (default) domain rather than "
                                            "a custom one, and that the partner has a reseller relationship with the "
                                            "customer; or give the customer's tenant id (customer_id)" % domain)
    raise InputError("customer_domain", "%s matches %d customers of this partner (%s); give the tenant id of the one "
                                        "meant (customer_id)" % (domain, len(found),
                                                                 ", ".join(c["id"] for c in found)))


def check_customer_domain(customers, customer_id, domain):
    """``customer_id`` and ``customer_domain`` given together (the customers inventory plugin sets both) must name
    one customer: checked before the first write, so an id pasted from another customer's file writes nothing.

    The customer's record is read once (as refuse_foreign_domains reads it for a create anyway), so a run that
    writes nothing costs nothing more.  Where the record does not say the primary domain, the domain's look-up
    decides.
    """
    primary = ((customers.record(customer_id).get("companyProfile") or {}).get("domain") or "").lower()
    if primary == domain.lower():
        return
    if not primary:
        found = customers.by_domain(domain)
        if any(str(c["id"]).lower() == customer_id for c in found):
            return
        said = "whose primary domain Partner Center does not say, and %s is the primary domain of %s" % (
            domain, ", ".join("%s (%s)" % (c["id"], c.get("company_name") or "no company name") for c in found)
            or "none of this partner's customers")
    else:
        said = "whose primary domain is %s" % primary
    raise InputError("customer_domain", "%s is not the primary domain of customer_id %s, %s: the two name different "
                                        "customers (one of them copied from another customer's file?). Correct the "
                                        "wrong one, or give only one of them; nothing was written"
                                        % (domain, customer_id, said))


def refuse_foreign_domains(plans, customers, customer_id):
    """Users to be created on a domain the customer does not have fail (in check mode too); returns warnings.

    The customer is read once, and only when a create is planned, so a no-op costs only the listing.
    """
    try:
        domains, complete = customers.domains(customer_id)
    except PartnerCenterError as exc:
        return ["Could not read the customer's domains to check the new users' UPNs (%s); Partner Center will "
                "refuse a UPN on a domain the customer does not have" % exc.full_message()]
    for index, plan in enumerate(plans):
        if plan.kind != CREATE:
            continue
        domain = plan.desired.key.rsplit("@", 1)[-1]
        if domain in domains or not complete:
            continue  # when the custom domains are unknown (no DAP), only Partner Center can say
        plans[index] = with_refusal(plan, PartnerCenterError(
            "%s cannot be created: %s is not a domain of customer %s, whose domains are %s. Use one of them, or add "
            "and verify the domain in the customer's tenant first" % (
                plan.desired.user_principal_name, domain, customer_id, ", ".join(sorted(domains))),
            fault="refused before sending", route=ROUTES["create_user"].label))
    return []


def predict_license_shortage(plans, memberships):
    """Check mode: users whose license assignments would exceed a SKU's available units fail, in declared order.

    A real run asks Partner Center, whose count may have changed by then.
    """
    wanted = {}
    position = dict((id(plan), index) for index, plan in enumerate(plans))
    for plan in plans:
        m = plan.memberships
        if m is None or plan.refusal is not None:
            continue
        held = set(m.licenses_held)
        for sku_id in m.licenses_assign:
            if sku_id.lower() not in held:
                wanted.setdefault(sku_id.lower(), []).append(plan)
    for sku_id, takers in sorted(wanted.items()):
        sku = memberships.sku(sku_id)
        available = sku.get("available_units")
        if not isinstance(available, int) or len(takers) <= available:
            continue
        for plan in takers[max(available, 0):]:
            plans[position[id(plan)]] = with_refusal(plan, PartnerCenterError(
                "Would run out of licenses: %s would need one of %s, but %d user(s) of this task want it and it has "
                "%d available unit(s) (read just now)" % (plan.desired.user_principal_name, sku.get("sku_part_number"),
                                                          len(takers), available),
                code=int(OUT_OF_LICENSES), fault="predicted refusal", route=ROUTES["update_user_licenses"].label))
