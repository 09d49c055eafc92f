"""Behind a reverse proxy: the client's real address, taken from `X-Forwarded-For` only when the
request comes from a proxy named in `MONITOR_TRUSTED_PROXIES` (addresses or networks).

From any other address the header is ignored, so a client cannot make up its own address; the
sign-in throttle and the audit log then see the address the connection came from. A trusted
proxy's `X-Forwarded-Proto` counts too (the Origin check compares the scheme).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from werkzeug.middleware.proxy_fix import ProxyFix

from config import settings
from config.errors import ConfigurationError

PROXIES_ENV = "MONITOR_TRUSTED_PROXIES"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(text: str | None = None) -> tuple[Network, ...]:
    """The networks of $MONITOR_TRUSTED_PROXIES (comma-separated; `10.0.0.5`, `10.0.0.0/24`, `::1`)."""
    text = settings.get(PROXIES_ENV) if text is None else text
    networks = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ConfigurationError(
                f"{PROXIES_ENV} bevat '{part}', dat is geen IP-adres of netwerk. Geef adressen of netwerken "
                "gescheiden door komma's, bijvoorbeeld '127.0.0.1' of '10.0.0.0/24'."
            ) from None
    return tuple(networks)


def is_trusted(address: str | None, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    return any(ip in network for network in networks if network.version == ip.version)


class TrustedProxies:
    """WSGI middleware: Werkzeug's ProxyFix (one proxy hop) for requests from a trusted proxy only."""

    def __init__(self, app, networks: Iterable[Network]):
        self.app = app
        self.networks = tuple(networks)
        self.fixed = ProxyFix(app, x_for=1, x_proto=1)

    def __call__(self, environ, start_response):
        if self.networks and is_trusted(environ.get("REMOTE_ADDR"), self.networks):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)
