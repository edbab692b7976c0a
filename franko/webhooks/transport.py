"""One signed POST to a receiver, refusing (in production) hosts that resolve to the network Franko runs in."""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

USER_AGENT = "Franko-Webhooks"
ERROR_MAX_LENGTH = 500
ANSWER_EXCERPT = 200  # bytes of a refusing receiver's answer kept in the log


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: the HTTP status (None: no answer), the failure in words, whether retrying is pointless."""

    code: int | None
    error: str | None = None
    permanent: bool = False

    @property
    def ok(self) -> bool:
        return self.code is not None and 200 <= self.code < 300


def is_public(address: str) -> bool:
    """Whether an IP address is on the public internet (not loopback, private, link-local, reserved, multicast)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def private_address(host: str, port: int) -> str | None:
    """The first address `host` resolves to that is not public, or None; raises OSError when it does not resolve."""
    for *_, sockaddr in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP):
        if not is_public(sockaddr[0]):
            return sockaddr[0]
    return None


def post(url: str, body: bytes, headers: dict[str, str], timeout: float, allow_private: bool) -> Outcome:
    """POST `body` to `url` without following redirects (a redirect could lead anywhere); never raises."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Outcome(None, "The URL is not an http or https address.", permanent=True)
    if not allow_private:
        try:
            found = private_address(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
        except (OSError, ValueError) as exc:
            return Outcome(None, f"Could not resolve {parts.hostname}: {exc}"[:ERROR_MAX_LENGTH])
        if found:
            return Outcome(None, f"Refused: {parts.hostname} resolves to a private or local address ({found}).",
                           permanent=True)
    try:
        answer = requests.post(url, data=body, headers={"User-Agent": USER_AGENT, **headers}, timeout=timeout,
                               allow_redirects=False, stream=True)
    except requests.Timeout:
        return Outcome(None, f"No answer within {timeout:g} seconds.")
    except requests.RequestException as exc:
        return Outcome(None, f"Could not connect: {exc}"[:ERROR_MAX_LENGTH])
    try:
        if 200 <= answer.status_code < 300:
            return Outcome(answer.status_code)
        excerpt = next(answer.iter_content(ANSWER_EXCERPT), b"").decode("utf-8", "replace").strip()
    except requests.RequestException:
        excerpt = ""
    finally:
        answer.close()
    reason = f"HTTP {answer.status_code}" + (f": {excerpt}" if excerpt else "")
    return Outcome(answer.status_code, reason[:ERROR_MAX_LENGTH])
