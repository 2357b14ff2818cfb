"""The collection's route table and the emulator's agree: every request the collection can send (method and
path, as its client builds the URL) is served by the emulator's route of the same name, with the same token
kinds; a request with a query (the deleted users, a customer search) is served by the route of its path."""

from email.message import Message
from urllib.parse import urlsplit

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._http import PartnerCenterClient
from ansible_collections.csp.partnercenter.plugins.module_utils._routes import ROUTES as COLLECTION_ROUTES

from partnercenter_emulator import routes
from partnercenter_emulator.pipeline import Request

# A GUID for each placeholder: the collection refuses any other value for these before sending.
VALUES = {"customer_id": "4d3cf487-70f4-4e1e-9ff1-b2bfce8d9f04", "user_id": "4b10bf41-ab11-40e3-8c53-cd67849b50de",
          "role_id": "729827e3-9c14-49f7-bb1b-9608f156bbb8", "application_id": "11111111-2222-3333-4444-555555555555"}


class Answer:
    status_code = 200
    content = b"{}"
    headers = {}
    text = "{}"

    def iter_content(self, chunk_size):  # the client streams every answer (_http.read_body)
        del chunk_size
        yield self.content

    def close(self):
        pass


class RecordingSession:
    """Records the request the collection's client sends, and answers 200 with an empty object."""

    def __init__(self):
        self.sent = []

    def request(self, method, url, **kwargs):
        self.sent.append((method, url, kwargs.get("params")))
        return Answer()


class UserToken:
    is_app_only = False
    can_refresh = False

    def get_token(self):
        return "token"


def sent_request(name):
    """(method, URL) of the request the collection's client sends for route ``name``."""
    session = RecordingSession()
    client = PartnerCenterClient("https://api.partnercenter.example", UserToken(), session)
    route = COLLECTION_ROUTES[name]
    client.call(name, dict((p, VALUES[p]) for p in route.placeholders))
    (method, url, _params), = session.sent
    return method, url


def normalised(segments):
    """A path template with its parameters unnamed: the two tables name them differently."""
    return "/".join("{}" if s.startswith("{") else s.lower() for s in segments)


@pytest.mark.parametrize("name", sorted(COLLECTION_ROUTES))
def test_every_collection_route_is_served_by_the_emulator(name):
    collection = COLLECTION_ROUTES[name]
    method, url = sent_request(name)
    request = Request(method, urlsplit(url), {}, Message(), b"", 0.0)
    found = routes.match(request.method, request.segments)
    assert found.route is not None, "the emulator does not serve %s (%s %s)" % (name, method, url)
    served = found.route
    assert served.side == routes.API and served.method == collection.method
    assert normalised(served.template) == normalised(collection.template.split("/")[1:])
    # A query variant (list_deleted_users, search_customers) is served by the route of its path.
    assert served.name == (name if "?" not in collection.label else without_query(collection).name)
    assert ("app" in served.tokens) is collection.app_only


def without_query(route):
    """The collection's route of the same method and path with no query."""
    same, = [r for r in COLLECTION_ROUTES.values()
             if (r.method, r.template) == (route.method, route.template) and "?" not in r.label]
    return same
