"""consul_kv's other install methods through site.yml, with its secure defaults (ACLs, gossip key):

- binary: an air-gapped host (the consul package purged), the executable copied from the controller,
  run by the role's own systemd unit (a lab with systemd as PID 1);
- container: an image already on the store host's engine (no registry: made here from the lab's consul
  and the C library it links), on the host network, as the consul user.

One fact per test."""

import subprocess

import pytest

from cnm_test_runner import REPO

SITE = "- ansible.builtin.import_playbook: %s/playbooks/site.yml\n" % REPO
IMAGE = "cnm-lab/consul:cnmt"
# What Debian's consul executable needs in an image without a distribution.
CONSUL_FILES = ("usr/bin/consul", "lib/x86_64-linux-gnu/libc.so.6", "lib/x86_64-linux-gnu/libpthread.so.0",
                "lib64/ld-linux-x86-64.so.2")


def docker(*args, **kwargs):
    return subprocess.run(("docker",) + args, capture_output=True, check=True, **kwargs)


@pytest.fixture(scope="module")
def binary_lab(lab_factory):
    """A systemd host without the consul package."""
    return lab_factory("inst-bin", "bullseye", init="systemd")


@pytest.fixture(scope="module")
def binary_args(binary_lab, tmp_path_factory):
    """site.yml's arguments for the binary method: the executable waits on the controller, the package is purged."""
    source = tmp_path_factory.mktemp("consul") / "consul"
    docker("cp", "%s:/usr/bin/consul" % binary_lab.container("kv"), str(source))
    binary_lab.sh("kv", "dpkg --purge consul", check=True)
    return ("-e", "cnm_overlay_consul_install_method=binary", "-e", "consul_kv_binary_src=%s" % source)


@pytest.fixture(scope="module")
def container_lab(lab_factory):
    """A host whose engine has a consul image (no distribution: consul and its C library)."""
    lab = lab_factory("inst-ctr", "bullseye")
    files = docker("exec", lab.container("kv"), "tar", "-C", "/", "-chf", "-", *CONSUL_FILES).stdout
    docker("import", "--change", "ENV PATH=/usr/bin:/bin", "-", IMAGE, input=files)
    image = docker("save", IMAGE).stdout
    docker("exec", "-i", lab.container("kv"), "docker", "load", "-q", input=image)
    docker("rmi", IMAGE)
    return lab


CONTAINER_ARGS = ("-e", "cnm_overlay_consul_install_method=container", "-e", "consul_kv_container_image=%s" % IMAGE)


@pytest.fixture
def binary_run(binary_lab, binary_args, play_once):
    return play_once("site", SITE, binary_lab.inventory, binary_args)


@pytest.fixture
def binary_rerun(binary_lab, binary_args, binary_run, play_once):
    return play_once("site-again", SITE, binary_lab.inventory, binary_args)


@pytest.fixture
def container_run(container_lab, play_once):
    return play_once("site", SITE, container_lab.inventory, CONTAINER_ARGS)


@pytest.fixture
def container_rerun(container_lab, container_run, play_once):
    return play_once("site-again", SITE, container_lab.inventory, CONTAINER_ARGS)


def anonymous_kv_status(lab):
    return lab.sh("n1", "curl -s -o /dev/null -w '%{http_code}' http://kv:8500/v1/kv/docker/?keys").stdout


# binary

def test_binary_site_converges_and_c2_reaches_c1(binary_run, overlay_passed):
    assert overlay_passed(binary_run), binary_run.stdout[-3000:]


def test_binary_runs_from_its_path_under_the_roles_unit(binary_lab, binary_run):
    assert binary_lab.sh("kv", "systemctl show consul --property FragmentPath --value "
                         "&& readlink /proc/$(systemctl show consul --property MainPID --value)/exe",
                         check=True).stdout.split() == ["/etc/systemd/system/consul.service", "/usr/local/bin/consul"]


def test_binary_unit_is_enabled_for_the_next_boot(binary_lab, binary_run):
    assert binary_lab.sh("kv", "systemctl is-enabled consul").stdout.strip() == "enabled"


def test_binary_store_refuses_anonymous_kv_reads(binary_lab, binary_run):
    assert anonymous_kv_status(binary_lab) == "404"


def test_binary_second_run_changes_nothing(binary_rerun, changed_count):
    assert binary_rerun.returncode == 0, binary_rerun.stdout[-3000:]
    assert changed_count(binary_rerun.stdout) == 0


# container

def test_container_site_converges_and_c2_reaches_c1(container_run, overlay_passed):
    assert overlay_passed(container_run), container_run.stdout[-3000:]


def test_container_runs_on_the_host_network_as_the_consul_user(container_lab, container_run):
    uid = container_lab.sh("kv", "id -u consul", check=True).stdout.strip()
    assert container_lab.sh("kv", "docker inspect -f '{{.HostConfig.NetworkMode}} {{.HostConfig.RestartPolicy.Name}} "
                            "{{.Config.User}}' consul-kv", check=True).stdout.split() == \
        ["host", "unless-stopped", "%s:%s" % (uid, container_lab.sh("kv", "id -g consul", check=True).stdout.strip())]


def test_container_agent_writes_its_log_on_the_host(container_lab, container_run):
    assert container_lab.sh("kv", "ls /var/log/consul | grep -c '^consul-.*\\.log$'").stdout.strip() != "0"


def test_container_store_refuses_anonymous_kv_reads(container_lab, container_run):
    assert anonymous_kv_status(container_lab) == "404"


def test_container_second_run_changes_nothing(container_rerun, changed_count):
    assert container_rerun.returncode == 0, container_rerun.stdout[-3000:]
    assert changed_count(container_rerun.stdout) == 0
