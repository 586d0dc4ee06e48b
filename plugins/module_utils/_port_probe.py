# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Short-lived port probes between docker hosts (private to this collection).

A listener on the target binds each port it can and records which peers' tokens arrive;
senders on the peers connect (TCP) or send a burst of datagrams (UDP). When a port is
already taken (dockerd's gossip on 7946, the kernel's VXLAN socket on 4789) nothing is
disturbed: TCP is judged by the peers' connects reaching whoever owns the port, UDP by a
packet socket that sees the datagrams arrive on the host's interfaces.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import os
import select
import socket
import struct
import threading
import time

TOKEN_PREFIX = "cnm-preflight"
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4


def make_token(run_id, sender, check):
    return ("%s/%s/%s/%s" % (TOKEN_PREFIX, run_id, sender, check)).encode("ascii")


def parse_token(data, run_id):
    """(sender, check) from a probe payload of this run, or None for anything else."""
    try:
        text = data.decode("ascii").strip()
    except (UnicodeDecodeError, AttributeError):
        return None
    parts = text.split("/")
    if len(parts) != 5 or parts[0] != TOKEN_PREFIX or parts[1] != run_id:
        return None
    return parts[2], "%s/%s" % (parts[3], parts[4])


def parse_ipv4_udp(packet):
    """(destination port, payload) of an IPv4 UDP packet, or None."""
    if len(packet) < 28 or packet[0] >> 4 != 4 or packet[9] != 17:
        return None
    header = (packet[0] & 0x0F) * 4
    if len(packet) < header + 8:
        return None
    dport = struct.unpack("!H", packet[header + 2:header + 4])[0]
    return dport, packet[header + 8:]


class Listener(object):
    """Binds the probe ports, records tokens until every expected peer was heard or time runs out."""

    def __init__(self, checks, bind_address, expect, run_id, timeout):
        self.checks = list(checks)
        self.bind_address = bind_address
        self.expect = set(expect)
        self.run_id = run_id
        self.timeout = timeout
        self.state = dict((check, {"mode": None, "heard": [], "error": None}) for check in self.checks)
        self._sockets = {}
        self._capture = None
        self._capture_ports = {}
        # Peers whose token arrived on any port: their listener is bound (a peer binds before it sends).
        self.seen = set()

    def bind(self):
        for check in self.checks:
            proto, port = check.split("/")
            try:
                if proto == "tcp":
                    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    sock.bind((self.bind_address, int(port)))
                    sock.listen(64)
                else:
                    # No SO_REUSEADDR for UDP: it would let us share a port another socket owns.
                    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    sock.bind((self.bind_address, int(port)))
                self._sockets[sock] = (check, proto)
                self.state[check]["mode"] = "bound"
            except (OSError, socket.error) as exc:
                if exc.errno != errno.EADDRINUSE:
                    self.state[check].update(mode="error", error="bind %s:%s: %s" % (self.bind_address, port, exc))
                elif proto == "udp" and self._open_capture():
                    self._capture_ports[int(port)] = check
                    self.state[check]["mode"] = "capture"
                else:
                    self.state[check]["mode"] = "in_use"
        return self.state

    def _open_capture(self):
        if self._capture is None:
            try:
                self._capture = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
            except (OSError, socket.error, AttributeError):
                self._capture = False
        return bool(self._capture)

    def waiting(self):
        return [check for check, state in self.state.items()
                if state["mode"] in ("bound", "capture") and not self.expect.issubset(state["heard"])]

    def _record(self, token, check):
        if token and token[0] in self.expect:
            self.seen.add(token[0])
        if token and token[1] == check and token[0] in self.expect and token[0] not in self.state[check]["heard"]:
            self.state[check]["heard"].append(token[0])

    def readers(self):
        return list(self._sockets) + ([self._capture] if self._capture else [])

    def poll(self, seconds):
        """Read whatever arrives within `seconds`."""
        readers = self.readers()
        if not readers:
            time.sleep(max(seconds, 0))
            return
        ready, _w, _x = select.select(readers, [], [], max(seconds, 0))
        for sock in ready:
            self._read(sock)

    def finish(self, started):
        for state in self.state.values():
            state["waited"] = round(time.time() - started, 1)
        return self.state

    def run(self):
        started = time.time()
        deadline = started + self.timeout
        while self.waiting() and self.readers():
            remaining = deadline - time.time()
            if remaining <= 0:
                break
            self.poll(min(remaining, 0.5))
        return self.finish(started)

    def _read(self, sock):
        if sock is self._capture:
            packet, address = sock.recvfrom(65535)
            if len(address) > 2 and address[2] == PACKET_OUTGOING:
                return
            parsed = parse_ipv4_udp(bytearray(packet))
            if parsed and parsed[0] in self._capture_ports:
                self._record(parse_token(bytes(parsed[1]), self.run_id), self._capture_ports[parsed[0]])
            return
        check, proto = self._sockets[sock]
        if proto == "udp":
            data, _address = sock.recvfrom(2048)
            self._record(parse_token(data, self.run_id), check)
            return
        conn, _address = sock.accept()
        try:
            conn.settimeout(2)
            self._record(parse_token(conn.recv(2048), self.run_id), check)
        except (OSError, socket.error):
            pass
        finally:
            conn.close()

    def close(self):
        for sock in list(self._sockets) + ([self._capture] if self._capture else []):
            sock.close()


def listen(checks, bind_address, expect, run_id, timeout, ready_file=None):
    """Bind, announce readiness in ready_file (removed again at the end), record tokens."""
    listener = Listener(checks, bind_address, expect, run_id, timeout)
    try:
        listener.bind()
        if ready_file:
            with open(ready_file, "w") as handle:
                json.dump(listener.state, handle)
        return listener.run()
    finally:
        listener.close()
        if ready_file and os.path.exists(ready_file):
            os.unlink(ready_file)


def _tcp_send(target, token, timeout, result, retry_until=None):
    """Connect and send the token. With retry_until, a refused connect is retried until then
    (the peer's listener may bind a moment later when every host probes in one run)."""
    while True:
        try:
            sock = socket.create_connection((target["address"], int(target["port"])), timeout=timeout)
            try:
                sock.sendall(token)
            finally:
                sock.close()
            result.update(ok=True, error=None)
            return
        except (OSError, socket.error) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__
            result.update(ok=False, error="TCP connect to %s:%s: %s" % (target["address"], target["port"], reason))
            if not (retry_until and getattr(exc, "errno", None) == errno.ECONNREFUSED and time.time() + 0.1 < retry_until):
                return
            time.sleep(0.1)


def _start_probes(targets, run_id, name, tcp_timeout, retry_until=None):
    """A result per target; TCP connects start at once in threads, UDP targets are returned to send to.

    Returns (results, threads, [(target, token, result)] of the UDP targets)."""
    results, threads, udp = [], [], []
    for target in targets:
        check = "%s/%s" % (target["proto"], target["port"])
        result = dict(target, check=check, ok=None, error=None)
        results.append(result)
        token = make_token(run_id, name, check)
        if target["proto"] == "tcp":
            thread = threading.Thread(target=_tcp_send, args=(target, token, tcp_timeout, result, retry_until))
            # Waited for by the caller; a daemon thread never holds the module's exit past its deadline.
            thread.daemon = True
            thread.start()
            threads.append(thread)
        else:
            udp.append((target, token, result))
    return results, threads, udp


def send(targets, name, run_id, timeout, udp_count=5, udp_interval=0.2):
    """Connect to every TCP target (in parallel) and send a burst to every UDP target.

    TCP results say whether the connect succeeded; UDP results only how many datagrams
    left (the target's listener says whether they arrived)."""
    results, threads, udp = _start_probes(targets, run_id, name, timeout)
    if udp:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            for round_number in range(udp_count):
                for target, token, result in udp:
                    try:
                        sock.sendto(token, (target["address"], int(target["port"])))
                        result["sent"] = result.get("sent", 0) + 1
                    except (OSError, socket.error) as exc:
                        result["error"] = "send to %s:%s: %s" % (target["address"], target["port"], exc)
                if round_number + 1 < udp_count:
                    time.sleep(udp_interval)
        finally:
            sock.close()
        for _target, _token, result in udp:
            result["ok"] = bool(result.get("sent"))
    for thread in threads:
        thread.join()
    return results


def exchange(checks, bind_address, expect, run_id, name, targets, timeout, udp_interval=0.1, settle_rounds=3):
    """Listen and send in one run, on every host at once (no async job, no ready file).

    Each host binds its ports first, then probes its peers: TCP connects retry while refused
    (the peer may bind a moment later); datagrams go to a peer every `udp_interval` until a
    token of that peer arrived here (so its listener is bound) and `settle_rounds` more rounds
    went out. A peer never heard from is sent to until the deadline; so is every peer when
    this host can hear nothing (all its ports owned by others and no packet socket), because
    then it cannot tell when a peer is bound. The listener stops as with listen().
    Returns (ports, results) as listen() and send() do."""
    started = time.time()
    deadline = started + timeout
    listener = Listener(checks, bind_address, expect, run_id, timeout)
    try:
        listener.bind()
        results, threads, udp = _start_probes(targets, run_id, name, min(3, timeout), deadline)
        can_hear = bool(listener.readers())
        rounds_after_seen = dict((target["host"], 0) for target, _token, _result in udp)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            while time.time() < deadline:
                pending = [item for item in udp
                           if not can_hear or rounds_after_seen[item[0]["host"]] < settle_rounds]
                for target, token, result in pending:
                    try:
                        sock.sendto(token, (target["address"], int(target["port"])))
                        result["sent"] = result.get("sent", 0) + 1
                        result["error"] = None
                    except (OSError, socket.error) as exc:
                        result["error"] = "send to %s:%s: %s" % (target["address"], target["port"], exc)
                for host in set(item[0]["host"] for item in pending):
                    if host in listener.seen:
                        rounds_after_seen[host] += 1
                if not pending and not listener.waiting() and not any(thread.is_alive() for thread in threads):
                    break
                listener.poll(min(udp_interval, max(deadline - time.time(), 0)))
        finally:
            sock.close()
        for _target, _token, result in udp:
            result["ok"] = bool(result.get("sent"))
        for thread in threads:
            thread.join(max(deadline - time.time(), 0) + 1)
        return listener.finish(started), results
    finally:
        listener.close()
