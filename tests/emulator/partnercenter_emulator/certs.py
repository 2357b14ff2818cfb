"""Throw-away TLS material for the emulator (trustme CA + server certificate)."""

import os
import ssl
import tempfile

SERVER_NAMES = ("127.0.0.1", "localhost", "::1")


def write_atomic(path, data, mode=0o644):
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def generate(cert_dir=None, extra_names=()):
    """Create a CA and a server certificate; write ``ca.pem``, ``server.pem``
    (certificate chain) and ``server.key`` into ``cert_dir``.

    Returns a dict with absolute paths ``cert_dir``, ``ca_path``, ``cert_path``,
    ``key_path``.
    """
    try:
        import trustme  # imported lazily: only needed when the server starts
    except ImportError:
        raise SystemExit("The Partner Center emulator needs the Python package trustme for its throw-away TLS "
                         "certificates: pip install trustme")

    if cert_dir is None:
        cert_dir = tempfile.mkdtemp(prefix="pcemu-certs-")
    cert_dir = os.path.abspath(cert_dir)
    os.makedirs(cert_dir, exist_ok=True)
    names = list(SERVER_NAMES)
    for name in extra_names:
        if name and name not in names and name not in ("0.0.0.0", "::"):
            names.append(name)
    ca = trustme.CA(organization_name="Partner Center Emulator CA")
    cert = ca.issue_cert(*names)
    paths = {
        "cert_dir": cert_dir,
        "ca_path": os.path.join(cert_dir, "ca.pem"),
        "cert_path": os.path.join(cert_dir, "server.pem"),
        "key_path": os.path.join(cert_dir, "server.key"),
    }
    write_atomic(paths["ca_path"], ca.cert_pem.bytes())
    write_atomic(paths["cert_path"], b"".join(b.bytes() for b in cert.cert_chain_pems))
    write_atomic(paths["key_path"], cert.private_key_pem.bytes(), mode=0o600)
    return paths


def server_context(paths):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(paths["cert_path"], paths["key_path"])
    return ctx
