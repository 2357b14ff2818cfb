"""Data model of the emulator (thread-safe; one re-entrant lock for all data).

All methods that read or change data take ``self.lock`` themselves.  They
raise :class:`ApiError` for Partner Center error answers and
:class:`SeedError` for bad control input.
"""

import copy
import hashlib
import json
import re
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from urllib.parse import quote

from .paging import CursorStore

# --------------------------------------------------------------------------
# configuration knobs

DEFAULT_CONFIG = {
    "default_page_size": 100,
    "max_page_size": 500,
    "create_status": 201,
    "duplicate_upn_status": 409,
    "password_reset_route": "both",
    "next_link_style": "relative",
    "get_deleted_user": "404",
    "latency_ms": 0,
    "latency_on_token": False,
    "throttle_rate": 0.0,
    "retry_after": 1,
    "error_rate": 0.0,
    "error_status": 503,
    "bom": False,
    "pascal_case": False,
    "token_lifetime": 3600,
    "replication_lag": 0,
    "member_route_lag": 0.0,
    "member_route_lag_license_error": "not_found",
    "random_seed": 0,
    "mfa_required": False,
    "token_mfa": True,
    "role_member_conflict_status": 409,
    "role_names": "legacy",
    "continuation_token_ttl": 600,
    "soft_delete_retention_days": 30,
    "request_log_limit": 200000,
}

_CHOICES = {
    "password_reset_route": ("both", "resetpassword", "user"),
    "next_link_style": ("relative", "v1"),
    "get_deleted_user": ("404", "return"),
    "role_names": ("legacy", "current"),
    "create_status": (200, 201),
    "member_route_lag_license_error": ("not_found", "usage_location"),
}


class ConfigError(ValueError):
    pass


def validate_config(partial):
    """Validate and coerce a partial knob dict; returns a new dict."""
    if not isinstance(partial, dict):
        raise ConfigError("config must be a JSON object")
    out = {}
    for key, value in partial.items():
        if key not in DEFAULT_CONFIG:
            raise ConfigError("unknown config knob %r (known: %s)"
                              % (key, ", ".join(sorted(DEFAULT_CONFIG))))
        default = DEFAULT_CONFIG[key]
        try:
            if isinstance(default, bool):
                if isinstance(value, str):
                    if value.lower() in ("1", "true", "yes", "on"):
                        value = True
                    elif value.lower() in ("0", "false", "no", "off"):
                        value = False
                    else:
                        raise ValueError(value)
                value = bool(value)
            elif isinstance(default, int):
                if isinstance(value, bool):
                    raise ValueError(value)
                if isinstance(value, float) and not value.is_integer():
                    raise ValueError(value)
                value = int(value)
            elif isinstance(default, float):
                if isinstance(value, bool):
                    raise ValueError(value)
                value = float(value)
            else:
                value = str(value)
        except (TypeError, ValueError):
            raise ConfigError("bad value for %s: %r" % (key, value))
        if key in _CHOICES and value not in _CHOICES[key]:
            raise ConfigError("%s must be one of %s" % (key, list(_CHOICES[key])))
        if key in ("throttle_rate", "error_rate") and not 0.0 <= value <= 1.0:
            raise ConfigError("%s must be within 0..1" % key)
        if key in ("duplicate_upn_status", "role_member_conflict_status", "error_status") \
                and not 400 <= value <= 599:
            raise ConfigError("%s must be an HTTP error status" % key)
        if key in ("default_page_size", "max_page_size") and value < 1:
            raise ConfigError("%s must be >= 1" % key)
        if key in ("latency_ms", "retry_after", "replication_lag", "token_lifetime",
                   "continuation_token_ttl", "soft_delete_retention_days",
                   "request_log_limit", "member_route_lag") and value < 0:
            raise ConfigError("%s must be >= 0" % key)
        out[key] = value
    return out


# --------------------------------------------------------------------------
# reference data

ISO_COUNTRIES = frozenset((
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN "
    "BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
    "DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL "
    "GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM "
    "JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME "
    "MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP "
    "NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD "
    "SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO "
    "TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW").split())
assert len(ISO_COUNTRIES) == 249

# (template id, current name, legacy name)
DEFAULT_ROLES = (
    ("62e90394-69f5-4237-9190-012177145e10", "Global Administrator", "Company Administrator"),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator", "User Account Administrator"),
    ("729827e3-9c14-49f7-bb1b-9608f156bbb8", "Helpdesk Administrator", "Helpdesk Administrator"),
    ("f023fd81-a637-4b56-95fd-791ac0226033", "Service Support Administrator",
     "Service Support Administrator"),
    ("b0f54661-2d74-4c50-afa3-1ec803f12efe", "Billing Administrator", "Billing Administrator"),
    ("88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Directory Readers", "Directory Readers"),
    ("29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator",
     "Exchange Service Administrator"),
)

LICENSE_GROUPS = ("group1", "group2")

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
UPN_LOCAL_RE = re.compile(r"^[A-Za-z0-9'.\-_!#^~]+$")
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


def is_guid(value):
    return isinstance(value, str) and GUID_RE.match(value) is not None


def new_guid():
    return str(uuid.uuid4())


def iso(epoch):
    if epoch is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def parse_iso(value):
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1]
    text = text.split(".", 1)[0]
    try:
        import calendar
        return float(calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%S")))
    except ValueError:
        raise SeedError("bad timestamp %r (use YYYY-MM-DDTHH:MM:SSZ)" % value)


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lower_keys(obj):
    """Recursively lower-case every dict key (request bodies may be camelCase
    or PascalCase; the emulator matches keys case-insensitively)."""
    if isinstance(obj, dict):
        return {str(k).lower(): lower_keys(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [lower_keys(v) for v in obj]
    return obj


# --------------------------------------------------------------------------
# errors

class ApiError(Exception):
    """An HTTP error answer of the Partner Center API."""

    def __init__(self, status, code, description, data=None, source="PartnerFD",
                 headers=None, body=None):
        Exception.__init__(self, "%s %s %s" % (status, code, description))
        self.status = status
        if body is None:
            body = {"code": code, "description": description,
                    "data": list(data or []), "source": source}
        self.body = body
        self.headers = headers or {}


class SeedError(ValueError):
    pass


def invalid_property(description):
    return ApiError(400, 3000, description)


def bad_query(description):
    return ApiError(400, 2000, description, source="PartnerApiServiceControllers")


def user_not_found():
    return ApiError(404, 60002, "User object Id is not found")


def invalid_usage_location():
    return ApiError(400, 3004, "License assignment cannot be done for user with invalid usage "
                               "location.")


def tenant_not_found():
    return ApiError(404, 60003, "Tenant not found")


# --------------------------------------------------------------------------
# entities

class User(object):
    __slots__ = ("id", "upn", "first_name", "last_name", "display_name", "usage_location",
                 "immutable_id", "phone_number", "state", "soft_deletion_time",
                 "password_sha256", "password_changes", "force_change_password",
                 "visible_at", "created_at", "member_ready_at", "roles", "licenses",
                 "dormant_licenses")

    def __init__(self, uid, upn):
        self.id = uid
        self.upn = upn
        self.first_name = None
        self.last_name = None
        self.display_name = None
        self.usage_location = None
        self.immutable_id = None
        self.phone_number = None
        self.state = "active"
        self.soft_deletion_time = None
        self.password_sha256 = None
        self.password_changes = 0
        self.force_change_password = None
        self.visible_at = 0.0
        self.created_at = 0.0
        self.member_ready_at = 0.0   # role and license routes see the user from then on
        self.roles = set()
        self.licenses = OrderedDict()        # sku id -> excluded plan ids (list)
        self.dormant_licenses = OrderedDict()  # licenses released by a soft delete


class Sku(object):
    def __init__(self, sku_id, name, part_number, group, plans, total):
        self.id = sku_id
        self.name = name
        self.sku_part_number = part_number
        self.license_group_id = group
        self.target_type = "User"
        self.service_plans = plans  # list of dicts
        self.total_units = total
        self.extra_consumed = 0
        self.assigned = 0
        self.warning_units = 0
        self.suspended_units = 0
        self.capability_status = "Enabled"

    @property
    def consumed(self):
        return self.extra_consumed + self.assigned

    @property
    def available(self):
        return self.total_units - self.consumed


class Customer(object):
    def __init__(self, cid, company_name, domain):
        self.id = cid
        self.commerce_id = new_guid()
        self.company_name = company_name
        self.domain = domain
        self.custom_domains = []
        self.relationship = "reseller"
        self.allow_delegated_access = True
        self.users = {}
        self.order = []          # append-only list of user ids (purged ids stay as tombstones)
        self.upn_index = {}      # lower-case UPN -> user id (active and soft-deleted)
        self.deleted = set()
        self.roles = OrderedDict()          # role id -> (current name, legacy name)
        self.role_members = {}              # role id -> {user id: position in role_order}
        self.role_order = {}                # role id -> append-only list of user ids
        self.skus = OrderedDict()

    def domains(self):
        return [self.domain.lower()] + [d.lower() for d in self.custom_domains]


# --------------------------------------------------------------------------
# state

class State(object):
    def __init__(self, config):
        self.lock = threading.RLock()
        self.config = config          # shared dict, replaced in place by the server
        self.clock_offset = 0.0
        self.customers = OrderedDict()
        self.customer_order = []
        self.cursors = CursorStore()
        self.next_purge_at = None

    # ---- clock -----------------------------------------------------------
    def now(self):
        return time.time() + self.clock_offset

    def advance_clock(self, seconds):
        with self.lock:
            self.clock_offset += float(seconds)
            self._purge_if_due(force=True)
            return self.now()

    def _retention(self):
        return float(self.config["soft_delete_retention_days"]) * 86400.0

    def _schedule_purge(self, deleted_at):
        due = deleted_at + self._retention()
        if self.next_purge_at is None or due < self.next_purge_at:
            self.next_purge_at = due

    def _purge_if_due(self, force=False):
        now = self.now()
        if not force and (self.next_purge_at is None or now < self.next_purge_at):
            return
        retention = self._retention()
        next_due = None
        for customer in self.customers.values():
            for uid in list(customer.deleted):
                user = customer.users[uid]
                due = (user.soft_deletion_time or now) + retention
                if due <= now:
                    self._purge_user(customer, user)
                elif next_due is None or due < next_due:
                    next_due = due
        self.next_purge_at = next_due

    def _purge_user(self, customer, user):
        customer.deleted.discard(user.id)
        del customer.users[user.id]
        customer.upn_index.pop(user.upn.lower(), None)
        for rid in user.roles:
            customer.role_members.get(rid, {}).pop(user.id, None)
        for sku_id in user.licenses:
            sku = customer.skus.get(sku_id)
            if sku is not None:
                sku.assigned -= 1

    # ---- reset / seed ----------------------------------------------------
    def clear(self):
        with self.lock:
            self.clock_offset = 0.0
            self.customers = OrderedDict()
            self.customer_order = []
            self.cursors.expire_all()
            self.next_purge_at = None

    def seed(self, data):
        """Load seed data (see README).  Returns a summary with the ids."""
        if data is None:
            return {"customers": []}
        if not isinstance(data, dict):
            raise SeedError("seed must be a JSON object with a 'customers' list")
        customers = data.get("customers", [])
        if not isinstance(customers, list):
            raise SeedError("'customers' must be a list")
        summary = []
        with self.lock:
            for raw in customers:
                summary.append(self._seed_customer(raw))
        return {"customers": summary}

    def _seed_customer(self, raw):
        if not isinstance(raw, dict):
            raise SeedError("each customer must be an object")
        raw = dict(raw)
        cid = raw.get("id")
        if cid is not None:
            if not is_guid(cid):
                raise SeedError("customer id %r is not a GUID" % cid)
            cid = cid.lower()
        customer = self.customers.get(cid) if cid else None
        if customer is None:
            name = raw.get("companyName")
            domain = raw.get("domain")
            if not name or not domain:
                raise SeedError("a new customer needs 'companyName' and 'domain'")
            if not DOMAIN_RE.match(domain):
                raise SeedError("bad domain %r" % domain)
            for other in self.customers.values():
                if domain.lower() in other.domains():
                    raise SeedError("domain %r already belongs to customer %s" % (domain, other.id))
            customer = Customer(cid or new_guid(), name, domain)
            self._seed_roles(customer, raw.get("directoryRoles"))
            self.customers[customer.id] = customer
            self.customer_order.append(customer.id)
        else:
            if raw.get("companyName"):
                customer.company_name = raw["companyName"]
            if raw.get("directoryRoles") is not None:
                self._seed_roles(customer, raw.get("directoryRoles"))
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
        skus = []
        for sku_raw in raw.get("subscribedSkus") or []:
            skus.append(self._seed_sku(customer, sku_raw))
        created_users = []
        for user_raw in raw.get("users") or []:
            user = self._seed_user(customer, user_raw)
            created_users.append({"id": user.id, "userPrincipalName": user.upn})
        generated = 0
        gen = raw.get("generate_users")
        if gen:
            generated = self._generate_users(customer, gen)
        return {
            "id": customer.id,
            "companyName": customer.company_name,
            "domain": customer.domain,
            "users": created_users,
            "generatedUsers": generated,
            "subscribedSkus": [{"id": s.id, "skuPartNumber": s.sku_part_number} for s in skus],
        }

    def _seed_roles(self, customer, roles):
        customer.roles = OrderedDict()
        if roles is None:
            for rid, name, legacy in DEFAULT_ROLES:
                customer.roles[rid] = (name, legacy)
        else:
            for role in roles:
                if not isinstance(role, dict) or not is_guid(role.get("id")) or not role.get("name"):
                    raise SeedError("directoryRoles entries need a GUID 'id' and a 'name'")
                customer.roles[role["id"].lower()] = (role["name"], role.get("legacyName") or role["name"])
        for rid in customer.roles:
            customer.role_members.setdefault(rid, {})
            customer.role_order.setdefault(rid, [])

    def _seed_sku(self, customer, raw):
        if not isinstance(raw, dict) or not raw.get("skuPartNumber"):
            raise SeedError("subscribedSkus entries need 'skuPartNumber'")
        sku_id = (raw.get("id") or new_guid()).lower()
        group = str(raw.get("licenseGroupId") or "group1").lower()
        if group not in LICENSE_GROUPS:
            raise SeedError("licenseGroupId must be group1 or group2")
        plans = []
        for plan in raw.get("servicePlans") or []:
            plans.append({
                "displayName": plan.get("displayName") or plan.get("serviceName"),
                "serviceName": plan.get("serviceName") or plan.get("displayName"),
                "id": (plan.get("id") or new_guid()).lower(),
                "capabilityStatus": plan.get("capabilityStatus") or "Enabled",
                "targetType": plan.get("targetType") or "User",
            })
        sku = Sku(sku_id, raw.get("name") or raw["skuPartNumber"], raw["skuPartNumber"], group,
                  plans, int(raw.get("totalUnits", 0)))
        sku.extra_consumed = int(raw.get("consumedUnits", 0))
        sku.warning_units = int(raw.get("warningUnits", 0))
        sku.suspended_units = int(raw.get("suspendedUnits", 0))
        if raw.get("targetType"):
            sku.target_type = raw["targetType"]
        customer.skus[sku.id] = sku
        return sku

    def _resolve_sku(self, customer, ref):
        ref_l = str(ref).lower()
        if ref_l in customer.skus:
            return customer.skus[ref_l]
        for sku in customer.skus.values():
            if sku.sku_part_number.lower() == ref_l:
                return sku
        raise SeedError("customer %s has no subscribed SKU %r" % (customer.id, ref))

    def _resolve_role(self, customer, ref):
        ref_l = str(ref).lower()
        if ref_l in customer.roles:
            return ref_l
        for rid, names in customer.roles.items():
            if ref_l in (names[0].lower(), names[1].lower()):
                return rid
        raise SeedError("customer %s has no directory role %r" % (customer.id, ref))

    def _insert_user(self, customer, user):
        customer.users[user.id] = user
        customer.order.append(user.id)
        customer.upn_index[user.upn.lower()] = user.id
        if user.state == "inactive":
            customer.deleted.add(user.id)
            self._schedule_purge(user.soft_deletion_time)

    def _seed_user(self, customer, raw):
        if not isinstance(raw, dict) or not raw.get("userPrincipalName"):
            raise SeedError("users entries need 'userPrincipalName'")
        upn = raw["userPrincipalName"]
        if upn.lower() in customer.upn_index:
            raise SeedError("duplicate userPrincipalName %r" % upn)
        uid = (raw.get("id") or new_guid()).lower()
        if not is_guid(uid) or uid in customer.users:
            raise SeedError("bad or duplicate user id %r" % raw.get("id"))
        user = User(uid, upn)
        user.first_name = raw.get("firstName")
        user.last_name = raw.get("lastName")
        user.display_name = raw.get("displayName") or upn.split("@")[0]
        user.usage_location = raw.get("usageLocation")
        user.immutable_id = raw.get("immutableId")
        user.phone_number = raw.get("phoneNumber")
        if raw.get("password"):
            user.password_sha256 = sha256(raw["password"])
        now = self.now()
        user.created_at = now
        state = str(raw.get("state") or "active").lower()
        if state not in ("active", "inactive"):
            raise SeedError("user state must be active or inactive")
        user.state = state
        if state == "inactive":
            user.soft_deletion_time = parse_iso(raw.get("softDeletionTime")) or now
        for role_ref in raw.get("directoryRoles") or []:
            user.roles.add(self._resolve_role(customer, role_ref))
        for lic in raw.get("licenses") or []:
            if isinstance(lic, dict):
                sku = self._resolve_sku(customer, lic.get("skuId") or lic.get("sku"))
                excluded = [p.lower() for p in (lic.get("excludedPlans") or [])]
            else:
                sku = self._resolve_sku(customer, lic)
                excluded = []
            target = user.dormant_licenses if state == "inactive" else user.licenses
            if state == "active":
                if sku.available < 1:
                    raise SeedError("SKU %s has no units left for %s" % (sku.sku_part_number, upn))
                sku.assigned += 1
            target[sku.id] = excluded
        self._insert_user(customer, user)
        for rid in user.roles:
            self._add_role_member(customer, rid, user.id)
        return user

    def _generate_users(self, customer, gen):
        count = int(gen.get("count", 0))
        prefix = gen.get("prefix") or "user"
        state = str(gen.get("state") or "active").lower()
        location = gen.get("usageLocation", "US")
        width = max(5, len(str(count)))
        start = int(gen.get("start", 1))
        now = self.now()
        made = 0
        for n in range(start, start + count):
            number = str(n).zfill(width)
            upn = "%s%s@%s" % (prefix, number, customer.domain)
            if upn.lower() in customer.upn_index:
                raise SeedError("duplicate userPrincipalName %r" % upn)
            user = User(new_guid(), upn)
            user.first_name = prefix.capitalize()
            user.last_name = number
            user.display_name = "%s %s" % (prefix.capitalize(), number)
            user.usage_location = location
            user.created_at = now
            user.state = state
            if state == "inactive":
                user.soft_deletion_time = now
            self._insert_user(customer, user)
            made += 1
        return made

    def _add_role_member(self, customer, rid, uid):
        members = customer.role_members.setdefault(rid, {})
        order = customer.role_order.setdefault(rid, [])
        members[uid] = len(order)
        order.append(uid)

    # ---- rendering -------------------------------------------------------
    def _link(self, uri, collection=False):
        if collection and self.config["next_link_style"] == "v1":
            uri = "/v1" + uri
        return {"uri": uri, "method": "GET", "headers": []}

    def render_customer(self, customer, detail=False):
        base = "/customers/%s" % customer.id
        out = {
            "id": customer.id,
            "commerceId": customer.commerce_id,
            "companyProfile": {
                "tenantId": customer.id,
                "domain": customer.domain,
                "companyName": customer.company_name,
                "links": {"self": self._link(base + "/profiles/company")},
                "attributes": {"objectType": "CustomerCompanyProfile"},
            },
            "relationshipToPartner": customer.relationship,
        }
        if detail:
            out["allowDelegatedAccess"] = customer.allow_delegated_access
        if customer.custom_domains:
            out["customDomains"] = list(customer.custom_domains)
        out["links"] = {"self": self._link(base)}
        out["attributes"] = {"objectType": "Customer"}
        return out

    def render_user(self, customer, user, password_profile=None):
        out = OrderedDict()
        out["usageLocation"] = user.usage_location
        out["id"] = user.id
        out["userPrincipalName"] = user.upn
        out["firstName"] = user.first_name
        out["lastName"] = user.last_name
        out["displayName"] = user.display_name
        if user.immutable_id is not None:
            out["immutableId"] = user.immutable_id
        if user.phone_number is not None:
            out["phoneNumber"] = user.phone_number
        if password_profile is not None:
            out["passwordProfile"] = password_profile
        out["lastDirectorySyncTime"] = None
        out["userDomainType"] = "none"
        out["state"] = user.state
        out["softDeletionTime"] = iso(user.soft_deletion_time)
        out["links"] = {"self": self._link("/customers/%s/users/%s" % (customer.id, user.id))}
        out["attributes"] = {"objectType": "CustomerUser"}
        return out

    def _collection(self, items, self_uri=None, next_token=None, next_uri=None):
        out = OrderedDict()
        out["totalCount"] = len(items)
        out["items"] = items
        links = OrderedDict()
        if self_uri is not None:
            links["self"] = self._link(self_uri, collection=True)
        if next_token is not None:
            link = self._link(next_uri, collection=True)
            link["headers"] = [{"key": "MS-ContinuationToken", "value": next_token}]
            links["next"] = link
            out["continuationToken"] = next_token
        if links:
            out["links"] = links
        out["attributes"] = {"objectType": "Collection"}
        return out

    # ---- paging helpers --------------------------------------------------
    def page_size(self, raw_size):
        if raw_size is None or raw_size == "":
            return self.config["default_page_size"]
        try:
            size = int(raw_size)
        except ValueError:
            raise bad_query("The value '%s' is not valid for size." % raw_size)
        if size < 0:
            raise bad_query("The page size must be between 1 and %d." % self.config["max_page_size"])
        if size == 0:
            return self.config["default_page_size"]
        if size > self.config["max_page_size"]:
            raise bad_query("The page size must be between 1 and %d; %d was requested."
                            % (self.config["max_page_size"], size))
        return size

    def page_start(self, seek, token, kind, customer_id, scope, size_raw, parse_filter):
        """(size, filter, position) of a list request: from its continuation cursor, or a first page."""
        cursor = self.resolve_seek(seek, token, kind, customer_id, scope)
        if cursor is not None:
            return cursor.size, cursor.filter, cursor.position
        return self.page_size(size_raw), parse_filter(), 0

    def resolve_seek(self, seek_operation, token, kind, customer_id, scope):
        """Return the cursor for a seek request, or None for a first page."""
        if seek_operation is None:
            return None
        if seek_operation.lower() != "next":
            raise bad_query("seekOperation '%s' is not supported; only 'Next' is." % seek_operation)
        if not token:
            raise bad_query("seekOperation=Next requires the MS-ContinuationToken header.")
        cursor = self.cursors.get(token)
        if cursor is None or cursor.kind != kind or cursor.customer_id != customer_id \
                or cursor.scope != scope:
            raise bad_query("The continuation token is invalid or has expired.")
        return cursor

    @staticmethod
    def _scan(order, start, size, match):
        """Collect up to ``size`` matches from ``order[start:]``; returns
        (items, position of the next match or None)."""
        items = []
        i = start
        n = len(order)
        while i < n and len(items) < size:
            obj = match(i, order[i])
            if obj is not None:
                items.append(obj)
            i += 1
        while i < n:
            if match(i, order[i]) is not None:
                return items, i
            i += 1
        return items, None

    def _issue_next(self, kind, customer_id, scope, filter_value, size, position):
        return self.cursors.issue(kind, customer_id, scope, filter_value, size, position,
                                  self.config["continuation_token_ttl"])

    # ---- access helpers ----------------------------------------------------
    def get_customer_obj(self, cid, delegated=False):
        if not is_guid(cid):
            raise ApiError(400, 900118, "Invalid Customer Id")
        customer = self.customers.get(cid.lower())
        if customer is None:
            raise tenant_not_found()
        if delegated and not customer.allow_delegated_access:
            raise ApiError(403, 20002, "No relationship between caller and account.")
        self._purge_if_due()
        return customer

    def _visible(self, user):
        return user.visible_at <= self.now()

    def _user(self, customer, uid, allow_deleted=False):
        if not is_guid(uid):
            raise user_not_found()
        user = customer.users.get(uid.lower())
        if user is None or not self._visible(user):
            raise user_not_found()
        if user.state != "active" and not allow_deleted:
            raise user_not_found()
        return user

    def _member_user(self, customer, uid, license_update=False):
        """The user of a role or license route: like ``_user``, and still 404 (or, for a
        license update with ``member_route_lag_license_error=usage_location``, 400/3004)
        while ``member_route_lag`` lasts."""
        user = self._user(customer, uid)
        if user.member_ready_at > self.now():
            if license_update and self.config["member_route_lag_license_error"] == \
                    "usage_location":
                raise invalid_usage_location()
            raise user_not_found()
        return user

    # ---- customers -------------------------------------------------------
    def list_customers(self, size_raw, filter_raw, seek, token):
        with self.lock:
            size, flt, start = self.page_start(seek, token, "customers", None, None, size_raw,
                                               lambda: self._parse_customer_filter(filter_raw))

            def match(_i, cid):
                customer = self.customers.get(cid)
                if customer is None:
                    return None
                if flt is not None:
                    field, value = flt
                    hay = customer.company_name if field == "companyname" else customer.domain
                    if not hay.lower().startswith(value):
                        return None
                return customer

            found, nxt = self._scan(self.customer_order, start, size, match)
            items = [self.render_customer(c) for c in found]
            self_uri = "/customers?size=%d" % size
            token_out = None
            if nxt is not None:
                token_out = self._issue_next("customers", None, None, flt, size, nxt)
            return self._collection(items, self_uri, token_out,
                                    "/customers?size=%d&seekOperation=Next" % size)

    @staticmethod
    def _parse_filter_json(filter_raw):
        try:
            flt = json.loads(filter_raw.lstrip("\ufeff"))
        except ValueError:
            raise bad_query("The filter is not valid JSON.")
        if not isinstance(flt, dict):
            raise bad_query("The filter must be a JSON object with Field, Value and Operator.")
        flt = lower_keys(flt)
        field, value, op = flt.get("field"), flt.get("value"), flt.get("operator")
        if not isinstance(field, str) or not isinstance(value, str) or not isinstance(op, str):
            raise bad_query("The filter must have string Field, Value and Operator.")
        return field, value, op

    def _parse_customer_filter(self, filter_raw):
        if filter_raw is None:
            return None
        field, value, op = self._parse_filter_json(filter_raw)
        if field.lower() not in ("companyname", "domain"):
            raise bad_query("Unsupported customer search field '%s'; the emulator supports "
                            "CompanyName and Domain." % field)
        if op.lower() != "starts_with":
            raise bad_query("Unsupported operator '%s'; only starts_with is supported." % op)
        return field.lower(), value.lower()

    def get_customer(self, cid):
        with self.lock:
            return self.render_customer(self.get_customer_obj(cid), detail=True)

    # ---- users -------------------------------------------------------------
    def _parse_user_filter(self, filter_raw):
        if filter_raw is None:
            return "active"
        field, value, op = self._parse_filter_json(filter_raw)
        if field.lower() not in ("userstate", "userstatus"):
            raise bad_query("Unsupported filter field '%s' for customer users; only UserState "
                            "is supported." % field)
        if op.lower() != "equals":
            raise bad_query("Unsupported filter operator '%s'; only equals is supported." % op)
        if value.lower() not in ("inactive", "active"):
            raise bad_query("Unsupported UserState value '%s'." % value)
        return value.lower()

    def list_users(self, cid, size_raw, filter_raw, seek, token):
        with self.lock:
            customer = self.get_customer_obj(cid, delegated=True)
            size, state, start = self.page_start(seek, token, "users", customer.id, None, size_raw,
                                                 lambda: self._parse_user_filter(filter_raw))
            now = self.now()
            users = customer.users

            def match(_i, uid):
                user = users.get(uid)
                if user is None or user.state != state or user.visible_at > now:
                    return None
                return user

            found, nxt = self._scan(customer.order, start, size, match)
            items = [self.render_user(customer, u) for u in found]
            base = "/customers/%s/users" % customer.id
            self_uri = "%s?size=%d" % (base, size)
            if filter_raw is not None and start == 0:  # a first page names its filter
                self_uri += "&filter=" + quote(filter_raw, safe="")
            token_out = None
            if nxt is not None:
                token_out = self._issue_next("users", customer.id, None, state, size, nxt)
            return self._collection(items, self_uri, token_out,
                                    "%s?size=%d&seekOperation=Next" % (base, size))

    def get_user(self, cid, uid):
        with self.lock:
            customer = self.get_customer_obj(cid, delegated=True)
            allow = self.config["get_deleted_user"] == "return"
            user = self._user(customer, uid, allow_deleted=allow)
            return self.render_user(customer, user)

    def _check_upn(self, customer, upn, field="userPrincipalName"):
        if not isinstance(upn, str) or not upn:
            raise invalid_property("Invalid property '%s': the value is required." % field)
        if len(upn) > 113:
            raise invalid_property("Invalid property '%s': '%s' is longer than 113 characters."
                                   % (field, upn))
        if upn.count("@") != 1:
            raise invalid_property("Invalid property '%s': '%s' must contain exactly one '@'."
                                   % (field, upn))
        local, domain = upn.split("@")
        if not local or len(local) > 64:
            raise invalid_property("Invalid property '%s': the part before '@' must be 1 to 64 "
                                   "characters long." % field)
        if not UPN_LOCAL_RE.match(local) or local.startswith(".") or local.endswith(".") \
                or ".." in local:
            raise invalid_property("Invalid property '%s': '%s' contains characters that are not "
                                   "allowed in a user principal name." % (field, upn))
        if not DOMAIN_RE.match(domain):
            raise invalid_property("Invalid property '%s': '%s' is not a valid domain name."
                                   % (field, domain))
        if domain.lower() not in customer.domains():
            raise invalid_property("Invalid property '%s': the domain '%s' is not a verified "
                                   "domain of the customer tenant." % (field, domain))
        return upn

    @staticmethod
    def _check_text(value, field, required=False, max_len=256):
        if value is None:
            if required:
                raise invalid_property("Invalid property '%s': the value is required." % field)
            return None
        if not isinstance(value, str):
            raise invalid_property("Invalid property '%s': a string is expected." % field)
        if required and not value.strip():
            raise invalid_property("Invalid property '%s': the value is required." % field)
        if len(value) > max_len:
            raise invalid_property("Invalid property '%s': longer than %d characters."
                                   % (field, max_len))
        return value

    @staticmethod
    def _check_location(value, required=True):
        if value is None:
            if required:
                raise invalid_property("Invalid property 'usageLocation': the value is required.")
            return None
        if not isinstance(value, str) or value.upper() not in ISO_COUNTRIES:
            raise invalid_property("Invalid property 'usageLocation': '%s' is not a valid "
                                   "ISO 3166-1 alpha-2 country code." % (value,))
        return value.upper()

    @staticmethod
    def _check_password_profile(profile, required=True):
        """Returns (password, forceChangePassword, echo dict) or None."""
        if profile is None:
            if required:
                raise invalid_property("Invalid property 'passwordProfile.password': a password "
                                       "is required.")
            return None
        if not isinstance(profile, dict):
            raise invalid_property("Invalid property 'passwordProfile': an object is expected.")
        password = profile.get("password")
        force = profile.get("forcechangepassword")
        if password is None:
            raise invalid_property("Invalid property 'passwordProfile.password': a password "
                                   "is required.")
        if not isinstance(password, str):
            raise invalid_property("Invalid property 'passwordProfile.password': a string is "
                                   "expected.")
        if force is not None and not isinstance(force, bool):
            raise invalid_property("Invalid property 'passwordProfile.forceChangePassword': a "
                                   "boolean is expected.")
        classes = sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                       any(c.isdigit() for c in password),
                       any(not c.isalnum() for c in password)))
        if len(password) < 8 or len(password) > 256 or classes < 3 \
                or any(not (" " <= c <= "~") for c in password):
            # never echo the password in an error
            raise invalid_property("Invalid property 'passwordProfile.password': the password "
                                   "does not comply with the password complexity requirements "
                                   "(8 to 256 ASCII characters, with 3 of: lower case, upper "
                                   "case, digit, symbol).")
        echo = OrderedDict()
        echo["forceChangePassword"] = force if force is not None else False
        echo["password"] = password
        return password, force, echo

    def _duplicate(self, status):
        return ApiError(status, 3001, "Another object with the same value for property "
                                      "userPrincipalName already exists.")

    def create_user(self, cid, body):
        with self.lock:
            customer = self.get_customer_obj(cid, delegated=True)
            upn = self._check_upn(customer, body.get("userprincipalname"))
            display = self._check_text(body.get("displayname"), "displayName", required=True)
            first = self._check_text(body.get("firstname"), "firstName")
            last = self._check_text(body.get("lastname"), "lastName")
            location = self._check_location(body.get("usagelocation"))
            immutable = self._check_text(body.get("immutableid"), "immutableId")
            phone = self._check_text(body.get("phonenumber"), "phoneNumber")
            password, force, echo = self._check_password_profile(body.get("passwordprofile"))
            if upn.lower() in customer.upn_index:
                raise self._duplicate(self.config["duplicate_upn_status"])
            user = User(new_guid(), upn)
            user.display_name = display
            user.first_name = first
            user.last_name = last
            user.usage_location = location
            user.immutable_id = immutable
            user.phone_number = phone
            user.password_sha256 = sha256(password)
            user.force_change_password = force
            now = self.now()
            user.created_at = now
            user.visible_at = now + float(self.config["replication_lag"])
            user.member_ready_at = now + float(self.config["member_route_lag"])
            self._insert_user(customer, user)
            return self.config["create_status"], self.render_user(customer, user, echo)

    def update_user(self, cid, uid, body):
        with self.lock:
            customer = self.get_customer_obj(cid, delegated=True)
            user = self._user(customer, uid, allow_deleted=True)
            state = body.get("state")
            restore = False
            if user.state != "active":
                if not isinstance(state, str) or state.lower() != "active":
                    raise user_not_found()
                restore = True
            elif state is not None:
                if not isinstance(state, str) or state.lower() != "active":
                    raise invalid_property("Invalid property 'state': only 'active' (restore) can "
                                           "be set; use DELETE to delete a user.")
            changes = {}
            if body.get("userprincipalname") is not None:
                upn = self._check_upn(customer, body["userprincipalname"])
                owner = customer.upn_index.get(upn.lower())
                if owner is not None and owner != user.id:
                    raise self._duplicate(self.config["duplicate_upn_status"])
                changes["upn"] = upn
            if body.get("displayname") is not None:
                changes["display_name"] = self._check_text(body["displayname"], "displayName",
                                                           required=True)
            for key, attr, field in (("firstname", "first_name", "firstName"),
                                     ("lastname", "last_name", "lastName"),
                                     ("immutableid", "immutable_id", "immutableId"),
                                     ("phonenumber", "phone_number", "phoneNumber")):
                if body.get(key) is not None:
                    changes[attr] = self._check_text(body[key], field)
            if body.get("usagelocation") is not None:
                changes["usage_location"] = self._check_location(body["usagelocation"])
            echo = None
            password = None
            if body.get("passwordprofile") is not None:
                if self.config["password_reset_route"] == "resetpassword":
                    raise invalid_property("Invalid property 'passwordProfile': the password can "
                                           "only be reset with the resetpassword operation.")
                password, force, echo = self._check_password_profile(body["passwordprofile"])
            # all validated: apply
            if restore:
                self._restore(customer, user)
            if "upn" in changes:
                customer.upn_index.pop(user.upn.lower(), None)
                user.upn = changes.pop("upn")
                customer.upn_index[user.upn.lower()] = user.id
            for attr, value in changes.items():
                setattr(user, attr, value)
            if password is not None:
                self._set_password(user, password, force)
            return self.render_user(customer, user, echo)

    def _set_password(self, user, password, force):
        user.password_sha256 = sha256(password)
        user.password_changes += 1
        user.force_change_password = force

    def _restore(self, customer, user):
        user.state = "active"
        user.soft_deletion_time = None
        customer.deleted.discard(user.id)
        for sku_id, excluded in user.dormant_licenses.items():
            sku = customer.skus.get(sku_id)
            if sku is not None and sku.available >= 1:
                sku.assigned += 1
                user.licenses[sku_id] = excluded
        user.dormant_licenses = OrderedDict()

    def reset_password(self, cid, uid, body):
        with self.lock:
            customer = self.get_customer_obj(cid, delegated=True)
            user = self._user(customer, uid)
            password, force, echo = self._check_password_profile(body.get("passwordprofile"))
            self._set_password(user, password, force)
            return self.render_user(customer, user, echo)

    def delete_user(self, cid, uid):
        with self.lock:
            customer = self.get_customer_obj(cid, delegated=True)
            user = self._user(customer, uid)
            now = self.now()
            user.state = "inactive"
            user.soft_deletion_time = float(int(now))
            customer.deleted.add(user.id)
            for sku_id, excluded in user.licenses.items():
                sku = customer.skus.get(sku_id)
                if sku is not None:
                    sku.assigned -= 1
                user.dormant_licenses[sku_id] = excluded
            user.licenses = OrderedDict()
            self._schedule_purge(user.soft_deletion_time)

    # ---- directory roles -------------------------------------------------
    def _role_name(self, customer, rid):
        names = customer.roles[rid]
        return names[1] if self.config["role_names"] == "legacy" else names[0]

    def _render_role(self, customer, rid):
        return OrderedDict((("name", self._role_name(customer, rid)), ("id", rid),
                            ("attributes", {"objectType": "DirectoryRole"})))

    def _role(self, customer, rid):
        if not is_guid(rid) or rid.lower() not in customer.roles:
            raise ApiError(404, 1000, "Directory role '%s' was not found." % rid)
        return rid.lower()

    def list_directory_roles(self, cid):
        with self.lock:
            customer = self.get_customer_obj(cid, delegated=True)
            items = [self._render_role(customer, rid) for rid in customer.roles]
            return self._collection(items, "/customers/%s/directoryroles" % customer.id)

    def list_user_directory_roles(self, cid, uid):
        with self.lock:
            customer = self.get_customer_obj(cid, delegated=True)
            user = self._member_user(customer, uid)
            items = [self._render_role(customer, rid) for rid in customer.roles
                     if rid in user.roles]
            return self._collection(
                items, "/customers/%s/users/%s/directoryroles" % (customer.id, user.id))

    def _render_member(self, user, rid):
        return OrderedDict((("displayName", user.display_name),
                            ("userPrincipalName", user.upn), ("roleId", rid), ("id", user.id),
                            ("attributes", {"objectType": "UserMember"})))

    def list_role_members(self, cid, rid, size_raw, seek, token):
        with self.lock:
            customer = self.get_customer_obj(cid, delegated=True)
            rid = self._role(customer, rid)
            size, dummy, start = self.page_start(seek, token, "role_members", customer.id, rid, size_raw,
                                                 lambda: None)
            members = customer.role_members.get(rid, {})
            now = self.now()

            def match(i, uid):
                if members.get(uid) != i:
                    return None
                user = customer.users.get(uid)
                if user is None or user.state != "active" or user.visible_at > now:
                    return None
                return user

            found, nxt = self._scan(customer.role_order.get(rid, []), start, size, match)
            items = [self._render_member(u, rid) for u in found]
            base = "/customers/%s/directoryroles/%s/usermembers" % (customer.id, rid)
            token_out = None
            if nxt is not None:
                token_out = self._issue_next("role_members", customer.id, rid, None, size, nxt)
            return self._collection(items, "%s?size=%d" % (base, size), token_out,
                                    "%s?size=%d&seekOperation=Next" % (base, size))

    def add_role_member(self, cid, rid, body):
        with self.lock:
            customer = self.get_customer_obj(cid, delegated=True)
            rid = self._role(customer, rid)
            uid = body.get("id")
            if not isinstance(uid, str) or not uid:
                raise invalid_property("Invalid property 'id': the user id is required.")
            user = self._member_user(customer, uid)
            if rid in user.roles:
                raise ApiError(self.config["role_member_conflict_status"], 3002,
                               "One or more added object references already exist for the "
                               "following modified properties: 'members'.")
            user.roles.add(rid)
            self._add_role_member(customer, rid, user.id)
            return self._render_member(user, rid)

    def remove_role_member(self, cid, rid, uid):
        with self.lock:
            customer = self.get_customer_obj(cid, delegated=True)
            rid = self._role(customer, rid)
            user = self._member_user(customer, uid)
            if rid not in user.roles:
                raise ApiError(404, 1000, "The user '%s' is not a member of the directory role "
                                          "'%s'." % (user.id, rid))
            user.roles.discard(rid)
            customer.role_members.get(rid, {}).pop(user.id, None)

    # ---- licenses ----------------------------------------------------------
    @staticmethod
    def parse_groups(values):
        if not values:
            return ("group1",)
        out = []
        for value in values:
            for part in value.split(","):
                part = part.strip().lower()
                if part not in LICENSE_GROUPS:
                    raise bad_query("Unknown licenseGroupIds value '%s' (use Group1 or Group2)."
                                    % part)
                out.append(part)
        return tuple(out)

    def render_sku(self, sku):
        return OrderedDict((
            ("availableUnits", sku.available),
            ("activeUnits", sku.total_units - sku.warning_units),
            ("consumedUnits", sku.consumed),
            ("suspendedUnits", sku.suspended_units),
            ("totalUnits", sku.total_units),
            ("warningUnits", sku.warning_units),
            ("productSku", OrderedDict((("id", sku.id), ("name", sku.name),
                                        ("skuPartNumber", sku.sku_part_number),
                                        ("targetType", sku.target_type),
                                        ("licenseGroupId", sku.license_group_id)))),
            ("servicePlans", [dict(p) for p in sku.service_plans]),
            ("capabilityStatus", sku.capability_status),
            ("attributes", {"objectType": "SubscribedSku"}),
        ))

    def list_subscribed_skus(self, cid, groups):
        with self.lock:
            customer = self.get_customer_obj(cid, delegated=True)
            groups = self.parse_groups(groups)
            items = [self.render_sku(s) for s in customer.skus.values()
                     if s.license_group_id in groups]
            return self._collection(items, "/customers/%s/subscribedskus" % customer.id)

    def list_user_licenses(self, cid, uid, groups):
        with self.lock:
            customer = self.get_customer_obj(cid, delegated=True)
            user = self._member_user(customer, uid)
            groups = self.parse_groups(groups)
            items = []
            for sku_id, excluded in user.licenses.items():
                sku = customer.skus.get(sku_id)
                if sku is None or sku.license_group_id not in groups:
                    continue
                plans = [dict(p) for p in sku.service_plans if p["id"] not in excluded]
                items.append(OrderedDict((
                    ("servicePlans", plans),
                    ("productSku", OrderedDict((("id", sku.id), ("name", sku.name),
                                                ("skuPartNumber", sku.sku_part_number),
                                                ("licenseGroupId", sku.license_group_id)))),
                    ("attributes", {"objectType": "License"}),
                )))
            return self._collection(
                items, "/customers/%s/users/%s/licenses" % (customer.id, user.id))

    def update_user_licenses(self, cid, uid, body):
        with self.lock:
            customer = self.get_customer_obj(cid, delegated=True)
            user = self._member_user(customer, uid, license_update=True)
            to_assign = body.get("licensestoassign") or []
            to_remove = body.get("licensestoremove") or []
            if not isinstance(to_assign, list) or not isinstance(to_remove, list):
                raise invalid_property("Invalid property: LicensesToAssign and LicensesToRemove "
                                       "must be lists.")
            if not to_assign and not to_remove:
                raise invalid_property("Invalid property: LicensesToAssign or LicensesToRemove "
                                       "must contain at least one license.")
            assign = OrderedDict()
            groups = set()
            for item in to_assign:
                if not isinstance(item, dict) or not isinstance(item.get("skuid"), str):
                    raise invalid_property("Invalid property 'skuId': every license to assign "
                                           "needs a skuId.")
                sku = customer.skus.get(item["skuid"].lower())
                if sku is None:
                    raise ApiError(400, 3005, "The SKU '%s' is not subscribed by the customer."
                                   % item["skuid"])
                excluded = item.get("excludedplans")
                if excluded is not None and not isinstance(excluded, list):
                    raise invalid_property("Invalid property 'excludedPlans': a list is expected.")
                plan_ids = set(p["id"] for p in sku.service_plans)
                excluded_l = []
                for plan in excluded or []:
                    if not isinstance(plan, str) or plan.lower() not in plan_ids:
                        raise invalid_property("Invalid property 'excludedPlans': '%s' is not a "
                                               "service plan of SKU '%s'." % (plan, sku.id))
                    excluded_l.append(plan.lower())
                assign[sku.id] = (sku, excluded_l, excluded)
                groups.add(sku.license_group_id)
            remove = []
            for sku_ref in to_remove:
                sku = customer.skus.get(str(sku_ref).lower()) if isinstance(sku_ref, str) else None
                if sku is None:
                    raise ApiError(400, 3005, "The SKU '%s' is not subscribed by the customer."
                                   % (sku_ref,))
                if sku.id in assign:
                    raise invalid_property("Invalid property: SKU '%s' is both assigned and "
                                           "removed." % sku.id)
                if sku.id not in user.licenses:
                    raise ApiError(400, 3005, "The user does not have the license '%s' to remove."
                                   % sku.id)
                remove.append(sku)
                groups.add(sku.license_group_id)
            if len(groups) > 1:
                raise ApiError(400, 3003, "All licenses in one request must belong to the same "
                                          "license group.")
            if assign and not user.usage_location:
                raise invalid_usage_location()
            for sku_id, (sku, _excl, _raw) in assign.items():
                if sku_id not in user.licenses and sku.available < 1:
                    raise ApiError(400, 60012, "We're sorry, it looks like you've run out of "
                                   "licenses. Please purchase more licenses and try again.",
                                   data=["LicenseQuotaExceededException : Not enough licenses "
                                         "available for %s. Total units: %d, consumed units: %d, "
                                         "available units: %d."
                                         % (sku.sku_part_number, sku.total_units, sku.consumed,
                                            max(sku.available, 0))])
            for sku_id, (sku, excluded_l, _raw) in assign.items():
                if sku_id not in user.licenses:
                    sku.assigned += 1
                user.licenses[sku_id] = excluded_l
            for sku in remove:
                del user.licenses[sku.id]
                sku.assigned -= 1
            out = OrderedDict()
            out["licensesToAssign"] = [OrderedDict((("excludedPlans", raw), ("skuId", sku_id)))
                                       for sku_id, (_s, _e, raw) in assign.items()]
            out["licensesToRemove"] = [s.id for s in remove]
            out["licenseWarnings"] = []
            out["attributes"] = {"objectType": "LicenseUpdate"}
            return out

    # ---- control: state dump ----------------------------------------------
    def dump(self, customer_id=None):
        with self.lock:
            self._purge_if_due()
            out = []
            for customer in self.customers.values():
                if customer_id and customer.id != customer_id.lower():
                    continue
                entry = self.render_customer(customer, detail=True)
                entry["customDomains"] = list(customer.custom_domains)
                users = []
                for uid in customer.order:
                    user = customer.users.get(uid)
                    if user is None:
                        continue
                    item = self.render_user(customer, user)
                    item["passwordSha256"] = user.password_sha256
                    item["passwordChanges"] = user.password_changes
                    item["forceChangePassword"] = user.force_change_password
                    item["directoryRoles"] = sorted(user.roles)
                    item["licenses"] = [{"skuId": k, "excludedPlans": list(v)}
                                        for k, v in user.licenses.items()]
                    item["dormantLicenses"] = [{"skuId": k, "excludedPlans": list(v)}
                                               for k, v in user.dormant_licenses.items()]
                    item["visible"] = self._visible(user)
                    users.append(item)
                entry["users"] = users
                entry["subscribedSkus"] = [self.render_sku(s) for s in customer.skus.values()]
                entry["directoryRoles"] = [
                    {"id": rid, "name": names[0], "legacyName": names[1],
                     "members": sorted(u for u in customer.role_members.get(rid, {})
                                       if u in customer.users)}
                    for rid, names in customer.roles.items()]
                out.append(entry)
            return {"now": iso(self.now()), "customers": out}

    def copy_config(self):
        return copy.deepcopy(self.config)


def random_secret(prefix):
    return prefix + secrets.token_urlsafe(24)
