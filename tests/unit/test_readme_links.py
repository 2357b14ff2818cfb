# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""README.md is read on Automation Hub and Galaxy, away from the repository: every link is a full https URL.

Red Hat's partner certification refuses relative links.  A link into this repository (the ``repository``
URL of galaxy.yml, ``/blob/<branch>/`` or ``/tree/<branch>/``) must also name a file or directory the
collection holds, so a renamed guide cannot leave a dead link behind.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

FENCED = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1[^\n]*$", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
INLINE = re.compile(r"\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)", re.M)
AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]*:[^\s<>]*)>")
HTML = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']*)["']""", re.I)


def markdown_links(text):
    """Every link target of Markdown ``text``: inline, reference definitions, autolinks, HTML; not in code."""
    text = CODE_SPAN.sub("", FENCED.sub("", text))
    found = []
    for pattern in (INLINE, REFERENCE, AUTOLINK, HTML):
        found += [match.group(1).strip("<>") for match in pattern.finditer(text)]
    return found


@pytest.mark.parametrize("text, links", [
    ("see [the guide](docs/guide.rst) and ![logo](img/logo.png)", ["docs/guide.rst", "img/logo.png"]),
    ("[a](https://example.com/a \"title\") [b](<docs/b c.md>)", ["https://example.com/a", "docs/b c.md"]),
    ("[x][ref]\n\n[ref]: ../CHANGELOG.rst\n", ["../CHANGELOG.rst"]),
    ("<https://example.com> <a href=\"/x\">x</a>", ["https://example.com", "/x"]),
    ("`[not](a-link)`\n```\n[nor](this)\n```\n", []),
])
def test_markdown_links_finds_every_kind_of_link(text, links):
    assert sorted(markdown_links(text)) == sorted(links)


def readme_links():
    return markdown_links((ROOT / "README.md").read_text(encoding="utf-8"))


def test_every_readme_link_is_a_full_https_url():
    links = readme_links()
    assert len(links) >= 10, links  # the scan sees the README's links
    relative = [link for link in links if urlsplit(link).scheme != "https" or not urlsplit(link).netloc]
    assert relative == [], "README.md links that are not full https URLs: %s" % relative


def test_readme_links_into_this_repository_name_what_it_holds():
    repository = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))["repository"].rstrip("/")
    own = re.compile(re.escape(repository) + r"/(?:blob|tree)/[^/]+/([^#?]+)")
    paths = [unquote(match.group(1)) for match in map(own.match, readme_links()) if match]
    assert paths, "no README link into %s" % repository
    missing = [path for path in paths if not (ROOT / path).exists()]
    assert missing == [], "README.md links to files the collection does not hold: %s" % missing
