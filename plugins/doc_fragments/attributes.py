# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Attributes shared by modules of cnm.overlay (with ansible.builtin.action_common_attributes)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Every module: it runs on the managed host, a POSIX system.
    DOCUMENTATION = r"""
options: {}
attributes:
  platform:
    support: full
    platforms: posix
"""

    # A module that only reads.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: It only reads, so it runs in check mode as it does otherwise.
  diff_mode:
    support: none
"""
