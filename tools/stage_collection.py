"""Stage the collection under build/collections/ansible_collections/csp/partnercenter/.

ansible-test only runs from inside a real ``.../ansible_collections/<ns>/<name>/``
directory (a symlinked path is resolved and rejected), and imports such as
``ansible_collections.csp.partnercenter.plugins...`` need that layout too.  This
copies the files git would ship -- tracked files plus untracked files that are
not ignored (``git ls-files -co --exclude-standard``) -- into a fresh real
directory, deleting the previous copy first, and makes that copy an empty git
repository of its own so that ansible-test lists its files (see ``stage``).
Outside a git work tree (a plain copy of the sources) it falls back to walking
the tree with a fixed exclude list.

Usage: python tools/stage_collection.py [--dest DIR]   (prints the staged path)
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMESPACE = "csp"
NAME = "partnercenter"

# Used only when the tree is not a git work tree; mirrors .gitignore.
FALLBACK_EXCLUDES = (
    ".git",
    ".venv",
    ".venv-demo",
    ".matrix",
    "build",
    "tests/output",
    "*.tar.gz",
    "__pycache__",
    ".pytest_cache",
    ".ansible",
    "bench-results",
    "*.pyc",
    "tests/integration/integration_config.yml",
    "examples/fleet/reports",
    "*.egg-info",
)


def _git_files(root: str) -> list[str] | None:
    try:
        inside = subprocess.run(
            ["git", "-C", root, "rev-parse", "--show-toplevel"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    if os.path.realpath(inside) != os.path.realpath(root):
        return None
    out = subprocess.run(
        ["git", "-C", root, "ls-files", "-z", "-co", "--exclude-standard"],
        check=True, capture_output=True,
    ).stdout.decode("utf-8", "surrogateescape")
    return sorted({name for name in out.split("\0") if name})


def _excluded(relpath: str) -> bool:
    parts = relpath.split("/")
    for pattern in FALLBACK_EXCLUDES:
        if "/" in pattern:
            if relpath == pattern or relpath.startswith(pattern + "/"):
                return True
        elif any(fnmatch.fnmatch(part, pattern) for part in parts):
            return True
    return False


def _walk_files(root: str) -> list[str]:
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
        dirnames[:] = sorted(d for d in dirnames if not _excluded(rel_dir + d))
        files.extend(rel_dir + f for f in filenames if not _excluded(rel_dir + f))
    return sorted(files)


def stage(root: str, dest_base: str) -> str:
    dest = os.path.join(dest_base, "ansible_collections", NAMESPACE, NAME)
    real_root = os.path.realpath(root)
    if os.path.realpath(dest) == real_root:
        raise SystemExit("refusing to stage the collection onto itself: %s" % dest)

    files = _git_files(root)
    if files is None:
        files = _walk_files(root)

    if os.path.islink(dest) or os.path.isfile(dest):
        os.unlink(dest)
    elif os.path.isdir(dest):
        shutil.rmtree(dest)
    os.makedirs(dest)

    copied = 0
    for rel in files:
        src = os.path.join(root, rel)
        if not os.path.lexists(src):  # tracked but deleted in the work tree
            continue
        if os.path.isdir(src) and not os.path.islink(src):  # e.g. a submodule
            continue
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(src, target, follow_symlinks=False)
        copied += 1

    # ansible-test picks its file lister by walking up to the first ".git": without
    # one here it would find this repository's, in which build/ is ignored, and
    # see no files at all ("All targets skipped").  An empty repository of its own
    # makes it list exactly the staged files (untracked, not ignored).
    try:
        subprocess.run(["git", "init", "-q", dest], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as ex:
        raise SystemExit("git init in %s failed: %s" % (dest, ex))

    print("staged %d files into %s" % (copied, dest), file=sys.stderr)
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Stage the collection for ansible-test and pytest.")
    parser.add_argument("--dest", default=os.path.join(ROOT, "build", "collections"),
                        help="directory that receives ansible_collections/ (default: build/collections)")
    args = parser.parse_args(argv)
    print(stage(ROOT, os.path.abspath(args.dest)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
