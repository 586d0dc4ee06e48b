#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: docker_cnm_network_info
short_description: Facts about Docker networks (docker network ls and inspect)
version_added: 0.1.0
description:
  - The C(docker network ls) and C(docker network inspect) verbs as facts.
author:
  - cnm.overlay maintainers (@cnm-overlay)
extends_documentation_fragment:
  - cnm.overlay.docker
  - ansible.builtin.action_common_attributes
  - cnm.overlay.attributes
  - cnm.overlay.attributes.info_module
options:
  name:
    description:
      - Names or IDs of the networks, resolved as C(docker network inspect) does (exact name or ID,
        else ID prefix). Without it, every network (matching O(filters)) is returned.
    type: list
    elements: str
    aliases: [names]
  filters:
    description:
      - Filters as for C(docker network ls -f), keys V(driver), V(id), V(label), V(name), V(scope),
        V(type) and V(dangling).
      - A value is a string or a list of strings; V(label) also takes a dictionary of label names to values.
    type: dict
  query:
    description:
      - A JMESPath expression applied to RV(networks), like C(docker network inspect -f); the result is
        returned as RV(query_result).
      - Needs the Python library C(jmespath) on the managed host.
    type: str
requirements:
  - jmespath (only for O(query))
seealso:
  - module: cnm.overlay.docker_cnm_network
"""

EXAMPLES = r"""
- name: Does the network exist?
  cnm.overlay.docker_cnm_network_info:
    name: backend
  register: backend_info

- name: Subnets of every overlay network
  cnm.overlay.docker_cnm_network_info:
    filters:
      driver: overlay
    query: "[].IPAM.Config[].Subnet"
  register: overlay_subnets

- name: Networks with a label
  cnm.overlay.docker_cnm_network_info:
    filters:
      label:
        tier: backend
"""

RETURN = r"""
exists:
  description:
    - Whether every network of O(name) exists; without O(name), whether any network matched.
  returned: always
  type: bool
  sample: true
networks:
  description: C(docker network inspect) of each network matched, with full IDs.
  returned: always
  type: list
  elements: dict
  sample:
    - Name: backend
      Id: 0f0ad533bc5a6c1ef2ad0e7d84fed1e5fb2c0a8e0ce2a4b7cf30f3ef2a3a1b2c
      Driver: bridge
      Scope: local
query_result:
  description: The result of O(query) applied to RV(networks).
  returned: when O(query) is given
  type: raw
  sample: [10.20.0.0/24]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cnm.overlay.plugins.module_utils._api_client import docker_common_argument_spec
from ansible_collections.cnm.overlay.plugins.module_utils._network import run_network_info_module


def main():
    argument_spec = docker_common_argument_spec()
    argument_spec.update(
        name=dict(type="list", elements="str", aliases=["names"]),
        filters=dict(type="dict"),
        query=dict(type="str"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    run_network_info_module(module)


if __name__ == "__main__":
    main()
