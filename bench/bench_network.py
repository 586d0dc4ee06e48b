"""Time cnm.overlay.docker_cnm_network against community.docker.docker_network.

Both run through ansible-playbook against the local engine, as a user would run them:
create, unchanged re-check and remove of one network (median of --runs runs each), then
50 networks created and re-checked (the peer loops over them, docker_cnm_network takes
them as one `networks:` list). Prints the medians and the ratios cnm/peer.

Run from the repository root:  /work/venv/bin/python bench/bench_network.py [--runs 5] [--count 50]
It creates and removes networks named cnmt-net-bench-* in 10.201.150.0/24 - 10.201.255.0/24.
Not a test: the numbers depend on the machine; docs/benchmarks.md records measured ones.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLAYBOOK_BIN = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
PREFIX = "cnmt-net-bench-"

PLAY = """- name: Bench
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
%s
"""


def single_task(module, name, state, subnet):
    spec = dict(name=name, state=state)
    if state == "present":
        spec["ipam_config"] = [dict(subnet=subnet)]
    return "    - name: One network\n      %s: %s\n" % (module, json.dumps(spec))


def loop_task(module, specs):
    """The peer's way to many networks: a loop, one module run per network."""
    return ("    - name: Many networks\n      %s:\n        name: \"{{ item.name }}\"\n"
            "        ipam_config: \"{{ item.ipam_config }}\"\n      loop: %s\n" % (module, json.dumps(specs)))


def list_task(specs):
    return "    - name: Many networks\n      cnm.overlay.docker_cnm_network: %s\n" % json.dumps(dict(networks=specs))


def ping_task():
    return "    - name: Baseline\n      ansible.builtin.ping:\n"


def play(tasks):
    """Run a playbook; returns its wall time in seconds; fails loudly if the play failed."""
    with tempfile.NamedTemporaryFile("w", suffix=".yml", dir=REPO, delete=False) as handle:
        handle.write(PLAY % tasks)
        path = handle.name
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    try:
        start = time.monotonic()
        proc = subprocess.run([PLAYBOOK_BIN, "-i", "localhost,", "-e", "ansible_python_interpreter=%s" % sys.executable,
                               path], capture_output=True, text=True, cwd=REPO, env=env, check=False)
        elapsed = time.monotonic() - start
    finally:
        os.unlink(path)
    if proc.returncode != 0:
        sys.exit("playbook failed:\n%s\n%s" % (proc.stdout[-3000:], proc.stderr[-3000:]))
    return elapsed


def remove_networks(names):
    existing = subprocess.run(["docker", "network", "ls", "--format", "{{.Name}}"], capture_output=True, text=True,
                              check=True).stdout.split()
    doomed = [name for name in names if name in existing]
    if doomed:
        subprocess.run(["docker", "network", "rm"] + doomed, capture_output=True, check=True)


def bench_single(module, runs):
    name = PREFIX + "one"
    subnet = "10.201.150.0/24"
    times = dict(create=[], recheck=[], remove=[])
    remove_networks([name])
    for _run in range(runs):
        times["create"].append(play(single_task(module, name, "present", subnet)))
        times["recheck"].append(play(single_task(module, name, "present", subnet)))
        times["remove"].append(play(single_task(module, name, "absent", subnet)))
    return dict((key, statistics.median(values)) for key, values in times.items())


def bench_many(module, count):
    specs = [dict(name="%smany-%02d" % (PREFIX, index), ipam_config=[dict(subnet="10.201.%d.0/24" % (160 + index))])
             for index in range(count)]
    names = [spec["name"] for spec in specs]
    remove_networks(names)
    task = list_task(specs) if module.startswith("cnm.") else loop_task(module, specs)
    try:
        created = play(task)
        rechecked = play(task)
    finally:
        remove_networks(names)
    return dict(create=created, recheck=rechecked)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per single operation (median)")
    parser.add_argument("--count", type=int, default=50, help="networks in the many-networks case (at most 90)")
    args = parser.parse_args()
    ours, peer = "cnm.overlay.docker_cnm_network", "community.docker.docker_network"

    baseline = statistics.median(play(ping_task()) for _run in range(args.runs))
    single = dict((module, bench_single(module, args.runs)) for module in (ours, peer))
    many = dict((module, bench_many(module, args.count)) for module in (ours, peer))

    print("ansible-playbook with one ansible.builtin.ping task: %.2f s (median of %d)" % (baseline, args.runs))
    print("%-22s %10s %10s %7s" % ("operation", "cnm (s)", "peer (s)", "ratio"))
    for operation in ("create", "recheck", "remove"):
        a, b = single[ours][operation], single[peer][operation]
        print("%-22s %10.2f %10.2f %7.2f" % ("single %s" % operation, a, b, a / b))
    for operation in ("create", "recheck"):
        a, b = many[ours][operation], many[peer][operation]
        print("%-22s %10.2f %10.2f %7.2f" % ("%d networks %s" % (args.count, operation), a, b, a / b))


if __name__ == "__main__":
    main()
