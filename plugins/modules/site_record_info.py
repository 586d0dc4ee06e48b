#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: site_record_info
short_description: Internal, for run_record - whether a host is as the last finished run left it
version_added: 0.2.0
description:
  - Reads the record that M(cnm.overlay.site_record) wrote at the end of the last finished run, and looks
    at the host again the way the record says (the files under its watched paths, its watched processes,
    the engine's cluster-store and swarm settings, the watched networks and the host's IPv4 addresses).
  - The host is converged when the record exists, was written for the same O(inputs), and nothing it
    watches differs. Otherwise RV(differences) says why, one line each.
  - Changes nothing.
author:
  - cnm.overlay maintainers (@cnm-overlay)
extends_documentation_fragment:
  - cnm.overlay.docker
  - ansible.builtin.action_common_attributes
  - cnm.overlay.attributes
  - cnm.overlay.attributes.info_module
options:
  path:
    description: Where the record is.
    type: path
    default: /var/lib/cnm-overlay/site-record.json
  inputs:
    description: A digest of this run's inputs; a record written for other inputs is not converged.
    type: str
    default: ""
seealso:
  - module: cnm.overlay.site_record
"""

EXAMPLES = r"""
- name: Compare the host with the record of the last finished run
  cnm.overlay.site_record_info:
    inputs: "{{ my_inputs | to_json | hash('sha256') }}"
  register: record

- name: Say what changed
  ansible.builtin.debug:
    msg: "{{ record.differences }}"
  when: not record.converged
"""

RETURN = r"""
converged:
  description: Whether the host is as the last finished run left it, for the same inputs.
  returned: always
  type: bool
differences:
  description: Why it is not (at most ten lines, then a count of the rest); empty when it is.
  returned: always
  type: list
  elements: str
  sample: ["path /etc/docker/daemon.json: file 0:0:644 sha256:9f2c1d0e3a4b -> file 0:0:644 sha256:04aa7b2c9d1e"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cnm.overlay.plugins.module_utils._api_client import (
    client_for_module, docker_common_argument_spec)
from ansible_collections.cnm.overlay.plugins.module_utils import _site_record


def main():
    argument_spec = docker_common_argument_spec()
    argument_spec.update(_site_record.record_path_argument_spec())
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    found = _site_record.compare(_site_record.read_record(module.params["path"]), module.params["inputs"],
                                 _site_record.observer(module, client_for_module))
    module.exit_json(changed=False, converged=not found, differences=found)


if __name__ == "__main__":
    main()
