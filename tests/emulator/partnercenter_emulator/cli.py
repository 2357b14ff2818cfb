"""Command line: ``pcemu [options]`` (the installed package's entry point), ``python -m partnercenter_emulator``
or ``python tests/emulator/pcemu.py`` in a checkout.

``--wait`` starts the emulator in the background and returns once it serves, printing the
``export PARTNERCENTER_...`` lines of its info file; ``--env`` prints them again; ``--stop`` stops it.
"""

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time

from .config import DEFAULT_CONFIG, KNOBS, ConfigError
from .launcher import ControlClient, EmulatorError, env as connection_env
from .model import SeedError

PROFILE_ENV = "PCEMU_PROFILE"   # the --profile value when the option is not given
DEFAULT_INFO_FILE = "pcemu.json"


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
        prog="pcemu",
        description="Partner Center REST API + Entra ID token endpoint emulator (HTTPS).",
        epilog="In a CI job: eval \"$(pcemu --wait --seed seed.json)\" starts it in the background and sets the "
               "PARTNERCENTER_* variables; pcemu --stop stops it.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    p.add_argument("--info-file", help="write connection info (JSON) here, atomically (with --wait, --env and "
                                       "--stop: default %s)" % DEFAULT_INFO_FILE)
    p.add_argument("--wait", action="store_true",
                   help="start in the background, return once it serves, and print 'export PARTNERCENTER_...' "
                        "lines for eval; its output goes to INFO_FILE.log")
    p.add_argument("--wait-timeout", type=float, default=60.0,
                   help="with --wait: seconds to wait for it to serve (default 60)")
    p.add_argument("--env", action="store_true",
                   help="print the 'export PARTNERCENTER_...' lines of a running emulator's info file, and exit")
    p.add_argument("--stop", action="store_true",
                   help="stop the emulator whose info file is --info-file (SIGTERM, then wait), and exit")
    p.add_argument("--cert-dir", help="where to write ca.pem, server.pem, server.key "
                                      "(default: a new temporary directory)")
    p.add_argument("--seed", help="seed file (.json, or .yml/.yaml when PyYAML is installed)")
    p.add_argument("--tenant-id")
    p.add_argument("--client-id")
    p.add_argument("--client-secret")
    p.add_argument("--refresh-token")
    p.add_argument("--random-credentials", action="store_true",
                   help="generate random tenant/client ids, secret and refresh token")
    p.add_argument("--graph-port", type=int, default=0,
                   help="port of the Microsoft Graph listener (graph_url); 0 = a free port")
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
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    if args.stop:
        return stop_background(args.info_file or DEFAULT_INFO_FILE)
    if args.env:
        return print_env(args.info_file or DEFAULT_INFO_FILE)
    if args.wait:
        return start_background(argv, args.info_file or DEFAULT_INFO_FILE, args.wait_timeout)
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


# -- the background emulator (--wait, --env, --stop) ------------------------------------------------

def _read_info(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def export_lines(info):
    """``export NAME=value`` for each connection variable of ``info``, quoted for a POSIX shell."""
    return ["export %s=%s" % (name, shlex.quote(str(value))) for name, value in connection_env(info).items()]


def _serves(info):
    """Whether the emulator of ``info`` answers on its control endpoint (through its own CA)."""
    try:
        return isinstance(ControlClient(info["control_url"], info["ca_path"], timeout=5).call("GET", "config"), dict)
    except (EmulatorError, OSError, ValueError, KeyError):  # not yet: ask again
        return False


def _without_wait(argv):
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--wait":
            continue
        elif arg == "--wait-timeout":
            skip = True
        elif not arg.startswith("--wait-timeout="):
            out.append(arg)
    return out


def start_background(argv, info_file, timeout):
    """Start the emulator as a process of its own session; return once it serves (0) or say why not (2)."""
    info_file = os.path.abspath(info_file)
    if os.path.exists(info_file):
        old = _read_info(info_file) or {}
        if old.get("pid") and _alive(old["pid"]):
            sys.stderr.write("pcemu: error: %s belongs to a running emulator (pid %s); stop it with: pcemu --stop "
                             "--info-file %s, or give another --info-file\n" % (info_file, old["pid"], info_file))
            return 2
        os.unlink(info_file)
    args = _without_wait(argv)
    if "--info-file" not in args and not any(a.startswith("--info-file=") for a in args):
        args += ["--info-file", info_file]
    log_path = info_file + ".log"
    os.makedirs(os.path.dirname(info_file), exist_ok=True)
    env = dict(os.environ)
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    with open(log_path, "ab") as log:
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, "-m", "partnercenter_emulator"] + args, stdin=subprocess.DEVNULL, stdout=log,
            stderr=log, env=env, start_new_session=True, close_fds=True)
    deadline = time.monotonic() + timeout
    while True:
        info = _read_info(info_file)
        if info is not None and _serves(info):
            break
        if process.poll() is not None:
            sys.stderr.write("pcemu: error: the emulator exited with code %s before serving; its output (%s):\n%s\n"
                             % (process.returncode, log_path, _tail(log_path)))
            return 2
        if time.monotonic() >= deadline:
            process.terminate()
            sys.stderr.write("pcemu: error: the emulator did not serve within %g s (--wait-timeout); its output "
                             "(%s):\n%s\n" % (timeout, log_path, _tail(log_path)))
            return 2
        time.sleep(0.1)
    sys.stdout.write("\n".join(export_lines(info)) + "\n")
    sys.stdout.flush()
    sys.stderr.write("pcemu: serving %s (pid %s, info file %s, output in %s); stop it with: pcemu --stop "
                     "--info-file %s\n" % (info["api_url"], info["pid"], info_file, log_path, info_file))
    return 0


def print_env(info_file):
    info = _read_info(info_file)
    if info is None:
        sys.stderr.write("pcemu: error: no emulator info file at %s (start one with pcemu --wait)\n" % info_file)
        return 2
    sys.stdout.write("\n".join(export_lines(info)) + "\n")
    return 0


def _alive(pid):
    try:
        os.kill(int(pid), 0)
    except (OSError, ValueError):
        return False
    return True


def stop_background(info_file, grace=15.0):
    """SIGTERM the emulator of ``info_file`` and wait until it has gone; remove the info file."""
    info = _read_info(info_file)
    if info is None or not info.get("pid"):
        sys.stderr.write("pcemu: error: no emulator info file at %s\n" % info_file)
        return 2
    pid = int(info["pid"])
    if _alive(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while _alive(pid) and time.monotonic() < deadline:
            try:  # reap it when it is our child (it is not after --wait)
                os.waitpid(pid, os.WNOHANG)
            except OSError:
                pass
            time.sleep(0.1)
        if _alive(pid):
            sys.stderr.write("pcemu: error: the emulator (pid %d) did not stop within %g s\n" % (pid, grace))
            return 1
    os.unlink(info_file)
    sys.stderr.write("pcemu: stopped the emulator of %s (pid %d)\n" % (info_file, pid))
    return 0


def _tail(path, lines=30):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return "".join(handle.readlines()[-lines:])
    except OSError:
        return ""
