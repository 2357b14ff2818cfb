"""THE route table: method + path template -> route name -> handler, with the token kinds
each API route accepts.  It drives both matching and dispatch (``match``), and names the
routes that fault rules and the request log use (``ROUTE_NAMES``).

Identity routes are matched first, on the whole path.  API routes are matched on the path
after a version prefix (``/v1`` or ``/v1.0``); a known API path with another method is a
405.  Literal segments match case-insensitively; ``{name}`` captures a segment as is.
Microsoft Graph routes (names ``graph_*``) are served only by the Graph listener
(``graph_url``), on the path after ``/v1.0``; that listener serves nothing else.
"""

from collections import OrderedDict

from . import identity
from .resources import consents, customers, graph_groups, graph_users, licenses, roles, users

API = "api"
IDENTITY = "identity"
GRAPH = "graph"
GRAPH_PREFIXES = ("v1.0",)
ANY_METHOD = "*"
API_PREFIXES = ("v1", "v1.0")

APP_OR_USER = ("app", "user")
USER_ONLY = ("user",)


class Route(object):
    __slots__ = ("name", "method", "template", "side", "handler", "tokens")

    def __init__(self, name, method, template, side, handler, tokens=None):
        self.name = name
        self.method = method
        self.template = tuple(seg for seg in template.split("/") if seg)
        self.side = side
        self.handler = handler
        self.tokens = tokens          # accepted token kinds; None = no bearer token needed

    def bind(self, segments):
        """The template's parameters for ``segments``, or None when the path differs."""
        if len(segments) != len(self.template):
            return None
        params = {}
        for want, seg in zip(self.template, segments):
            if want.startswith("{"):
                params[want[1:-1]] = seg
            elif want != seg.lower():
                return None
        return params


R = Route
# Microsoft Graph, after /v1.0 on the Graph listener; user tokens for Graph only
GRAPH_ROUTES = (
    R("graph_list_users", "GET", "/users", GRAPH, graph_users.handle_list_users, USER_ONLY),
    R("graph_get_user", "GET", "/users/{uid}", GRAPH, graph_users.handle_get_user, USER_ONLY),
    R("graph_update_user", "PATCH", "/users/{uid}", GRAPH, graph_users.handle_update_user,
      USER_ONLY),
    R("graph_get_manager", "GET", "/users/{uid}/manager", GRAPH, graph_users.handle_get_manager,
      USER_ONLY),
    R("graph_set_manager", "PUT", "/users/{uid}/manager/$ref", GRAPH,
      graph_users.handle_set_manager, USER_ONLY),
    R("graph_remove_manager", "DELETE", "/users/{uid}/manager/$ref", GRAPH,
      graph_users.handle_remove_manager, USER_ONLY),
    R("graph_revoke_sessions", "POST", "/users/{uid}/revokesigninsessions", GRAPH,
      graph_users.handle_revoke_sessions, USER_ONLY),
    R("graph_list_member_of", "GET", "/users/{uid}/memberof", GRAPH,
      graph_users.handle_list_member_of, USER_ONLY),
    R("graph_list_groups", "GET", "/groups", GRAPH, graph_groups.handle_list_groups, USER_ONLY),
    R("graph_get_group", "GET", "/groups/{gid}", GRAPH, graph_groups.handle_get_group,
      USER_ONLY),
    R("graph_list_group_members", "GET", "/groups/{gid}/members", GRAPH,
      graph_groups.handle_list_members, USER_ONLY),
    R("graph_add_group_member", "POST", "/groups/{gid}/members/$ref", GRAPH,
      graph_groups.handle_add_member, USER_ONLY),
    R("graph_remove_group_member", "DELETE", "/groups/{gid}/members/{uid}/$ref", GRAPH,
      graph_groups.handle_remove_member, USER_ONLY),
)
ROUTES = (
    # identity (the authority is this host; tenant = the partner tenant)
    R("openid_config", "GET", "/{tenant}/v2.0/.well-known/openid-configuration", IDENTITY,
      identity.handle_openid_config),
    R("openid_config", "GET", "/{tenant}/.well-known/openid-configuration", IDENTITY,
      identity.handle_openid_config),
    R("token", ANY_METHOD, "/{tenant}/oauth2/v2.0/token", IDENTITY, identity.handle_token),
    R("token", ANY_METHOD, "/{tenant}/oauth2/token", IDENTITY, identity.handle_token_v1),
    # API, after /v1 or /v1.0
    R("list_customers", "GET", "/customers", API, customers.handle_list_customers, APP_OR_USER),
    R("get_customer", "GET", "/customers/{cid}", API, customers.handle_get_customer,
      APP_OR_USER),
    R("list_users", "GET", "/customers/{cid}/users", API, users.handle_list_users, USER_ONLY),
    R("create_user", "POST", "/customers/{cid}/users", API, users.handle_create_user,
      USER_ONLY),
    R("get_user", "GET", "/customers/{cid}/users/{uid}", API, users.handle_get_user,
      USER_ONLY),
    R("update_user", "PATCH", "/customers/{cid}/users/{uid}", API, users.handle_update_user,
      USER_ONLY),
    R("reset_password", "PATCH", "/customers/{cid}/users/{uid}/resetpassword", API,
      users.handle_reset_password, USER_ONLY),
    R("delete_user", "DELETE", "/customers/{cid}/users/{uid}", API, users.handle_delete_user,
      USER_ONLY),
    R("list_directory_roles", "GET", "/customers/{cid}/directoryroles", API,
      roles.handle_list_directory_roles, USER_ONLY),
    R("list_user_directory_roles", "GET", "/customers/{cid}/users/{uid}/directoryroles", API,
      roles.handle_list_user_directory_roles, USER_ONLY),
    R("list_role_members", "GET", "/customers/{cid}/directoryroles/{rid}/usermembers", API,
      roles.handle_list_role_members, USER_ONLY),
    R("add_role_member", "POST", "/customers/{cid}/directoryroles/{rid}/usermembers", API,
      roles.handle_add_role_member, USER_ONLY),
    R("remove_role_member", "DELETE",
      "/customers/{cid}/directoryroles/{rid}/usermembers/{uid}", API,
      roles.handle_remove_role_member, USER_ONLY),
    R("list_subscribed_skus", "GET", "/customers/{cid}/subscribedskus", API,
      licenses.handle_list_subscribed_skus, USER_ONLY),
    R("list_user_licenses", "GET", "/customers/{cid}/users/{uid}/licenses", API,
      licenses.handle_list_user_licenses, USER_ONLY),
    R("update_user_licenses", "POST", "/customers/{cid}/users/{uid}/licenseupdates", API,
      licenses.handle_update_user_licenses, USER_ONLY),
    # Control Panel Vendor consent (reference §11; no GET is documented)
    R("create_application_consent", "POST", "/customers/{cid}/applicationconsents", API,
      consents.handle_create_consent, USER_ONLY),
    R("delete_application_consent", "DELETE", "/customers/{cid}/applicationconsents/{appid}",
      API, consents.handle_delete_consent, USER_ONLY),
) + GRAPH_ROUTES
del R

ROUTE_NAMES = tuple(OrderedDict.fromkeys(r.name for r in ROUTES))


class Match(object):
    """What a request path and method name: ``route`` (or None) and its ``params``;
    ``wrong_method`` when an API path is known but not with this method."""
    __slots__ = ("route", "params", "wrong_method", "_side")

    def __init__(self, route=None, params=None, wrong_method=False, side=API):
        self.route = route
        self.params = params or {}
        self.wrong_method = wrong_method
        self._side = side

    @property
    def side(self):
        return self.route.side if self.route is not None else self._side


def _find(side, method, segments):
    path_known = False
    for route in ROUTES:
        if route.side != side:
            continue
        params = route.bind(segments)
        if params is None:
            continue
        if route.method in (ANY_METHOD, method):
            return Match(route, params)
        path_known = True
    return Match(wrong_method=path_known, side=side)


def match(method, segments, graph=False):
    """Match a request (``segments``: the unquoted, non-empty path segments); ``graph``: it
    came to the Graph listener."""
    if graph:
        if segments and segments[0].lower() in GRAPH_PREFIXES:
            return _find(GRAPH, method, segments[1:])
        return Match(side=GRAPH)
    found = _find(IDENTITY, method, segments)
    if found.route is not None:
        return found
    if segments and segments[0].lower() in API_PREFIXES:
        return _find(API, method, segments[1:])
    return Match()
