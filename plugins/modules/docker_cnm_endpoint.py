#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: docker_cnm_endpoint
short_description: Connect a container to a Docker network, or disconnect it (a CNM endpoint)
version_added: 0.1.0
description:
  - Manages the endpoint that attaches a container (the CNM sandbox) to a network, as
    C(docker network connect) and C(docker network disconnect) do, idempotently.
  - A connected container whose settings differ from the requested ones is disconnected and
    connected again with them. Settings that are not given keep their current value.
  - Aliases the daemon adds on its own (the container's short ID, its name) never count as a difference.
  - Every option is checked against the network before anything is changed.
  - A connect that the daemon could not record in or read from its cluster store (a dial error to
    the store, or the network "not found" in the store during the join; Docker 20.10 and older) is
    sent again up to 3 times, 1 s apart, with a warning each time; what the failed connect left is
    removed first.
author:
  - cnm.overlay maintainers (!UNKNOWN)
extends_documentation_fragment:
  - cnm.overlay.docker
  - ansible.builtin.action_common_attributes
  - cnm.overlay.attributes
attributes:
  check_mode:
    support: full
    details: Nothing is changed; the result says what would change.
  diff_mode:
    support: full
    details: Shows the state and the settings that differ, before and after.
options:
  network:
    description:
      - Name or ID of the network.
    type: str
    required: true
  container:
    description:
      - Name or ID of the container.
      - With O(state=disconnected) and O(force=true), also the name of a stale endpoint whose
        container is gone (for example on a host of a multi-host network that died), or the
        ID of an endpoint the network lists.
    type: str
    required: true
  state:
    description:
      - V(connected) attaches the container with the requested settings.
      - V(disconnected) detaches it; a container that is not attached is not a change.
    type: str
    choices: [connected, disconnected]
    default: connected
  aliases:
    description:
      - Network-scoped DNS aliases (C(--alias)). Only user-defined networks take aliases.
      - Compared as a set; the aliases the daemon adds are ignored.
    type: list
    elements: str
  ipv4_address:
    description:
      - Fixed IPv4 address (C(--ip)), inside a subnet the network was created with, not its gateway
        and not used by another endpoint.
    type: str
  ipv6_address:
    description:
      - Fixed IPv6 address (C(--ip6)), on a network with IPv6 enabled, with the same rules as O(ipv4_address).
    type: str
  links:
    description:
      - Links to other containers (C(--link)), each as C(CONTAINER:ALIAS) or C(CONTAINER)
        (which means C(CONTAINER:CONTAINER)).
    type: list
    elements: str
  link_local_ips:
    description:
      - Link-local addresses of the endpoint (C(--link-local-ip)), in C(169.254.0.0/16) or C(fe80::/10).
      - IPv6 link-local addresses need a network with IPv6 enabled.
    type: list
    elements: str
  driver_options:
    description:
      - Endpoint options for the network driver (C(DriverOpts) of the endpoint settings).
      - Values are sent as strings; booleans become V(true) or V(false).
    type: dict
  mac_address:
    description:
      - MAC address of the endpoint's interface (C(--mac-address) of C(docker network connect)), six hex
        pairs; compared in lower case, with V(-) read as V(:).
      - The daemon applies it in a connect only from Docker API 1.54; older ones ignore it and pick a
        random MAC. Below API 1.54 the module therefore fails, before any change, naming the option and
        the version, whenever it would have to connect or reconnect the container. An endpoint that
        already has this MAC (set when the container was created, which takes MacAddress from API 1.44)
        is accepted there as no change.
      - Not given, the MAC the daemon picked is not compared, and a reconnect lets it pick a new one.
    type: str
  gw_priority:
    description:
      - Gateway priority of the endpoint (C(--gw-priority)); of the container's networks the one with the
        highest priority provides its default gateway. Any integer; the daemon's default is V(0).
      - Needs Docker API 1.48 (Docker 28); an older API fails the task naming the option.
      - A reconnect for another setting keeps the endpoint's priority unless this option is given.
    type: int
  force:
    description:
      - With O(state=disconnected), disconnect forcibly (C(docker network disconnect -f)).
      - If the container does not exist, remove the stale endpoint named O(container) from the
        network. In check mode this reports a change only for an endpoint the network lists.
      - With O(state=connected), a reconnect disconnects forcibly.
    type: bool
    default: false
notes:
  - A stopped container can be connected; its endpoint gets its addresses when it starts.
    RV(container_running) says whether it runs, and RV(endpoint) then has no endpoint ID or addresses.
  - Docker takes fixed addresses only on networks created with a subnet, but reports a subnet it picked
    itself the same way; such a refusal shows only when the connection is made, not in check mode.
  - If reconnecting with new settings fails, the module connects the container again with its previous settings.
seealso:
  - module: cnm.overlay.docker_cnm_network
"""

EXAMPLES = r"""
- name: Attach web to the overlay with an alias and a fixed address
  cnm.overlay.docker_cnm_endpoint:
    network: multi
    container: web
    aliases: [frontend]
    ipv4_address: 10.10.0.20

- name: Link to the database under another name
  cnm.overlay.docker_cnm_endpoint:
    network: backend
    container: web
    links:
      - db:database

- name: Let the overlay provide web's default gateway (Docker 28 and later)
  cnm.overlay.docker_cnm_endpoint:
    network: multi
    container: web
    gw_priority: 10

- name: Detach web
  cnm.overlay.docker_cnm_endpoint:
    network: multi
    container: web
    state: disconnected

- name: Remove the stale endpoint of a container on a host that died
  cnm.overlay.docker_cnm_endpoint:
    network: multi
    container: web
    state: disconnected
    force: true
"""

RETURN = r"""
endpoint:
  description:
    - The endpoint as the daemon reports it after the change.
    - In check mode, the endpoint as it is before the change. V(null) when the container is not connected.
  returned: when O(state=connected)
  type: dict
  contains:
    endpoint_id:
      description: ID of the endpoint; V(null) while the container is stopped.
      type: str
    network_id:
      description: Full ID of the network.
      type: str
    network:
      description: Name of the network.
      type: str
    container_id:
      description: Full ID of the container.
      type: str
    container:
      description: Name of the container.
      type: str
    container_running:
      description: Whether the container runs.
      type: bool
    ipv4_address:
      description: IPv4 address with prefix length, for example V(10.10.0.20/24).
      type: str
    ipv6_address:
      description: IPv6 address with prefix length.
      type: str
    gateway:
      description: IPv4 gateway of the endpoint.
      type: str
    ipv6_gateway:
      description: IPv6 gateway of the endpoint.
      type: str
    mac_address:
      description: MAC address of the endpoint's interface.
      type: str
    gw_priority:
      description: Gateway priority of the endpoint; V(0) on engines below API 1.48.
      type: int
    aliases:
      description: Aliases as the daemon reports them, including those it adds.
      type: list
      elements: str
    links:
      description: Links as the daemon stores them.
      type: list
      elements: str
    link_local_ips:
      description: Link-local addresses.
      type: list
      elements: str
    driver_options:
      description: Endpoint driver options.
      type: dict
  sample:
    endpoint_id: 7a58dca8573ad2a56ba456d2f836ea3aeb5108dc3f619239d79863654f8799ae
    network_id: 9286ac52bc4080fd0143af33c82fa996c300b13e370f53e30962067a5408fbfa
    network: multi
    container_id: 3e788deae4b5ac8ba1b74f40c032122960f0b1f3992fe8c725b9f3cd2c50567e
    container: web
    container_running: true
    ipv4_address: 10.10.0.20/24
    ipv6_address: null
    gateway: 10.10.0.1
    ipv6_gateway: null
    mac_address: 02:42:0a:0a:00:14
    gw_priority: 0
    aliases: [frontend, 3e788deae4b5]
    links: []
    link_local_ips: []
    driver_options: {}
container_running:
  description: Whether the container runs; a stopped container is connected without addresses.
  returned: when O(state=connected)
  type: bool
differences:
  description: The settings that differed and made the module reconnect the container.
  returned: when a connected container was reconnected
  type: list
  elements: str
  sample: [aliases, ipv4_address]
actions:
  description: The API actions taken (or, in check mode, that would be taken).
  returned: always
  type: list
  elements: str
  sample: ["disconnect web from multi", "connect web to multi"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cnm.overlay.plugins.module_utils._api_client import docker_common_argument_spec
from ansible_collections.cnm.overlay.plugins.module_utils._endpoint import main as run_endpoint


def main():
    argument_spec = docker_common_argument_spec()
    argument_spec.update(
        network=dict(type="str", required=True),
        container=dict(type="str", required=True),
        state=dict(type="str", default="connected", choices=["connected", "disconnected"]),
        aliases=dict(type="list", elements="str"),
        ipv4_address=dict(type="str"),
        ipv6_address=dict(type="str"),
        links=dict(type="list", elements="str"),
        link_local_ips=dict(type="list", elements="str"),
        driver_options=dict(type="dict"),
        mac_address=dict(type="str"),
        gw_priority=dict(type="int"),
        force=dict(type="bool", default=False),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    run_endpoint(module)


if __name__ == "__main__":
    main()
