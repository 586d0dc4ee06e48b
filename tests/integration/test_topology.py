"""playbooks/topology.yml after site.yml, on a bullseye lab (kv mode, Consul: `topology-kv`) and on a trixie
lab (swarm mode: `topology-sw`): the SVG, DOT and Mermaid files it writes, its table, and a stale endpoint
after n2's dockerd was killed (kill -9, as test_faults does)."""

import json
import subprocess
from xml.etree import ElementTree

import pytest

from cnm_test_runner import REPO, run_playbook, wait_for

SITE = "- ansible.builtin.import_playbook: %s/playbooks/site.yml\n" % REPO
TOPOLOGY = "- ansible.builtin.import_playbook: %s/playbooks/topology.yml\n" % REPO
DOCKER_HOSTS = ("n1", "n2")
# Every network's endpoints as the host's daemon lists them: `key name ipv4 ipv6` (the keys of another host's
# endpoints start with ep-, the daemon's own with lb- or ingress-sbox).
LIST_ENDPOINTS = ("for n in $(docker network ls -q --filter driver=bridge --filter driver=overlay); do "
                  "docker network inspect $n --format "
                  "'{{range $k, $e := .Containers}}{{$k}} {{$e.Name}} {{$e.IPv4Address}} {{$e.IPv6Address}}\n{{end}}';"
                  " done")


def endpoints_of(lab, node):
    """This host's own endpoints (key name address...) on the networks the picture draws."""
    rows = [line.split() for line in lab.sh(node, LIST_ENDPOINTS, check=True).stdout.splitlines() if line.strip()]
    return [row for row in rows if not row[0].startswith(("ep-", "lb-", "ingress-sbox"))]


def render(tmp_path, name, lab):
    """topology.yml into a directory of its own: (the run, that directory)."""
    directory = tmp_path / name
    result = run_playbook(TOPOLOGY, inventory=lab.inventory, extra_args=("-e", "cnm_overlay_topology_dir=%s" % directory))
    assert result.returncode == 0, result.stdout[-3000:]
    return result, directory


def sites():
    return pytest.mark.parametrize("site", ["kv", "swarm"], indirect=True)


@pytest.fixture(scope="module")
def kv_lab(lab_factory):
    return lab_factory("topology-kv", "bullseye")


@pytest.fixture(scope="module")
def swarm_lab(lab_factory):
    return lab_factory("topology-sw", "trixie")


@pytest.fixture(scope="module")
def _sites(kv_lab, swarm_lab, tmp_path_factory):
    """site.yml, then topology.yml, on each lab (once per module)."""
    done = {}
    for mode, lab in (("kv", kv_lab), ("swarm", swarm_lab)):
        site = run_playbook(SITE, inventory=lab.inventory)
        assert site.returncode == 0, site.stdout[-3000:]
        result, directory = render(tmp_path_factory.mktemp("topology"), mode, lab)
        done[mode] = dict(lab=lab, result=result, dir=directory,
                          endpoints=[row for node in DOCKER_HOSTS for row in endpoints_of(lab, node)])
    return done


@pytest.fixture
def site(request, _sites):
    return _sites[request.param]


@sites()
def test_site_is_drawn_as_a_well_formed_svg_naming_hosts_containers_network_and_addresses(site):
    svg = (site["dir"] / "topology.svg").read_text()
    root = ElementTree.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = set(" ".join(element.text.split()) for element in root.iter("{http://www.w3.org/2000/svg}text")
                if element.text)
    lab = site["lab"]
    addresses = [row[2] for row in site["endpoints"]]
    assert lab.overlay_address("n1", "c1") + "/24" in addresses and lab.overlay_address("n2", "c2") + "/24" in addresses
    for name in ("n1", "n2", "c1", "c2", "multi") + tuple(addresses):
        assert name in texts, (name, sorted(texts))


@sites()
def test_dot_file_passes_graphviz(site, tmp_path):
    rendered = subprocess.run(["dot", "-Tsvg", "-o", str(tmp_path / "again.svg"), str(site["dir"] / "topology.dot")],
                              capture_output=True, text=True, check=False)
    assert rendered.returncode == 0 and rendered.stderr == "", rendered.stderr


@sites()
def test_mermaid_has_one_edge_per_endpoint(site):
    mermaid = (site["dir"] / "topology.mmd").read_text().splitlines()
    edges = [line for line in mermaid if " ---|" in line]
    assert mermaid[0] == "flowchart LR"
    # c1 and c2 on multi at least (kv mode adds their docker_gwbridge endpoints).
    assert len(edges) == len(site["endpoints"]) >= 2, (edges, site["endpoints"])
    for row in site["endpoints"]:
        assert sum(row[2] in edge for edge in edges) >= 1, row


@sites()
def test_table_lists_each_endpoint_without_problems(site, flat):
    log = flat(site["result"])
    for row in site["endpoints"]:
        if row[1] in ("c1", "c2"):
            assert "multi n%s %s %s" % (row[1][1], row[1], row[2]) in log, row
    assert "Show the problems found" not in log or "skipping" in log.split("Show the problems found")[1][:200]
    assert "Picture: %s/topology.svg" % site["dir"] in log


@sites()
def test_topology_changes_nothing(site, changed_count):
    assert changed_count(site["result"].stdout) == 0, site["result"].stdout[-3000:]


# Idempotence without the run record's shortcut, once per generation of this module (bullseye kv, trixie swarm).
@sites()
def test_a_forced_converge_changes_nothing_and_restarts_no_engine(site, changed_count):
    lab = site["lab"]
    before = dict((node, lab.dockerd_pid(node)) for node in DOCKER_HOSTS)
    result = run_playbook(SITE, inventory=lab.inventory, extra_args=("-e", "cnm_overlay_converge=always"))
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Converging every host (cnm_overlay_converge=always)." in " ".join(result.stdout.split())
    assert (changed_count(result.stdout), dict((node, lab.dockerd_pid(node)) for node in DOCKER_HOSTS)) == (0, before)


@sites()
def test_svg_renders_to_png(site, tmp_path):
    png = tmp_path / "topology.png"
    converted = subprocess.run(["rsvg-convert", "-o", str(png), str(site["dir"] / "topology.svg")],
                               capture_output=True, text=True, check=False)
    assert converted.returncode == 0, converted.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_graphviz_dot_and_mermaid_are_written_and_the_run_says_how(_sites, tmp_path, flat):
    lab = _sites["kv"]["lab"]
    result = run_playbook(TOPOLOGY, inventory=lab.inventory,
                          extra_args=("-e", "cnm_overlay_topology_dir=%s" % tmp_path, "-e", "topology_graphviz_dot=no-dot"))
    assert result.returncode == 0, result.stdout[-3000:]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["topology.dot", "topology.mmd"]
    assert "no topology.svg: the controller has no Graphviz (no-dot not found). Install it (apt-get install graphviz)" \
        in flat(result)


# After the tests above: n2's engine is killed on the kv lab, its endpoint on multi stays in the store.

@pytest.fixture(scope="module")
def killed(_sites, tmp_path_factory):
    lab = _sites["kv"]["lab"]
    pid = lab.dockerd_pid("n2")
    lab.sh("n2", "kill -9 %s" % pid, check=True)
    wait_for("dockerd on n2 gone", lambda: lab.sh("n2", "kill -0 %s" % pid).returncode != 0, 20)
    result, directory = render(tmp_path_factory.mktemp("killed"), "kv", lab)
    return dict(result=result, dir=directory, c2=lab.sh("n1", "docker network inspect multi --format "
                                                              "'{{json .Containers}}'", check=True).stdout)


def test_killed_engine_leaves_c2_listed_as_stale(killed, flat):
    c2 = [endpoint for endpoint in json.loads(killed["c2"]).values() if endpoint["Name"] == "c2"]
    assert len(c2) == 1  # n1 still lists it, from the store
    log = flat(killed["result"])
    assert "multi ? c2 %s stale (not read: n2)" % c2[0]["IPv4Address"] in log
    assert "stale endpoint c2 on multi (seen from n1)" in log
    assert "host n2 not read: Cannot reach the Docker daemon" in log


def test_killed_engine_stale_endpoint_is_drawn(killed):
    texts = [" ".join(element.text.split()) for element in
             ElementTree.parse(killed["dir"] / "topology.svg").getroot().iter("{http://www.w3.org/2000/svg}text")
             if element.text]
    assert "STALE" in texts and "(stale endpoint)" in texts and "on no host reached" in texts
    mermaid = (killed["dir"] / "topology.mmd").read_text()
    assert "STALE" in mermaid and "linkStyle" in mermaid
