# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""One connection to Partner Center: the session, the token provider and its cache, the client; and from it the
Microsoft Graph client of each customer tenant (``build_graph_client``).

The modules (``_task.TaskContext.client``) and the controller-side plugins (the
``customers`` inventory plugin) build their client here, so both verify TLS, cache tokens,
retry and scrub the same way.  The connection options must have been checked first
(``_connection_options.check_connection_options``); nothing is sent until the client makes a call.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils import _http
from ansible_collections.csp.partnercenter.plugins.module_utils._graph import GraphClient
from ansible_collections.csp.partnercenter.plugins.module_utils._auth import TokenProvider
from ansible_collections.csp.partnercenter.plugins.module_utils._retry import RequestPacer, ThrottleGate
from ansible_collections.csp.partnercenter.plugins.module_utils._throttle_file import (
    SharedRequestPacer, SharedThrottleGate,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._token_cache import TokenCache, default_cache_dir


def cache_dir(params):
    """The token cache directory: ``token_cache_dir``, else the user's default."""
    return params.get("token_cache_dir") or default_cache_dir()


def default_gate(params, api_url):
    """The 429 gate of a run.  With ``token_cache`` on: shared by every process (every fork) of the
    partner tenant at ``api_url`` through a file in the token cache directory
    (``_throttle_file``); off: shared by this process's threads only."""
    if params.get("token_cache"):
        return SharedThrottleGate(cache_dir(params), api_url, params.get("tenant_id"))
    return ThrottleGate()


def graph_gate(params, graph_url, customer_id):
    """The throttle gate of one customer tenant's Graph calls, apart from Partner Center's (Graph throttles per
    tenant and app): through a file in the token cache directory when ``token_cache`` is on (every fork of the play),
    else this task's threads only."""
    if params.get("token_cache"):
        return SharedThrottleGate(cache_dir(params), graph_url, customer_id)
    return ThrottleGate()


def build_graph_client(params, graph_url, client, customer_id, correlation_id=None):
    """The ``GraphClient`` of ``customer_id`` (a checked GUID) next to the Partner Center ``client``: the same
    session, scrubber and credentials; the customer's own token (``TokenProvider.for_customer``) and gate."""
    gate = graph_gate(params, graph_url, customer_id)
    tokens = client.token_provider.for_customer(customer_id, graph_url)
    return GraphClient(graph_url, customer_id, tokens, client.loop.session, timeout=params["timeout"],
                       retry_budget=params["retry_budget"], correlation_id=correlation_id or client.correlation_id,
                       scrubber=client.scrubber, gate=gate,
                       pacer=request_pacer(params, graph_url, customer_id, params.get("graph_request_rate")))


def slice_share(params, rate):
    """The requests a second this slice may send of a job-wide ``rate``: ``rate / job_slices``; None: not paced
    (``rate`` None or 0)."""
    if not rate:
        return None
    return float(rate) / max(1, int(params.get("job_slices") or 1))


def request_pacer(params, url, tenant, rate):
    """The pacer of the requests to ``url`` for ``tenant`` at this slice's share of ``rate`` (the job's budget,
    requests a second); None when ``rate`` is None or 0 (not paced).

    With ``token_cache`` on, every process (every fork) of this machine that talks to the same ``url`` and
    ``tenant`` shares it through a file in the token cache directory (``_throttle_file.SharedRequestPacer``);
    off, this process's threads share it.  Partner Center: ``request_rate``, the partner tenant.  Graph:
    ``graph_request_rate`` and each customer tenant, since Graph throttles per tenant.
    """
    share = slice_share(params, rate)
    if share is None:
        return None
    if params.get("token_cache"):
        return SharedRequestPacer(cache_dir(params), url, tenant, share)
    return RequestPacer(share)


def build_client(params, api_url, authority, warn, scrubber, gate=None, correlation_id=None, pool_size=10):
    """A ``PartnerCenterClient`` for the connection options ``params`` (checked: ``api_url``, ``authority``).

    ``warn(text)`` shows a warning (already scrubbed by the caller's own ``warn``, or by the
    caller), ``scrubber`` is the run's ``Scrubber``, ``gate`` its ``ThrottleGate`` (None:
    ``default_gate``, the one API calls and token requests share).
    """
    if gate is None:
        gate = default_gate(params, api_url)
    if params["validate_certs"]:
        verify = params["ca_path"] or True
    else:
        verify = False
        warn("validate_certs is false: TLS certificates of %s and %s are not checked. "
             "Use this only against a test server; prefer ca_path." % (authority, api_url))
        _silence_insecure_request_warnings()
    session = _http.VerifyingSession(verify=verify, timeout=params["timeout"], pool_size=pool_size)
    cache = None
    if params["token_cache"] and not params.get("access_token"):
        cache = TokenCache(cache_dir(params))
    tokens = TokenProvider(authority, params.get("tenant_id"), params.get("client_id"),
                           client_secret=params.get("client_secret"),
                           refresh_token=params.get("refresh_token"),
                           access_token=params.get("access_token"), session=session, cache=cache,
                           retry_budget=params["retry_budget"], warn=warn, scrubber=scrubber, gate=gate,
                           refresh_token_file=params.get("refresh_token_file"))
    return _http.PartnerCenterClient(api_url, tokens, session, timeout=params["timeout"],
                                     retry_budget=params["retry_budget"], correlation_id=correlation_id,
                                     scrubber=scrubber, gate=gate,
                                     pacer=request_pacer(params, api_url, params.get("tenant_id"),
                                                         params.get("request_rate")))


def _silence_insecure_request_warnings():
    # The caller already warned once, in a way Ansible shows; urllib3 would repeat it on stderr per call.
    try:
        import urllib3  # pylint: disable=import-outside-toplevel
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    except ImportError:
        pass
