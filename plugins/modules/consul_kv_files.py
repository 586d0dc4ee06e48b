#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: consul_kv_files
short_description: Internal, for the consul_kv role - the agent's user, directories and configuration files in one run
version_added: 0.4.0
description:
  - Makes the system user O(user) (home O(home), not created; shell O(shell)) when it is missing, and sets the home
    and shell of one that differs, as M(ansible.builtin.user) with C(system=true) and C(create_home=false) would.
  - Makes each directory of O(directories) with its owner, group and mode, or sets them where they differ.
  - Writes each file of O(files) whose content differs, through a file of the final owner and mode in the same
    directory that is then moved over it; sets owner, group and mode where only they differ.
  - Each is compared with the host first, so a run that changes nothing writes nothing.
author:
  - cnm.overlay maintainers (@cnm-overlay)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - cnm.overlay.attributes
attributes:
  check_mode:
    support: full
    details: Compares only; RV(changes) says what a run would change.
  diff_mode:
    support: none
options:
  user:
    description: The agent's system user.
    type: str
    required: true
  home:
    description: Its home directory (the data directory; not created here).
    type: path
    required: true
  shell:
    description: Its shell.
    type: path
    default: /usr/sbin/nologin
  directories:
    description: The directories, made in this order.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The directory.
        type: path
        required: true
      owner:
        description: Its owner.
        type: str
        required: true
      group:
        description: Its group; the owner's name when not set.
        type: str
      mode:
        description: Its mode, octal, as a string.
        type: str
        required: true
  files:
    description: The files, written after the directories.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The file.
        type: path
        required: true
      content:
        description: Its content (never printed).
        type: str
        required: true
      owner:
        description: Its owner.
        type: str
        required: true
      group:
        description: Its group; the owner's name when not set.
        type: str
      mode:
        description: Its mode, octal, as a string.
        type: str
        required: true
seealso:
  - module: cnm.overlay.consul_kv_secrets
"""

EXAMPLES = r"""
- name: The agent's user, directories and configuration
  cnm.overlay.consul_kv_files:
    user: consul
    home: /var/lib/consul
    directories:
      - {path: /var/lib/consul, owner: consul, mode: "0750"}
      - {path: /etc/consul.d, owner: root, mode: "0755"}
    files:
      - {path: /etc/consul.d/cnm-overlay.json, content: "{}\n", owner: root, group: consul, mode: "0640"}
"""

RETURN = r"""
changes:
  description: What this run changed (in check mode, would change), in order; empty when nothing.
  returned: always
  type: list
  elements: str
  sample: [user consul created, /etc/consul.d/cnm-overlay.json written]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cnm.overlay.plugins.module_utils._host_files import (
    ensure_directory, ensure_file, ensure_system_user)

_COMMON = dict(path=dict(type="path", required=True), owner=dict(type="str", required=True),
               group=dict(type="str"), mode=dict(type="str", required=True))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            user=dict(type="str", required=True),
            home=dict(type="path", required=True),
            shell=dict(type="path", default="/usr/sbin/nologin"),
            directories=dict(type="list", elements="dict", default=[], options=dict(_COMMON)),
            files=dict(type="list", elements="dict", default=[],
                       options=dict(_COMMON, content=dict(type="str", required=True, no_log=True))),
        ),
        supports_check_mode=True,
    )
    params, check = module.params, module.check_mode
    changes = []
    step = "user %s" % params["user"]
    try:
        changes += ensure_system_user(module.run_command, params["user"], params["home"], params["shell"], check)
        for entry in params["directories"]:
            step = "directory %s" % entry["path"]
            changes += ensure_directory(entry["path"], entry["owner"], entry["group"] or entry["owner"], entry["mode"],
                                        check)
        for entry in params["files"]:
            step = "file %s" % entry["path"]
            changes += ensure_file(entry["path"], entry["content"], entry["owner"], entry["group"] or entry["owner"],
                                   entry["mode"], check)
    except (IOError, OSError, KeyError, ValueError) as exc:
        module.fail_json(msg="consul_kv_files: %s: %s" % (step, exc), changes=changes)
    module.exit_json(changed=bool(changes), changes=changes)


if __name__ == "__main__":
    main()
