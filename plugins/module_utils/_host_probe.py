# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The preflight's read-only facts of one docker host, in one module run (private to this collection).

What the role used to read with one command task each: addresses and routes (``ip -j``), the
engine version, whether a VXLAN device (and an IPsec ESP state) can be made in a throwaway
network namespace. The decisions stay in _preflight (pure logic); this only runs commands.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import socket

from ansible_collections.cnm.overlay.plugins.module_utils._api_client import DockerClient, DockerError, NotFound, quote_path
from ansible_collections.cnm.overlay.plugins.module_utils._daemon_config import processes

VXLAN_PROBE = ["unshare", "--net", "--", "sh", "-c",
               "ip link add cnm-pf-vx type vxlan id 4242 dstport 4789 && ip link del cnm-pf-vx"]
# Docker's encrypted overlay uses ESP with AES-GCM (rfc4106).
IPSEC_PROBE = ["unshare", "--net", "--", "ip", "xfrm", "state", "add", "src", "192.0.2.1", "dst", "192.0.2.2",
               "proto", "esp", "spi", "0x1000", "reqid", "1", "mode", "transport",
               "aead", "rfc4106(gcm(aes))", "0x" + "00" * 20, "128"]


def _error(rc, out, err, fallback):
    return "" if rc == 0 else (err or out or fallback).strip()


def collect(run_command, vxlan=True, ipsec=False, image=None):
    """Raw facts of this host. run_command(argv) -> (rc, stdout, stderr), as AnsibleModule's."""
    facts = {}
    rc, out, err = run_command(["ip", "-j", "addr", "show"])
    try:
        facts["addresses"] = json.loads(out) if rc == 0 else None
    except ValueError:
        facts["addresses"] = None
    facts["ip_error"] = _error(rc, "", err, "ip -j addr show failed") if facts["addresses"] is None else ""
    routes = []
    for family in ("-4", "-6"):
        rc, out, err = run_command(["ip", "-j", family, "route", "show", "table", "main"])
        if rc == 0:
            try:
                routes.extend(json.loads(out or "[]"))
            except ValueError:
                pass
    facts["routes"] = routes
    rc, out, err = run_command(["docker", "version", "--format", "{{.Server.Version}}"])
    facts["engine_version"] = out.strip() if rc == 0 else ""
    facts["engine_error"] = _error(rc, "", err, "docker version failed (rc %s)" % rc)
    facts["vxlan_error"] = ""
    if vxlan:
        rc, out, err = run_command(VXLAN_PROBE)
        if rc != 0:
            facts["vxlan_error"] = "cannot create a VXLAN interface: " + _error(rc, out, err, "rc %s" % rc)
    facts["image"] = image_availability(image) if image and facts["engine_version"] else None
    facts["ipsec_error"] = ""
    if ipsec:
        rc, out, err = run_command(IPSEC_PROBE)
        if rc != 0:
            facts["ipsec_error"] = "cannot add an IPsec ESP state: " + _error(rc, out, err, "rc %s" % rc)
    return facts


def image_availability(image, client=None, timeout=30):
    """Where this host's engine would take `image` from: {image, source: local | registry | "", error}.

    Read-only: the image's inspect, else the registry's manifest as the engine sees it (GET /distribution,
    the engine's own registry settings and credentials), which pulls nothing."""
    client = client or DockerClient(timeout=timeout)
    answer = {"image": image, "source": "", "error": ""}
    path = quote_path(image, safe="/:@")
    try:
        try:
            client.get("/images/%s/json" % path)
            answer["source"] = "local"
        except NotFound:
            client.get("/distribution/%s/json" % path)
            answer["source"] = "registry"
    except DockerError as exc:
        answer["error"] = exc.message
    finally:
        client.close()
    return answer


def http_answer(url, timeout, method="GET", data=None, headers=None, ca_path=None, client_cert=None,
                client_key=None, opener=None):
    """One HTTP request, its answer shaped as ansible.builtin.uri's (url, status, content, msg).
    Status -1 when no HTTP answer came; an HTTP error status is an answer, not an exception."""
    if opener is None:
        from ansible.module_utils.urls import open_url as opener
    answer = {"url": url, "status": -1, "content": "", "msg": ""}
    try:
        response = opener(url, timeout=timeout, ca_path=ca_path or None, client_cert=client_cert or None,
                          client_key=client_key or None, method=method, data=data, headers=headers or {})
        answer.update(status=response.getcode(), content=response.read().decode("utf-8", "replace"), msg="OK")
    except Exception as exc:  # pylint: disable=broad-except  # every failure is the caller's finding
        code = getattr(exc, "code", None)
        if isinstance(code, int):
            body = exc.read() if hasattr(exc, "read") else b""
            answer.update(status=code, content=(body or b"").decode("utf-8", "replace"), msg="HTTP Error %s: %s" % (code, getattr(exc, "reason", exc)))
        else:
            reason = getattr(exc, "reason", None) or exc
            if isinstance(reason, socket.timeout):
                # The operator's bound on the wait, named: a store that drops packets costs this much per URL.
                reason = "no answer within %s s (timed out)" % timeout
            answer["msg"] = "Request failed: %s" % reason
    return answer


def store_answers(urls, timeout, ca_path=None, client_cert=None, client_key=None, opener=None):
    """GET every store health URL (answers as http_answer's), which _preflight.store_problem reads."""
    return [http_answer(url, timeout, ca_path=ca_path, client_cert=client_cert, client_key=client_key, opener=opener)
            for url in urls]


def store_presence(data_dirs, process_names, proc="/proc"):
    """What this host has of a key-value store already: {data_dirs: [those holding data], processes: [those running]}.

    A directory holds data when it has an entry whose name does not start with a dot (a package makes
    the directory empty; a user's skeleton files are no store data)."""
    with_data = []
    for path in data_dirs:
        try:
            entries = [name for name in os.listdir(path) if not name.startswith(".")]
        except OSError:  # missing, or not a directory
            continue
        if entries:
            with_data.append(path)
    running = set(name for _directory, name in processes(proc))
    return {"data_dirs": with_data, "processes": [name for name in process_names if name in running]}
