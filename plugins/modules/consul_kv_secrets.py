#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: consul_kv_secrets
short_description: Internal, for the consul_kv role - read the secrets kept on a Consul server, making the missing ones
version_added: 0.1.0
description:
  - Makes sure O(path) is a directory owned by root with mode 0700, reads every secret in O(secrets)
    from a file of that name in it, and makes the missing ones (random, on the host) and keeps them
    there (root, mode 0600). A secret once kept is never changed.
  - Returns the secrets (RV(secrets)); use C(no_log) on the task.
  - Used by the C(cnm.overlay.consul_kv) role for the gossip key and the agent's and dockerd's ACL tokens.
author: cnm.overlay maintainers (@cnm-overlay)
options:
  path:
    description: Directory keeping the secrets, one file each.
    type: path
    required: true
  secrets:
    description: The secrets, by file name, and what kind of value a new one gets.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: File name in O(path).
        type: str
        required: true
      kind:
        description: V(uuid) for an ACL token's SecretID, V(gossip_key) for Consul's gossip encryption key (32 random bytes, base64).
        type: str
        choices: [uuid, gossip_key]
        default: uuid
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - cnm.overlay.attributes
attributes:
  check_mode:
    support: full
    details: Writes nothing; missing secrets are made in memory only and named in RV(made).
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Make or read the kept secrets
  cnm.overlay.consul_kv_secrets:
    path: /etc/cnm-overlay/consul
    secrets:
      - {name: gossip.key, kind: gossip_key}
      - {name: docker.token, kind: uuid}
  register: kept
  no_log: true
"""

RETURN = r"""
secrets:
  description: Every secret of O(secrets) by name (kept, or made in this run).
  returned: success
  type: dict
made:
  description: Names of the secrets made (check mode, that would be made) in this run.
  returned: success
  type: list
  elements: str
  sample: [gossip.key]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cnm.overlay.plugins.module_utils._consul import kept_secrets


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            secrets=dict(type="list", elements="dict", required=True, no_log=False, options=dict(
                name=dict(type="str", required=True),
                kind=dict(type="str", default="uuid", choices=["uuid", "gossip_key"]),
            )),
        ),
        supports_check_mode=True,
    )
    try:
        secrets, made, fixed = kept_secrets(module.params["path"], module.params["secrets"], module.check_mode)
    except (IOError, OSError) as exc:
        module.fail_json(msg="consul_kv_secrets: cannot keep the secrets in %s: %s" % (module.params["path"], exc))
    module.exit_json(changed=bool(made) or fixed, secrets=secrets, made=made)


if __name__ == "__main__":
    main()
