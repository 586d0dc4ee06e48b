# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Address checks and normal forms for IPAM settings (private to this collection).

Pure functions over the standard `ipaddress` module, shared by the network and endpoint
modules. Validation functions return a list of messages (empty when all is well) so a
module can report every mistake of a spec at once, before any API call.
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


def normalise_cidr(value):
    """The canonical text of a CIDR ('fd00:201:0:0::/64' -> 'fd00:201::/64'); host bits are
    cleared; a value that does not parse is returned unchanged (validation reports it)."""
    try:
        return str(parse_cidr(value, strict=False))
    except ValueError:
        return value


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


def cidrs_overlap(first, second):
    a = parse_cidr(first, strict=False)
    b = parse_cidr(second, strict=False)
    return a.version == b.version and a.overlaps(b)


def check_cidr(field, value):
    """Messages for a CIDR that does not parse or has host bits set (naming the one meant)."""
    try:
        parse_cidr(value, strict=True)
    except ValueError:
        try:
            meant = parse_cidr(value, strict=False)
        except ValueError as exc:
            return ["%s: %s; write it as address/prefix, for example 10.0.0.0/24." % (field, exc)]
        return ["%s: %s has host bits set; the network it falls in is %s, write that instead."
                % (field, value, meant)]
    return []


def normalise_ipam_entry(entry):
    """A user's ipam_config item in normal form, keys as in the module: None stays None."""
    aux = entry.get("aux_addresses")
    return dict(
        subnet=normalise_cidr(entry["subnet"]) if entry.get("subnet") else None,
        gateway=normalise_address(entry["gateway"]) if entry.get("gateway") else None,
        ip_range=normalise_cidr(entry["ip_range"]) if entry.get("ip_range") else None,
        aux_addresses=None if aux is None else dict((k, normalise_address(v)) for k, v in aux.items()),
    )


def normalise_daemon_ipam_entry(entry):
    """An IPAM.Config item of `docker network inspect` in the same normal form."""
    return normalise_ipam_entry(dict(subnet=entry.get("Subnet"), gateway=entry.get("Gateway"),
                                     ip_range=entry.get("IPRange"),
                                     aux_addresses=entry.get("AuxiliaryAddresses") or {}))


def check_ipam_config(entries, enable_ipv6=None, field="ipam_config"):
    """Every mistake of an ipam_config list, as messages naming the item, field and fix."""
    errors = []
    subnets = []
    for index, entry in enumerate(entries or []):
        where = "%s[%d]" % (field, index)
        subnet_text = entry.get("subnet")
        if not subnet_text:
            for key in ("gateway", "ip_range", "aux_addresses"):
                if entry.get(key):
                    errors.append("%s.%s needs %s.subnet: give the subnet it belongs to." % (where, key, where))
                    break
            continue
        subnet_errors = check_cidr("%s.subnet" % where, subnet_text)
        errors.extend(subnet_errors)
        if subnet_errors:
            continue
        subnet = parse_cidr(subnet_text)
        for earlier_index, earlier in subnets:
            if earlier.version == subnet.version and earlier.overlaps(subnet):
                errors.append("%s.subnet %s overlaps %s[%d].subnet %s: give each subnet its own range."
                              % (where, subnet, field, earlier_index, earlier))
        subnets.append((index, subnet))
        if subnet.version == 6 and enable_ipv6 is not True:
            errors.append("%s.subnet %s is an IPv6 subnet: set enable_ipv6: true to use it." % (where, subnet))
        errors.extend(_check_entry_addresses(where, entry, subnet))
    return errors


def _check_entry_addresses(where, entry, subnet):
    errors = []
    gateway = None
    if entry.get("gateway"):
        gateway, message = _address_in("%s.gateway" % where, entry["gateway"], subnet)
        if message:
            errors.append(message)
        elif gateway == subnet.network_address:
            errors.append("%s.gateway %s is the network address of %s: use a host address such as %s."
                          % (where, gateway, subnet, subnet.network_address + 1))
        elif subnet.version == 4 and subnet.prefixlen < 31 and gateway == subnet.broadcast_address:
            errors.append("%s.gateway %s is the broadcast address of %s: use a host address such as %s."
                          % (where, gateway, subnet, subnet.network_address + 1))
    if entry.get("ip_range"):
        range_errors = check_cidr("%s.ip_range" % where, entry["ip_range"])
        errors.extend(range_errors)
        if not range_errors:
            ip_range = parse_cidr(entry["ip_range"])
            if ip_range.version != subnet.version or not ip_range.subnet_of(subnet):
                errors.append("%s.ip_range %s is not inside subnet %s: give a range within the subnet."
                              % (where, ip_range, subnet))
    seen = {}
    for name, value in sorted((entry.get("aux_addresses") or {}).items()):
        field = "%s.aux_addresses.%s" % (where, name)
        address, message = _address_in(field, value, subnet)
        if message:
            errors.append(message)
            continue
        if address in seen:
            errors.append("%s %s is also aux address %r: give each aux address its own IP."
                          % (field, address, seen[address]))
        elif gateway is not None and address == gateway:
            errors.append("%s %s is the gateway: aux addresses must differ from the gateway." % (field, address))
        seen[address] = name
    return errors


def _address_in(field, value, subnet):
    try:
        address = parse_address(value)
    except ValueError:
        return None, "%s: %r is not an IP address; give a single address without prefix length." % (field, value)
    if address.version != subnet.version or address not in subnet:
        return address, "%s %s is outside subnet %s: give an address within the subnet." % (field, address, subnet)
    return address, None


def find_subnet_overlaps(subnets, networks, field="ipam_config"):
    """Messages for each of `subnets` that overlaps a subnet of another daemon network.

    `networks` are `docker network ls`/inspect results of the networks to check against."""
    errors = []
    for subnet in subnets:
        for network in networks:
            for config in (network.get("IPAM") or {}).get("Config") or []:
                other = config.get("Subnet")
                if not other:
                    continue
                try:
                    overlapping = cidrs_overlap(subnet, other)
                except ValueError:
                    continue
                if overlapping:
                    errors.append("%s subnet %s overlaps subnet %s of network %s (%s) on this daemon: "
                                  "choose a free range or remove that network."
                                  % (field, subnet, other, network.get("Name"), (network.get("Id") or "")[:12]))
    return errors


# -- endpoint addresses (added for docker_cnm_endpoint) ------------------------------------

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
