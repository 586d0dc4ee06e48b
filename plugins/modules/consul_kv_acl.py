#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: consul_kv_acl
short_description: Internal, for the consul_kv role - wait for a Consul leader, set up its ACLs, prove a KV write and read
version_added: 0.1.0
description:
  - Runs on a Consul server and talks to its local HTTP API (standard library only).
  - Waits up to O(timeout) seconds until the agent knows a leader.
  - With O(acl) and O(acl_setup), reads the management token kept in O(management_token_file), or
    bootstraps the ACL system and keeps the new management token there (mode 0600; never returned
    unless O(return_management_token)). Then makes sure every policy in O(policies) exists with its
    description and rules, and that its token exists with the kept SecretID and carries it.
  - A kept management token that the cluster does not know (its data was wiped) is moved to
    C(<management_token_file>.stale) and the ACL system bootstrapped again, with the same policies and the
    kept token SecretIDs, so the docker hosts' tokens stay valid.
  - A cluster whose ACL system was bootstrapped before while the file is missing, or holds a token it does
    not know, stops the run with how to recover (the failure result has RV(reason)=V(acl)); so does a
    O(management_token) it does not know.
  - Then writes O(probe_key) with O(probe_value) and reads it back, with the management token when ACLs are on.
  - Used by the C(cnm.overlay.consul_kv) role; one SSH command where the role made about ten.
author: cnm.overlay maintainers (@cnm-overlay)
options:
  url:
    description: Base URL of the agent's HTTP API.
    type: str
    default: http://127.0.0.1:8500
  ca_path:
    description: CA bundle when O(url) is https.
    type: path
  client_cert:
    description: Client certificate when the agent requires one (https).
    type: path
  client_key:
    description: Client key that goes with O(client_cert).
    type: path
  timeout:
    description: Seconds to wait for a leader, and for the ACL system to answer after a start.
    type: int
    default: 60
  acl:
    description: The agent has ACLs enabled; the probe then uses the management token.
    type: bool
    default: true
  acl_setup:
    description:
      - Bootstrap the ACL system when O(management_token_file) is missing, and make sure O(policies) and
        their tokens exist. Done on one server of a cluster; the others only probe with O(management_token).
    type: bool
    default: true
  management_token_file:
    description: File on this server keeping the management token (written 0600 by the bootstrap).
    type: path
    default: /etc/cnm-overlay/consul/management.token
  management_token:
    description: The management token, when this server does not keep it (then O(management_token_file) is not read).
    type: str
  return_management_token:
    description: Return the management token in RV(management_token), for the other servers' probes. Use C(no_log) on the task.
    type: bool
    default: false
  data_dir:
    description: The agent's data directory, named in the message on how to reset a lost bootstrap.
    type: path
    default: /var/lib/consul
  policies:
    description: ACL policies and the tokens that carry them.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Policy name.
        type: str
        required: true
      description:
        description: Description of the policy and of its token.
        type: str
        default: ""
      rules:
        description: The policy's rules (HCL).
        type: str
        required: true
      token:
        description: SecretID of the token that carries this policy (kept by the caller).
        type: str
        required: true
  probe_key:
    description: Key written and read back; empty to skip the probe.
    type: str
    default: ""
  probe_value:
    description: Value of O(probe_key).
    type: str
    default: probe
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - cnm.overlay.attributes
attributes:
  check_mode:
    support: full
    details: Waits for the leader and reads; reports in RV(actions) what it would create or update.
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Wait for a leader, set up the ACLs and probe the KV store
  cnm.overlay.consul_kv_acl:
    url: http://127.0.0.1:8500
    management_token_file: /etc/cnm-overlay/consul/management.token
    policies:
      - name: cnm-overlay-docker
        description: "cnm.overlay: dockerd's cluster store keys and sessions"
        rules: |-
          key_prefix "docker/" { policy = "write" }
          session_prefix "" { policy = "write" }
        token: "{{ docker_token }}"
    probe_key: cnm-overlay/probe/{{ inventory_hostname }}
    probe_value: "{{ inventory_hostname }}"
  no_log: true
"""

RETURN = r"""
leader:
  description: The leader's address as the agent reports it.
  returned: success
  type: str
  sample: 172.30.99.10:8300
actions:
  description: What was done (check mode, what would be done); empty when everything was as wanted.
  returned: success
  type: list
  elements: str
  sample: ["create policy cnm-overlay-docker", "create token cnm-overlay-docker"]
management_token:
  description: The management token (empty in check mode before a bootstrap).
  returned: O(return_management_token) is true
  type: str
reason:
  description: On failure, V(acl) when the ACL state needs the operator (the message says what to do), V(agent) otherwise.
  returned: failure
  type: str
  sample: acl
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cnm.overlay.plugins.module_utils._consul import ConsulAgent, ConsulError, run


def main():
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type="str", default="http://127.0.0.1:8500"),
            ca_path=dict(type="path"),
            client_cert=dict(type="path"),
            client_key=dict(type="path", no_log=False),
            timeout=dict(type="int", default=60),
            acl=dict(type="bool", default=True),
            acl_setup=dict(type="bool", default=True),
            management_token_file=dict(type="path", default="/etc/cnm-overlay/consul/management.token", no_log=False),
            management_token=dict(type="str", no_log=True),
            return_management_token=dict(type="bool", default=False, no_log=False),
            data_dir=dict(type="path", default="/var/lib/consul"),
            policies=dict(type="list", elements="dict", default=[], options=dict(
                name=dict(type="str", required=True),
                description=dict(type="str", default=""),
                rules=dict(type="str", required=True),
                token=dict(type="str", required=True, no_log=True),
            )),
            probe_key=dict(type="str", default="", no_log=False),
            probe_value=dict(type="str", default="probe"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    agent = ConsulAgent(params["url"], ca_path=params["ca_path"], client_cert=params["client_cert"],
                        client_key=params["client_key"])
    try:
        result = run(agent, params, module.check_mode)
    except ConsulError as exc:
        module.fail_json(msg=exc.msg, reason=exc.reason)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
