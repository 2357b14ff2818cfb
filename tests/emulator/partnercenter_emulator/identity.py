"""Entra ID (AAD): the v2.0 (and v1) endpoints as MSAL Python uses them, the token store,
their route handlers, and the bearer-token check of API requests (``authorize``).

Tokens are opaque random strings; the server remembers ``{token: kind, exp}``.
Token expiry uses the real wall clock (``POST /_emulator/clock`` does not age
tokens); ``POST /_emulator/expire_tokens`` expires every issued token.
"""

import base64
import datetime
import hmac
import json
import secrets
import threading
import time
import uuid

from .responses import Response, pc_error

PC_RESOURCE = "https://api.partnercenter.microsoft.com"
USER_SCOPE = PC_RESOURCE + "/user_impersonation"
APP_SCOPE = PC_RESOURCE + "/.default"
OIDC_SCOPES = ("openid", "profile", "offline_access", "email")


class TokenInfo(object):
    __slots__ = ("kind", "exp", "mfa")

    def __init__(self, kind, exp, mfa):
        self.kind = kind
        self.exp = exp
        self.mfa = mfa


class TokenStore(object):
    def __init__(self, max_tokens=200000):
        self._lock = threading.Lock()
        self._tokens = {}
        self._max = max_tokens

    def issue(self, kind, lifetime, mfa=True):
        token = "emu." + secrets.token_urlsafe(32)
        now = time.time()
        with self._lock:
            if len(self._tokens) >= self._max:
                for key in [k for k, v in self._tokens.items() if v.exp < now]:
                    del self._tokens[key]
            self._tokens[token] = TokenInfo(kind, now + lifetime, mfa)
        return token

    def lookup(self, token):
        with self._lock:
            return self._tokens.get(token)

    def expire_all(self):
        now = time.time() - 1
        with self._lock:
            for info in self._tokens.values():
                if info.exp > now:
                    info.exp = now
            return len(self._tokens)


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _eq(a, b):
    return hmac.compare_digest((a or "").encode("utf-8"), (b or "").encode("utf-8"))


class IdentityError(Exception):
    def __init__(self, status, error, aadsts, message):
        Exception.__init__(self, error)
        self.status = status
        self.error = error
        self.aadsts = aadsts
        self.message = message

    def response(self, correlation_id):
        return Response(self.status, self.body(correlation_id))

    def body(self, correlation_id):
        trace_id = str(uuid.uuid4())
        now = datetime.datetime.now(datetime.timezone.utc)
        stamp = now.strftime("%Y-%m-%d %H:%M:%SZ")
        return {
            "error": self.error,
            "error_description": "AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s"
                                 % (self.aadsts, self.message, trace_id, correlation_id, stamp),
            "error_codes": [self.aadsts],
            "timestamp": stamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": "https://login.microsoftonline.com/error?code=%d" % self.aadsts,
        }


class Identity(object):
    def __init__(self, credentials, tokens):
        # credentials: tenant_id, client_id, client_secret, refresh_token
        self.creds = credentials
        self.tokens = tokens

    def tenant_ok(self, tenant):
        return tenant.lower() in (self.creds["tenant_id"].lower(),)

    def openid_configuration(self, base_url, tenant):
        if not self.tenant_ok(tenant):
            raise IdentityError(400, "invalid_tenant", 90002,
                                "Tenant '%s' not found. Check to make sure you have the correct "
                                "tenant ID and are signing into the correct cloud." % tenant)
        tid = self.creds["tenant_id"]
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
    def _check_client(self, form, secret_required):
        client_id = form.get("client_id")
        if not client_id:
            raise IdentityError(400, "invalid_request", 900144,
                                "The request body must contain the following parameter: "
                                "'client_id'.")
        if client_id != self.creds["client_id"]:
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
        if not _eq(secret, self.creds["client_secret"]):
            raise IdentityError(401, "invalid_client", 7000215,
                                "Invalid client secret provided. Ensure the secret being sent "
                                "in the request is the client secret value, not the client "
                                "secret ID, for a secret added to app '%s'."
                                % self.creds["client_id"])
        return True

    @staticmethod
    def _scopes(form, v1):
        if v1 and form.get("resource"):
            resource = form["resource"].rstrip("/")
            return [resource + "/.default"] + form.get("scope", "").split()
        return form.get("scope", "").split()

    def token(self, tenant, form, lifetime, mfa=True, v1=False):
        """Handle a token request; returns the JSON answer or raises IdentityError."""
        if not self.tenant_ok(tenant):
            raise IdentityError(400, "invalid_request", 90002,
                                "Tenant '%s' not found. Check to make sure you have the correct "
                                "tenant ID and are signing into the correct cloud." % tenant[:64])
        grant = form.get("grant_type")
        if not grant:
            raise IdentityError(400, "invalid_request", 900144,
                                "The request body must contain the following parameter: "
                                "'grant_type'.")
        scopes = self._scopes(form, v1)
        if grant == "client_credentials":
            self._check_client(form, secret_required=True)
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
            token = self.tokens.issue("app", lifetime, mfa=False)
            answer = {"token_type": "Bearer", "expires_in": lifetime,
                      "ext_expires_in": lifetime, "access_token": token}
            if v1:
                answer["resource"] = PC_RESOURCE
                answer["expires_on"] = str(int(time.time() + lifetime))
            return answer
        if grant == "refresh_token":
            self._check_client(form, secret_required=False)
            rt = form.get("refresh_token")
            if not rt:
                raise IdentityError(400, "invalid_request", 900144,
                                    "The request body must contain the following parameter: "
                                    "'refresh_token'.")
            if not _eq(rt, self.creds["refresh_token"]):
                raise IdentityError(400, "invalid_grant", 9002313,
                                    "Invalid request. Request is malformed or invalid.")
            lowered = [s.lower() for s in scopes]
            if v1 and form.get("resource", "").rstrip("/").lower() == PC_RESOURCE:
                lowered.append(USER_SCOPE.lower())
            if USER_SCOPE.lower() not in lowered:
                raise IdentityError(400, "invalid_scope", 70011,
                                    "The provided request must include a 'scope' input "
                                    "parameter. The provided value for the input parameter "
                                    "'scope' is not valid: it must include %s." % USER_SCOPE)
            token = self.tokens.issue("user", lifetime, mfa=mfa)
            answer = {
                "token_type": "Bearer",
                "scope": USER_SCOPE + (" openid profile" if "openid" in lowered else ""),
                "expires_in": lifetime,
                "ext_expires_in": lifetime,
                "access_token": token,
                "refresh_token": self.creds["refresh_token"],
            }
            if v1:
                answer["resource"] = PC_RESOURCE
                answer["expires_on"] = str(int(time.time() + lifetime))
            uid = "33333333-3333-3333-3333-333333333333"
            tid = self.creds["tenant_id"]
            if form.get("client_info") == "1":
                answer["client_info"] = _b64(json.dumps({"uid": uid, "utid": tid}).encode())
            if "openid" in lowered:
                now = int(time.time())
                claims = {"aud": self.creds["client_id"], "iss": "https://login.microsoftonline.com/%s/v2.0" % tid,
                          "iat": now, "nbf": now, "exp": now + lifetime,
                          "name": "Emulated Partner Admin", "oid": uid,
                          "preferred_username": "admin@partner.example", "sub": uid,
                          "tid": tid, "ver": "2.0"}
                answer["id_token"] = "%s.%s." % (
                    _b64(json.dumps({"typ": "JWT", "alg": "none"}).encode()),
                    _b64(json.dumps(claims).encode()))
            return answer
        if grant in ("password", "authorization_code",
                     "urn:ietf:params:oauth:grant-type:device_code",
                     "urn:ietf:params:oauth:grant-type:jwt-bearer"):
            raise IdentityError(400, "unsupported_grant_type", 70003,
                                "The app requested an unsupported grant type '%s' (not "
                                "emulated)." % grant)
        raise IdentityError(400, "unsupported_grant_type", 70003,
                            "The app requested an unsupported grant type '%s'." % grant[:64])


# ---- route handlers ------------------------------------------------------------------

def handle_openid_config(emu, req):
    return Response(200, emu.identity.openid_configuration(emu.base_url, req.params["tenant"]))


def _token(emu, req, v1):
    if req.method != "POST":
        raise IdentityError(405, "invalid_request", 900561,
                            "The endpoint only accepts POST requests.")
    cfg = emu.config
    return Response(200, emu.identity.token(req.params["tenant"], req.body, cfg["token_lifetime"],
                                            mfa=cfg["token_mfa"], v1=v1))


def handle_token(emu, req):
    return _token(emu, req, v1=False)


def handle_token_v1(emu, req):
    return _token(emu, req, v1=True)


# ---- bearer tokens on API requests -----------------------------------------------------

def dotnet_time(epoch):
    dt = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return "%d/%d/%d %d:%02d:%02d %s" % (dt.month, dt.day, dt.year, (dt.hour % 12) or 12,
                                         dt.minute, dt.second, "AM" if dt.hour < 12 else "PM")


def authorize(info, accepted_kinds, cfg, force_expired=False):
    """The error answer for the bearer token ``info`` (a TokenInfo or None) on a route that
    accepts ``accepted_kinds``, or None when the request may proceed."""
    if info is None:
        return pc_error(401, 800001, "Partner Token missing in request context",
                        # sic: the stray quote inside the realm is the emulator's answer since
                        # its first version; kept as is (a refactor must not change it)
                        headers={"WWW-Authenticate": 'Bearer realm="api.partnercenter."'
                                                     'microsoft.com"'})
    now = time.time()
    if info.exp <= now or force_expired:
        exp = min(info.exp, now - 1)
        return Response(401, {"error": {
            "code": "ExpiredAuthenticationToken",
            "message": "The access token expiry UTC time '%s' is earlier than current UTC "
                       "time '%s'." % (dotnet_time(exp), dotnet_time(now))}},
            headers={"WWW-Authenticate": 'Bearer error="invalid_token", '
                                         'error_description="The access token has expired"'})
    if info.kind not in accepted_kinds:
        return pc_error(403, 900329, "This resource doesn't support application-only "
                                     "authentication.")
    if info.kind == "user" and cfg["mfa_required"] and not info.mfa:
        return pc_error(401, 900421, "Multi-factor authentication (MFA) is required for this "
                                     "App+User request.")
    return None
