"""Lab fixtures for integration tests: Docker-in-Docker labs made by lab/cnm_lab.py.

`lab_factory(name, generation, init="tini", docker_hosts=2, kv_hosts=1)` brings a lab up (reused by every test that asks for the same
name) and takes it down when the test module that asked for it ends; the labs in SHARED_LABS when the last
module that uses them ends. `make integration` runs the modules in parallel (pytest-xdist with
ModuleScheduling): each module whole on one worker, the modules of SHARED_LAB_MODULES together.
"""

import importlib.util
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from xdist.scheduler import LoadScopeScheduling

from ansible_collections.cnm.overlay.plugins.module_utils._host_probe import IPSEC_PROBE
from cnm_test_runner import machine_busy_seconds, module_time_table

REPO = Path(__file__).resolve().parents[2]
LAB_SCRIPT = REPO / "lab" / "cnm_lab.py"


def _lab_module():
    spec = importlib.util.spec_from_file_location("cnm_lab", LAB_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Lab:
    """One running lab: its inventory and a way to run commands on its nodes."""

    def __init__(self, name, generation, inventory, lab_module, init="tini", docker_hosts=2, kv_hosts=1):
        self.name = name
        self.generation = generation
        self.init = init
        self.inventory = inventory
        self.docker_hosts = docker_hosts
        self.kv_hosts = kv_hosts
        self._lab = lab_module
        self._nodes = {node.name: node for node in lab_module.lab_nodes(docker_hosts, kv_hosts)}

    @property
    def nodes(self):
        """The names of the lab's nodes: the store hosts (kv, kv2, kv3), then n1..nN."""
        return tuple(self._nodes)

    def container(self, node):
        return self._lab.container_name(self.name, self._nodes[node])

    def sh(self, node, command, check=False, timeout=120):
        """Run a shell command inside a lab node; returns CompletedProcess."""
        return subprocess.run(["docker", "exec", self.container(node), "sh", "-c", command],
                              capture_output=True, text=True, timeout=timeout, check=check)

    def write_file(self, node, path, data, mode="644"):
        """Write `data` (text or bytes) to `path` on a node (its directory made), readable as `mode` says."""
        subprocess.run(["docker", "exec", "-i", self.container(node), "sh", "-c",
                        'mkdir -p "$(dirname "$1")" && umask 077 && cat > "$1" && chmod "$2" "$1"', "sh", path, mode],
                       input=data.encode() if isinstance(data, str) else data, capture_output=True, check=True)

    def has_esp(self, node="n1"):
        """Whether the node's kernel (the machine's) can make the IPsec ESP state an encrypted overlay needs:
        the preflight's own probe, in a throwaway network namespace of the node."""
        return subprocess.run(["docker", "exec", self.container(node)] + IPSEC_PROBE,
                              capture_output=True, text=True, timeout=60, check=False).returncode == 0

    def docker_info(self, node):
        return json.loads(self.sh(node, "docker info --format '{{json .}}'", check=True).stdout)

    @property
    def ssh_key(self):
        return str(self._lab.SSH_KEY)

    def host_vars(self, node):
        """Inventory variables that reach one node of this lab over SSH, as the lab's inventory does."""
        with open(self.inventory, encoding="utf-8") as handle:
            groups = yaml.safe_load(handle)["all"]["children"]
        address = next(group["hosts"][node]["ansible_host"] for group in groups.values() if node in group["hosts"])
        return {"ansible_host": address, "ansible_user": "root", "ansible_ssh_private_key_file": self.ssh_key,
                "ansible_python_interpreter": "/usr/bin/python3"}

    def rebuild(self):
        """Make the lab's lost nodes again (fresh, as `cnm_lab.py up` makes them)."""
        lab_up(self.name, self.generation, init=self.init, docker_hosts=self.docker_hosts, kv_hosts=self.kv_hosts)

    def daemon_json(self, node):
        """/etc/docker/daemon.json of a node, byte for byte, or <absent>."""
        result = self.sh(node, "cat /etc/docker/daemon.json")
        return result.stdout if result.returncode == 0 else "<absent>"

    def dockerd_pid(self, node):
        """The PID of the running dockerd ('' when none runs: its pid file can outlive a killed dockerd)."""
        return self.sh(node, "pidof dockerd").stdout.strip()

    def engines(self, nodes):
        """What a restart or a rollback changes on each of nodes: dockerd's PID and daemon.json."""
        return {"dockerd": {node: self.dockerd_pid(node) for node in nodes},
                "daemon_json": {node: self.daemon_json(node) for node in nodes}}

    def environ(self, node, pid):
        """The environment of a process on a node, one NAME=value per line."""
        return self.sh(node, "tr '\\0' '\\n' < /proc/%s/environ" % pid, check=True).stdout.splitlines()

    def kept_secret(self, name):
        """A secret consul_kv keeps on kv (docker.token, management.token, ...)."""
        return self.sh("kv", "cat /etc/cnm-overlay/consul/%s" % name, check=True).stdout.strip()

    def load_sandbox(self, node):
        """Put the sandbox image on a node that is not one of the lab's docker hosts (they have it)."""
        self._lab.load_sandbox(self.container(node))

    def start_on_network(self, node, name, network, image, command="sleep 600"):
        """Start a container on a network as overlay_check does: up to three times, each first removing the
        container and the endpoint of its name. Right after a container went away, an engine with a cluster store
        can fail a start with "network is unreachable" (moby/moby#39036), and that start's rollback can miss the
        store: its endpoint then holds the name ("endpoint with name ... already exists")."""
        name, network, image = (shlex.quote(value) for value in (name, network, image))
        return self.sh(node, "for i in 1 2 3; do docker rm -f {n} >/dev/null 2>&1; "
                             "docker network disconnect --force {w} {n} >/dev/null 2>&1; "
                             "docker run -d --init --name {n} --network {w} {i} {c} >/dev/null && exit 0; sleep 2; "
                             "done; exit 1".format(n=name, w=network, i=image, c=command))

    def overlay_address(self, node, container):
        """A container's address on the site's network, multi."""
        return self.sh(node, "docker inspect -f '{{.NetworkSettings.Networks.multi.IPAddress}}' %s" % container,
                       check=True).stdout.strip()

    def address(self, node):
        return self.sh(node, "ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1", check=True).stdout.strip()


def lab_up(name, generation, fresh=False, init="tini", docker_hosts=None, kv_hosts=None):
    """`cnm_lab.py up`: brings the lab up, or back to all its nodes (a removed node is made again).

    fresh: take down first what an earlier, interrupted session left of a lab of this name.
    init: the nodes' PID 1, tini (init scripts) or systemd.
    docker_hosts, kv_hosts: the lab's sizes (None: as the lab records them, else 2 and 1)."""
    sizes = [] if docker_hosts is None else ["--docker-hosts", str(docker_hosts)]
    sizes += [] if kv_hosts is None else ["--kv-hosts", str(kv_hosts)]
    up = subprocess.run([sys.executable, str(LAB_SCRIPT), "up", "--lab", name, "--generation", generation,
                         "--init", init] + sizes + (["--fresh"] if fresh else []),
                        capture_output=True, text=True, timeout=1800, check=False)
    if up.returncode != 0:
        pytest.fail("lab %s (%s) did not come up:\n%s\n%s" % (name, generation, up.stdout[-3000:], up.stderr[-3000:]))


# Labs that more than one test module uses, and those modules (by name). Every other lab is taken down when its
# module ends, these when the last of those modules ends, so that the labs of earlier modules do not load the
# machine while later ones run. Under xdist the modules of SHARED_LAB_MODULES run as one unit on one worker.
SHARED_LABS = ("gens-etcd", "gens-swarm")
SHARED_LAB_MODULES = ("test_control_plane", "test_docker_swarm", "test_etcd_kv")
SHARED_LAB_UNIT = "shared-labs"
# Seconds each module took on CI's 2-core machine (tests run one at a time): the longest start first, so that
# the workers end at about the same time. A module not listed counts as NEW_MODULE_SECONDS.
MODULE_SECONDS = {
    "test_systemd": 345, "test_site_rerun": 341, "test_bad_input": 330, "test_secure_defaults": 298,
    "test_site_changes": 239, "test_faults_restart": 219, "test_faults": 173, "test_faults_swarm": 139,
    "test_preflight": 113, "test_site_switch": 97, "test_consul_install_methods": 79, "test_installed": 41,
    "test_docker_cnm_endpoint": 40, "test_lab": 42, "test_docker_cnm_network": 26, "test_docker_cnm_network_lab": 25,
    "test_docker_cnm_endpoint_lab": 21, "test_docker_cnm_network_info": 5, "test_topology": 180,
    "test_swarm_settings": 300, "test_engine_28": 60, "test_rollout_batches": 200, "test_roles_playbooks": 160,
    "test_etcd_kv": 62, "test_docker_swarm": 40, "test_control_plane": 25, "test_site_networks": 213,
    "test_store_reliability": 120, "test_swarm_reliability": 210, "test_store_watch": 80,
}
NEW_MODULE_SECONDS = 120
# The labs that are up, by name, the names brought up since the current module began, and that module.
_LABS = {"up": {}, "this_module": set(), "module": None}


def module_name(name):
    """test_x, from a node ID (tests/integration/test_x.py::test_y[...]) or a module's __name__ (a.b.test_x)."""
    path = name.split("::", 1)[0]
    return path.rsplit("/", 1)[-1][:-len(".py")] if path.endswith(".py") else path.rsplit(".", 1)[-1]


def work_unit(module):
    """What one worker runs whole: a module, or the modules that share labs together."""
    return SHARED_LAB_UNIT if module in SHARED_LAB_MODULES else module


def unit_seconds(unit):
    modules = SHARED_LAB_MODULES if unit == SHARED_LAB_UNIT else (unit,)
    return sum(MODULE_SECONDS.get(module, NEW_MODULE_SECONDS) for module in modules)


class ModuleScheduling(LoadScopeScheduling):
    """xdist scheduling for `make integration`: each work unit whole on one worker, in collection order."""

    def _split_scope(self, nodeid):
        return work_unit(module_name(nodeid))


_STAGE = {}


def pytest_configure(config):
    """The playbook runs of every worker are recorded in one file (cnm_test_runner._record_time), which the
    workers inherit through the environment; the summary reads it."""
    if not hasattr(config, "workerinput"):
        times = REPO / ".build" / ("test-times-%d.jsonl" % os.getpid())
        times.parent.mkdir(parents=True, exist_ok=True)
        times.write_text("", encoding="utf-8")
        os.environ["CNM_TEST_TIMES"] = str(times)
        _STAGE.update(started=time.monotonic(), busy=machine_busy_seconds())


def pytest_terminal_summary(terminalreporter, config):
    """The time of each test module, its playbook runs and their controller CPU: where the stage's time goes."""
    if hasattr(config, "workerinput") or not os.environ.get("CNM_TEST_TIMES"):
        return
    durations = [(report.nodeid, report.duration) for reports in terminalreporter.stats.values()
                 for report in reports if getattr(report, "when", None) and getattr(report, "nodeid", None)]
    times = Path(os.environ["CNM_TEST_TIMES"])
    runs = [json.loads(line) for line in times.read_text(encoding="utf-8").splitlines() if line.strip()]
    terminalreporter.write_sep("=", "time per test module")
    for line in module_time_table(durations, runs):
        terminalreporter.write_line(line)
    wall = time.monotonic() - _STAGE["started"]
    busy = machine_busy_seconds() - _STAGE["busy"]
    terminalreporter.write_line("machine: %.0f CPU seconds busy in %.0f s on %d cores (%.0f%%); the playbook runs' controller "
                                "CPU: %.0f s" % (busy, wall, os.cpu_count(), 100 * busy / max(wall * os.cpu_count(), 1),
                                                 sum(run["cpu"] for run in runs)))
    times.unlink()


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """Whole modules per worker (their labs are module-scoped). xdist's own --dist loadgroup cannot serve: with
    pytest 9 the group it appends to a node ID is lost."""
    config.option.loadscopereorder = False
    return ModuleScheduling(config, log)


def pytest_collection_modifyitems(items):
    """Order the tests by work unit, the longest first (the workers take units in this order), each unit's
    modules and tests in their own order."""
    units = [work_unit(module_name(item.module.__name__)) for item in items]
    first_seen = {}
    for index, unit in enumerate(units):
        first_seen.setdefault(unit, index)
    order = sorted(range(len(items)), key=lambda index: (-unit_seconds(units[index]), first_seen[units[index]]))
    items[:] = [items[index] for index in order]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the last test of the modules that share labs, take those labs down (the module fixtures are gone)."""
    result = yield
    shared = module_name(item.module.__name__) in SHARED_LAB_MODULES
    if shared and (nextitem is None or module_name(nextitem.module.__name__) not in SHARED_LAB_MODULES):
        for name in SHARED_LABS:
            if _LABS["up"].pop(name, None):
                lab_down(name)
    return result


def lab_down(name):
    subprocess.run([sys.executable, str(LAB_SCRIPT), "down", "--lab", name],
                   capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="session")
def _labs():
    """_LABS; at the end of the session, every lab still up is taken down."""
    yield _LABS
    for name in list(_LABS["up"]):
        lab_down(name)
    _LABS["up"].clear()


@pytest.fixture(scope="session")
def lab_factory(_labs):
    lab_module = _lab_module()

    def get(name, generation, init="tini", docker_hosts=lab_module.DEFAULT_DOCKER_HOSTS,
            kv_hosts=lab_module.DEFAULT_KV_HOSTS):
        if name in SHARED_LABS and _labs.get("module") not in SHARED_LAB_MODULES:
            pytest.fail("lab %s is shared: add %s to SHARED_LAB_MODULES in tests/integration/conftest.py, so that "
                        "the modules that use it run on one worker" % (name, _labs.get("module")))
        if name not in _labs["up"]:
            lab_up(name, generation, fresh=True, init=init, docker_hosts=docker_hosts, kv_hosts=kv_hosts)
            inventory = subprocess.run([sys.executable, str(LAB_SCRIPT), "inventory", "--lab", name],
                                       capture_output=True, text=True, check=True).stdout.strip()
            _labs["up"][name] = Lab(name, generation, inventory, lab_module, init, docker_hosts, kv_hosts)
        elif (_labs["up"][name].docker_hosts, _labs["up"][name].kv_hosts) != (docker_hosts, kv_hosts):
            pytest.fail("lab %s is up with %d docker hosts and %d store hosts, not %d and %d: give a lab of "
                        "another size another name" % (name, _labs["up"][name].docker_hosts,
                                                       _labs["up"][name].kv_hosts, docker_hosts, kv_hosts))
        _labs["this_module"].add(name)
        return _labs["up"][name]

    return get


@pytest.fixture(scope="module", autouse=True)
def _module_labs_down(_labs, request):
    """At the end of each test module, take down the labs it used, except SHARED_LABS."""
    _labs["this_module"] = set()
    _labs["module"] = module_name(request.module.__name__)
    yield
    for name in sorted(_labs["this_module"] - set(SHARED_LABS)):
        lab_down(name)
        del _labs["up"][name]


@pytest.fixture(scope="session")
def inventory_file(tmp_path_factory):
    """Write an inventory of lab nodes in other groups: {group: {alias: host_vars}} -> path.

    The hosts of a group are in the order of their aliases, or as given with keep_order."""
    def write(groups, keep_order=False):
        inventory = {"all": {"children": {group: {"hosts": hosts} for group, hosts in groups.items()}}}
        path = tmp_path_factory.mktemp("inventory") / "hosts.yml"
        path.write_text(yaml.safe_dump(inventory, sort_keys=not keep_order), encoding="utf-8")
        return str(path)
    return write


@pytest.fixture(scope="session")
def _play_results():
    return {}


@pytest.fixture
def play_once(_play_results, playbook_runner):
    """Run a playbook once per session for a label, inventory and arguments; later calls get the result.

    Lets several one-fact tests look at the same converge without running it again."""
    def run(label, playbook, inventory, extra_args=(), check=False):
        key = (label, inventory, tuple(extra_args), check)
        if key not in _play_results:
            _play_results[key] = playbook_runner(playbook, inventory=inventory, extra_args=list(extra_args), check=check)
        return _play_results[key]
    return run


@pytest.fixture(scope="session")
def overlay_passed():
    """Whether a site.yml log ends its overlay check of multi with all 6 checks passed (c1 <-> c2)."""
    return lambda result: "overlay_check: 6 checks on multi passed" in " ".join(result.stdout.split())


@pytest.fixture(scope="session")
def flat():
    """A playbook log with its line wrapping undone, to look for whole messages in it."""
    return lambda result: " ".join(result.stdout.split())


@pytest.fixture(scope="session")
def changed_count():
    """Sum of changed= over the PLAY RECAP lines of an ansible-playbook log."""
    return recap_changed


def recap_changed(stdout):
    """Sum of changed= over the PLAY RECAP lines of an ansible-playbook log."""
    total = 0
    for line in stdout.splitlines():
        if " changed=" in line and " ok=" in line:
            total += int(line.split(" changed=")[1].split()[0])
    return total


class Once(dict):
    """What a test module made or saw once, by key, shared by its fixtures."""

    def keep(self, key, make):
        """The value kept under key; the first call makes it with make()."""
        if key not in self:
            self[key] = make()
        return self[key]


@pytest.fixture(scope="module")
def once():
    """A dict for lab changes a test module makes once, shared by its fixtures (once.keep(key, make))."""
    return Once()
