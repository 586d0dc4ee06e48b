# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The check every role that takes TLS files makes before any change (private to this collection).

Three files, given all or none, each a file on the host. One function decides; the module
tls_files_check only runs it on the host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os


def _names(variables):
    """'a, b and c' for a list of variable names."""
    return variables[0] if len(variables) == 1 else "%s and %s" % (", ".join(variables[:-1]), variables[-1])


def problem(files, who, readable_by="", isfile=os.path.isfile, exists=os.path.exists):
    """Why the TLS files in `files` (variable name -> path, empty when unset) cannot be used, or "".

    `who` starts the message (the role and the host); `readable_by` names who must read them."""
    given = [(variable, path) for variable, path in files.items() if path]
    if not given:
        return ""
    if len(given) != len(files):
        return ("%s: TLS needs all %s of %s (got %s): set the missing ones or none."
                % (who, "three" if len(files) == 3 else len(files), _names(list(files)),
                   ", ".join("%s=%s" % pair for pair in given)))
    missing = [path for variable, path in given if not exists(path)]
    not_files = [path for variable, path in given if exists(path) and not isfile(path)]
    reasons = []
    if missing:
        reasons.append("TLS file(s) not found: %s." % ", ".join(missing))
    if not_files:
        reasons.append("Not a file: %s." % ", ".join(not_files))
    if not reasons:
        return ""
    return "%s: %s Put them on the host first (%s%s)." % (
        who, " ".join(reasons), _names(list(files)), ", readable by %s" % readable_by if readable_by else "")
