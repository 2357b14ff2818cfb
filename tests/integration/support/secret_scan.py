# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Searching what a run showed for a secret, in every form a server or Ansible may have written it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import html
import json
import re
import urllib.parse


def dotnet_escaped(text):
    return "".join("\\u%04X" % ord(c) if c in "+<>&'`" or ord(c) > 127 else c for c in json.dumps(text)[1:-1])


def secret_forms(secret, prefix=8, runs=True):
    """Every way a server is known to write ``secret`` back, and the same for its first characters.

    With ``runs``, also every run of six or more letters and digits in it: those look the same in
    any encoding, at any depth of escaping (use it for secrets made of more than dictionary words).
    """
    forms = dict(("run %r" % run, run) for run in re.findall(r"[A-Za-z0-9]{6,}", secret)) if runs else {}
    for label, value in (("", secret), (" prefix", secret[:prefix])):
        forms.update({
            "raw" + label: value,
            "JSON-escaped" + label: json.dumps(value)[1:-1],
            "\\uXXXX-escaped" + label: dotnet_escaped(value),
            "HTML-escaped" + label: html.escape(value, quote=True),
            "URL-encoded" + label: urllib.parse.quote(value, safe=""),
        })
    return forms


def run_texts(run):
    """Everything one run showed or wrote: stdout, stderr, the log file, the recorded results."""
    return {"stdout": run.stdout, "stderr": run.stderr, "log file": run.log_path.read_text(encoding="utf-8"),
            "task results": json.dumps(run.records)}


def assert_no_form_in(secrets, texts, runs=True, prefix=8):
    """No form (``secret_forms``) of any of ``secrets`` {name: value} in any of ``texts`` {where: text}."""
    for where, text in texts.items():
        for name, secret in secrets.items():
            for form, value in secret_forms(secret, prefix=prefix if len(secret) > 2 * prefix else 6,
                                            runs=runs).items():
                assert value not in text, "%s shows the %s %s" % (where, form, name)


def assert_no_form_of(secrets, run):
    assert_no_form_in(secrets, run_texts(run))
