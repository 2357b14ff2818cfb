"""Entra ID (AAD): the v2.0 (and v1) endpoints as MSAL Python uses them, the token store,
their route handlers, and the bearer-token check of API requests (``authorize``).

Access tokens are JWT-shaped (claims a client can read, an unverifiable signature); the
server remembers ``{token: kind, exp, mfa}``.  Refresh tokens are remembered by SHA-256
with their issue time, sign-in, MFA flag and UPN; every refresh grant rotates them.  Both
age on the emulator clock (``POST /_emulator/clock``); ``POST /_emulator/expire_tokens``
expires every issued access token.
"""

import base64
import datetime
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from collections import OrderedDict

from .model import GRAPH_APP_ID
from .responses import Response, pc_error

PC_RESOURCE = "https://api.partnercenter.microsoft.com"
USER_SCOPE = PC_RESOURCE + "/user_impersonation"
APP_SCOPE = PC_RESOURCE + "/.default"
OIDC_SCOPES = ("openid", "profile", "offline_access", "email")
PARTNER_CENTER = "partner_center"   # the audiences of the access tokens the emulator issues
GRAPH = "graph"
GRAPH_RESOURCE = "https://graph.microsoft.com"
APP_NAME = "Partner Center Emulator App"
USER_NAME = "Emulated Partner Admin"
USER_OID = "33333333-3333-3333-3333-333333333333"      # the signed-in partner user
APP_OID = "44444444-4444-4444-4444-444444444444"       # the app's service principal


# The API's own .default (by its URI or its first-party app id): every consented delegated scope, which
# for Partner Center is user_impersonation.  Entra accepts .default in any OAuth 2.0 flow, but not beside
# another resource scope (AADSTS70011).
API_DEFAULTS = (APP_SCOPE.lower(), "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd/.default")


def user_scopes(lowered):
    """The lower-case scopes of a refresh-token grant with the API's ``.default`` read as user_impersonation."""
    resource_scopes = [s for s in lowered if s not in OIDC_SCOPES]
    if not any(s.rstrip("/") in API_DEFAULTS for s in resource_scopes):
        return lowered
    if len(resource_scopes) != 1:
        raise IdentityError(400, "invalid_scope", 70011,
                            "The provided value for the input parameter 'scope' is not valid. "
                            ".default scope can't be combined with resource-specific scopes.")
    return [USER_SCOPE.lower() if s in resource_scopes else s for s in lowered]


class TokenInfo(object):
    """What the emulator remembers of an access token: its kind (app or user), expiry, MFA,
    UPN, audience (``PARTNER_CENTER`` or ``GRAPH``), and for a customer-tenant token its
    tenant (``tid``), ``wids`` (role template ids) and scopes."""
    __slots__ = ("kind", "exp", "mfa", "upn", "audience", "tenant", "wids", "scopes")

    def __init__(self, kind, exp, mfa, upn=None, audience=PARTNER_CENTER, tenant=None,
                 wids=(), scopes=()):
        self.kind = kind
        self.exp = exp
        self.mfa = mfa
        self.upn = upn
        self.audience = audience
        self.tenant = tenant
        self.wids = frozenset(wids)
        self.scopes = tuple(scopes)


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _compact(obj):
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


def jwt_shaped(claims):
    """``header.payload.signature``, base64url; the signature is 32 random bytes (nobody can
    verify it, and it makes every token distinct)."""
    header = {"typ": "JWT", "alg": "RS256", "kid": "pcemu", "x5t": "pcemu"}
    return "%s.%s.%s" % (_b64(_compact(header)), _b64(_compact(claims)),
                         _b64(secrets.token_bytes(32)))


def read_claims(token):
    """The payload of a JWT-shaped token (for tests and tools); ValueError when it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not a JWT-shaped token")
    return json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))


class TokenStore(object):
    """The access tokens issued: ``{token: TokenInfo}``; expiry on the emulator clock."""

    def __init__(self, clock=time.time, max_tokens=200000):
        self._lock = threading.Lock()
        self._tokens = {}
        self._max = max_tokens
        self.clock = clock

    def issue(self, kind, lifetime, mfa=True, claims=None, upn=None, **scope):
        """A new JWT-shaped token carrying ``claims`` plus ``iat``, ``nbf`` and ``exp``;
        ``scope``: the audience, tenant, wids and scopes of a customer-tenant token."""
        now = self.clock()
        claims = dict(claims or {})
        claims.update(iat=int(now), nbf=int(now), exp=int(now + lifetime))
        token = jwt_shaped(claims)
        with self._lock:
            if len(self._tokens) >= self._max:
                for key in [k for k, v in self._tokens.items() if v.exp < now]:
                    del self._tokens[key]
            self._tokens[token] = TokenInfo(kind, now + lifetime, mfa, upn, **scope)
        return token

    def lookup(self, token):
        with self._lock:
            return self._tokens.get(token)

    def expire_all(self):
        now = self.clock() - 1
        with self._lock:
            for info in self._tokens.values():
                if info.exp > now:
                    info.exp = now
            return len(self._tokens)


def _digest(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


DIGEST_SHOWN = 12       # hex characters of a refresh token's SHA-256 that listings show


class RefreshToken(object):
    """What the emulator remembers of one refresh token (never the token itself).
    ``mfa``/``upn`` None: follow the knobs ``token_mfa``/``token_upn`` (the configured token
    and the tokens rotated from it)."""
    __slots__ = ("digest", "source", "issued", "signed_in", "mfa", "upn", "revoked_at",
                 "rotated_from")

    def __init__(self, digest, source, issued, signed_in, mfa, upn, rotated_from=None):
        self.digest = digest
        self.source = source            # configured | consent | rotated
        self.issued = issued            # emulator clock
        self.signed_in = signed_in      # the sign-in this token descends from
        self.mfa = mfa
        self.upn = upn
        self.revoked_at = None
        self.rotated_from = rotated_from

    def claims(self, cfg):
        """(mfa, upn) of the sign-in, the knobs filling in what the token does not fix."""
        return (cfg["token_mfa"] if self.mfa is None else self.mfa,
                self.upn or cfg["token_upn"])


class RefreshTokenStore(object):
    """Refresh tokens by SHA-256: the configured one, those a consent sign-in issued
    (``POST /_emulator/refresh_tokens``) and those every refresh grant rotated out."""

    def __init__(self, clock, max_tokens=200000):
        self._lock = threading.Lock()
        self._records = OrderedDict()
        self._max = max_tokens
        self.clock = clock
        self.configured = None

    def arm_configured(self, token):
        """(Re)issue the configured refresh token now: at start and at every reset."""
        now = self.clock()
        record = RefreshToken(_digest(token), "configured", now, now, None, None)
        with self._lock:
            self._records[record.digest] = record
            self.configured = record.digest
        return record

    def issue(self, mfa=None, upn=None, parent=None):
        """A new random refresh token; ``parent``: the token a grant redeemed (its sign-in,
        MFA and UPN are inherited)."""
        token = "emu-rt." + secrets.token_urlsafe(48)
        now = self.clock()
        if parent is not None:
            record = RefreshToken(_digest(token), "rotated", now, parent.signed_in, parent.mfa,
                                  parent.upn, rotated_from=parent.digest)
        else:
            record = RefreshToken(_digest(token), "consent", now, now, mfa, upn)
        with self._lock:
            while len(self._records) >= self._max:
                oldest = next(k for k in self._records if k != self.configured)
                del self._records[oldest]
            self._records[record.digest] = record
        return token, record

    def find(self, token):
        with self._lock:
            return self._records.get(_digest(token))

    def revoke(self, token=None, sha256=None, everything=False):
        """Revoke every token (``everything``), the one whose value is ``token``, or those
        whose SHA-256 starts with ``sha256``; returns how many were revoked."""
        now = self.clock()
        with self._lock:
            if everything:
                chosen = list(self._records.values())
            elif token is not None:
                chosen = [r for r in [self._records.get(_digest(token))] if r is not None]
            else:
                prefix = sha256.lower()
                chosen = [r for k, r in self._records.items() if k.startswith(prefix)]
            chosen = [r for r in chosen if r.revoked_at is None]
            for record in chosen:
                record.revoked_at = now
            return len(chosen)

    def describe(self, cfg):
        lifetime = cfg["refresh_token_lifetime_days"] * 86400.0
        out = []
        with self._lock:
            for record in self._records.values():
                mfa, upn = record.claims(cfg)
                out.append(OrderedDict((
                    ("sha256", record.digest[:DIGEST_SHOWN]), ("source", record.source),
                    ("issued", entra_time(record.issued)),
                    ("expires", entra_time(record.issued + lifetime)),
                    ("signed_in", entra_time(record.signed_in)), ("mfa", mfa), ("upn", upn),
                    ("revoked", record.revoked_at is not None),
                    ("rotated_from", record.rotated_from and
                     record.rotated_from[:DIGEST_SHOWN]))))
        return out


def entra_time(epoch):
    """Entra's time stamps in error texts: ``2026-03-01T12:21:47.5693990Z``."""
    dt = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%07dZ" % (dt.microsecond * 10)


def timespan(days):
    """A whole number of days as .NET prints a TimeSpan: ``90.00:00:00``."""
    return "%d.00:00:00" % days if days else "00:00:00"


def _eq(a, b):
    return hmac.compare_digest((a or "").encode("utf-8"), (b or "").encode("utf-8"))


class IdentityError(Exception):
    def __init__(self, status, error, aadsts, message):
        Exception.__init__(self, error)
        self.status = status
        self.error = error
        self.aadsts = aadsts
        self.message = message
        self.suberror = None        # e.g. consent_required

    def response(self, correlation_id):
        return Response(self.status, self.body(correlation_id))

    def body(self, correlation_id):
        trace_id = str(uuid.uuid4())
        now = datetime.datetime.now(datetime.timezone.utc)
        stamp = now.strftime("%Y-%m-%d %H:%M:%SZ")
        body = {
            "error": self.error,
            "error_description": "AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s"
                                 % (self.aadsts, self.message, trace_id, correlation_id, stamp),
            "error_codes": [self.aadsts],
            "timestamp": stamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": "https://login.microsoftonline.com/error?code=%d" % self.aadsts,
        }
        if self.suberror:
            body["suberror"] = self.suberror
        return body


class Identity(object):
    def __init__(self, credentials, tokens, refresh_tokens, state=None):
        # credentials: tenant_id, client_id, client_secret, refresh_token
        self.creds = credentials
        self.tokens = tokens
        self.refresh_tokens = refresh_tokens
        self.state = state          # the customers: their tenants, consents and GDAP roles

    def customer_tenant(self, tenant):
        """The customer whose tenant id is ``tenant``; None for the partner tenant;
        IdentityError 90002 for any other tenant."""
        if tenant.lower() == self.creds["tenant_id"].lower():
            return None
        customer = None
        if self.state is not None:
            with self.state.lock:
                customer = self.state.customers.get(tenant.lower())
        if customer is None:
            raise IdentityError(400, "invalid_tenant", 90002,
                                "Tenant '%s' not found. Check to make sure you have the correct "
                                "tenant ID and are signing into the correct cloud." % tenant[:64])
        return customer

    def openid_configuration(self, base_url, tenant):
        customer = self.customer_tenant(tenant)
        tid = customer.id if customer is not None else self.creds["tenant_id"]
        root = "%s/%s" % (base_url, tenant)
        return {
            "token_endpoint": root + "/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt",
                                                      "client_secret_basic"],
            "jwks_uri": "%s/%s/discovery/v2.0/keys" % (base_url, tenant),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": "%s/%s/v2.0" % (base_url, tid),
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": base_url + "/oidc/userinfo",
            "authorization_endpoint": root + "/oauth2/v2.0/authorize",
            "device_authorization_endpoint": root + "/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": root + "/oauth2/v2.0/logout",
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce",
                                 "preferred_username", "name", "tid", "ver", "at_hash", "c_hash",
                                 "email"],
            "kerberos_endpoint": root + "/kerberos",
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        }

    # ------------------------------------------------------------------
    def _check_client(self, form, secret_required, cfg):
        """Whether a client secret was presented (raises IdentityError when it is wrong)."""
        client_id = form.get("client_id")
        if not client_id:
            raise IdentityError(400, "invalid_request", 900144,
                                "The request body must contain the following parameter: "
                                "'client_id'.")
        if client_id != self.creds["client_id"] or cfg["app_not_found"]:
            # never echo anything secret; the client id is not secret
            raise IdentityError(400, "unauthorized_client", 700016,
                                "Application with identifier '%s' was not found in the "
                                "directory '%s'." % (client_id[:64], self.creds["tenant_id"]))
        secret = form.get("client_secret")
        if form.get("client_assertion"):
            raise IdentityError(401, "invalid_client", 700027,
                                "Client assertion failed signature validation.")
        if secret is None:
            if secret_required:
                raise IdentityError(401, "invalid_client", 7000218,
                                    "The request body must contain the following parameter: "
                                    "'client_assertion' or 'client_secret'.")
            return False
        if not _eq(secret, self.creds["client_secret"]) or cfg["client_secret_invalid"]:
            raise IdentityError(401, "invalid_client", 7000215,
                                "Invalid client secret provided. Ensure the secret being sent "
                                "in the request is the client secret value, not the client "
                                "secret ID, for a secret added to app '%s'."
                                % self.creds["client_id"])
        if cfg["client_secret_expired"]:
            raise IdentityError(401, "invalid_client", 7000222,
                                "The provided client secret keys for app '%s' are expired. "
                                "Visit the Azure portal to create new keys for your app: "
                                "https://aka.ms/NewClientSecret, or consider using "
                                "certificate credentials for added security: "
                                "https://aka.ms/certCreds." % self.creds["client_id"])
        return True

    @staticmethod
    def _scopes(form, v1):
        if v1 and form.get("resource"):
            resource = form["resource"].rstrip("/")
            return [resource + "/.default"] + form.get("scope", "").split()
        return form.get("scope", "").split()

    def _base_claims(self, with_secret):
        tid = self.creds["tenant_id"]
        return {"aud": PC_RESOURCE, "iss": "https://sts.windows.net/%s/" % tid, "tid": tid,
                "appid": self.creds["client_id"], "appidacr": "1" if with_secret else "0",
                "uti": secrets.token_urlsafe(16), "ver": "1.0"}

    def _redeem(self, rt, cfg):
        """The record of the refresh token ``rt``, or IdentityError: unknown (9002313),
        revoked (50173) or older than ``refresh_token_lifetime_days`` (700082)."""
        record = self.refresh_tokens.find(rt)
        if record is None:
            raise IdentityError(400, "invalid_grant", 9002313,
                                "Invalid request. Request is malformed or invalid.")
        if record.revoked_at is not None:
            raise IdentityError(400, "invalid_grant", 50173,
                                "The provided grant has expired due to it being revoked, a "
                                "fresh auth token is needed. The user might have changed or "
                                "reset their password. The grant was issued on '%s' and the "
                                "TokensValidFrom date (before which tokens are not valid) for "
                                "this user is '%s'." % (entra_time(record.issued),
                                                        entra_time(record.revoked_at)))
        days = cfg["refresh_token_lifetime_days"]
        if self.refresh_tokens.clock() - record.issued >= days * 86400.0:
            raise IdentityError(400, "invalid_grant", 700082,
                                "The refresh token has expired due to inactivity. The token "
                                "was issued on %s and was inactive for %s."
                                % (entra_time(record.issued), timespan(days)))
        return record

    def token(self, tenant, form, cfg, v1=False, graph_url=None):
        """Handle a token request; returns the JSON answer or raises IdentityError.
        ``tenant``: the partner's, or a customer's (Microsoft Graph there, ``graph_url``)."""
        lifetime = cfg["token_lifetime"]
        try:
            customer = self.customer_tenant(tenant)
        except IdentityError as err:
            err.error = "invalid_request"
            raise
        grant = form.get("grant_type")
        if not grant:
            raise IdentityError(400, "invalid_request", 900144,
                                "The request body must contain the following parameter: "
                                "'grant_type'.")
        scopes = self._scopes(form, v1)
        if grant == "client_credentials":
            self._check_client(form, True, cfg)
            if customer is not None:
                # app-only access to a customer's directory needs an application-permission
                # consent there, which the emulator never has [never kinder]
                raise IdentityError(400, "unauthorized_client", 700016,
                                    "Application with identifier '%s' was not found in the "
                                    "directory '%s'." % (self.creds["client_id"], customer.id))
            resource_scopes = [s for s in scopes if s not in OIDC_SCOPES]
            if len(resource_scopes) != 1 or not resource_scopes[0].endswith("/.default"):
                raise IdentityError(400, "invalid_scope", 1002012,
                                    "The provided value for scope %s is not valid. Client "
                                    "credential flows must have a scope value with /.default "
                                    "suffixed to the resource identifier (application ID URI)."
                                    % " ".join(scopes)[:200])
            if resource_scopes[0].rstrip("/").lower() != APP_SCOPE.lower():
                raise IdentityError(400, "invalid_resource", 500011,
                                    "The resource principal named %s was not found in the tenant "
                                    "named %s." % (resource_scopes[0][:-len("/.default")][:200],
                                                   self.creds["tenant_id"]))
            claims = self._base_claims(True)
            claims.update(idtyp="app", oid=APP_OID, sub=APP_OID, idp=claims["iss"])
            token = self.tokens.issue("app", lifetime, mfa=False, claims=claims)
            answer = {"token_type": "Bearer", "expires_in": lifetime,
                      "ext_expires_in": lifetime, "access_token": token}
            if v1:
                self._v1_fields(answer, lifetime)
            return answer
        if grant == "refresh_token":
            with_secret = self._check_client(form, False, cfg)
            rt = form.get("refresh_token")
            if not rt:
                raise IdentityError(400, "invalid_request", 900144,
                                    "The request body must contain the following parameter: "
                                    "'refresh_token'.")
            record = self._redeem(rt, cfg)
            lowered = [s.lower() for s in scopes]
            if customer is not None:
                return self._customer_grant(customer, form, scopes, record, with_secret, cfg,
                                            graph_url, v1)
            if v1 and form.get("resource", "").rstrip("/").lower() == PC_RESOURCE:
                lowered.append(USER_SCOPE.lower())
            lowered = user_scopes(lowered)
            if USER_SCOPE.lower() not in lowered:
                raise IdentityError(400, "invalid_scope", 70011,
                                    "The provided request must include a 'scope' input "
                                    "parameter. The provided value for the input parameter "
                                    "'scope' is not valid: it must include %s." % USER_SCOPE)
            if cfg["consent_missing"]:
                raise self._consent_required(65001, self.creds["tenant_id"])
            mfa, upn = record.claims(cfg)
            claims = self._base_claims(with_secret)
            claims.update(idtyp="user", scp="user_impersonation", amr=amr(mfa), upn=upn,
                          unique_name=upn, name=USER_NAME, oid=USER_OID, sub=USER_OID,
                          acr="1", ipaddr="127.0.0.1",
                          auth_time=int(record.signed_in))
            token = self.tokens.issue("user", lifetime, mfa=mfa, claims=claims, upn=upn)
            return self._user_answer(token, USER_SCOPE, record, form, lowered, cfg, v1,
                                     self.creds["tenant_id"], upn)
        if grant in ("password", "authorization_code",
                     "urn:ietf:params:oauth:grant-type:device_code",
                     "urn:ietf:params:oauth:grant-type:jwt-bearer"):
            raise IdentityError(400, "unsupported_grant_type", 70003,
                                "The app requested an unsupported grant type '%s' (not "
                                "emulated)." % grant)
        raise IdentityError(400, "unsupported_grant_type", 70003,
                            "The app requested an unsupported grant type '%s'." % grant[:64])

    def _user_answer(self, token, scope, record, form, lowered, cfg, v1, tid, upn,
                     resource=PC_RESOURCE):
        """The answer of a refresh grant: the access token, a rotated refresh token (knob
        ``rotate_refresh_tokens``), and ``client_info`` / ``id_token`` when asked."""
        lifetime = cfg["token_lifetime"]
        answer = {
            "token_type": "Bearer",
            "scope": scope + (" openid profile" if "openid" in lowered else ""),
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": token,
        }
        if cfg["rotate_refresh_tokens"]:
            answer["refresh_token"] = self.refresh_tokens.issue(parent=record)[0]
        if v1:
            self._v1_fields(answer, lifetime, resource)
        if form.get("client_info") == "1":
            answer["client_info"] = _b64(json.dumps({"uid": USER_OID, "utid": tid}).encode())
        if "openid" in lowered:
            now = int(self.tokens.clock())
            claims = {"aud": self.creds["client_id"],
                      "iss": "https://login.microsoftonline.com/%s/v2.0" % tid,
                      "iat": now, "nbf": now, "exp": now + lifetime,
                      "name": USER_NAME, "oid": USER_OID, "preferred_username": upn,
                      "sub": USER_OID, "tid": tid, "ver": "2.0"}
            answer["id_token"] = "%s.%s." % (
                _b64(json.dumps({"typ": "JWT", "alg": "none"}).encode()),
                _b64(json.dumps(claims).encode()))
        return answer

    def _consent_required(self, code, tenant, resource=GRAPH_RESOURCE):
        """400 invalid_grant (suberror consent_required) with Entra's wording of ``code``."""
        if code == 65001:
            text = ("The user or administrator has not consented to use the application with "
                    "ID '%s' named '%s'. Send an interactive authorization request for this "
                    "user and resource." % (self.creds["client_id"], APP_NAME))
        elif code == 650051:
            text = ("The application needs access to a service that your organization %s has "
                    "not subscribed to or enabled. Contact your IT Admin to review the "
                    "configuration of your service subscriptions." % tenant)
        else:
            text = ("The app is trying to access a service '%s' (%s) that your organization "
                    "'%s' lacks a service principal for. Contact your IT Admin to review the "
                    "configuration of your service subscriptions or consent to the application "
                    "in order to create the required service principal."
                    % (GRAPH_APP_ID, resource, tenant))
        err = IdentityError(400, "invalid_grant", code, text)
        err.suberror = "consent_required"
        return err

    @staticmethod
    def _graph_resource(scopes, graph_url, tenant):
        """(resource, [scope names]) of the Graph scopes asked for: ``{graph_url}/.default``
        or ``https://graph.microsoft.com/.default`` (or named scopes on either)."""
        allowed = {GRAPH_RESOURCE}
        if graph_url:
            allowed.add(graph_url.rstrip("/").lower())
        resource, names = None, []
        for scope in scopes:
            if scope.lower() in OIDC_SCOPES:
                continue
            base, _sep, name = scope.rstrip("/").rpartition("/")
            if base.lower() not in allowed or not name:
                raise IdentityError(400, "invalid_resource", 500011,
                                    "The resource principal named %s was not found in the "
                                    "tenant named %s. This can happen if the application has "
                                    "not been installed by the administrator of the tenant or "
                                    "consented to by any user in the tenant. You might have sent "
                                    "your authentication request to the wrong tenant."
                                    % ((base or scope)[:200], tenant))
            if resource is not None and base.lower() != resource.lower():
                raise IdentityError(400, "invalid_scope", 28000,
                                    "Provided value for the input parameter scope is not valid "
                                    "because it contains more than one resource.")
            resource = base
            names.append(name)
        if resource is None:
            raise IdentityError(400, "invalid_scope", 70011,
                                "The provided value for the input parameter 'scope' is not "
                                "valid: it must include %s/.default." % GRAPH_RESOURCE)
        return resource, names

    def _customer_grant(self, customer, form, scopes, record, with_secret, cfg, graph_url, v1):
        """A refresh grant at a customer's tenant for Microsoft Graph: refused while the app
        is not consented there (``consent_required_code``); else a token with ``tid`` = the
        customer, the consented scopes, the refresh token's MFA claim and, in ``wids``, the
        template ids of the GDAP roles the partner holds there."""
        from . import gdap
        from .resources import consents
        tid = customer.id
        resource, names = self._graph_resource(scopes, graph_url, tid)
        with self.state.lock:
            if not customer.allow_delegated_access:
                mfa, upn = record.claims(cfg)
                raise IdentityError(400, "invalid_grant", 50020,
                                    "User account '%s' from identity provider 'https://sts."
                                    "windows.net/%s/' does not exist in tenant '%s' and cannot "
                                    "access the application '%s'(%s) in that tenant."
                                    % (upn, self.creds["tenant_id"], customer.company_name,
                                       self.creds["client_id"], APP_NAME))
            granted = consents.graph_scopes(customer, self.creds["client_id"])
            held = self.state.gdap_roles.get(customer.id)
        wanted = [n for n in names if n.lower() != ".default"]
        if granted is None or cfg["consent_missing"] or \
                any(n.lower() not in [g.lower() for g in granted] for n in wanted):
            raise self._consent_required(cfg["consent_required_code"], tid, resource)
        scp = wanted or granted
        wids = gdap.wids(held)
        mfa, upn = record.claims(cfg)
        claims = {"aud": resource, "iss": "https://sts.windows.net/%s/" % tid, "tid": tid,
                  "idp": "https://sts.windows.net/%s/" % self.creds["tenant_id"],
                  "appid": self.creds["client_id"], "app_displayname": APP_NAME,
                  "appidacr": "1" if with_secret else "0", "uti": secrets.token_urlsafe(16),
                  "ver": "1.0", "idtyp": "user", "scp": " ".join(scp), "amr": amr(mfa),
                  "upn": upn, "unique_name": upn, "name": USER_NAME, "oid": USER_OID,
                  "sub": USER_OID, "acr": "1", "ipaddr": "127.0.0.1", "wids": wids,
                  "auth_time": int(record.signed_in)}
        token = self.tokens.issue("user", cfg["token_lifetime"], mfa=mfa, claims=claims, upn=upn,
                                  audience=GRAPH, tenant=tid, wids=wids, scopes=scp)
        return self._user_answer(token, " ".join("%s/%s" % (resource, n) for n in scp), record,
                                 form, [s.lower() for s in scopes], cfg, v1, tid, upn,
                                 resource=resource)

    def _v1_fields(self, answer, lifetime, resource=PC_RESOURCE):
        now = int(self.tokens.clock())
        answer["resource"] = resource
        answer["expires_on"] = str(now + lifetime)
        answer["not_before"] = str(now)


def amr(mfa):
    """The ``amr`` claim of a sign-in with or without MFA."""
    return ["pwd", "mfa"] if mfa else ["pwd"]


# ---- route handlers ------------------------------------------------------------------

def handle_openid_config(emu, req):
    return Response(200, emu.identity.openid_configuration(emu.base_url, req.params["tenant"]))


def _token(emu, req, v1):
    if req.method != "POST":
        raise IdentityError(405, "invalid_request", 900561,
                            "The endpoint only accepts POST requests.")
    return Response(200, emu.identity.token(req.params["tenant"], req.body, emu.config, v1=v1,
                                            graph_url=emu.graph_url))


def handle_token(emu, req):
    return _token(emu, req, v1=False)


def handle_token_v1(emu, req):
    return _token(emu, req, v1=True)


# ---- bearer tokens on API requests -----------------------------------------------------

def dotnet_time(epoch):
    dt = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return "%d/%d/%d %d:%02d:%02d %s" % (dt.month, dt.day, dt.year, (dt.hour % 12) or 12,
                                         dt.minute, dt.second, "AM" if dt.hour < 12 else "PM")


MFA_MISSING = ("The access token does not contain a valid MFA claim: App+User calls to "
               "Partner Center APIs require multi-factor authentication.")


def authorize(info, accepted_kinds, cfg, force_expired=False, now=None):
    """The error answer for the bearer token ``info`` (a TokenInfo or None) on a route that
    accepts ``accepted_kinds``, or None when the request may proceed.  ``now``: the
    emulator clock (default: the wall clock)."""
    if info is None:
        return pc_error(401, 800001, "Partner Token missing in request context",
                        # sic: the stray quote inside the realm is the emulator's answer since
                        # its first version; kept as is (a refactor must not change it)
                        headers={"WWW-Authenticate": 'Bearer realm="api.partnercenter."'
                                                     'microsoft.com"'})
    now = time.time() if now is None else now
    if info.exp <= now or force_expired:
        exp = min(info.exp, now - 1)
        return Response(401, {"error": {
            "code": "ExpiredAuthenticationToken",
            "message": "The access token expiry UTC time '%s' is earlier than current UTC "
                       "time '%s'." % (dotnet_time(exp), dotnet_time(now))}},
            headers={"WWW-Authenticate": 'Bearer error="invalid_token", '
                                         'error_description="The access token has expired"'})
    if info.audience != PARTNER_CENTER:
        return pc_error(401, 900420, "The audience '%s' in the token is invalid and is not "
                                     "supported in Partner Center API." % GRAPH_RESOURCE,
                        headers={"WWW-Authenticate": 'Bearer error="invalid_token", '
                                                     'error_description="The audience is '
                                                     'invalid"'})
    if info.kind not in accepted_kinds:
        return pc_error(403, 900329, "This resource doesn't support application-only "
                                     "authentication.")
    if info.kind == "user" and cfg["mfa_required"] and not info.mfa:
        return pc_error(401, 900421, MFA_MISSING)
    return None
