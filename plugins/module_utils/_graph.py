# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Microsoft Graph in one customer tenant, through the partner's GDAP access: ``GraphClient``.

How a task uses it::

    graph = ctx.graph(customer_id)              # TaskContext: one client per customer per task, built lazily;
                                                # nothing is sent (no token asked for) until the first call
    users = graph.list_all("graph_list_users", params={"$select": "id,userPrincipalName,jobTitle",
                                                       "$expand": "manager($select=id,userPrincipalName)"})
    for group in graph.iterate("graph_list_group_members", {"group_id": gid}):   # pages followed lazily
        ...
    user = graph.get("graph_get_user", {"user": "ada@contoso.example"}, params={"$select": "id,jobTitle"})
    graph.call("graph_update_user", {"user": user_id}, body={"jobTitle": "CFO"})          # None (204)
    graph.call("graph_set_manager", {"user": user_id}, body=graph.reference("users", manager_id))
    graph.call("graph_add_group_member", {"group_id": gid}, body=graph.reference("directoryObjects", user_id))
    graph.call("graph_remove_group_member", {"group_id": gid, "member_id": user_id})
    graph.call("graph_revoke_sessions", {"user": user_id})                               # {"value": True}
    graph.roles()          # the partner's GDAP role names in this customer (the token's wids); fetches the token
    graph.claims()         # that token's claims (scp, amr, wids, tid ...), never the token

Route names and their values: ``_graph_routes.GRAPH_ROUTES`` (``user`` is an object id or a UPN; ``group_id``,
``member_id`` are GUIDs).  Bodies and answers are Graph's own camelCase JSON (``@odata`` keys kept).

What it raises: ``PartnerCenterError`` only (``vocabulary=_graph_errors.GRAPH``, ``origin`` "Microsoft Graph"),
so callers ask the same questions as of Partner Center's failures: ``exc.is_not_found`` /
``exc.is_user_not_found`` / ``exc.is_user_not_visible_yet`` (404 ``Request_ResourceNotFound``),
``exc.is_member_conflict`` (400 "added object references already exist": the member is there, i.e. done),
``exc.is_denied`` (403 ``Authorization_RequestDenied``; message and hint name the customer, the operation and the
GDAP roles of the route's row), ``exc.is_throttled`` (429/503 left after the retry budget), ``exc.lacks_consent``
(the token was refused for missing consent, AADSTS65001/650051/650052: the hint names
``csp.partnercenter.partnercenter_application_consent``), ``exc.ambiguous`` (a write that may have landed).
Everything raised is scrubbed of secrets; ``request_id`` is Graph's ``request-id``.

The guarantees: the customer's Graph token goes only to ``graph_url`` (a Partner Center token only to ``api_url``,
by ``_http.PartnerCenterClient``); an ``@odata.nextLink`` is followed only when it names ``graph_url``'s own scheme,
host, port and ``/v1.0`` (anything else is an error, with no request); no redirect is followed; the one retry loop
(``_http.RetryLoop``: 429/503 ``Retry-After``, 5xx, transport failures, each answer read by ``read_body`` within
its deadline and size cap) with a throttle gate per customer tenant, apart from Partner Center's
(``_connection.graph_gate``); ``client-request-id`` per request and the task's ``MS-CorrelationId``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time
import uuid
from urllib.parse import urlsplit

from ansible_collections.csp.partnercenter.plugins.module_utils import _retry
from ansible_collections.csp.partnercenter.plugins.module_utils._claims import token_claims
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_errors import (
    GRAPH, ORIGIN, graph_error_details,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_routes import GRAPH_ROUTES, object_reference
from ansible_collections.csp.partnercenter.plugins.module_utils._hints import graph_refusal
from ansible_collections.csp.partnercenter.plugins.module_utils._http import MAX_PAGES, RetryLoop, parse_json
from ansible_collections.csp.partnercenter.plugins.module_utils._role_names import role_names_of

# Graph's largest page of users and groups (``$top``); a listing of 300,000 directory objects is 301 pages.
GRAPH_PAGE_SIZE = 999
API_VERSION = "/v1.0"


def _origin_of(url):
    parts = urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


class GraphClient:
    """Calls ``{graph_url}/v1.0`` in one customer tenant, by route name.  Thread-safe."""

    def __init__(self, graph_url, customer_id, token_provider, session, timeout=30, retry_budget=120.0,
                 correlation_id=None, sleep=time.sleep, clock=time.monotonic, max_attempts=_retry.MAX_ATTEMPTS,
                 rng=None, scrubber=None, gate=None, pacer=None):
        self.graph_url = graph_url.rstrip("/")
        self.base_url = self.graph_url + API_VERSION
        self.customer_id = customer_id
        self.token_provider = token_provider
        self.correlation_id = correlation_id or str(uuid.uuid4())
        self.loop = RetryLoop(session, retry_budget, ORIGIN, scrubber=scrubber, gate=gate, sleep=sleep, clock=clock,
                              rng=rng, max_attempts=max_attempts, timeout=timeout,
                              url_options="graph_url (PARTNERCENTER_GRAPH_URL)", throttle_statuses=(429, 503),
                              pacer=pacer)
        self._denied = {}  # route name -> the 403 it got in this task

    @property
    def scrubber(self):
        return self.loop.scrubber

    # -- what the token says -------------------------------------------------------------------

    def claims(self):
        """The claims of this customer's token (fetched, or from the cache): ``wids``, ``scp``, ``amr`` ..."""
        self._check_usable(None)
        return token_claims(self.token_provider.get_token()) or {}

    def consent(self):
        """(consented, claims, why not): (True, the claims of this customer's token, None) where the partner's app
        is consented there; (False, None, the authority's refusal) where the token is refused for missing consent;
        (None, None, why) where these credentials cannot redeem one. Any other failure raises."""
        unusable = getattr(self.token_provider, "unusable", None)
        if unusable:
            return None, None, unusable
        try:
            return True, self.claims(), None
        except PartnerCenterError as exc:
            if exc.lacks_consent:
                return False, None, exc.full_message()
            raise

    def roles(self):
        """The partner user's directory roles in this customer (names of the token's ``wids``), sorted."""
        return role_names_of(self.claims().get("wids"))

    def reference(self, kind, object_id):
        """The body of a $ref write naming ``{graph_url}/v1.0/{kind}/{object_id}``."""
        return object_reference(self.base_url, kind, object_id)

    # -- calls -----------------------------------------------------------------------------------

    def get(self, route_name, values=None, params=None):
        return self.call(route_name, values, params=params)

    def list_all(self, route_name, values=None, params=None, page_size=GRAPH_PAGE_SIZE):
        return list(self.iterate(route_name, values, params=params, page_size=page_size))

    def call(self, route_name, values=None, body=None, params=None, headers=None, link=None):
        """Send the call named ``route_name`` (``GRAPH_ROUTES``); the parsed body, or None (204).

        ``link``: an ``@odata.nextLink`` already checked to name ``graph_url`` (``iterate``).
        """
        route = GRAPH_ROUTES[route_name]
        self._check_usable(route)
        denied = self._denied.get(route_name)
        if denied is not None:
            raise denied.derive("Not sent: %s refused the same operation in customer %s already in this task "
                                "(HTTP 403)" % (ORIGIN, self.customer_id))
        url = link if link is not None else self.base_url + route.path(**(values or {}))
        data = json.dumps(body).encode("utf-8") if body is not None else None

        response, attempts, request_id = self.loop.send_authorized(
            route.method, url, route.label, self.token_provider,
            lambda request_id: {"client-request-id": request_id, "return-client-request-id": "true",
                                "MS-CorrelationId": self.correlation_id},
            headers=headers, data=data, idempotent=route.idempotent, params=None if link is not None else params)
        graph_request_id = self.loop.text(response.headers.get("request-id")) or None
        if response.status_code in route.expected:
            try:
                return parse_json(response.content)
            except ValueError:
                raise PartnerCenterError(
                    "%s returned a body that is not JSON for customer %s" % (ORIGIN, self.customer_id),
                    status=response.status_code, method=route.method, route=route.label,
                    request_id=graph_request_id or request_id, attempts=attempts, origin=ORIGIN, vocabulary=GRAPH)
        try:
            body_read = parse_json(response.content)
        except ValueError:
            body_read = None
        code, message, inner_request_id, _date = graph_error_details(body_read)
        if code is None and message is None:
            code, message = self.loop.details(response)
        error = graph_refusal(route, response.status_code, self.customer_id,
                              code=self.loop.text(code) if isinstance(code, str) else code,
                              description=self.loop.text(message),
                              request_id=self.loop.text(inner_request_id) or graph_request_id or request_id,
                              attempts=attempts)
        if error.is_denied and not route.denied_per_user:
            self._denied[route_name] = error
        raise error

    def iterate(self, route_name, values=None, params=None, page_size=GRAPH_PAGE_SIZE):
        """Yield every item of a collection (``value``), following ``@odata.nextLink`` on ``graph_url`` only.

        A next link naming another scheme, host, port or API version is refused before any request (the
        customer's token never leaves ``graph_url``); a link seen before, or more than ``MAX_PAGES`` pages,
        stops the listing with an error rather than act on an incomplete list.
        """
        route = GRAPH_ROUTES[route_name]
        query = dict(params or {})
        if page_size and route.method == "GET":
            query.setdefault("$top", page_size)
        page = self.call(route_name, values, params=query)
        pages, followed = 1, set()
        while True:
            items = (page or {}).get("value")
            yield from items if isinstance(items, list) else []
            next_link = (page or {}).get("@odata.nextLink")
            if not next_link:
                return
            self._check_link(route, next_link, pages)
            if next_link in followed:
                raise self._stopped(route, "at page %d: its @odata.nextLink repeats an earlier page's, so the listing "
                                    "would never end" % pages, "repeated next link")
            if pages >= MAX_PAGES:
                raise self._stopped(route, "after {:,} pages, more than any directory holds: the server keeps sending "
                                    "next links".format(pages), "page cap")
            followed.add(next_link)
            page = self.call(route_name, values, link=next_link)
            pages += 1

    # -- checks ----------------------------------------------------------------------------------

    def _check_usable(self, route):
        unusable = getattr(self.token_provider, "unusable", None)
        if unusable:
            label = route.label if route is not None else "any call"
            raise PartnerCenterError("Not sent: %s in %s: %s" % (label, ORIGIN, unusable),
                                     method=route.method if route is not None else None,
                                     route=route.label if route is not None else None, fault="app-only token"
                                     if self.token_provider.is_app_only else "no Graph credential", origin=ORIGIN,
                                     vocabulary=GRAPH)

    def _check_link(self, route, link, pages):
        if not isinstance(link, str) or _origin_of(link) != _origin_of(self.graph_url) \
                or not urlsplit(link).path.startswith(urlsplit(self.base_url).path + "/"):
            # Only where it points (no credentials, no query): scheme, host, port and the first path segment.
            scheme, host, port = _origin_of(link) if isinstance(link, str) else ("?", repr(link)[:80], None)
            first = urlsplit(link).path.lstrip("/").split("/")[0] if isinstance(link, str) else ""
            shown = self.loop.text("%s://%s%s/%s" % (scheme or "?", host or "?", ":%s" % port if port else "", first))
            raise PartnerCenterError(
                "Not followed: %s's @odata.nextLink after page %d of %s for customer %s names %s, not graph_url %s; "
                "the customer's token is only ever sent to graph_url, so the listing stops here rather than go on "
                "incomplete" % (ORIGIN, pages, route.label, self.customer_id, shown, self.graph_url),
                method=route.method, route=route.label, fault="foreign next link", origin=ORIGIN, vocabulary=GRAPH,
                hint="Check graph_url (PARTNERCENTER_GRAPH_URL): it must name Microsoft Graph itself (for a sovereign "
                     "cloud, its own Graph endpoint), not a proxy that rewrites links")

    def _stopped(self, route, what, fault):
        return PartnerCenterError(
            "Stopped the %s listing of customer %s %s; the task stops here rather than act on an incomplete list"
            % (ORIGIN, self.customer_id, what), method=route.method, route=route.label, fault=fault, origin=ORIGIN,
            vocabulary=GRAPH,
            hint="Run the task again later; if it keeps happening give Microsoft support this run's MS-CorrelationId %s"
                 % self.correlation_id)
