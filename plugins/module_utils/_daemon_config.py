# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a change to daemon.json depends on, read in one module run (private to this collection).

The dockerd binary (path, version, the cluster-store backends built into it) or, without one,
the version of the package the distribution would install; the running daemon's command line
and the current daemon.json. Reading only: decisions stay with the caller.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import mmap
import os
import re

DOCKERD_PATHS = ("/usr/sbin/dockerd", "/usr/bin/dockerd")
# libnetwork registers each libkv backend it was built with; Go keeps their package paths in the
# binary, stripped or not.
_BACKEND = re.compile(rb"libkv/store/(consul|etcd|zookeeper)")
ALL_BACKENDS = ("consul", "etcd", "zookeeper")


def find_dockerd(candidates, exists=os.path.exists):
    """The first candidate path that exists, or ""."""
    return next((path for path in candidates if exists(path)), "")


def store_backends(path):
    """The libkv backends whose package paths are in the binary at `path`, sorted."""
    found = set()
    with open(path, "rb") as binary:
        if os.fstat(binary.fileno()).st_size == 0:
            return []
        with mmap.mmap(binary.fileno(), 0, access=mmap.ACCESS_READ) as data:
            for match in _BACKEND.finditer(data):
                found.add(match.group(1).decode())
                if len(found) == len(ALL_BACKENDS):
                    break
    return sorted(found)


def processes(proc="/proc"):
    """(directory under proc, name as in comm) of every running process, in PID order."""
    for pid in sorted((p for p in os.listdir(proc) if p.isdigit()), key=int):
        directory = os.path.join(proc, pid)
        try:
            with open(os.path.join(directory, "comm"), encoding="utf-8") as comm:
                name = comm.read().strip()
        except (IOError, OSError):
            continue  # the process ended meanwhile
        yield directory, name


def daemon_command_lines(proc="/proc"):
    """The command line of every running dockerd, as `ps -C dockerd -o args=` prints it."""
    lines = []
    for directory, name in processes(proc):
        if name != "dockerd":
            continue
        try:
            with open(os.path.join(directory, "cmdline"), "rb") as cmdline:
                args = cmdline.read().split(b"\0")
        except (IOError, OSError):
            continue  # the process ended meanwhile
        lines.append(" ".join(arg.decode("utf-8", "replace") for arg in args if arg))
    return lines


def parse_daemon_json(text):
    """(content, error) of daemon.json's text: error names what is wrong, content is None then."""
    try:
        return json.loads(text), ""
    except ValueError as exc:
        return None, str(exc)


def package_candidate(policy_text):
    """The Candidate version in `apt-cache policy` output, or "" (none, or "(none)")."""
    match = re.search(r"^\s*Candidate:\s*(\S+)", policy_text, re.MULTILINE)
    return match.group(1) if match and match.group(1) != "(none)" else ""


def json_file(path):
    """exists, text, content and error (why it is not valid JSON) of a JSON file; content None unless valid."""
    if not path or not os.path.exists(path):
        return dict(exists=False, text="", content=None, error="")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    content, error = parse_daemon_json(text)
    return dict(exists=True, text=text, content=content, error=error)


def read(daemon_json, dockerd, run_command, apt_cache=None, record_file=""):
    """Facts for the caller; run_command(argv) -> (rc, stdout, stderr), as AnsibleModule's.

    apt_cache: path of apt-cache, asked for the docker.io package's version when there is no dockerd.
    record_file: a JSON file in which a role keeps the daemon.json settings it wrote ("": none)."""
    candidates = [dockerd] if dockerd else list(DOCKERD_PATHS)
    facts = dict(dockerd=find_dockerd(candidates), dockerd_candidates=candidates, version_text="",
                 store_backends=[], package_version="", command_lines=daemon_command_lines(),
                 daemon_json=json_file(daemon_json), record=json_file(record_file))
    if facts["dockerd"]:
        rc, out, err = run_command([facts["dockerd"], "--version"])
        facts["version_text"] = out.strip() if rc == 0 else ""
        facts["store_backends"] = store_backends(facts["dockerd"])
    elif apt_cache:
        rc, out, err = run_command([apt_cache, "policy", "docker.io"])
        facts["package_version"] = package_candidate(out) if rc == 0 else ""
    return facts


def daemon_json_text(content):
    """daemon.json's text for `content`, as the roles write it (to_nice_json with indent 2, and a newline)."""
    return json.dumps(content, indent=2, sort_keys=True, separators=(",", ": ")) + "\n"


def daemon_json_differs(found, content):
    """Whether daemon.json as json_file() read it holds another object than `content` (its layout does not count,
    so a file written by hand or by an older role with the same settings is not rewritten, and no engine restarts)."""
    return not (found["exists"] and not found["error"] and found["content"] == content)
