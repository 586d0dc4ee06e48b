"""Hosts of the site by role, from the inventory Molecule hands to testinfra.

Shared by every lab scenario: molecule/etcd and molecule/swarm link to this file."""

import pytest
import testinfra
from testinfra.utils.ansible_runner import AnsibleRunner


@pytest.fixture(scope="module")
def site(request):
    inventory = request.config.option.ansible_inventory
    runner = AnsibleRunner(inventory)

    def host(name):
        return testinfra.get_host("ansible://%s?ansible_inventory=%s" % (name, inventory))

    kv_name = runner.get_hosts("kv_store")[0]
    docker_names = runner.get_hosts("docker_hosts")
    kv = host(kv_name)
    return {
        "kv": kv,
        "kv_address": kv.interface("eth0").addresses[0],
        "c1_host": host(docker_names[0]),
        "c2_host": host(docker_names[1]),
    }
