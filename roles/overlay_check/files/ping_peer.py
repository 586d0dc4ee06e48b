# Run on a docker host: every ping from this host's sandbox to one peer, in one SSH round trip.
# Waits for the first reply (a new overlay endpoint can take seconds), then pings by name,
# by address and (optionally) with don't-fragment at the MTU, the three at once. Prints JSON:
# {"mtu": N, "warmup": {...}, "pings": [{"kind", "rc", "stdout", "stderr"}]}.
# argv: sandbox pid own_address peer_name peer_address mtu(0 = read it) count wait_timeout df(0|1)
import json
import re
import subprocess
import sys
import time

sandbox, pid, own_address, peer, address, mtu, count, wait, df = sys.argv[1:10]


def run(argv):
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)


def done(kind, proc):
    out, err = proc.communicate()
    return {"kind": kind, "rc": proc.returncode, "stdout": out, "stderr": err}


mtu = int(mtu)
if int(df) and not mtu:
    # The MTU of the sandbox's own interface on the network.
    link = done("mtu", run(["nsenter", "-t", pid, "-n", "ip", "addr", "show", "to", own_address + "/32"]))
    found = re.findall(r"mtu ([0-9]+)", link["stdout"])
    mtu = int(found[0]) if found else 1450
# Tried again every second: a name the network's DNS does not know yet (a swarm after its
# manager restarted, an engine that just came back) makes ping fail at once, not wait.
deadline = time.monotonic() + int(wait)
while True:
    warmup = done("warmup", run(["docker", "exec", sandbox, "ping", "-c", "1", "-W", "1", peer]))
    if warmup["rc"] == 0 or time.monotonic() >= deadline:
        break
    time.sleep(1)
commands = [("name", ["docker", "exec", sandbox, "ping", "-c", count, "-i", "0.2", "-W", "2", peer]),
            ("address", ["docker", "exec", sandbox, "ping", "-c", count, "-i", "0.2", "-W", "2", address])]
if int(df):
    # busybox ping cannot set DF: the host's iputils ping inside the sandbox's namespace.
    commands.append(("df", ["nsenter", "-t", pid, "-n", "ping", "-M", "do", "-c", count, "-i", "0.2", "-W", "2",
                            "-s", str(mtu - 28), address]))
running = [(kind, run(argv)) for kind, argv in commands]
print(json.dumps({"mtu": mtu, "warmup": warmup, "pings": [done(kind, proc) for kind, proc in running]}))
