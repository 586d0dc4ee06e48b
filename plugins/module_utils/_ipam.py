# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Address checks and normal forms for IPAM settings (private to this collection).

Pure functions over the standard `ipaddress` module, shared by the network and endpoint
modules.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

_ADDRESS_TYPES = (ipaddress.IPv4Address, ipaddress.IPv6Address)
_NETWORK_TYPES = (ipaddress.IPv4Network, ipaddress.IPv6Network)


def _text(value):
    # ipaddress wants text on Python 2 too; module options arrive as str already.
    return u"%s" % (value,)


def parse_cidr(value, strict=True):
    """An ip_network from 'a.b.c.d/n'; raises ValueError with a readable message."""
    text = _text(value).strip()
    if "/" not in text:
        raise ValueError("%r is not in CIDR notation (address/prefix length)" % (value,))
    return ipaddress.ip_network(text, strict=strict)


def parse_address(value):
    return ipaddress.ip_address(_text(value).strip())


def normalise_address(value):
    """The canonical text of an address; an address with a prefix length keeps it."""
    if value is None:
        return None
    text = _text(value).strip()
    try:
        if "/" in text:
            return str(ipaddress.ip_interface(text))
        return str(parse_address(text))
    except ValueError:
        return value


def address_in_subnets(address, subnets):
    """The first of `subnets` (CIDR texts or networks) that holds `address`, or None."""
    ip = address if isinstance(address, _ADDRESS_TYPES) else parse_address(address)
    for subnet in subnets:
        network = subnet if isinstance(subnet, _NETWORK_TYPES) else parse_cidr(subnet, strict=False)
        if ip.version == network.version and ip in network:
            return subnet
    return None


def strip_prefix(value):
    """'10.0.0.5/24' -> '10.0.0.5' (the daemon reports endpoint addresses with a prefix)."""
    return _text(value).split("/", 1)[0] if value else value


def default_gateway(subnet):
    """The gateway Docker's default IPAM driver picks when none is given: the first host."""
    network = subnet if isinstance(subnet, _NETWORK_TYPES) else parse_cidr(subnet, strict=False)
    return network.network_address + 1


def is_network_or_broadcast(address, subnet):
    """True for the network address of `subnet`, and for its broadcast address on IPv4."""
    ip = address if isinstance(address, _ADDRESS_TYPES) else parse_address(address)
    network = subnet if isinstance(subnet, _NETWORK_TYPES) else parse_cidr(subnet, strict=False)
    if network.num_addresses <= 2:
        return False
    if ip == network.network_address:
        return True
    return network.version == 4 and ip == network.broadcast_address


def is_link_local(address):
    """True for 169.254.0.0/16 and fe80::/10 unicast addresses."""
    ip = address if isinstance(address, _ADDRESS_TYPES) else parse_address(address)
    return ip.is_link_local and not ip.is_multicast
