"""The emulator's data under ONE re-entrant lock, and what every resource shares: the
emulator clock, soft-delete purges, customer and user look-ups, paged lists with their
continuation cursors, collection rendering, seeding and the state dump.

The resource operations live in ``resources/`` (customers, users, roles, licenses); each
public operation there takes ``state.lock`` itself.  They raise
:class:`responses.ApiError` for Partner Center error answers and
:class:`model.SeedError` for bad control input.
"""

import threading
import time
from collections import OrderedDict

from . import gdap
from .model import (SeedError, bad_query, invalid_usage_location, is_guid, iso, omit_nulls,
                    tenant_not_found, user_not_found)
from .paging import CursorStore
from .resources import consents, customers, graph_groups, graph_users, licenses, roles, users
from .responses import ApiError


class State(object):
    def __init__(self, config):
        self.lock = threading.RLock()
        self.config = config          # shared dict, replaced in place by the emulator
        self.clock_offset = 0.0
        self.customers = OrderedDict()
        self.customer_order = []
        self.cursors = CursorStore()
        self.next_purge_at = None
        self.gdap_roles = {}          # customer id -> frozenset of GDAP role names (absent: all)
        self.client_id = None         # the emulator's app (the default of consent seeds)
        self.graph_url = None         # the Graph listener (its nextLinks), set by server.start()

    # ---- clock and purge ---------------------------------------------------
    def now(self):
        return time.time() + self.clock_offset

    def advance_clock(self, seconds):
        with self.lock:
            self.clock_offset += float(seconds)
            self.purge_if_due(force=True)
            return self.now()

    def _retention(self):
        return float(self.config["soft_delete_retention_days"]) * 86400.0

    def schedule_purge(self, deleted_at):
        due = deleted_at + self._retention()
        if self.next_purge_at is None or due < self.next_purge_at:
            self.next_purge_at = due

    def purge_if_due(self, force=False):
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
                    users.purge_user(customer, user)
                elif next_due is None or due < next_due:
                    next_due = due
        self.next_purge_at = next_due

    # ---- reset / seed --------------------------------------------------------
    def clear(self):
        with self.lock:
            self.clock_offset = 0.0
            self.customers = OrderedDict()
            self.customer_order = []
            self.cursors.expire_all()
            self.next_purge_at = None
            self.gdap_roles = {}

    def seed(self, data):
        """Load seed data (see README).  Returns a summary with the ids."""
        if data is None:
            return {"customers": []}
        if not isinstance(data, dict):
            raise SeedError("seed must be a JSON object with a 'customers' list")
        raw_customers = data.get("customers", [])
        if not isinstance(raw_customers, list):
            raise SeedError("'customers' must be a list")
        with self.lock:
            return {"customers": [self._seed_customer(raw) for raw in raw_customers]}

    def _seed_customer(self, raw):
        """One seed customer, and its ``gdapRoles`` (absent: kept, or every role)."""
        given = isinstance(raw, dict) and "gdapRoles" in raw
        held = gdap.parse_roles(raw["gdapRoles"]) if given else None
        summary = customers.seed_customer(self, raw)
        if given:
            self.set_gdap_roles(summary["id"], held)
        return summary

    def set_gdap_roles(self, cid, held):
        """The GDAP roles the partner holds in customer ``cid`` (None: every role)."""
        with self.lock:
            if held is None:
                self.gdap_roles.pop(cid, None)
            else:
                self.gdap_roles[cid] = held

    # ---- look-ups shared by the resources ------------------------------------
    def customer(self, cid, delegated=False):
        """The customer ``cid``; with ``delegated``, refuse one without delegated access."""
        if not is_guid(cid):
            raise ApiError(400, 900118, "Invalid Customer Id")
        customer = self.customers.get(cid.lower())
        if customer is None:
            raise tenant_not_found()
        if delegated and not customer.allow_delegated_access:
            raise ApiError(403, 20002, "No relationship between caller and account.")
        self.purge_if_due()
        return customer

    def visible(self, user):
        """Whether ``replication_lag`` is over for ``user``."""
        return user.visible_at <= self.now()

    def user(self, customer, uid, allow_deleted=False):
        if not is_guid(uid):
            raise user_not_found()
        user = customer.users.get(uid.lower())
        if user is None or not self.visible(user):
            raise user_not_found()
        if user.state != "active" and not allow_deleted:
            raise user_not_found()
        return user

    def member_user(self, customer, uid, license_update=False):
        """The user of a role or license route: like :meth:`user`, and still 404 (or, for
        a license update with ``member_route_lag_license_error=usage_location``, 400/3004)
        while ``member_route_lag`` lasts."""
        user = self.user(customer, uid)
        if user.member_ready_at > self.now():
            if license_update and \
                    self.config["member_route_lag_license_error"] == "usage_location":
                raise invalid_usage_location()
            raise user_not_found()
        return user

    # ---- rendering -------------------------------------------------------------
    def link(self, uri, collection=False):
        if collection and self.config["next_link_style"] == "v1":
            uri = "/v1" + uri
        return {"uri": uri, "method": "GET", "headers": []}

    def collection(self, items, self_uri=None, next_token=None, next_uri=None):
        out = OrderedDict()
        out["totalCount"] = len(items)
        out["items"] = items
        links = OrderedDict()
        if self_uri is not None:
            links["self"] = self.link(self_uri, collection=True)
        if next_token is not None:
            link = self.link(next_uri, collection=True)
            link["headers"] = [{"key": "MS-ContinuationToken", "value": next_token}]
            links["next"] = link
            out["continuationToken"] = next_token
        if links:
            out["links"] = links
        out["attributes"] = {"objectType": "Collection"}
        return out

    def listing(self, items, self_uri):
        """An unpaged collection (roles, SKUs, licenses); with ``lean_bodies``, without
        ``links``."""
        return self.collection(items, None if self.config["lean_bodies"] else self_uri)

    def lean(self, item):
        """A GET or list item; with ``lean_bodies``, without its null fields."""
        return omit_nulls(item) if self.config["lean_bodies"] else item

    # ---- paged lists -------------------------------------------------------------
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
    def scan(order, start, size, match):
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

    def page(self, paging, kind, customer_id, scope, order, parse_filter, make_match, render,
             base, first_page_query=""):
        """One page of a paged list.

        ``paging``: (size, seekOperation, continuation token) as the request gave them.
        A seek continues the cursor (its size, filter and position); a first page parses
        the size and ``parse_filter()``.  ``make_match(filter)`` returns
        ``match(position, id)`` -> object or None over ``order``; ``render`` turns an
        object into an item.  ``first_page_query`` is appended to a first page's
        ``links.self``.
        """
        size_raw, seek, token = paging
        cursor = self.resolve_seek(seek, token, kind, customer_id, scope)
        if cursor is not None:
            size, flt, start = cursor.size, cursor.filter, cursor.position
        else:
            size, flt, start = self.page_size(size_raw), parse_filter(), 0
        found, nxt = self.scan(order, start, size, make_match(flt))
        self_uri = "%s?size=%d" % (base, size)
        if start == 0:
            self_uri += first_page_query
        token_out = None
        if nxt is not None:
            token_out = self.cursors.issue(kind, customer_id, scope, flt, size, nxt,
                                           self.config["continuation_token_ttl"])
        return self.collection([render(obj) for obj in found], self_uri, token_out,
                               "%s?size=%d&seekOperation=Next" % (base, size))

    # ---- control: state dump -------------------------------------------------------
    def dump(self, customer_id=None):
        with self.lock:
            self.purge_if_due()
            out = []
            for customer in self.customers.values():
                if customer_id and customer.id != customer_id.lower():
                    continue
                entry = customers.render_customer(self, customer, detail=True)
                entry["customDomains"] = list(customer.custom_domains)
                entry["users"] = [users.dump_user(self, customer, customer.users[uid])
                                  for uid in customer.order if uid in customer.users]
                entry["subscribedSkus"] = [licenses.render_sku(s) for s in customer.skus.values()]
                entry["directoryRoles"] = roles.dump_roles(customer)
                entry["gdapRoles"] = gdap.shown(self.gdap_roles.get(customer.id))
                entry["consentedApplications"] = consents.dump_consents(customer)
                entry["groups"] = graph_groups.dump_groups(customer)
                entry["revocations"] = graph_users.dump_revocations(customer)
                out.append(entry)
            return {"now": iso(self.now()), "customers": out}
