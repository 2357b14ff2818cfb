"""Command line: ``python tests/emulator/pcemu.py [options]``."""

import argparse
import os
import signal
import sys
import threading

from .config import DEFAULT_CONFIG, KNOBS, ConfigError
from .model import SeedError

PROFILE_ENV = "PCEMU_PROFILE"   # the --profile value when the option is not given


def add_knob_option(parser, knob):
    """``--name-of-knob VALUE``; a boolean knob is a switch (``--no-...`` when it defaults
    to true), and its opposite is accepted as well (``--mfa-required`` still works now that
    the knob defaults to true).  Unset options stay None, so the knob keeps its default."""
    kwargs = {"dest": knob.name, "default": None}
    if knob.help:
        kwargs["help"] = knob.help
    if isinstance(knob.default, bool):
        kwargs["action"] = "store_false" if knob.default else "store_true"
        opposite = "--" + knob.name.replace("_", "-") if knob.default else \
            "--no-" + knob.name.replace("_", "-")
        parser.add_argument(opposite, dest=knob.name, default=None, help=argparse.SUPPRESS,
                            action="store_true" if knob.default else "store_false")
    else:
        kwargs["type"] = type(knob.default)
        if knob.choices is not None:
            kwargs["choices"] = knob.choices
    parser.add_argument(knob.flag, **kwargs)


def build_parser():
    p = argparse.ArgumentParser(
        prog="pcemu.py",
        description="Partner Center REST API + Entra ID token endpoint emulator (HTTPS).")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    p.add_argument("--graph-port", type=int, default=0,
                   help="port of the Microsoft Graph listener (graph_url); 0 = a free port")
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
    for knob in KNOBS:  # one option per knob, from the knob table
        add_knob_option(p, knob)
    p.add_argument("--quiet", action="store_true", help="no per-request output (the default)")
    p.add_argument("--access-log", action="store_true",
                   help="print 'METHOD path status' per API/identity request")
    return p


def options_from_args(args):
    opts = {
        "host": args.host,
        "port": args.port,
        "graph_port": args.graph_port,
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
    if "profile" not in opts and os.environ.get(PROFILE_ENV):
        opts["profile"] = os.environ[PROFILE_ENV]  # e.g. to run a test suite under a profile
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
    # READY stays the first line; the info file (written before it) has graph_url too
    sys.stdout.write("PARTNERCENTER_EMULATOR_READY %s\n" % handle.info["api_url"])
    sys.stdout.write("PARTNERCENTER_EMULATOR_GRAPH_URL %s\n" % handle.info["graph_url"])
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    handle.stop()
    return 0
