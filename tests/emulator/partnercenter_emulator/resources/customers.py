"""Customers: rendering, the CompanyName/Domain filter, list and get, and seeding a
customer (which seeds its roles, SKUs and users through the other resources)."""

from ..model import DOMAIN_RE, Customer, SeedError, bad_query, is_guid, new_guid, \
    parse_filter_json
from ..responses import Response
from . import consents, graph_groups, graph_users, licenses, roles, users


def render_customer(st, customer, detail=False):
    base = "/customers/%s" % customer.id
    out = {
        "id": customer.id,
        "commerceId": customer.commerce_id,
        "companyProfile": {
            "tenantId": customer.id,
            "domain": customer.domain,
            "companyName": customer.company_name,
            "links": {"self": st.link(base + "/profiles/company")},
            "attributes": {"objectType": "CustomerCompanyProfile"},
        },
        "relationshipToPartner": customer.relationship,
    }
    if detail:
        out["allowDelegatedAccess"] = customer.allow_delegated_access
    if customer.custom_domains:
        out["customDomains"] = list(customer.custom_domains)
    out["links"] = {"self": st.link(base)}
    out["attributes"] = {"objectType": "Customer"}
    return out


def parse_customer_filter(filter_raw):
    if filter_raw is None:
        return None
    field, value, op = parse_filter_json(filter_raw)
    if field.lower() not in ("companyname", "domain"):
        raise bad_query("Unsupported customer search field '%s'; the emulator supports "
                        "CompanyName and Domain." % field)
    if op.lower() != "starts_with":
        raise bad_query("Unsupported operator '%s'; only starts_with is supported." % op)
    return field.lower(), value.lower()


def list_customers(st, size_raw, filter_raw, seek, token):
    with st.lock:
        def make_match(flt):
            def match(_i, cid):
                customer = st.customers.get(cid)
                if customer is None:
                    return None
                if flt is not None:
                    field, value = flt
                    hay = customer.company_name if field == "companyname" else customer.domain
                    if not hay.lower().startswith(value):
                        return None
                return customer
            return match

        return st.page((size_raw, seek, token), "customers", None, None, st.customer_order,
                       lambda: parse_customer_filter(filter_raw), make_match,
                       lambda c: st.lean(render_customer(st, c)), "/customers")


def get_customer(st, cid):
    with st.lock:
        return st.lean(render_customer(st, st.customer(cid), detail=True))


# ---- seeding -------------------------------------------------------------------------

def seed_customer(st, raw):
    if not isinstance(raw, dict):
        raise SeedError("each customer must be an object")
    raw = dict(raw)
    cid = raw.get("id")
    if cid is not None:
        if not is_guid(cid):
            raise SeedError("customer id %r is not a GUID" % cid)
        cid = cid.lower()
    customer = st.customers.get(cid) if cid else None
    if customer is None:
        name = raw.get("companyName")
        domain = raw.get("domain")
        if not name or not domain:
            raise SeedError("a new customer needs 'companyName' and 'domain'")
        if not isinstance(domain, str):
            raise SeedError("bad domain %r" % (domain,))
        # "uncheckedDomain": a compromised or misbehaving Partner Center, for clients that must not
        # trust what it lists (template syntax, "localhost", another customer's domain).
        if not raw.get("uncheckedDomain"):
            if not DOMAIN_RE.match(domain):
                raise SeedError("bad domain %r" % domain)
            for other in st.customers.values():
                if domain.lower() in other.domains():
                    raise SeedError("domain %r already belongs to customer %s" % (domain, other.id))
        customer = Customer(cid or new_guid(), name, domain)
        roles.seed_roles(customer, raw.get("directoryRoles"))
        st.customers[customer.id] = customer
        st.customer_order.append(customer.id)
    else:
        if raw.get("companyName"):
            customer.company_name = raw["companyName"]
        if raw.get("directoryRoles") is not None:
            roles.seed_roles(customer, raw.get("directoryRoles"))
    if raw.get("activatedRoles") is not None:
        roles.activate_roles(customer, raw["activatedRoles"])
    if raw.get("commerceId"):
        customer.commerce_id = raw["commerceId"]
    for domain in raw.get("customDomains") or []:
        if not DOMAIN_RE.match(domain):
            raise SeedError("bad custom domain %r" % domain)
        if domain.lower() not in customer.domains():
            customer.custom_domains.append(domain)
    if raw.get("relationshipToPartner"):
        customer.relationship = str(raw["relationshipToPartner"]).lower()
    if raw.get("allowDelegatedAccess") is not None:
        customer.allow_delegated_access = bool(raw["allowDelegatedAccess"])
    if raw.get("consentedApplications") is not None:
        consents.seed_consents(st, customer, raw["consentedApplications"], st.client_id)
    skus = [licenses.seed_sku(customer, sku_raw) for sku_raw in raw.get("subscribedSkus") or []]
    created_users = []
    managers = []
    for user_raw in raw.get("users") or []:
        user = users.seed_user(st, customer, user_raw)
        created_users.append({"id": user.id, "userPrincipalName": user.upn})
        if user_raw.get("manager"):
            managers.append((user, user_raw["manager"]))
    graph_users.seed_managers(customer, managers)
    generated = 0
    gen = raw.get("generate_users")
    if gen:
        generated = users.generate_users(st, customer, gen)
    if raw.get("groups") is not None:
        graph_groups.seed_groups(st, customer, raw["groups"])
    return {
        "id": customer.id,
        "companyName": customer.company_name,
        "domain": customer.domain,
        "users": created_users,
        "generatedUsers": generated,
        "subscribedSkus": [{"id": s.id, "skuPartNumber": s.sku_part_number} for s in skus],
    }


# ---- route handlers ----------------------------------------------------------------

def handle_list_customers(emu, req):
    return Response(200, list_customers(emu.state, req.one("size"), req.one("filter"),
                                        req.one("seekOperation"), req.continuation_token))


def handle_get_customer(emu, req):
    return Response(200, get_customer(emu.state, req.params["cid"]))
