#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: docker_cnm_topology_info
short_description: One docker host's networks, endpoints and containers, for the topology picture
version_added: 0.1.0
description:
  - Reads, in one run, every network the daemon knows (name, ID, driver, scope, subnets) with each
    endpoint its C(docker network inspect) lists (container, IPv4, IPv6, MAC), and every container of
    the host with its endpoints (network, endpoint ID, addresses, MAC, aliases).
  - Changes nothing; the result is the input of the C(cnm.overlay.topology_graph) filter, which draws
    every host's results as one picture (the C(cnm.overlay.topology) role and playbook).
  - A public module of the collection.
author:
  - cnm.overlay maintainers (@cnm-overlay)
extends_documentation_fragment:
  - cnm.overlay.docker
  - ansible.builtin.action_common_attributes
  - cnm.overlay.attributes
  - cnm.overlay.attributes.info_module
options: {}
seealso:
  - module: cnm.overlay.docker_cnm_network_info
"""

EXAMPLES = r"""
- name: Read every docker host's networks and containers
  cnm.overlay.docker_cnm_topology_info:
  register: topology_read

- name: Draw them
  ansible.builtin.copy:
    content: >-
      {{ (dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'topology_read')))
          | cnm.overlay.topology_graph(ansible_play_hosts_all)).dot }}
    dest: /tmp/topology.dot
    mode: "0644"
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
topology:
  description: What the daemon reports.
  returned: success
  type: dict
  contains:
    engine:
      description: The daemon's host name (C(Name)), C(version), C(swarm_node_id) and C(swarm_state).
      type: dict
      returned: success
    networks:
      description:
        - Each network with C(name), C(id), C(driver), C(scope), C(subnets), C(internal), C(ingress) and
          C(endpoints).
        - Each endpoint has the C(key) the daemon lists it under (a local container's ID; C(ep-<endpoint ID>)
          for an endpoint of another host in kv mode), C(name), C(endpoint_id), C(mac), C(ipv4) and C(ipv6).
      type: list
      elements: dict
      returned: success
    containers:
      description:
        - Each container with C(id), C(name), C(running) and C(networks), a dict from network name to
          C(network_id), C(endpoint_id), C(mac), C(ipv4), C(ipv6) (with prefix length) and C(aliases).
      type: list
      elements: dict
      returned: success
  sample:
    engine: {name: n1, version: 20.10.5+dfsg1, swarm_node_id: "", swarm_state: inactive}
    networks:
      - name: multi
        id: 6f1c0b5e2a0d
        driver: overlay
        scope: global
        subnets: [10.10.0.0/24]
        internal: false
        ingress: false
        endpoints:
          - {key: 3c9e1f, name: c1, endpoint_id: 8a4b, mac: "02:42:0a:0a:00:02", ipv4: 10.10.0.2/24, ipv6: ""}
    containers:
      - id: 3c9e1f
        name: c1
        running: true
        networks:
          multi: {network_id: 6f1c0b5e2a0d, endpoint_id: 8a4b, mac: "02:42:0a:0a:00:02", ipv4: 10.10.0.2/24,
                  ipv6: "", aliases: [3c9e1f0a2b4d]}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cnm.overlay.plugins.module_utils._api_client import docker_common_argument_spec
from ansible_collections.cnm.overlay.plugins.module_utils._topology import run_topology_info_module


def main():
    module = AnsibleModule(argument_spec=docker_common_argument_spec(), supports_check_mode=True)
    run_topology_info_module(module)


if __name__ == "__main__":
    main()
