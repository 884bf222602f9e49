"""URLs and addresses the service may fetch from: parsing and validating an
http(s) URL, showing one safely, and classifying IP addresses as public or
not.

Neutral ground for the configuration (``config check`` refuses what the
fetch would), the feed fetch (incident/netguard.py, which re-exports
these names) and anything else that fetches a URL an operator or a remote
server supplied. It knows nothing about feeds: a refusal is a
:class:`BadURL` whose ``problem`` the caller turns into its own message.
"""

from __future__ import annotations

import ipaddress
import re

import httpx

from incident.i18n import CATALOG

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# The configuration's reasons for a refused feed URL ("config.reason.<type>",
# see incident/errors.py ConfigError.message).
CATALOG.update(
    {
        "config.reason.feed_url_invalid": (
            "订阅源地址无效：{value}（请检查主机名、端口（1–65535）和其中的字符）",
            "not a valid feed URL: {value} (check the host name, the port (1–65535) and its characters)",
        ),
        "config.reason.feed_url_scheme": (
            "订阅源地址必须以 http:// 或 https:// 开头：{value}",
            "a feed URL must start with http:// or https://: {value}",
        ),
        "config.reason.feed_url_userinfo": (
            "订阅源地址中不能写用户名或密码：{value}（密码会出现在日志和健康状态中；"
            "请把认证头的值放进环境变量，并用 auth_header_env 指定它）",
            "a feed URL must not hold a user name or password: {value} (it would show in logs and in the "
            "source's health; put the auth header's value in an environment variable and name it in auth_header_env)",
        ),
    }
)


class BadURL(ValueError):
    """A URL refused by :func:`parse_url`. ``problem``: ``"url"`` (not a
    valid address), ``"scheme"`` (not http/https) or, from
    :func:`configured_url`, ``"userinfo"`` (a password in it); ``url`` is
    the URL as :func:`shown`, ``scheme`` the scheme found."""

    def __init__(self, problem: str, url: str, scheme: str = "") -> None:
        super().__init__(f"{problem}: {url}")
        self.problem, self.url, self.scheme = problem, url, scheme


# ---- URLs ---------------------------------------------------------------

_HOSTNAME = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# scheme://userinfo@host…: the userinfo is whatever precedes the last "@"
# of the authority (which ends at the first /, ?, # or backslash).
_USERINFO = re.compile(r"^((?:[A-Za-z][A-Za-z0-9+.-]*:)?[/\\]{2})[^/?#\\]*@")


def shown(url: str) -> str:
    """The URL as it may be put in a message or a log: a user name and
    password masked (``http://***@host/``), control characters escaped (a
    tab or an escape sequence must not reach a terminal raw)."""
    url = _USERINFO.sub(r"\1***@", url, count=1)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if m.group() != " " else "%20", url)


def parse_url(url: str) -> httpx.URL:
    """Parse and validate an http(s) URL: a host name or IP literal, a port
    in 1–65535, no control characters or spaces. Raises :class:`BadURL`."""
    if _CONTROL.search(url):
        raise BadURL("url", shown(url))
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, UnicodeError):
        raise BadURL("url", shown(url)) from None
    if parsed.scheme not in ("http", "https"):
        raise BadURL("scheme", shown(url), parsed.scheme or "-")
    host = parsed.raw_host.decode("ascii", "replace")
    if not host or not (is_ip(host) or _HOSTNAME.match(host)):
        raise BadURL("url", shown(url))
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise BadURL("url", shown(url))
    return parsed


def configured_url(url: str) -> str:
    """A URL from the configuration, stripped: parsed as the fetch and the
    posts parse it, and refused with a user name or password in it (it
    would be in every message and log line that names it; secrets go in an
    environment variable). Raises :class:`BadURL`."""
    url = url.strip()
    if parse_url(url).userinfo:
        raise BadURL("userinfo", shown(url))
    return url


def join_location(base: httpx.URL, location: str) -> httpx.URL:
    """Where a redirect points, validated like a configured URL. A raw
    space is quoted as browsers and urllib do; everything httpx cannot
    build a URL from is a :class:`BadURL`, not httpx's exception."""
    location = location.strip().replace(" ", "%20")
    if _CONTROL.search(location):
        raise BadURL("url", shown(location))
    scheme = _SCHEME.match(location)
    if scheme and not location[scheme.end() :].startswith("//"):
        # "http:foo", "HTTP:foo", "http:\\host/": a scheme and no host.
        # Parsers disagree on these (httpx itself fails on some), so they
        # are refused rather than guessed at; "javascript:…" is a scheme error.
        if scheme.group(1).lower() not in ("http", "https"):
            raise BadURL("scheme", shown(location), scheme.group(1).lower())
        raise BadURL("url", shown(location))
    try:
        joined = base.join(location)
        # httpx parses "http:foo" as a relative reference with a scheme and
        # no host; its own str() round-trip is what the request would use.
        text = str(joined)
    except (httpx.InvalidURL, ValueError, UnicodeError):
        raise BadURL("url", shown(location)) from None
    return parse_url(text)


def host_of(url: httpx.URL) -> str:
    """The host as resolved and connected to (IDNA-encoded, no brackets)."""
    return url.raw_host.decode("ascii").lower().rstrip(".")


def port_of(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def origin_of(url: httpx.URL) -> tuple[str, str, int]:
    """(scheme, host, port): what a secret header or a trust is pinned to."""
    return url.scheme, host_of(url), port_of(url)


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


# ---- addresses ------------------------------------------------------------

# Not reachable from the internet, whatever ``is_global`` says in a given
# Python version: shared address space (carrier NAT; 100.100.100.200 is a
# cloud metadata address), deprecated site-local IPv6, local-use NAT64, Teredo
# (the IPv4 address inside is not the host we would really talk to).
_ALWAYS_REFUSED = [
    ipaddress.ip_network(n)
    for n in ("100.64.0.0/10", "0.0.0.0/8", "fec0::/10", "64:ff9b:1::/48", "2001::/32", "::/96", "fc00::/7")
]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def embedded_ipv4(addr: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (IPv4-mapped, 6to4,
    well-known NAT64), if any."""
    if not isinstance(addr, ipaddress.IPv6Address):
        return None
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr.sixtofour is not None:
        return addr.sixtofour
    if addr in _NAT64:
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


def is_forbidden(addr: IPAddress) -> bool:
    """True for every address that is not plainly on the public internet."""
    inner = embedded_ipv4(addr)
    if inner is not None:
        # the IPv4 address is where the packets really go (DNS64 networks
        # legitimately hand out 64:ff9b::<public IPv4>)
        return is_forbidden(inner)
    if any(addr in net for net in _ALWAYS_REFUSED if net.version == addr.version):
        return True
    return (
        not addr.is_global
        or addr.is_multicast
        or addr.is_private
        or addr.is_loopback
        or addr.is_link_local
        or addr.is_reserved
        or addr.is_unspecified
        or (isinstance(addr, ipaddress.IPv6Address) and addr.is_site_local)
    )
