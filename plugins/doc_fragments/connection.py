# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  tenant_id:
    description:
      - The partner's own Microsoft Entra tenant (GUID or domain), used in the authority path to get a token.
      - Required unless O(access_token) is given.
      - If not set, the environment variable E(PARTNERCENTER_TENANT_ID) is used.
    type: str
  client_id:
    description:
      - Application (client) id of the partner's Entra app registration.
      - Required unless O(access_token) is given.
      - If not set, the environment variable E(PARTNERCENTER_CLIENT_ID) is used.
    type: str
  client_secret:
    description:
      - Client secret of the app registration.
      - With O(refresh_token), the app redeems the refresh token (App+User, secure application model).
      - Alone, it buys an app-only token; Partner Center refuses app-only tokens for user operations.
      - If not set, the environment variable E(PARTNERCENTER_CLIENT_SECRET) is used.
    type: str
  refresh_token:
    description:
      - A refresh token of the secure application model, redeemed for an App+User token with scope
        C(https://api.partnercenter.microsoft.com/user_impersonation). This is the normal way to manage users.
      - If not set, the environment variable E(PARTNERCENTER_REFRESH_TOKEN) is used.
      - Entra ID answers every use with a new refresh token and does not extend this one, which stops working 90 days
        after it was issued; O(refresh_token_file) keeps the newest one instead.
    type: str
  refresh_token_file:
    description:
      - A file holding the refresh token (one line of UTF-8 or ASCII text; a byte order mark is allowed). Before each
        token request the file is read; after it, the file is replaced atomically (under a lock that parallel forks
        share, C(<file>.lock), removed afterwards) with the new refresh token Entra ID rotated it into, so a schedule
        that runs at least every 90 days never has to repeat the consent sign-in.
      - A symbolic link is followed, and its target is read and replaced in the target's own directory (the lock
        lives there too). A link to nothing, or to something else than a file, is refused before any token request.
      - The new file keeps the owner, group and mode of the old one, so a group-shared C(0640) file stays readable by
        its group. Permissions for other users are never kept (the rotated file loses them, with a warning). A user
        other than root cannot keep another user's ownership; the warning then says who owns the file now.
      - A UTF-16 or binary file is an error naming the file and its encoding, before any token request.
      - When the file cannot be replaced, or the authority answers without a new refresh token, the run goes on and
        warns once; the old token still dies 90 days after it was issued.
      - Cannot be combined with O(refresh_token) or O(access_token).
      - If not set, the environment variable E(PARTNERCENTER_REFRESH_TOKEN_FILE) is used.
    type: path
    version_added: 0.2.0
  access_token:
    description:
      - A ready bearer token for Partner Center. MSAL and the token cache are not used.
      - Cannot be combined with O(refresh_token) or O(client_secret).
      - If not set, the environment variable E(PARTNERCENTER_ACCESS_TOKEN) is used.
    type: str
  authority:
    description:
      - The Entra ID authority host that issues tokens, without the tenant.
      - Set it for sovereign clouds (for example V(https://login.microsoftonline.us)) or for the emulator.
      - Must be C(https://); plain C(http://) is accepted only for loopback test servers. Must not carry credentials.
      - Only this host, O(api_url) and O(graph_url) are contacted; MSAL instance discovery is switched off.
      - If not set, the environment variable E(PARTNERCENTER_AUTHORITY) is used.
    type: str
    default: https://login.microsoftonline.com
  api_url:
    description:
      - Base URL of the Partner Center API, without C(/v1).
      - Must be C(https://); plain C(http://) is accepted only for loopback test servers. Must not carry credentials.
      - If not set, the environment variable E(PARTNERCENTER_API_URL) is used.
    type: str
    default: https://api.partnercenter.microsoft.com
  graph_url:
    description:
      - Base URL of Microsoft Graph, without C(/v1.0), for the options that Partner Center cannot serve (the
        work details, sign-in state, sessions and groups of M(csp.partnercenter.partnercenter_user), the C(graph)
        and C(groups) of M(csp.partnercenter.partnercenter_user_info), the roles of
        M(csp.partnercenter.partnercenter_auth_info)). A task that needs none of them never contacts it.
      - Each customer's Graph token is redeemed at O(authority) in that customer's tenant for
        C({graph_url}/.default) and sent only to this host; a Partner Center token is sent only to O(api_url). A
        C(@odata.nextLink) naming any other host is refused, and redirects are never followed.
      - Set it for sovereign clouds (for example V(https://graph.microsoft.us)) with the matching O(authority), or
        for the emulator.
      - Must be C(https://); plain C(http://) is accepted only for loopback test servers. Must not carry credentials.
      - If not set, the environment variable E(PARTNERCENTER_GRAPH_URL) is used.
    type: str
    default: https://graph.microsoft.com
  validate_certs:
    description:
      - Whether to validate TLS certificates of O(authority), O(api_url) and O(graph_url).
      - Setting it to V(false) prints a warning; use it only against a test server and prefer O(ca_path).
      - If not set, the environment variable E(PARTNERCENTER_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM bundle of CA certificates trusted for O(authority), O(api_url) and O(graph_url).
      - It is passed on every request, so E(REQUESTS_CA_BUNDLE) in the environment cannot override it.
      - If not set, the environment variable E(PARTNERCENTER_CA_PATH) is used.
    type: path
  timeout:
    description:
      - The most time, in seconds, that one attempt of a request to O(api_url) or O(authority) may take in all,
        connecting, sending and receiving the whole answer. A socket timeout alone would bound each read only,
        and a server that sends a byte a second would never trip it.
      - An answer still arriving then is abandoned and counts as a timeout after sending. A read is sent again
        within O(retry_budget); a create may have been applied, so the user is looked up before anything is sent
        again.
      - An answer body is read up to 8 MiB and no further (Partner Center's largest answers, pages of 500 users,
        are under 1 MB); a larger one fails the task naming the route, and is not asked for again.
      - If not set, the environment variable E(PARTNERCENTER_TIMEOUT) is used.
    type: int
    default: 30
  retry_budget:
    description:
      - The most time, in seconds, that one API call may spend waiting between retries of throttled
        (HTTP 429, honouring C(Retry-After)), failed (5xx) or interrupted requests, with jittered
        exponential backoff. When it runs out the task fails naming the last fault.
      - Every request, all its attempts and their answers included, ends within O(retry_budget), because a
        retry's attempt gets O(timeout) but never more than what is left of the budget. A budget smaller than
        O(timeout) (V(0) means no retries) still gives the first attempt O(timeout). A token request is one
        request, the API call it is for another.
      - A listing (users, role members, customers) stops with an error naming the route when a page's next link
        repeats the continuation token of an earlier page, which would never end, or after 1,000 pages
        (500,000 users at 500 a page).
      - After a throttled answer every request of the task waits until C(Retry-After) has passed, and with
        O(token_cache) so does every task of the same partner tenant and O(api_url) in other processes (the
        forks of a play); a request gives up at once instead when that wait is longer than what is left of its
        budget.
      - If not set, the environment variable E(PARTNERCENTER_RETRY_BUDGET) is used.
    type: float
    default: 120
  token_cache:
    description:
      - Whether to keep access tokens in a per-user cache shared between tasks, so a play asks for one token
        per credential instead of one per task.
      - The cache holds access tokens only, never secrets or refresh tokens, in files readable only by the
        user (0600) in a directory only the user can enter (0700).
      - The same directory holds the throttling hold shared by the forks of a play, one small file per partner
        tenant and O(api_url) with the time before which no request may start after Partner Center answered
        HTTP 429 (at most 300 seconds ahead; a file it did not write is ignored). With O(token_cache=false)
        only the requests of one task share a hold.
      - If not set, the environment variable E(PARTNERCENTER_TOKEN_CACHE) is used.
    type: bool
    default: true
  token_cache_dir:
    description:
      - Directory of the token cache, and of the throttling hold the forks of a play share (see O(token_cache)).
      - When neither this option nor the environment variable is set, the directory is
        C(~/.cache/csp.partnercenter/tokens), or the same path under E(XDG_CACHE_HOME). That path depends on the
        environment of the run, so ansible-doc shows no default.
      - If not set, the environment variable E(PARTNERCENTER_TOKEN_CACHE_DIR) is used.
    type: path
  request_rate:
    description:
      - The request budget toward Partner Center of the whole job, in requests a second, for every fork and, in a
        sliced AWX job, every slice together. Each request waits for its turn before it is sent, so the job stays
        under the budget rather than meeting HTTP 429 (a 429 that still comes is honoured as before, see
        O(retry_budget)).
      - Each slice takes O(request_rate) / O(job_slices); the forks of one machine share that share through a small
        file next to the token cache (with O(token_cache), else only the requests of one task share it). Requests
        are spaced evenly, never sent in a burst, but each slice's first request goes at once, so in any second the
        job sends at most O(request_rate) + O(job_slices) requests, so leave that much room below the limit.
      - V(0) (the default), requests are not paced. Set it below the partner's Partner Center limit, for example V(8) for a
        limit of 10 a second, to leave room for other tools of the partner.
      - A request whose turn would come after its O(retry_budget) is not sent, and the task fails saying so.
      - If not set, the environment variable E(PARTNERCENTER_REQUEST_RATE) is used.
    type: float
    default: 0
  graph_request_rate:
    description:
      - The request budget toward each customer tenant's Microsoft Graph, in requests a second, for the whole job,
        shared as O(request_rate) is (each slice takes its share, the forks of a machine share it), one budget per
        customer tenant since Graph throttles per tenant. Only requests to Graph count against it.
      - V(0) (the default), Graph requests are not paced.
      - If not set, the environment variable E(PARTNERCENTER_GRAPH_REQUEST_RATE) is used.
    type: float
    default: 0
  job_slices:
    description:
      - How many slices the job runs as, so that each slice takes its share of O(request_rate) and
        O(graph_request_rate). In AWX, the job template's I(Job Slicing) (C(job_slice_count)). AWX tells a slice
        its job id (C(awx_job_id)) and its workflow's (C(awx_workflow_job_id)) but not the slice count, so set it
        in the credential (E(PARTNERCENTER_JOB_SLICES)) to the same number.
      - A count lower than the real one lets the job exceed the budget by the ratio; a higher one only makes it
        slower.
      - If not set, the environment variable E(PARTNERCENTER_JOB_SLICES) is used.
    type: int
    default: 1
requirements:
  - python >= 3.9
  - requests >= 2.28
  - msal >= 1.24 (not needed with O(access_token))
notes:
  - Partner Center allows customer user operations only with App+User tokens (the secure application model).
  - Every request carries a fresh C(MS-RequestId) and one C(MS-CorrelationId) per task; failures name both.
"""
