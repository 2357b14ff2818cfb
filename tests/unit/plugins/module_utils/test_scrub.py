# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Secrets are blanked in server text however it was escaped, and long text is bounded."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import html
import json
from urllib.parse import urlencode

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._scrub import MASK, Scrubber, bound, printable

PASSWORD = "Qx7Lm2\"\\+<&>'Kp4Wz8"


def dotnet(text):
    return "".join("\\u%04X" % ord(c) if c in "+<>&'`" or ord(c) > 127 else c for c in json.dumps(text))


BODY = json.dumps({"passwordProfile": {"password": PASSWORD}})


@pytest.mark.parametrize("text", [
    BODY,
    json.dumps(BODY),
    json.dumps(json.dumps(BODY)),
    dotnet(BODY),
    html.escape(BODY),
    json.dumps(html.escape(BODY)),
    urlencode({"client_secret": PASSWORD}),
    BODY.encode("ascii", "backslashreplace").decode("ascii"),
], ids=["raw", "json", "json-json", "dotnet", "html", "json-html", "form", "ascii"])
def test_a_secret_is_blanked_in_every_encoding(text):
    scrubbed = Scrubber([PASSWORD]).scrub(text)
    assert "Qx7Lm2" not in scrubbed and "Kp4Wz8" not in scrubbed and MASK in scrubbed


def test_a_text_cut_inside_a_secret_loses_the_cut_tail():
    text = "Bad request: " + BODY
    cut = text[:text.index("Qx7Lm2") + 5]
    assert Scrubber([PASSWORD]).scrub(cut).endswith(MASK)
    assert "Qx7L" not in Scrubber([PASSWORD]).scrub(cut)


def test_bearer_tokens_and_jwts_are_blanked_even_unregistered():
    text = "Authorization: Bearer abc.DEF-123_x~ and eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4eXoxMjMifQ.sig"
    scrubbed = Scrubber().scrub(text)
    assert "abc.DEF" not in scrubbed and "eyJzdWIi" not in scrubbed and "Bearer " + MASK in scrubbed


def test_text_without_secrets_is_unchanged():
    text = 'Invalid property "usageLocation": &lt;UK&gt; is not a country code \\u002B 100%'
    assert Scrubber(["not-in-there"]).scrub(text) == text


def test_scrub_value_walks_dicts_and_lists():
    scrubbed = Scrubber(["s3cret!"]).scrub_value({"a": ["x s3cret! y", 5], "b": None})
    assert scrubbed == {"a": ["x %s y" % MASK, 5], "b": None}


def test_bound_cuts_after_a_word_and_says_how_much():
    text = "word " * 1000
    bounded = bound(text, 100)
    assert len(bounded) < 140 and bounded.endswith("more characters]") and "wor ..." not in bounded
    assert bound("short", 100) == "short"


@pytest.mark.parametrize("text, shown", [
    ("Jane Doe", "Jane Doe"),
    ("ok\x1b[2K\r\nok: [localhost] => all good", "ok\\x1b[2K\\r\\nok: [localhost] => all good"),
    ("tab\there", "tab\\there"),
    ("nul\x00bell\x07del\x7f", "nul\\x00bell\\x07del\\x7f"),
    (u"csi\x9b31m next\x85line", "csi\\x9b31m next\\x85line"),
    (u"abc\u202eexe.txt \u2066iso\u2069 \u200fmark \u061calm",
     "abc\\u202eexe.txt \\u2066iso\\u2069 \\u200fmark \\u061calm"),
    (u"line\u2028separator\u2029paragraph", "line\\u2028separator\\u2029paragraph"),
    (u"Zoë Ñúñez 山田 \u200d👩\u200d💻 C:\\path\\n", u"Zoë Ñúñez 山田 \u200d👩\u200d💻 C:\\path\\n"),
], ids=["plain", "forged-line", "tab", "c0-del", "c1", "bidi", "separators", "unicode-and-backslashes"])
def test_printable_writes_every_control_character_as_an_escape(text, shown):
    assert printable(text) == shown
    assert printable(shown) == shown, "applying it twice changes nothing"


def test_printable_leaves_other_values_alone():
    assert printable(None) is None and printable(42) == 42


SECRET_WITH_CONTROL = "Kp4\x1bWz8-Qx7\nLm2"


@pytest.mark.parametrize("text", [
    "echo: " + PASSWORD + "\r\nPLAY RECAP",
    "echo: " + json.dumps(PASSWORD) + "\x1b[2K",
    "echo: " + SECRET_WITH_CONTROL + " and " + json.dumps(SECRET_WITH_CONTROL),
], ids=["raw", "json", "secret-holding-controls"])
def test_scrub_then_printable_keeps_every_secret_out(text):
    scrubber = Scrubber([PASSWORD, SECRET_WITH_CONTROL])
    for shown in (scrubber.shown(text), scrubber.clean(text)):
        assert "Qx7" not in shown and "Kp4" not in shown and MASK in shown
        assert printable(shown) == shown
    # The escapes are read back: a text made printable before scrubbing still loses the secret.
    late = scrubber.scrub(printable(text))
    assert "Qx7" not in late and "Kp4" not in late


def test_shown_bounds_after_escaping_and_clean_walks_structures():
    scrubber = Scrubber([PASSWORD])
    assert scrubber.shown("\x1b" * 600).endswith("[1400 more characters]")
    assert scrubber.clean({"msg": ["a\nb", PASSWORD], "status": 400}) == {"msg": ["a\\nb", MASK], "status": 400}
