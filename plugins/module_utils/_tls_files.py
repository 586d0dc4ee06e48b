# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The check every role that takes TLS files makes before any change (private to this collection).

Three files, given all or none, each a file on the host in PEM form: the key file (its variable
ends in "key_file") a private key, the others certificates; then they must load as the services
load them: the CA file as CA certificates, the certificate with its key (unencrypted, and the key
of that certificate). One function decides; the module tls_files_check only runs it on the host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import ssl

# What a PEM file of each kind holds; only the first part of a file is read.
_PEM_KEY = re.compile(r"^-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----$", re.M)
_PEM_CERTIFICATE = re.compile(r"^-----BEGIN CERTIFICATE-----$", re.M)
_HEAD_BYTES = 65536
# An encrypted key: PKCS#8 ("ENCRYPTED PRIVATE KEY") or the traditional form's header.
_PEM_ENCRYPTED = re.compile(r"^-----BEGIN ENCRYPTED PRIVATE KEY-----$|^Proc-Type: 4,ENCRYPTED$", re.M)


def _names(variables):
    """'a, b and c' for a list of variable names."""
    return variables[0] if len(variables) == 1 else "%s and %s" % (", ".join(variables[:-1]), variables[-1])


def read_head(path):
    """The first part of a file as text (undecodable bytes replaced)."""
    with open(path, "rb") as handle:
        return handle.read(_HEAD_BYTES).decode("ascii", "replace")


def _role_of(variable):
    """'ca', 'cert' or 'key' by how the variable's name ends (ca_file, cert_file, key_file), or ''."""
    return next((role for role in ("ca", "cert", "key") if variable.endswith("%s_file" % role)), "")


def _not_pem(variable, path, read):
    """Why the file of `variable` is not the PEM file it must be, or ""."""
    try:
        text = read(path)
    except (IOError, OSError) as exc:
        return "%s=%s cannot be read (%s)" % (variable, path, exc)
    if _role_of(variable) == "key":
        return "" if _PEM_KEY.search(text) else "%s=%s holds no PEM private key" % (variable, path)
    return "" if _PEM_CERTIFICATE.search(text) else "%s=%s holds no PEM certificate" % (variable, path)


def _not_loadable(files, read):
    """Why the CA, certificate and key (found by their variables' names) do not load as the services load
    them, or "" (also when the names do not say which file is which)."""
    by_role = dict((_role_of(variable), (variable, path)) for variable, path in files.items())
    if sorted(by_role) != ["ca", "cert", "key"]:
        return ""
    (ca_variable, ca), (cert_variable, cert), (key_variable, key) = by_role["ca"], by_role["cert"], by_role["key"]
    if _PEM_ENCRYPTED.search(read(key)):
        return ("%s=%s is encrypted: give the key without a passphrase (the services cannot ask for one)"
                % (key_variable, key))
    context = ssl.SSLContext(getattr(ssl, "PROTOCOL_TLS_CLIENT", ssl.PROTOCOL_SSLv23))
    reasons = []
    try:
        context.load_verify_locations(cafile=ca)
    except (ssl.SSLError, ValueError) as exc:
        reasons.append("%s=%s does not load as CA certificates (%s)" % (ca_variable, ca, exc))
    try:
        # The callback answers a passphrase prompt that the check above rules out: never a terminal prompt.
        context.load_cert_chain(cert, key, password=lambda: b"")
    except (ssl.SSLError, ValueError) as exc:
        reasons.append("%s=%s and %s=%s do not load as a certificate and its key (%s)"
                       % (cert_variable, cert, key_variable, key, exc))
    return "; ".join(reasons)


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
    not_loadable = _not_loadable(dict(given), read)
    if not_loadable:
        return ("%s: %s. Give the CA's certificate, this host's certificate signed by it, and that "
                "certificate's own private key." % (who, not_loadable))
    return ""
