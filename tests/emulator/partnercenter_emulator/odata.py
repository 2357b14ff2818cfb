"""Microsoft Graph's OData query options as the emulator serves them (``$select``,
``$filter`` with ``eq``/``or``/``in``, ``$expand=manager``, ``$top``), its collections
(``@odata.context``, ``value``) and paging (``@odata.nextLink``: an absolute URL on
``graph_url`` carrying ``$skiptoken``, a server-side cursor as Partner Center's are).
"""

import re
from collections import OrderedDict
from urllib.parse import quote

from .responses import GraphError

DEFAULT_PAGE_SIZE = 100      # Graph's default page of users, groups and members
MAX_PAGE_SIZE = 999


def bad_request(message, code="BadRequest"):
    return GraphError(400, code, message)


def unsupported_query():
    return GraphError(400, "Request_UnsupportedQuery", "Unsupported Query.")


def parse_select(raw, known, type_name):
    """``$select``: the property names (as Graph spells them) or None for the default."""
    if raw is None:
        return None
    names = [n.strip() for n in raw.split(",") if n.strip()]
    if not names:
        raise bad_request("Invalid $select properties.")
    by_lower = {k.lower(): k for k in known}
    out = []
    for name in names:
        canonical = by_lower.get(name.lower())
        if canonical is None:
            raise bad_request("Could not find a property named '%s' on type "
                              "'microsoft.graph.%s'." % (name, type_name))
        if canonical not in out:
            out.append(canonical)
    return out


def parse_top(raw):
    if raw is None:
        return None
    try:
        top = int(raw)
    except ValueError:
        raise bad_request("Invalid value '%s' for $top query option found." % raw)
    if not 1 <= top <= MAX_PAGE_SIZE:
        raise GraphError(400, "Request_BadRequest",
                         "Invalid page size specified: '%d'. Must be between 1 and %d inclusive."
                         % (top, MAX_PAGE_SIZE))
    return top


_LITERAL = r"'(?:[^']|'')*'|true|false"
_EQ = re.compile(r"^\s*(\w+)\s+eq\s+(%s)\s*$" % _LITERAL, re.IGNORECASE)
_IN = re.compile(r"^\s*(\w+)\s+in\s+\(\s*((?:%s)(?:\s*,\s*(?:%s))*)\s*\)\s*$"
                 % (_LITERAL, _LITERAL), re.IGNORECASE)
_OR = re.compile(r"\s+or\s+(?=(?:[^']|'[^']*')*$)", re.IGNORECASE)


def _literal(text):
    text = text.strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text[1:-1].replace("''", "'")


def parse_filter(raw, fields):
    """``$filter``: ``field eq 'v'`` clauses joined by ``or``, or ``field in ('a', 'b')``, on
    the ``fields`` given (Graph spelling); returns [(field, value)] (any one matches) or None.
    Anything else is a 400 Request_UnsupportedQuery."""
    if raw is None:
        return None
    by_lower = {f.lower(): f for f in fields}
    clauses = []
    for part in _OR.split(raw.strip()):
        found = _EQ.match(part)
        if found:
            pairs = [(found.group(1), found.group(2))]
        else:
            found = _IN.match(part)
            if not found:
                raise unsupported_query()
            values = re.findall(_LITERAL, found.group(2), re.IGNORECASE)
            pairs = [(found.group(1), v) for v in values]
        for name, literal in pairs:
            field = by_lower.get(name.lower())
            if field is None:
                raise unsupported_query()
            clauses.append((field, _literal(literal)))
    if not clauses:
        raise unsupported_query()
    return clauses


def matches(clauses, values):
    """Whether the object whose properties are ``values`` (a dict) matches any clause;
    strings compare case-insensitively, as Graph's directory does."""
    for field, wanted in clauses:
        have = values.get(field)
        if isinstance(wanted, bool) or not isinstance(have, str):
            if have == wanted:
                return True
        elif isinstance(wanted, str) and have.lower() == wanted.lower():
            return True
    return False


_EXPAND = re.compile(r"^\s*manager\s*(?:\(\s*\$select\s*=\s*([\w\s,]+)\))?\s*$", re.IGNORECASE)


def parse_expand(raw):
    """``$expand=manager`` or ``manager($select=a,b)``: (True, [names] or None); None when
    absent; other expansions are refused."""
    if raw is None:
        return None
    found = _EXPAND.match(raw)
    if not found:
        raise bad_request("Parsing OData Select and Expand failed: Could not find a property "
                          "named '%s' on type 'microsoft.graph.user'." % raw.split("(")[0].strip())
    if found.group(1) is None:
        return None, True
    return [n.strip() for n in found.group(1).split(",") if n.strip()], True


def select(obj, names):
    """``obj`` (an ordered dict of every property) limited to ``names`` (and its
    ``@odata.type``, if it has one); like Graph, ``id`` only when selected."""
    out = OrderedDict()
    if "@odata.type" in obj:
        out["@odata.type"] = obj["@odata.type"]
    for name in names:
        out[name] = obj.get(name)
    return out


def context(graph_url, entity, names=None):
    return "%s/v1.0/$metadata#%s%s" % (graph_url, entity,
                                       "(%s)" % ",".join(names) if names else "")


def collection(graph_url, entity, items, names=None, next_link=None):
    out = OrderedDict()
    out["@odata.context"] = context(graph_url, entity, names)
    if next_link is not None:
        out["@odata.nextLink"] = next_link
    out["value"] = items
    return out


def page(st, req, kind, customer_id, scope, order, match, size):
    """One page over ``order``: (objects, the absolute nextLink or None).  A request with
    ``$skiptoken`` continues its cursor (size and position); ``match(position, id)`` returns
    the object or None."""
    token = req.one("$skiptoken")
    start = 0
    if token is not None:
        cursor = st.cursors.get(token)
        if cursor is None or (cursor.kind, cursor.customer_id, cursor.scope) != \
                (kind, customer_id, scope):
            raise GraphError(400, "Request_BadRequest", "The $skiptoken is invalid or has "
                                                         "expired.")
        start, size = cursor.position, cursor.size
    found, nxt = st.scan(order, start, size, match)
    link = None
    if nxt is not None:
        token_out = st.cursors.issue(kind, customer_id, scope, None, size, nxt,
                                     st.config["continuation_token_ttl"])
        kept = [(k, v) for k, values in req.query.items() if k.lower() != "$skiptoken"
                for v in values]
        query = "&".join("%s=%s" % (quote(k, safe="$"), quote(v, safe="$(),='")) for k, v in kept)
        link = "%s%s?%s%s$skiptoken=%s" % (st.graph_url, req.path, query, "&" if query else "",
                                          quote(token_out, safe=""))
    return found, link
