"""Answers: the Response object, Partner Center error bodies (and the ApiError that carries
one), the 429 body and the JSON encoding (PascalCase, BOM)."""

import json

JSON_TYPE = "application/json; charset=utf-8"
BOM = b"\xef\xbb\xbf"
REDACTED = "***REDACTED***"


class Response(object):
    __slots__ = ("status", "body", "headers", "raw", "content_type", "stream")

    def __init__(self, status, body=None, headers=None, raw=None, content_type=JSON_TYPE):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.raw = raw
        self.content_type = content_type
        self.stream = None  # faults.StreamedBody: the body written in pieces (drip, huge_body)

    def payload(self, bom=False, pascal=False):
        """The body bytes: ``raw`` as is, or ``body`` as compact UTF-8 JSON."""
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        body = to_pascal(self.body) if pascal else self.body
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return BOM + data if bom else data


def pc_body(code, description, data=None, source="PartnerFD"):
    return {"code": code, "description": description, "data": list(data or []),
            "source": source}


def pc_error(status, code, description, data=None, source="PartnerFD", headers=None):
    return Response(status, pc_body(code, description, data, source), headers=headers)


class ApiError(Exception):
    """A Partner Center error answer, raised by the resource code."""

    def __init__(self, status, code, description, data=None, source="PartnerFD",
                 headers=None, body=None):
        Exception.__init__(self, "%s %s %s" % (status, code, description))
        self.status = status
        self.body = pc_body(code, description, data, source) if body is None else body
        self.headers = headers or {}

    def response(self):
        return Response(self.status, self.body, self.headers)


def not_found_path():
    return pc_error(404, 1000, "The requested resource was not found.")


def throttle_response(retry_after):
    return Response(429, {"statusCode": 429,
                          "message": "Rate limit is exceeded. Try again in %d seconds."
                                     % retry_after},
                    headers={"Retry-After": str(retry_after)})


def to_pascal(obj):
    if isinstance(obj, dict):
        return {(k[:1].upper() + k[1:]): to_pascal(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [to_pascal(v) for v in obj]
    return obj


def redact(obj):
    """``obj`` with every ``password`` value (any depth, any case) replaced."""
    if isinstance(obj, dict):
        return {k: (REDACTED if str(k).lower() == "password" else redact(v))
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [redact(v) for v in obj]
    return obj


# ---- Microsoft Graph ----------------------------------------------------------------------

def graph_body(code, message):
    """Graph's error body; the pipeline fills in ``innerError`` (date and request ids)."""
    return {"error": {"code": code, "message": message, "innerError": {}}}


def graph_error(status, code, message, headers=None):
    return Response(status, graph_body(code, message), headers=headers)


class GraphError(Exception):
    """A Microsoft Graph error answer, raised by the Graph resource code."""

    def __init__(self, status, code, message, headers=None):
        Exception.__init__(self, "%s %s %s" % (status, code, message))
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def response(self):
        return graph_error(self.status, self.code, self.message, self.headers)


def graph_throttled(retry_after):
    return graph_error(429, "TooManyRequests", "Too many requests.",
                       headers={"Retry-After": str(retry_after)})


def graph_not_found(what="Resource"):
    return GraphError(404, "Request_ResourceNotFound",
                      "%s does not exist or one of its queried reference-property objects "
                      "are not present." % what)


def graph_bad_request(message, code="Request_BadRequest"):
    return GraphError(400, code, message)
