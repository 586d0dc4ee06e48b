#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: site_record
short_description: Internal, for run_record - record how a host looks at the end of a finished run
version_added: 0.2.0
description:
  - Writes what the host looks like now (the files under O(paths), the executables of O(processes), the
    engine's cluster-store and swarm settings, the IDs of O(networks), the host's IPv4 addresses) together
    with a digest of the run's O(inputs). M(cnm.overlay.site_record_info) compares a later run with it.
  - Written only when it differs from the record that is there (file mode 0600), so a run that changed
    nothing reports no change. O(state=absent) removes it, so the next run converges in full.
author:
  - cnm.overlay maintainers (@cnm-overlay)
extends_documentation_fragment:
  - cnm.overlay.docker
  - ansible.builtin.action_common_attributes
  - cnm.overlay.attributes
attributes:
  check_mode:
    support: full
    details: Reports the change it would make.
  diff_mode:
    support: none
    details: Nothing to show.
options:
  path:
    description: Where the record is kept.
    type: path
    default: /var/lib/cnm-overlay/site-record.json
  state:
    description: V(present) writes the record, V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  inputs:
    description: A digest of the run's inputs (variables, inventory, the collection's code).
    type: str
    default: ""
  paths:
    description:
      - Files and directories to watch; directories are watched with everything under them
        (content, owner and mode of each file; symbolic links are not followed).
    type: list
    elements: path
    default: []
  processes:
    description: Process names (as in C(/proc/PID/comm)) that must run with the same executable.
    type: list
    elements: str
    default: []
  engine:
    description: Watch the Docker engine's version, cluster-store, cluster-advertise and swarm settings.
    type: bool
    default: false
  networks:
    description: Docker networks whose IDs are watched (needs O(engine)).
    type: list
    elements: str
    default: []
  addresses:
    description: Watch the host's IPv4 addresses (not those of the interfaces Docker makes).
    type: bool
    default: false
seealso:
  - module: cnm.overlay.site_record_info
"""

EXAMPLES = r"""
- name: Record the docker host as the run leaves it
  cnm.overlay.site_record:
    inputs: "{{ my_inputs | to_json | hash('sha256') }}"
    paths: [/etc]
    processes: [dockerd]
    engine: true
    networks: [multi]
    addresses: true
"""

RETURN = r"""
path:
  description: Where the record is.
  returned: always
  type: str
  sample: /var/lib/cnm-overlay/site-record.json
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cnm.overlay.plugins.module_utils._api_client import (
    client_for_module, docker_common_argument_spec)
from ansible_collections.cnm.overlay.plugins.module_utils import _site_record


def main():
    argument_spec = docker_common_argument_spec()
    argument_spec.update(_site_record.record_path_argument_spec())
    argument_spec.update(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        paths=dict(type="list", elements="path", default=[]),
        processes=dict(type="list", elements="str", default=[]),
        engine=dict(type="bool", default=False),
        networks=dict(type="list", elements="str", default=[]),
        addresses=dict(type="bool", default=False),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    path = params["path"]
    if params["networks"] and not params["engine"]:
        module.fail_json(msg="networks are read through the engine: set engine to true, or leave networks out.")
    if params["state"] == "absent":
        changed = os.path.exists(path)
        if changed and not module.check_mode:
            os.remove(path)
        module.exit_json(changed=changed, path=path)
    watch = dict((key, params[key]) for key in ("paths", "processes", "engine", "networks", "addresses"))
    record = _site_record.make_record(params["inputs"], watch, _site_record.observer(module, client_for_module)(watch))
    if module.check_mode:
        changed = _site_record.read_record(path) != record
    else:
        changed = _site_record.write_record(path, record)
    module.exit_json(changed=changed, path=path)


if __name__ == "__main__":
    main()
