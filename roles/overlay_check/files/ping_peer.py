# Run on a docker host: every ping from this host's sandbox to one peer, in one SSH round trip.
# Waits for the first reply (a new overlay endpoint can take seconds), then pings by name,
# by address and (optionally) with don't-fragment at the MTU, the three at once. Prints JSON:
# {"mtu": N, "warmup": {...}, "pings": [{"kind", "rc", "stdout", "stderr"}], "nudged": ..., "rejoined": ...}.
# argv: sandbox pid own_address peer_name peer_address mtu(0 = read it) count wait_timeout df(0|1) network image
# network, image: when set and the peer's name never resolves while its address answers, a short-lived container
# from image joins the network, and the pings run again. Docker 20.10 with a cluster store drops a store-watch
# event when it cannot read the network's endpoints at that moment (libnetwork's networkWatchLoop), and then
# misses a peer's endpoint until the network's endpoint count changes again: the join is that change.
# When the name still does not resolve, this engine's watch itself has ended: once its connection to the store
# fails, 20.10's store watch waits for a restart that does not come (libnetwork's datastore.Watch). A watch
# starts anew when the network's first local endpoint joins: the sandbox leaves the network and joins it again,
# with its address.
import json
import re
import subprocess
import sys
import time

sandbox, pid, own_address, peer, address, mtu, count, wait, df = sys.argv[1:10]
network, image = (sys.argv[10:12] + ["", ""])[:2]


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


def first_reply(seconds):
    """Ping the peer by name every second until it answers or `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        answer = done("warmup", run(["docker", "exec", sandbox, "ping", "-c", "1", "-W", "1", peer]))
        if answer["rc"] == 0 or time.monotonic() >= deadline:
            return answer
        time.sleep(1)


def pings():
    commands = [("name", ["docker", "exec", sandbox, "ping", "-c", count, "-i", "0.2", "-W", "2", peer]),
                ("address", ["docker", "exec", sandbox, "ping", "-c", count, "-i", "0.2", "-W", "2", address])]
    if int(df):
        # busybox ping cannot set DF: the host's iputils ping inside the sandbox's namespace.
        commands.append(("df", ["nsenter", "-t", pid, "-n", "ping", "-M", "do", "-c", count, "-i", "0.2", "-W", "2",
                                "-s", str(mtu - 28), address]))
    running = [(kind, run(argv)) for kind, argv in commands]
    return [done(kind, proc) for kind, proc in running]


def outcome(result):
    """What the JSON says of a remedy: its exit code and error."""
    return {"rc": result["rc"], "error": result["stderr"].strip()}


def nudge():
    """A container joins the network and leaves: the network's endpoint count changes, and every engine
    watching it reads its endpoints again. Returns its exit code and error."""
    return outcome(done("nudge", run(["docker", "run", "--rm", "--network", network, "--name", sandbox + "-nudge",
                                      image, "true"])))


def rejoin():
    """The sandbox leaves the network and joins it again, keeping its address where the network's subnet is
    configured. Returns the join's exit code and error."""
    done("leave", run(["docker", "network", "disconnect", network, sandbox]))
    joined = done("join", run(["docker", "network", "connect", "--ip", own_address, network, sandbox]))
    if joined["rc"] != 0:
        # "user specified IP address is supported only when connecting to networks with user configured subnets"
        joined = done("join", run(["docker", "network", "connect", network, sandbox]))
    return outcome(joined)


def lost_name(results):
    by_kind = dict((r["kind"], r["rc"]) for r in results)
    return bool(network and image) and by_kind.get("name") != 0 and by_kind.get("address") == 0


# Tried again every second: a name the network's DNS does not know yet (a swarm after its
# manager restarted, an engine that just came back) makes ping fail at once, not wait.
warmup = first_reply(int(wait))
results = pings()
# Each remedy only while the name is still lost, the pings again after it.
remedies = {"nudged": None, "rejoined": None}
for key, remedy in (("nudged", nudge), ("rejoined", rejoin)):
    if not lost_name(results):
        break
    remedies[key] = remedy()
    warmup = first_reply(min(int(wait), 30))
    results = pings()
print(json.dumps(dict({"mtu": mtu, "warmup": warmup, "pings": results}, **remedies)))
