"""Independent checks of a Franko-Signature: openssl in a subprocess, and the README's example run as written."""
import os
import re
import subprocess

README = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "README.md")


def parse_header(header: str) -> tuple[str, str]:
    """(t, v1) of a Franko-Signature header, read with a regular expression rather than Franko's code."""
    match = re.fullmatch(r"t=(\d+),v1=([0-9a-f]{64})", header)
    assert match, header
    return match.group(1), match.group(2)


def openssl_hmac(secret: str, message: bytes) -> str:
    """The hex HMAC-SHA256 of `message`, computed by the openssl command line."""
    out = subprocess.run(["openssl", "dgst", "-sha256", "-hmac", secret], input=message, capture_output=True,
                         check=True).stdout.decode()
    return out.strip().rsplit(" ", 1)[-1]


def openssl_verifies(header: str, body: bytes, secret: str) -> bool:
    t, v1 = parse_header(header)
    return openssl_hmac(secret, t.encode() + b"." + body) == v1


def readme_verify():
    """The `verify` function of the README's verification example, executed exactly as documented."""
    with open(README, encoding="utf-8") as f:
        text = f.read()
    code = re.search(r"<!-- verify-example -->\n```python\n(.*?)```", text, re.S).group(1)
    assert len(code.strip().splitlines()) <= 10, "the README promises a ten-line example"
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 — our own documentation
    return namespace["verify"]
