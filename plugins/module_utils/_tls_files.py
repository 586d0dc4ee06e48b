# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The check every role that takes TLS files makes before any change (private to this collection).

Three files, given all or none, each a file on the host in PEM form: the key file (its variable
ends in "key_file") a private key, the others certificates. One function decides; the module
tls_files_check only runs it on the host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

# What a PEM file of each kind holds; only the first part of a file is read.
_PEM_KEY = re.compile(r"^-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----$", re.M)
_PEM_CERTIFICATE = re.compile(r"^-----BEGIN CERTIFICATE-----$", re.M)
_HEAD_BYTES = 65536


def _names(variables):
    """'a, b and c' for a list of variable names."""
    return variables[0] if len(variables) == 1 else "%s and %s" % (", ".join(variables[:-1]), variables[-1])


def read_head(path):
    """The first part of a file as text (undecodable bytes replaced)."""
    with open(path, "rb") as handle:
        return handle.read(_HEAD_BYTES).decode("ascii", "replace")


def _not_pem(variable, path, read):
    """Why the file of `variable` is not the PEM file it must be, or ""."""
    try:
        text = read(path)
    except (IOError, OSError) as exc:
        return "%s=%s cannot be read (%s)" % (variable, path, exc)
    if variable.endswith("key_file"):
        return "" if _PEM_KEY.search(text) else "%s=%s holds no PEM private key" % (variable, path)
    return "" if _PEM_CERTIFICATE.search(text) else "%s=%s holds no PEM certificate" % (variable, path)


def problem(files, who, readable_by="", isfile=os.path.isfile, exists=os.path.exists, read=read_head):
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
    if reasons:
        return "%s: %s Put them on the host first (%s%s)." % (
            who, " ".join(reasons), _names(list(files)), ", readable by %s" % readable_by if readable_by else "")
    not_pem = [reason for reason in (_not_pem(variable, path, read) for variable, path in given) if reason]
    if not_pem:
        return ("%s: %s. Give PEM files: certificates (-----BEGIN CERTIFICATE-----) and, in the key file, "
                "a private key (-----BEGIN ... PRIVATE KEY-----)." % (who, "; ".join(not_pem)))
    return ""
