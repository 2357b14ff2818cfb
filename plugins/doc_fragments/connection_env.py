# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # For controller-side plugins only (the customers inventory plugin), together with
    # csp.partnercenter.connection: that fragment describes the options, this one wires each
    # to the PARTNERCENTER_* variable the modules read as its fallback, so an AWX credential
    # serves an inventory source as it serves a job template.  Modules take their
    # fallbacks from _connection_options.connection_argument_spec(); a unit test keeps the two in step.
    # Not "secret: true" on the credentials (ansible-core 2.22 masks a plugin option documented so): the
    # validate-modules sanity test of 2.19.14, 2.20.10 and 2.21.5 accepts the key on plugin options, but
    # that of 2.16.19, 2.17.14 and 2.18.19 (2.16 and 2.18 are in partner certification's set) refuses it
    # as an extra key ("invalid-documentation"), and 2.21's refuses it in module docs.  The values stay
    # out of output as before: the inventory plugin scrubs every text it shows (_scrub.Scrubber), and the
    # modules' options are no_log.
    DOCUMENTATION = r"""
options:
  tenant_id:
    env:
      - name: PARTNERCENTER_TENANT_ID
  client_id:
    env:
      - name: PARTNERCENTER_CLIENT_ID
  client_secret:
    env:
      - name: PARTNERCENTER_CLIENT_SECRET
  refresh_token:
    env:
      - name: PARTNERCENTER_REFRESH_TOKEN
  refresh_token_file:
    env:
      - name: PARTNERCENTER_REFRESH_TOKEN_FILE
  access_token:
    env:
      - name: PARTNERCENTER_ACCESS_TOKEN
  authority:
    env:
      - name: PARTNERCENTER_AUTHORITY
  api_url:
    env:
      - name: PARTNERCENTER_API_URL
  graph_url:
    env:
      - name: PARTNERCENTER_GRAPH_URL
  validate_certs:
    env:
      - name: PARTNERCENTER_VALIDATE_CERTS
  ca_path:
    env:
      - name: PARTNERCENTER_CA_PATH
  timeout:
    env:
      - name: PARTNERCENTER_TIMEOUT
  retry_budget:
    env:
      - name: PARTNERCENTER_RETRY_BUDGET
  token_cache:
    env:
      - name: PARTNERCENTER_TOKEN_CACHE
  token_cache_dir:
    env:
      - name: PARTNERCENTER_TOKEN_CACHE_DIR
"""
