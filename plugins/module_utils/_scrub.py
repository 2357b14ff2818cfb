# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Keep secrets out of every text that a server sent and a person may read.

Partner Center and identity providers echo requests in their error bodies, and they
escape what they echo in many ways (JSON, .NET ``\\u002B``, HTML entities, URL
encoding), so Ansible's exact-string masking of ``no_log`` values misses them.  The
``Scrubber`` decodes every such escape (two levels deep) while remembering where each
decoded character came from, finds every registered secret in the decoded view, and
blanks the original span, however it was written.  A text that ends in the first
characters of a secret (a body cut short) loses that tail too.  Bearer tokens and
JWT-shaped strings are blanked whether registered or not.

Server text is then made printable (``printable``): a control character a terminal or a log
reader would act on is written as an escape, so nobody can forge a log line or a ``PLAY
RECAP``.  ``Scrubber.shown`` does both, then bounds the text.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import threading

MASK = "********"
# A text that ends in this many characters (or more) of a secret loses them.
MIN_PREFIX = 4
# The longest piece of server text quoted in a message.
TEXT_LIMIT = 1000

_BEARER_RE = re.compile(r"(?i)\b(bearer)(\s+|%20|\+)[A-Za-z0-9\-._~+/%]+=*")
_JWT_RE = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")
_JSON_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
_HTML_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "nbsp": u"\xa0", "plus": "+",
               "sol": "/", "bsol": "\\", "num": "#", "excl": "!", "percnt": "%", "equals": "=", "grave": "`"}
_HEX = "0123456789abcdefABCDEF"
# What a terminal or a log reader acts on instead of showing: C0 controls (line feed, carriage
# return, ESC...), DEL, C1 controls (CSI...), the line and paragraph separators, and the
# bidirectional marks, embeddings, overrides and isolates that reorder what follows them.
_CONTROL_RE = re.compile(u"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_CONTROL_NAMES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _decode_one(text, index, form):
    """(decoded character, length in ``text``) of the escape at ``index``, or None."""
    char = text[index]
    if char == "\\" and index + 1 < len(text):
        nxt = text[index + 1]
        if nxt in "uU" and _is_hex(text, index + 2, 4):
            code = int(text[index + 2:index + 6], 16)
            # A character outside the BMP is written as two escapes (a surrogate pair).
            if 0xD800 <= code < 0xDC00 and text[index + 6:index + 8] in ("\\u", "\\U") and _is_hex(text, index + 8, 4):
                low = int(text[index + 8:index + 12], 16)
                if 0xDC00 <= low < 0xE000:
                    return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)), 12
            return chr(code), 6
        if nxt == "x" and _is_hex(text, index + 2, 2):
            return chr(int(text[index + 2:index + 4], 16)), 4
        if nxt in _JSON_SIMPLE:
            return _JSON_SIMPLE[nxt], 2
    elif char == "&":
        end = text.find(";", index + 1, index + 12)
        if end > index + 1:
            entity = text[index + 1:end]
            try:
                if entity[:2] in ("#x", "#X"):
                    return chr(int(entity[2:], 16)), end - index + 1
                if entity[:1] == "#":
                    return chr(int(entity[1:])), end - index + 1
            except (ValueError, OverflowError):
                return None
            if entity in _HTML_NAMED:
                return _HTML_NAMED[entity], end - index + 1
    elif char == "%":
        return _percent(text, index)
    elif char == "+" and form:
        return " ", 1  # form encoding (application/x-www-form-urlencoded)
    return None


def _is_hex(text, start, count):
    return start + count <= len(text) and all(c in _HEX for c in text[start:start + count])


def _percent(text, index):
    """URL encoding: one character from one to four ``%XX`` (UTF-8)."""
    if not _is_hex(text, index + 1, 2):
        return None
    first = int(text[index + 1:index + 3], 16)
    size = 1 if first < 0x80 else 2 if first < 0xE0 else 3 if first < 0xF0 else 4
    raw = bytearray()
    for part in range(size):
        at = index + 3 * part
        if text[at:at + 1] != "%" or not _is_hex(text, at + 1, 2):
            return chr(first), 3
        raw.append(int(text[at + 1:at + 3], 16))
    try:
        return bytes(raw).decode("utf-8"), 3 * size
    except UnicodeDecodeError:
        return chr(first), 3


def _decoded_view(text, form=False):
    """(decoded text, spans): spans[i] is the (start, end) in ``text`` of decoded character i."""
    chars, spans = [], []
    index = 0
    while index < len(text):
        decoded = _decode_one(text, index, form)
        if decoded is None:
            chars.append(text[index])
            spans.append((index, index + 1))
            index += 1
        else:
            chars.append(decoded[0])
            spans.append((index, index + decoded[1]))
            index += decoded[1]
    return u"".join(chars), spans


# How many times an echo may have been escaped inside another escape.
MAX_DEPTH = 4


def _views(text):
    """``text`` decoded 0 to MAX_DEPTH times (and once as a form), each with spans into ``text``."""
    identity = [(i, i + 1) for i in range(len(text))]
    views = [(text, identity)]
    current, spans = text, identity
    for _depth in range(MAX_DEPTH):
        decoded, inner = _decoded_view(current)
        if decoded == current:
            break
        spans = [(spans[a][0], spans[b - 1][1]) for a, b in inner]
        current = decoded
        views.append((current, spans))
    form, form_spans = _decoded_view(text, form=True)
    if form != text:
        views.append((form, form_spans))
    return [(view, view_spans) for view, view_spans in views if view]


class Scrubber:
    """The secrets of one run; ``scrub`` blanks them in any text.  Thread-safe."""

    def __init__(self, secrets=()):
        self._lock = threading.Lock()
        self._secrets = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret):
        if isinstance(secret, str) and secret:
            with self._lock:
                self._secrets.add(secret)

    @property
    def secrets(self):
        with self._lock:
            return sorted(self._secrets, key=len, reverse=True)

    def scrub(self, text):
        """``text`` with every secret, in any encoding, replaced by ``********``."""
        if not isinstance(text, str) or not text:
            return text
        secrets = self.secrets
        text = self._blank_pass(text, secrets)
        text = _BEARER_RE.sub(lambda m: m.group(1) + " " + MASK, text)
        return _JWT_RE.sub(MASK, text)

    def _blank_pass(self, text, secrets):
        ranges = []
        for view, spans in _views(text):
            for secret in secrets:
                start = view.find(secret)
                while start >= 0:
                    ranges.append((spans[start][0], spans[start + len(secret) - 1][1]))
                    start = view.find(secret, start + 1)
                # A body cut short may end in the first characters of a secret.
                for size in range(min(len(secret) - 1, len(view)), MIN_PREFIX - 1, -1):
                    if view.endswith(secret[:size]):
                        ranges.append((spans[len(view) - size][0], len(text)))
                        break
        return _apply(text, ranges)

    def shown(self, text, limit=TEXT_LIMIT):
        """Server text as a message may quote it: scrubbed, then ``printable``, then bounded."""
        return bound(printable(self.scrub(text)), limit) if isinstance(text, str) else text

    def scrub_value(self, value):
        """``scrub`` applied to every string in a structure of dicts and lists."""
        return each_string(value, self.scrub)

    def clean(self, value):
        """Every string in ``value`` (a text, or dicts and lists) scrubbed, then ``printable``: what a message,
        a warning or an error's fields may carry."""
        return each_string(value, lambda text: printable(self.scrub(text)))


def each_string(value, change):
    """``value`` with ``change`` applied to every string in it, through dicts, lists and tuples."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return dict((k, each_string(v, change)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [each_string(v, change) for v in value]
    return value


def _apply(text, ranges):
    if not ranges:
        return text
    merged = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    parts, position = [], 0
    for start, end in merged:
        parts.append(text[position:start])
        parts.append(MASK)
        position = end
    parts.append(text[position:])
    return u"".join(parts)


def printable(text):
    """``text`` with every control character written as an escape (``\\n``, ``\\x1b``, ``\\u202e``).

    Backslashes are kept as they are, so the escape can be applied twice without harm, and the
    ``Scrubber`` reads the escapes back: a secret it would find in ``text`` it still finds in the
    printable text.  Scrub first all the same, so a masked span never depends on that.
    """
    if not isinstance(text, str):
        return text
    return _CONTROL_RE.sub(_escape_control, text)


def _escape_control(match):
    char = match.group(0)
    code = ord(char)
    return _CONTROL_NAMES.get(char) or ("\\x%02x" % code if code < 0x100 else "\\u%04x" % code)


def bound(text, limit=TEXT_LIMIT):
    """At most ``limit`` characters of ``text``, cut after a word, saying how much was cut.

    Only ever applied to text that was scrubbed first, so a cut cannot leave part of a secret.
    """
    if not isinstance(text, str) or len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    if cut < limit // 2:
        cut = limit
    return u"%s ... [%d more characters]" % (text[:cut].rstrip(), len(text) - cut)
