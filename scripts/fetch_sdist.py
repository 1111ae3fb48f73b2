"""Download the sdist of one PyPI release into a directory, checking its hash.

Usage: fetch_sdist.py NAME VERSION DEST

Reads the package's page on the simple index (PIP_INDEX_URL, default PyPI),
so nothing is built: only the archive is fetched.
"""
import hashlib
import os
import re
import sys
import urllib.request


def main() -> int:
    name, version, dest = sys.argv[1:4]
    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")
    with urllib.request.urlopen(f"{index}/{name}/", timeout=60) as resp:
        page = resp.read().decode()
    filename = f"{name}-{version}.tar.gz"
    match = re.search(r'href="([^"]*/' + re.escape(filename) + r')#sha256=([0-9a-f]{64})"', page)
    if not match:
        print(f"fetch_sdist: no sdist {filename} on {index}", file=sys.stderr)
        return 1
    url, digest = match.groups()
    with urllib.request.urlopen(url, timeout=120) as resp:
        data = resp.read()
    if hashlib.sha256(data).hexdigest() != digest:
        print(f"fetch_sdist: sha256 mismatch for {filename}", file=sys.stderr)
        return 1
    target = os.path.join(dest, filename)
    with open(target, "wb") as out:
        out.write(data)
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
