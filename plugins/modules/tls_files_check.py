#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: tls_files_check
short_description: Internal, for the roles that take TLS files - check they are given all or none and load as a key pair
version_added: 0.2.0
description:
  - The check the roles of this collection make before any change when they are given TLS files
    (a CA, a certificate and a key), that all of them or none are set and each set one is a file on the host
    in PEM form; the file of a variable whose name ends in C(key_file) must hold a private key, the others a certificate.
  - Fails with one message that names the variables, the files and the fix; changes nothing.
  - Then, when the variables' names end in C(ca_file), C(cert_file) and C(key_file), loads them as the services
    load them (Python's C(ssl) module, no other library) - the CA file as CA certificates, the certificate with
    the key - so that a key of another certificate, an encrypted key or a damaged file is refused here,
    before any change, instead of failing the service's start.
  - Last, the certificate is presented in a TLS handshake in memory as the service presents it (O(purpose)), to
    an end that trusts only the CA file; an expired certificate, one not valid yet, and one whose extended key
    usage does not allow that use are refused. One that is not issued under the CA file gets a warning only,
    because the CA file verifies the peers, which may have a CA of their own.
  - Host names and addresses in the certificate are not checked (the peers' view of this host is not known here).
author:
  - cnm.overlay maintainers (@cnm-overlay)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - cnm.overlay.attributes
  - cnm.overlay.attributes.info_module
options:
  files:
    description:
      - The files by the name of the variable that sets them; an empty value is a file not set.
      - The message names these variables, so use the names the operator sets.
    type: dict
    required: true
  who:
    description: What the message starts with, such as the role and the host.
    type: str
    required: true
  readable_by:
    description: Who must be able to read the files, for the message.
    type: str
    default: ""
  purpose:
    description:
      - How the service presents the certificate, for the handshake check.
      - V(server) for a TLS server (Consul's or etcd's HTTPS, the engine's TCP API), V(client) for a TLS client
        (the engine talking to its cluster store).
    type: str
    choices: [server, client]
    default: server
seealso:
  - module: cnm.overlay.docker_daemon_config_info
"""

EXAMPLES = r"""
- name: Check the TLS files
  cnm.overlay.tls_files_check:
    files:
      consul_kv_tls_ca_file: "{{ consul_kv_tls_ca_file }}"
      consul_kv_tls_cert_file: "{{ consul_kv_tls_cert_file }}"
      consul_kv_tls_key_file: "{{ consul_kv_tls_key_file }}"
    who: "consul_kv on {{ inventory_hostname }}"
    readable_by: consul
    purpose: server
"""

RETURN = r"""
tls:
  description: Whether all the files are set (and are files on the host).
  returned: success
  type: bool
  sample: true
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cnm.overlay.plugins.module_utils import _tls_files


def main():
    module = AnsibleModule(
        argument_spec=dict(files=dict(type="dict", required=True), who=dict(type="str", required=True),
                           readable_by=dict(type="str", default=""),
                           purpose=dict(type="str", default="server", choices=["server", "client"])),
        supports_check_mode=True,
    )
    files = dict((variable, "" if path is None else str(path)) for variable, path in module.params["files"].items())
    warnings = []
    problem = _tls_files.problem(files, module.params["who"], module.params["readable_by"], module.params["purpose"],
                                 warnings)
    if problem:
        module.fail_json(msg=problem)
    for warning in warnings:
        module.warn(warning)
    module.exit_json(changed=False, tls=any(files.values()))


if __name__ == "__main__":
    main()
