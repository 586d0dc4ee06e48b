# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The check every role that takes TLS files makes before any change (private to this collection).

Three files, given all or none, each a file on the host in PEM form: the key file (its variable
ends in "key_file") a private key, the others certificates; then they must load as the services
load them: the CA file as CA certificates, the certificate with its key (unencrypted, and the key
of that certificate); last, the certificate is presented in a TLS handshake in memory, as the service
presents it (as a server or as a client), to a peer that trusts only the CA file: an expired
certificate, one not valid yet, or one whose extended key usage does not allow that use is refused.
One that does not chain to the CA file only gets a warning: the CA file verifies the peers, which
may have a CA of their own. One function decides; the module tls_files_check only runs it on the host.
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
# OpenSSL's verify errors that mean "not issued under this CA file" (a doubt, not a refusal: 7 is a CA of
# the same name that did not sign it), and the fix for those that refuse.
_OTHER_ISSUER = frozenset([2, 7, 18, 19, 20, 21])
_FIXES = {
    9: "check this host's clock, or wait until the certificate is valid",
    10: "renew the certificate (or the CA that has expired)",
    26: "issue the certificate with an extended key usage that allows {purpose}Auth, or with none",
}
# Go (the engine, Consul, etcd) trusts every certificate in a CA file, an intermediate one too (Python 3.9's
# ssl has no name for OpenSSL's flag).
_PARTIAL_CHAIN = getattr(ssl, "VERIFY_X509_PARTIAL_CHAIN", 0x80000)


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


def _by_role(files):
    """(variable, path) of the CA, the certificate and the key, by their variables' names; None when the names
    do not say which file is which."""
    by_role = dict((_role_of(variable), (variable, path)) for variable, path in files.items())
    return (by_role["ca"], by_role["cert"], by_role["key"]) if sorted(by_role) == ["ca", "cert", "key"] else None


def _not_loadable(files, read):
    """Why the CA, certificate and key do not load as the services load them, or "" (also when the names
    do not say which file is which)."""
    by_role = _by_role(files)
    if not by_role:
        return ""
    (ca_variable, ca), (cert_variable, cert), (key_variable, key) = by_role
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


def _contexts(ca, cert, key, purpose):
    """The TLS client and server contexts of a handshake in which the certificate is presented as `purpose`
    ('server' or 'client') and the other end verifies it against the CA file only."""
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.check_hostname = False
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # A server needs a certificate to answer at all: when it is the verifying end, it uses the same one.
    server.load_cert_chain(cert, key, password=lambda: b"")
    presenter, verifier = (server, client) if purpose == "server" else (client, server)
    presenter.verify_mode = ssl.CERT_NONE
    if purpose == "client":
        client.load_cert_chain(cert, key, password=lambda: b"")
    verifier.verify_mode = ssl.CERT_REQUIRED
    verifier.load_verify_locations(cafile=ca)
    verifier.verify_flags = (verifier.verify_flags | _PARTIAL_CHAIN) & ~getattr(ssl, "VERIFY_X509_STRICT", 0)
    return client, server


def verify_error(ca, cert, key, purpose):
    """OpenSSL's (code, message) for the certificate presented as `purpose` to an end that trusts only the
    CA file, from a TLS handshake in memory; None when it verifies, or when the handshake fails for any
    other reason (this check then has nothing to say: the service's own start is the judge)."""
    verification_error = getattr(ssl, "SSLCertVerificationError", None)
    if verification_error is None:
        return None
    try:
        client_context, server_context = _contexts(ca, cert, key, purpose)
        to_server, to_client = ssl.MemoryBIO(), ssl.MemoryBIO()
        ends = [client_context.wrap_bio(to_client, to_server),
                server_context.wrap_bio(to_server, to_client, server_side=True)]
        finished = set()
        # A TLS 1.3 handshake takes three flights; a few more rounds cost nothing.
        for _round in range(8):
            for end in ends:
                if end not in finished:
                    try:
                        end.do_handshake()
                        finished.add(end)
                    except ssl.SSLWantReadError:
                        pass
            if len(finished) == len(ends):
                return None
    except verification_error as exc:
        return exc.verify_code, exc.verify_message
    except (ssl.SSLError, ValueError, OSError):
        return None
    return None


def _not_verified(files, purpose, who, warnings):
    """Why the certificate is refused when presented as `purpose` to an end that trusts the CA file, or "";
    a certificate issued under another CA only adds a warning."""
    by_role = _by_role(files)
    if not by_role:
        return ""
    (ca_variable, ca), (cert_variable, cert), (_key_variable, key) = by_role
    error = verify_error(ca, cert, key, purpose)
    if error is None:
        return ""
    code, message = error
    if code in _OTHER_ISSUER:
        warnings.append("%s: %s=%s is not issued under %s=%s (%s). That works only where the peers check this host"
                        " with another CA; usually one CA signs every certificate."
                        % (who, cert_variable, cert, ca_variable, ca, message))
        return ""
    return "%s=%s is refused as a %s certificate by an end that trusts %s=%s (%s): %s" % (
        cert_variable, cert, purpose, ca_variable, ca, message,
        _FIXES.get(code, "give a certificate that verifies against that CA").format(purpose=purpose))


def problem(files, who, readable_by="", purpose="server", warnings=None, isfile=os.path.isfile, exists=os.path.exists,
            read=read_head):
    """Why the TLS files in `files` (variable name -> path, empty when unset) cannot be used, or "".

    `who` starts the message (the role and the host); `readable_by` names who must read them; `purpose` is how
    the service presents the certificate ('server' or 'client'). Doubts that do not refuse are appended to
    `warnings`."""
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
    heads = {}

    def read_once(path):
        """The PEM check and the encrypted-key check look at the same first part of the key file."""
        if path not in heads:
            heads[path] = read(path)
        return heads[path]

    not_pem = [reason for reason in (_not_pem(variable, path, read_once) for variable, path in given) if reason]
    if not_pem:
        return ("%s: %s. Give PEM files: certificates (-----BEGIN CERTIFICATE-----) and, in the key file, "
                "a private key (-----BEGIN ... PRIVATE KEY-----)." % (who, "; ".join(not_pem)))
    not_loadable = _not_loadable(dict(given), read_once)
    if not_loadable:
        return ("%s: %s. Give the CA's certificate, this host's certificate signed by it, and that "
                "certificate's own private key." % (who, not_loadable))
    not_verified = _not_verified(dict(given), purpose, who, [] if warnings is None else warnings)
    return "%s: %s." % (who, not_verified) if not_verified else ""
