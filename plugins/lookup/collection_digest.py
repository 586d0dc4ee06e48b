# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: collection_digest
short_description: A digest of this collection's code (roles, plugins, playbooks)
version_added: 0.2.0
description:
  - Returns one SHA-256 over the path and content of every file under the collection's C(roles),
    C(plugins) and C(playbooks) directories, as installed or checked out on the controller.
  - site.yml puts it into the inputs of its run record, so a new version of the collection (or an edited
    checkout) converges every host again instead of trusting a record that older code wrote.
author:
  - cnm.overlay maintainers (@cnm-overlay)
options: {}
"""

EXAMPLES = r"""
- name: Show the digest of the collection's code
  ansible.builtin.debug:
    msg: "{{ lookup('cnm.overlay.collection_digest') }}"
"""

RETURN = r"""
_raw:
  description: The digest, as 64 hexadecimal digits.
  type: list
  elements: str
"""

import hashlib
import os

from ansible.plugins.lookup import LookupBase

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CODE_DIRECTORIES = ("roles", "plugins", "playbooks")


def code_digest(root=COLLECTION_ROOT):
    digest = hashlib.sha256()
    for top in CODE_DIRECTORIES:
        for directory, subdirs, files in os.walk(os.path.join(root, top)):
            subdirs[:] = sorted(name for name in subdirs if name != "__pycache__")
            for name in sorted(files):
                if name.endswith(".pyc"):
                    continue
                path = os.path.join(directory, name)
                digest.update(os.path.relpath(path, root).encode("utf-8") + b"\0")
                with open(path, "rb") as handle:
                    digest.update(handle.read())
    return digest.hexdigest()


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        return [code_digest()]
