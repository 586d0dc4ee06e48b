# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The record of the last finished site.yml run on a host, and the comparison with now.

A record holds what site.yml's inputs were (one digest) and what the host looked like when the
run had finished: every file under the watched paths (checksum, owner, mode), the executables of
the watched processes, the engine's cluster-store and swarm settings, the watched networks' IDs and
the host's own IPv4 addresses. A re-run whose inputs are the same and whose host looks the same has
nothing to converge. Watching more than the roles manage only costs a full run now and then;
watching less would miss a drift, so the watched paths are broad (all of /etc by default).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import stat

from ansible_collections.cnm.overlay.plugins.module_utils._api_client import DockerError, NotFound, quote_path
from ansible_collections.cnm.overlay.plugins.module_utils._daemon_config import processes

RECORD_VERSION = 1
ABSENT = "-"
# Interfaces that Docker makes and removes by itself: their addresses are not the host's.
DOCKER_INTERFACE_PREFIXES = ("docker", "br-", "veth", "vx-", "ov-")
# What most differences are shown as; the rest are counted.
SHOWN_DIFFERENCES = 10


def _file_digest(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def path_entry(path):
    """One line that changes when the file's kind, content, owner or mode does."""
    try:
        info = os.lstat(path)
    except (IOError, OSError):
        return ABSENT
    owner = "%d:%d:%o" % (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode))
    if stat.S_ISLNK(info.st_mode):
        return "link " + os.readlink(path)
    if stat.S_ISDIR(info.st_mode):
        return "dir " + owner
    if stat.S_ISREG(info.st_mode):
        try:
            return "file %s %s" % (owner, _file_digest(path))
        except (IOError, OSError) as exc:
            return "file %s unreadable (%s)" % (owner, exc.strerror)
    return "special " + owner


def observe_paths(paths):
    """Every entry under the given paths (directories are walked, symbolic links not followed)."""
    entries = {}
    for root in paths:
        entries[root] = path_entry(root)
        if not entries[root].startswith("dir "):
            continue
        for directory, subdirs, files in os.walk(root, onerror=lambda error: None):
            for name in subdirs + files:
                path = os.path.join(directory, name)
                entries[path] = path_entry(path)
    return entries


def observe_processes(names, proc="/proc"):
    """The executable of the first running process of each name (its path, size and change time)."""
    found = dict((name, ABSENT) for name in names)
    for directory, name in processes(proc):
        if found.get(name, None) != ABSENT:
            continue
        try:
            exe = os.readlink(os.path.join(directory, "exe"))
        except (IOError, OSError):
            continue  # the process ended meanwhile, or is a kernel thread
        try:
            info = os.stat(exe)
            found[name] = "running %s %d %d" % (exe, info.st_size, int(info.st_mtime))
        except (IOError, OSError):
            found[name] = "running %s (replaced on disk)" % exe
    return found


def parse_addresses(ip_output):
    """The host's IPv4 addresses from `ip -o -4 addr show`, without Docker's own interfaces."""
    addresses = []
    for line in ip_output.splitlines():
        fields = line.split()
        if len(fields) < 4 or fields[2] != "inet":
            continue
        interface = fields[1].split("@")[0]
        if not interface.startswith(DOCKER_INTERFACE_PREFIXES):
            addresses.append("%s %s" % (interface, fields[3]))
    return sorted(addresses)


def observe_engine(client, networks):
    """The engine's settings that the site sets, and the IDs of the watched networks."""
    try:
        info = client.get("/info")
    except DockerError as exc:
        return {"engine": "not answering: %s" % exc.message}
    swarm = info.get("Swarm") or {}
    observed = {
        "engine": "%s cluster-store=%s cluster-advertise=%s swarm=%s node=%s manager=%s" % (
            info.get("ServerVersion"), info.get("ClusterStore") or "", info.get("ClusterAdvertise") or "",
            swarm.get("LocalNodeState") or "", swarm.get("NodeID") or "", bool(swarm.get("ControlAvailable"))),
    }
    for name in networks:
        try:
            observed["network " + name] = client.get("/networks/" + quote_path(name)).get("Id", ABSENT)
        except NotFound:
            observed["network " + name] = ABSENT
        except DockerError as exc:
            observed["network " + name] = "unreadable: %s" % exc.message
    return observed


def observe(watch, client_factory, run_command, proc="/proc"):
    """What the host looks like now, for the watch list of a record."""
    observed = {}
    observed.update(("path " + path, entry) for path, entry in observe_paths(watch.get("paths", [])).items())
    observed.update(("process " + name, entry)
                    for name, entry in observe_processes(watch.get("processes", []), proc).items())
    if watch.get("addresses"):
        rc, out, err = run_command(["ip", "-o", "-4", "addr", "show"])
        observed["addresses"] = ", ".join(parse_addresses(out)) if rc == 0 else "unreadable: %s" % err.strip()
    if watch.get("engine"):
        client = client_factory()
        try:
            observed.update(observe_engine(client, watch.get("networks", [])))
        finally:
            client.close()
    return observed


def make_record(inputs, watch, observed):
    return {"version": RECORD_VERSION, "inputs": inputs, "watch": watch, "observed": observed}


def read_record(path):
    """The record at path, or None when there is none (or it is not one this code wrote)."""
    try:
        with open(path) as handle:
            record = json.load(handle)
    except (IOError, OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("version") != RECORD_VERSION:
        return None
    return record


def write_record(path, record):
    """Write the record (0600, atomically); False when the same record is there already."""
    if read_record(path) == record:
        return False
    directory = os.path.dirname(path)
    if directory and not os.path.isdir(directory):
        os.makedirs(directory, 0o700)
    temporary = path + ".tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(record, handle, sort_keys=True, indent=1)
    os.rename(temporary, path)
    return True


def differences(recorded, observed):
    """What changed, one line each: `<what>: <then> -> <now>` (sorted, all of them)."""
    lines = []
    for key in sorted(set(recorded) | set(observed)):
        then, now = recorded.get(key, ABSENT), observed.get(key, ABSENT)
        if then != now:
            lines.append("%s: %s -> %s" % (key, _short(then), _short(now)))
    return lines


def _short(entry):
    # A checksum tells nothing to the reader: "file 0:0:644 <sha>" reads as "file 0:0:644 (content ...)".
    parts = entry.split(" ")
    if parts[0] == "file" and len(parts) == 3 and len(parts[2]) == 64:
        return "file %s sha256:%s" % (parts[1], parts[2][:12])
    return entry


def compare(record, inputs, observe_now):
    """Why the host must be converged (an empty list: it is as the last finished run left it)."""
    if record is None:
        return ["no record of a finished run on this host"]
    if record.get("inputs") != inputs:
        return ["the inputs changed since the last finished run (variables, inventory or the collection)"]
    found = differences(record.get("observed", {}), observe_now(record.get("watch", {})))
    if len(found) > SHOWN_DIFFERENCES:
        found = found[:SHOWN_DIFFERENCES] + ["and %d more" % (len(found) - SHOWN_DIFFERENCES)]
    return found


def record_path_argument_spec():
    """The options both modules share: where the record is, and this run's inputs."""
    return dict(path=dict(type="path", default="/var/lib/cnm-overlay/site-record.json"),
                inputs=dict(type="str", default=""))


def observer(module, client_for_module):
    """observe() bound to a module's engine connection and command runner."""
    return lambda watch: observe(watch, lambda: client_for_module(module), module.run_command)
