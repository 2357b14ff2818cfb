# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""What an access token says about itself: the claims of a JWT, read (never verified, never shown whole)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import json


def token_claims(token):
    """The payload of a JWT-shaped token as a dict, or None for an opaque token."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")).decode("utf-8"))
    except (ValueError, TypeError, UnicodeError):
        return None
    return claims if isinstance(claims, dict) else None


def granted_scopes(claims):
    """The delegated permissions of a token (its ``scp``), sorted; [] where it has none."""
    scope = (claims or {}).get("scp")
    return sorted(scope.split()) if isinstance(scope, str) else []


def describe_identity(claims):
    """The fields ``partnercenter_auth_info`` returns about the token; no secret, no token."""
    if claims is None:
        return dict(token_format="opaque", kind=None, tenant_id=None, user=None, mfa=None, scope=None,
                    expires=None, application_id=None)
    amr = claims.get("amr") or []
    app_only = claims.get("idtyp") == "app" or ("scp" not in claims and "upn" not in claims)
    expires = claims.get("exp")
    return dict(
        token_format="jwt",
        kind="app-only" if app_only else "app+user",
        tenant_id=claims.get("tid"),
        user=None if app_only else (claims.get("upn") or claims.get("unique_name") or claims.get("preferred_username")),
        mfa=None if app_only else "mfa" in amr,
        scope=claims.get("scp"),
        expires=datetime.datetime.fromtimestamp(expires, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        if isinstance(expires, (int, float)) and not isinstance(expires, bool) else None,
        application_id=claims.get("appid") or claims.get("azp"),
    )
