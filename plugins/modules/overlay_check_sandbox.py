#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: overlay_check_sandbox
short_description: Internal, for the overlay_check role - start its sandbox container on a network in one run
version_added: 0.4.0
description:
  - Makes sure that the container O(name) runs on the network O(network) with an address, as
    C(docker run -d --init --network NETWORK IMAGE sleep 2147483647) would start it, and returns that address.
  - A container of the name that does not run on the network as the host sees it now (a failed start left it
    C(Created), it stopped, the network was made anew) is removed first. So is a stale endpoint of the name that
    the network lists while no container of the name stays (its removal missed the cluster store).
  - The network goes by name, so a swarm worker attaches an attachable overlay that it does not list yet.
  - "Only the start error C(connect: network is unreachable) (moby/moby#39036) is tried again, up to 3 more times,
    each after the container and the endpoint of its name are removed. Any other error fails at once."
  - A failed start, and a sandbox with no address after O(wait_timeout) seconds, leave nothing behind; the
    container and the endpoint of its name are removed, and the module fails with the daemon's words.
author:
  - cnm.overlay maintainers (@cnm-overlay)
extends_documentation_fragment:
  - cnm.overlay.docker
  - ansible.builtin.action_common_attributes
  - cnm.overlay.attributes
attributes:
  check_mode:
    support: full
    details: Reads the host; RV(actions) names the start it would make.
  diff_mode:
    support: none
options:
  name:
    description: The sandbox container's name.
    type: str
    required: true
  network:
    description: The network to start it on.
    type: str
    required: true
  image:
    description: The image, pulled when the host does not have it.
    type: str
    required: true
  keep:
    description:
      - Whether the sandbox stays after the run (restart policy V(unless-stopped), else V(no)).
      - Only a kept sandbox's start is a change of the host.
    type: bool
    default: true
  prefix:
    description: The value of the label C(cnm.overlay.check.prefix), by which a later run finds its sandboxes.
    type: str
    default: c
  wait_timeout:
    description: Seconds to wait for the started container's address on the network.
    type: int
    default: 20
seealso:
  - module: cnm.overlay.docker_cnm_endpoint
"""

EXAMPLES = r"""
- name: Start the sandbox on the network
  cnm.overlay.overlay_check_sandbox:
    name: c1
    network: multi
    image: busybox:latest
  register: sandbox
"""

RETURN = r"""
name:
  description: The sandbox's name.
  returned: success
  type: str
  sample: c1
address:
  description: Its IPv4 address on the network.
  returned: success
  type: str
  sample: 10.0.9.2
pid:
  description: The PID of its process on the host (the way into its network namespace).
  returned: success
  type: int
  sample: 4242
status:
  description: Its state and exit code, as C(docker inspect) says.
  returned: success
  type: str
  sample: running (exit code 0)
started:
  description: Whether this run started it (else it ran already).
  returned: success
  type: bool
actions:
  description: What this run did, in order.
  returned: always
  type: list
  elements: str
  sample: [force-remove the stale endpoint of the name, start c1 on multi]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cnm.overlay.plugins.module_utils._api_client import (
    DockerError, client_for_module, docker_common_argument_spec)
from ansible_collections.cnm.overlay.plugins.module_utils._sandbox import Sandbox, SandboxFailed


def main():
    argument_spec = docker_common_argument_spec()
    argument_spec.update(
        name=dict(type="str", required=True),
        network=dict(type="str", required=True),
        image=dict(type="str", required=True),
        keep=dict(type="bool", default=True),
        prefix=dict(type="str", default="c"),
        wait_timeout=dict(type="int", default=20),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    sandbox = Sandbox(client_for_module(module), params["name"], params["network"], params["image"], params["keep"],
                      params["prefix"], params["wait_timeout"])
    try:
        result = sandbox.ensure(check_mode=module.check_mode)
    except (SandboxFailed, DockerError) as exc:
        module.fail_json(msg=str(exc), actions=sandbox.actions)
    # A temporary sandbox leaves nothing behind, so only a kept one's start (or one that would be) is a change.
    would_start = result["started"] or (module.check_mode and bool(sandbox.actions))
    module.exit_json(changed=sandbox.removed or (params["keep"] and would_start), **result)


if __name__ == "__main__":
    main()
