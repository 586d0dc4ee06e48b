#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: docker_cnm_network
short_description: Create, check or remove Docker networks (the Network of the CNM)
version_added: 0.1.0
description:
  - The C(docker network create) and C(docker network rm) verbs as an idempotent module, with every
    option of the CLI.
  - Only the options given are compared with an existing network; what the daemon adds on its own
    never counts as a change. A given dictionary must match exactly, so a removed label or driver
    option is a change. Subnets and addresses are compared in normal form.
  - Docker cannot change a network in place. A network that differs from the task makes the module
    fail with every differing property, unless O(force=true), which recreates it and reconnects the
    containers of this host with their aliases, IP addresses and links.
  - Every spec of a task is validated, looked up and compared before the first change, so bad input
    changes nothing.
  - The networks Docker predefines (V(bridge), V(host), V(none)) are reported, never recreated or removed.
author:
  - cnm.overlay maintainers (@cnm-overlay)
extends_documentation_fragment:
  - cnm.overlay.docker
  - ansible.builtin.action_common_attributes
  - cnm.overlay.attributes
attributes:
  check_mode:
    support: full
    details: RV(network) is the network that would be created.
  diff_mode:
    support: full
    details: Before and after of the properties that are compared or changed.
options:
  name:
    description:
      - Name of the network.
      - Required unless O(networks) is given; mutually exclusive with it.
      - With O(state=present), letters, digits, V(_), V(.) and V(-), starting with a letter or digit (Docker's rule
        for container and volume names; the daemon takes more for networks, but a V(/) breaks its API paths).
    type: str
    aliases: [network_name]
  state:
    description:
      - V(present) creates the network if it is missing and checks it otherwise.
      - V(absent) removes it; a network that is already absent is no change.
      - With O(networks), the default of items that set no O(networks[].state).
    type: str
    default: present
    choices: [present, absent]
  force:
    description:
      - Allow destructive actions. Recreate a network whose properties differ (this host's containers
        are disconnected and reconnected), and remove a network that has endpoints (they are
        disconnected first).
      - With O(networks), the default of items that set no O(networks[].force).
    type: bool
    default: false
  driver:
    description:
      - Network driver (C(--driver)), for example V(bridge), V(overlay), V(macvlan), V(ipvlan) or the
        name of a network plugin.
      - A new network uses V(bridge) when not given; an existing network's driver is then not compared.
    type: str
  driver_options:
    description:
      - Driver options (C(-o/--opt)). Values are sent as strings; numbers and booleans are converted,
        so C(com.docker.network.driver.mtu=1400) works.
    type: dict
    aliases: [options]
  ipam_driver:
    description:
      - IPAM driver (C(--ipam-driver)); the daemon's is V(default).
    type: str
  ipam_options:
    description:
      - IPAM driver options (C(--ipam-opt)); values are sent as strings.
    type: dict
  ipam_config:
    description:
      - Address pools (C(--subnet), C(--gateway), C(--ip-range), C(--aux-address)); IPv4 and IPv6,
        several of each.
      - The list of subnets must match exactly; within an item only the keys given are compared.
    type: list
    elements: dict
    suboptions:
      subnet:
        description:
          - Subnet in CIDR notation, without host bits.
        type: str
        required: true
      gateway:
        description:
          - Gateway address inside O(ipam_config[].subnet); not its network or broadcast address.
        type: str
      ip_range:
        description:
          - Range inside O(ipam_config[].subnet) that container addresses are allocated from, in CIDR notation.
        type: str
        aliases: [iprange]
      aux_addresses:
        description:
          - Addresses the IPAM driver must not hand out, as a dictionary of name to address; each inside
            the subnet, unique and not the gateway.
        type: dict
  enable_ipv6:
    description:
      - Enable IPv6 (C(--ipv6)); needed for IPv6 subnets.
    type: bool
  internal:
    description:
      - Restrict external access to the network (C(--internal)).
    type: bool
  attachable:
    description:
      - Let standalone containers attach to a swarm-scoped network (C(--attachable)).
    type: bool
  scope:
    description:
      - Scope of the network (C(--scope)); needs Docker API 1.30.
    type: str
    choices: [local, global, swarm]
  labels:
    description:
      - Labels of the network (C(--label)); values are sent as strings.
    type: dict
  config_only:
    description:
      - Create a configuration-only network (C(--config-only)), a placeholder for the settings of
        networks made from it with O(config_from); it has no driver (the daemon records V(null))
        and no endpoints. Needs Docker API 1.30.
      - It holds only the network's own settings (O(ipam_config), O(driver_options), O(ipam_driver),
        O(ipam_options), O(enable_ipv6), O(enable_ipv4), O(labels)); O(driver), O(ingress),
        O(internal), O(attachable) and O(scope) are refused.
    type: bool
  config_from:
    description:
      - Name of the configuration-only network (O(config_only=true)) this network takes its settings
        from (C(--config-from)), for example a V(macvlan) network with O(scope=swarm) whose
        per-node config-only networks name each node's parent interface. Needs Docker API 1.30.
      - The config-only network must exist on the engine, or be made earlier in the same task's
        O(networks). O(driver_options), O(ipam_driver), O(ipam_options), O(ipam_config), O(labels),
        O(enable_ipv6=true) and O(enable_ipv4=false) are refused here (the daemon takes them from the
        config-only network); set them there.
    type: str
  ingress:
    description:
      - Create swarm's routing-mesh network (C(--ingress)), for example to remake it with another
        MTU or encrypted; only one can exist, so remove the old one first. Needs a swarm, the
        V(overlay) driver and Docker API 1.29.
    type: bool
  enable_ipv4:
    description:
      - Give the network IPv4 (C(--ipv4)); V(false) makes an IPv6-only network, which needs
        O(enable_ipv6=true) and no IPv4 subnet in O(ipam_config).
      - Needs Docker API 1.48 (Docker 28); the daemon ignores it below, so an older API fails the task.
      - An existing network reported without it (older engines) counts as having IPv4.
    type: bool
  networks:
    description:
      - Several networks in one task, each item with the same keys as a single network. One module
        run plans and applies them all, which is much faster than a loop.
      - Mutually exclusive with O(name) and with the per-network options at the top level.
      - O(state) and O(force) at the top level are the defaults of the items.
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the network.
        type: str
        required: true
        aliases: [network_name]
      state:
        description: As O(state); defaults to O(state).
        type: str
        choices: [present, absent]
      force:
        description: As O(force); defaults to O(force).
        type: bool
      driver:
        description: As O(driver).
        type: str
      driver_options:
        description: As O(driver_options).
        type: dict
        aliases: [options]
      ipam_driver:
        description: As O(ipam_driver).
        type: str
      ipam_options:
        description: As O(ipam_options).
        type: dict
      ipam_config:
        description: As O(ipam_config).
        type: list
        elements: dict
        suboptions:
          subnet:
            description: Subnet in CIDR notation.
            type: str
            required: true
          gateway:
            description: Gateway address inside the subnet.
            type: str
          ip_range:
            description: Allocation range inside the subnet.
            type: str
            aliases: [iprange]
          aux_addresses:
            description: Reserved addresses, a dictionary of name to address.
            type: dict
      enable_ipv6:
        description: As O(enable_ipv6).
        type: bool
      internal:
        description: As O(internal).
        type: bool
      attachable:
        description: As O(attachable).
        type: bool
      scope:
        description: As O(scope).
        type: str
        choices: [local, global, swarm]
      labels:
        description: As O(labels).
        type: dict
      config_only:
        description: As O(config_only).
        type: bool
      config_from:
        description: As O(config_from).
        type: str
      ingress:
        description: As O(ingress).
        type: bool
      enable_ipv4:
        description: As O(enable_ipv4).
        type: bool
notes:
  - Validation happens before any change and names the field and the fix, for example a subnet with
    host bits set, a gateway outside its subnet, overlapping subnets, an IPv6 subnet without
    O(enable_ipv6), a subnet overlapping another network of the same daemon, or a name that matches
    several networks.
  - An overlay network needs either a swarm (scope V(swarm)) or daemons configured with a cluster
    store (scope V(global)).
seealso:
  - module: cnm.overlay.docker_cnm_network_info
"""

EXAMPLES = r"""
- name: A bridge network with an IPv4 and an IPv6 subnet
  cnm.overlay.docker_cnm_network:
    name: backend
    enable_ipv6: true
    driver_options:
      com.docker.network.driver.mtu: 1400
    ipam_config:
      - subnet: 10.20.0.0/24
        gateway: 10.20.0.1
        ip_range: 10.20.0.128/25
        aux_addresses:
          router: 10.20.0.2
      - subnet: fd00:20::/64
    labels:
      tier: backend

- name: An attachable overlay in a swarm
  cnm.overlay.docker_cnm_network:
    name: multi
    driver: overlay
    attachable: true
    scope: swarm

- name: Recreate a network whose labels changed, reconnecting its containers
  cnm.overlay.docker_cnm_network:
    name: backend
    labels:
      tier: data
    force: true

- name: Many networks in one task
  cnm.overlay.docker_cnm_network:
    networks:
      - name: front
        internal: false
      - name: back
        internal: true
        ipam_config:
          - subnet: 10.21.0.0/24

- name: A macvlan network on every swarm node, from a config-only network per node
  cnm.overlay.docker_cnm_network:
    networks:
      - name: mv-config
        config_only: true
        driver_options:
          parent: eth0
        ipam_config:
          - subnet: 192.168.50.0/24
            ip_range: 192.168.50.64/26
      - name: mv
        driver: macvlan
        scope: swarm
        config_from: mv-config

- name: An IPv6-only bridge network (Docker 28 and later)
  cnm.overlay.docker_cnm_network:
    name: v6only
    enable_ipv4: false
    enable_ipv6: true
    ipam_config:
      - subnet: fd00:30::/64

- name: Remove a network, disconnecting its containers
  cnm.overlay.docker_cnm_network:
    name: backend
    state: absent
    force: true
"""

RETURN = r"""
network:
  description:
    - The network as C(docker network inspect) shows it after the task; in check mode the network
      that would be created. Empty after removal. Only without O(networks).
  returned: success and O(networks) not given
  type: dict
  sample:
    Name: backend
    Id: 0f0ad533bc5a6c1ef2ad0e7d84fed1e5fb2c0a8e0ce2a4b7cf30f3ef2a3a1b2c
    Driver: bridge
    Scope: local
    IPAM:
      Driver: default
      Config:
        - Subnet: 10.20.0.0/24
          Gateway: 10.20.0.1
networks:
  description: One result per item of O(networks), in order.
  returned: success and O(networks) given
  type: list
  elements: dict
  contains:
    name:
      description: Name of the network.
      type: str
      returned: always
    changed:
      description: Whether this network was changed.
      type: bool
      returned: always
    actions:
      description: What was done to this network.
      type: list
      elements: str
      returned: always
    network:
      description: As RV(network).
      type: dict
      returned: always
actions:
  description: What was done (or would be done in check mode), in order.
  returned: always
  type: list
  elements: str
  sample:
    - disconnect container web from network backend
    - remove network backend
    - create network backend
    - reconnect container web to network backend (addresses 10.20.0.10; aliases www)
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cnm.overlay.plugins.module_utils._api_client import docker_common_argument_spec
from ansible_collections.cnm.overlay.plugins.module_utils._network import (
    network_argument_spec,
    run_network_module,
)


def main():
    argument_spec = docker_common_argument_spec()
    argument_spec.update(network_argument_spec())
    module = AnsibleModule(
        argument_spec=argument_spec,
        required_one_of=[("name", "networks")],
        mutually_exclusive=[("name", "networks")],
        supports_check_mode=True,
    )
    run_network_module(module)


if __name__ == "__main__":
    main()
