"""Command line: ``python tests/emulator/pcemu.py [options]``."""

import argparse
import signal
import sys
import threading

from .state import DEFAULT_CONFIG, ConfigError, SeedError


def build_parser():
    p = argparse.ArgumentParser(
        prog="pcemu.py",
        description="Partner Center REST API + Entra ID token endpoint emulator (HTTPS).")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    p.add_argument("--info-file", help="write connection info (JSON) here, atomically")
    p.add_argument("--cert-dir", help="where to write ca.pem, server.pem, server.key "
                                      "(default: a new temporary directory)")
    p.add_argument("--seed", help="seed file (.json, or .yml/.yaml when PyYAML is installed)")
    p.add_argument("--tenant-id")
    p.add_argument("--client-id")
    p.add_argument("--client-secret")
    p.add_argument("--refresh-token")
    p.add_argument("--random-credentials", action="store_true",
                   help="generate random tenant/client ids, secret and refresh token")
    p.add_argument("--default-page-size", type=int)
    p.add_argument("--max-page-size", type=int)
    p.add_argument("--create-status", type=int, choices=(200, 201))
    p.add_argument("--duplicate-upn-status", type=int)
    p.add_argument("--password-reset-route", choices=("both", "resetpassword", "user"))
    p.add_argument("--next-link-style", choices=("relative", "v1"))
    p.add_argument("--get-deleted-user", choices=("404", "return"))
    p.add_argument("--latency-ms", type=int)
    p.add_argument("--latency-on-token", action="store_true", default=None)
    p.add_argument("--throttle-rate", type=float)
    p.add_argument("--retry-after", type=int)
    p.add_argument("--error-rate", type=float)
    p.add_argument("--error-status", type=int)
    p.add_argument("--bom", action="store_true", default=None)
    p.add_argument("--pascal-case", action="store_true", default=None)
    p.add_argument("--token-lifetime", type=int)
    p.add_argument("--replication-lag", type=int)
    p.add_argument("--member-route-lag", type=float,
                   help="seconds after a create during which role and license routes answer "
                        "404 for the new user")
    p.add_argument("--member-route-lag-license-error", choices=("not_found", "usage_location"))
    p.add_argument("--random-seed", type=int)
    p.add_argument("--mfa-required", action="store_true", default=None)
    p.add_argument("--no-token-mfa", dest="token_mfa", action="store_false", default=None,
                   help="issue App+User tokens without the MFA claim")
    p.add_argument("--role-member-conflict-status", type=int)
    p.add_argument("--role-names", choices=("legacy", "current"))
    p.add_argument("--continuation-token-ttl", type=int)
    p.add_argument("--soft-delete-retention-days", type=int)
    p.add_argument("--request-log-limit", type=int)
    p.add_argument("--quiet", action="store_true", help="no per-request output (the default)")
    p.add_argument("--access-log", action="store_true",
                   help="print 'METHOD path status' per API/identity request")
    return p


def options_from_args(args):
    opts = {
        "host": args.host,
        "port": args.port,
        "info_file": args.info_file,
        "cert_dir": args.cert_dir,
        "seed_file": args.seed,
        "tenant_id": args.tenant_id,
        "client_id": args.client_id,
        "client_secret": args.client_secret,
        "refresh_token": args.refresh_token,
        "random_credentials": args.random_credentials,
        "access_log": args.access_log and not args.quiet,
    }
    for knob in DEFAULT_CONFIG:
        value = getattr(args, knob, None)
        if value is not None:
            opts[knob] = value
    return opts


def main(argv=None):
    args = build_parser().parse_args(argv)
    from .server import start
    try:
        handle = start(options_from_args(args))
    except (ConfigError, SeedError, ValueError, OSError) as err:
        sys.stderr.write("pcemu: error: %s\n" % err)
        return 2
    stop = threading.Event()

    def _signal(_signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, _signal)
    signal.signal(signal.SIGINT, _signal)
    sys.stdout.write("PARTNERCENTER_EMULATOR_READY %s\n" % handle.info["api_url"])
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    handle.stop()
    return 0
