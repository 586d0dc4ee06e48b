"""Secure defaults of site.yml on a bullseye lab (Consul 1.8.7, docker.io 20.10.5), one fact per test:
Consul ACLs with default deny and dockerd's own token, gossip encryption, secrets 0600 and never
shown, and the engine's TCP API only with TLS client verification."""

import json

import pytest

from cnm_test_runner import REPO, sign
from lab_tls import ENGINE_TCP, TLS_DIR, pki, run_with_engine_tls, tls_curl, tls_vars

SITE = "- name: The site\n  ansible.builtin.import_playbook: %s\n" % (REPO / "playbooks" / "site.yml")
SECRETS = "/etc/cnm-overlay/consul"
NETWORK = "multi"

PLAIN_TCP_PLAY = """
- name: A plain TCP listener for the engine
  hosts: n1
  roles:
    - role: cnm.overlay.docker_engine
      docker_engine_tcp_listen: 0.0.0.0:2375
"""


@pytest.fixture(scope="module")
def lab(lab_factory):
    return lab_factory("sec-site", "bullseye")


@pytest.fixture
def first_run(lab, play_once):
    return play_once("site", SITE, lab.inventory)


@pytest.fixture
def second_run(lab, first_run, play_once):
    return play_once("site-again", SITE, lab.inventory)


def consul(lab, path, token=None, method="GET", data=None):
    """HTTP status and body of a request to the store's API from n1 (a docker host)."""
    command = "curl -s -w '\\n%%{http_code}' -X %s" % method
    if token:
        command += " -H 'X-Consul-Token: %s'" % token
    if data is not None:
        command += " --data '%s'" % data
    out = lab.sh("n1", "%s http://kv:8500%s" % (command, path)).stdout
    body, status = out.rsplit("\n", 1)
    return int(status), body


def test_site_converges(first_run):
    assert first_run.returncode == 0, first_run.stdout[-3000:]


def test_anonymous_kv_read_sees_no_docker_keys(lab, first_run):
    assert consul(lab, "/v1/kv/docker/?keys")[0] == 404


def test_anonymous_kv_write_is_refused(lab, first_run):
    assert consul(lab, "/v1/kv/sec-anonymous", method="PUT", data="x")[0] == 403


def test_docker_keys_are_read_with_the_docker_token(lab, first_run):
    network_id = lab.sh("n1", "docker network inspect -f '{{.Id}}' %s" % NETWORK, check=True).stdout.strip()
    assert network_id in consul(lab, "/v1/kv/docker/network/v1.0/network/?keys", token=lab.kept_secret("docker.token"))[1]


def test_docker_token_cannot_write_outside_docker_prefix(lab, first_run):
    assert consul(lab, "/v1/kv/sec-outside", token=lab.kept_secret("docker.token"), method="PUT", data="x")[0] == 403


def test_dockerd_environment_holds_the_token(lab, first_run):
    assert "CONSUL_HTTP_TOKEN=%s" % lab.kept_secret("docker.token") in lab.environ("n1", lab.dockerd_pid("n1"))


def test_token_is_not_on_any_command_line(lab, first_run):
    assert lab.kept_secret("docker.token") not in lab.sh("n1", "ps -eo args", check=True).stdout


def test_tokens_are_not_in_the_play_output(lab, first_run, second_run):
    tokens = [lab.kept_secret(name) for name in ("docker.token", "agent.token", "management.token", "gossip.key")]
    assert not [token for token in tokens if token in first_run.stdout + second_run.stdout]


def test_token_is_not_in_daemon_json(lab, first_run):
    assert lab.kept_secret("docker.token") not in lab.sh("n1", "cat /etc/docker/daemon.json", check=True).stdout


def test_init_script_defaults_with_the_token_are_0600(lab, first_run):
    assert lab.sh("n1", "stat -c %a /etc/default/docker", check=True).stdout.strip() == "600"


def test_kept_secrets_are_0600(lab, first_run):
    modes = lab.sh("kv", "stat -c '%%a %%U' %s/* /etc/consul.d/cnm-overlay-secrets.json" % SECRETS, check=True).stdout
    assert modes.split() == ["600", "root"] * 4 + ["600", "consul"]


def test_gossip_is_encrypted(lab, first_run):
    info = lab.sh("kv", "CONSUL_HTTP_TOKEN=$(cat %s/management.token) consul info" % SECRETS, check=True).stdout
    assert "encrypted = true" in info


def test_gossip_key_is_the_kept_one(lab, first_run):
    keys = lab.sh("kv", "CONSUL_HTTP_TOKEN=$(cat %s/management.token) consul keyring -list" % SECRETS, check=True).stdout
    assert lab.kept_secret("gossip.key") in keys


def test_second_run_changes_nothing(second_run, changed_count):
    assert second_run.returncode == 0 and changed_count(second_run.stdout) == 0, second_run.stdout[-3000:]


def test_c2_reaches_c1_by_name(lab, second_run):
    assert lab.sh("n2", "docker exec c2 ping -c 2 -W 5 c1").returncode == 0


@pytest.fixture
def plain_tcp(lab, second_run, once, playbook_runner):
    """daemon.json of n1 before and after asking for a TCP listener without TLS."""
    if "plain_tcp" not in once:
        before = lab.daemon_json("n1")
        result = playbook_runner(PLAIN_TCP_PLAY, inventory=lab.inventory)
        once["plain_tcp"] = (result, before, lab.daemon_json("n1"))
    return once["plain_tcp"]


def test_plain_tcp_listener_fails_with_the_reason(plain_tcp, flat):
    result = plain_tcp[0]
    assert result.returncode != 0 and "which is opened only with TLS and client certificate verification" in flat(result)


def test_plain_tcp_listener_leaves_daemon_json_unchanged(plain_tcp):
    assert plain_tcp[1] == plain_tcp[2]


@pytest.fixture
def site_plain_tcp(lab, second_run, play_once):
    """site.yml asked for a TCP API without TLS."""
    return play_once("site-plain-tcp", SITE, lab.inventory, ["-e", "cnm_overlay_engine_tcp_listen=0.0.0.0:2375"])


def test_site_refuses_a_plain_tcp_api_with_the_reason(site_plain_tcp, flat):
    assert site_plain_tcp.returncode != 0
    assert "which is opened only with TLS and client certificate verification" in flat(site_plain_tcp)


def test_site_refuses_a_plain_tcp_api_before_the_store_play(site_plain_tcp):
    assert "PLAY [Key-value store" not in site_plain_tcp.stdout, site_plain_tcp.stdout[-3000:]


@pytest.fixture
def engine_tls(lab, second_run, once, play_once, tmp_path_factory):
    return run_with_engine_tls(lab, once, play_once, tmp_path_factory, SITE)


def test_site_with_a_tls_tcp_api_converges(engine_tls):
    assert engine_tls.returncode == 0, engine_tls.stdout[-3000:]


def test_tls_tcp_api_answers_a_client_certificate(lab, engine_tls):
    assert '"ApiVersion"' in tls_curl(lab, "https://n2:2376/version").stdout


def test_tls_tcp_api_refuses_a_client_without_certificate(lab, engine_tls):
    assert tls_curl(lab, "https://n2:2376/version", client=False).returncode != 0


def test_overlay_still_works_with_the_tls_tcp_api(lab, engine_tls):
    assert lab.sh("n2", "docker exec c2 ping -c 2 -W 5 c1").returncode == 0


@pytest.fixture
def store_tls(lab, engine_tls, play_once):
    """site.yml run again with TLS to the store too: Consul's HTTPS port, client certificates required."""
    return play_once("site-store-tls", SITE, lab.inventory, ENGINE_TCP + tls_vars("kv"))


def test_site_with_tls_to_the_store_converges(store_tls):
    assert store_tls.returncode == 0, store_tls.stdout[-3000:]


def test_engine_uses_the_https_port_of_consul(lab, store_tls):
    assert lab.docker_info("n2")["ClusterStore"] == "consul://%s:8501" % lab.address("kv")


def test_consul_plain_http_is_not_reachable_from_the_network(lab, store_tls):
    assert lab.sh("n1", "curl -s http://kv:8500/v1/status/leader").returncode != 0


def test_consul_https_refuses_a_client_without_certificate(lab, store_tls):
    assert tls_curl(lab, "https://kv:8501/v1/status/leader", client=False).returncode != 0


def test_network_made_over_tls_on_n1_is_seen_on_n2(lab, store_tls):
    lab.sh("n1", "docker network inspect sec-over-tls >/dev/null 2>&1 || docker network create -d overlay sec-over-tls",
           check=True)
    assert lab.sh("n2", "docker network inspect -f '{{.Scope}}' sec-over-tls").stdout.strip() == "global"


def test_overlay_still_works_with_tls_to_the_store(lab, store_tls):
    assert lab.sh("n2", "docker exec c2 ping -c 2 -W 5 c1").returncode == 0


def test_tls_rerun_changes_nothing(lab, store_tls, play_once, changed_count):
    result = play_once("site-store-tls-again", SITE, lab.inventory, ENGINE_TCP + tls_vars("kv"))
    assert result.returncode == 0 and changed_count(result.stdout) == 0, result.stdout[-3000:]


EXPIRED_CERT = TLS_DIR + "/expired.pem"
STORE_CLIENT_PLAY = """
- name: The engine's client certificate for the store
  hosts: n1
  roles:
    - role: cnm.overlay.docker_cluster_store
      docker_cluster_store_url: consul://{kv}:8501
      docker_cluster_store_tls_ca_file: {d}/ca.pem
      docker_cluster_store_tls_cert_file: {cert}
      docker_cluster_store_tls_key_file: {d}/key.pem
"""


@pytest.fixture
def expired_client_cert(lab, store_tls, once, playbook_runner):
    """docker_cluster_store run on n1 with an expired certificate of n1's own key, signed by the site's CA
    (the run, daemon.json before and after)."""
    if "expired" not in once:
        work = once["pki"]
        sign(work, "n1", "n1-expired.pem", days=-1)
        lab.write_file("n1", EXPIRED_CERT, (work / "n1-expired.pem").read_bytes())
        before = lab.daemon_json("n1")
        play = STORE_CLIENT_PLAY.format(kv=lab.address("kv"), d=TLS_DIR, cert=EXPIRED_CERT)
        result = playbook_runner(play, inventory=lab.inventory)
        once["expired"] = (result, before, lab.daemon_json("n1"))
    return once["expired"]


def test_an_expired_client_certificate_for_the_store_is_refused_naming_it(expired_client_cert, flat):
    result = expired_client_cert[0]
    assert result.returncode != 0
    assert ("docker_cluster_store on n1: docker_cluster_store_tls_cert_file=%s is refused as a client certificate by an "
            "end that trusts docker_cluster_store_tls_ca_file=%s/ca.pem (certificate has expired): renew the certificate"
            % (EXPIRED_CERT, TLS_DIR)) in flat(result)


def test_an_expired_client_certificate_for_the_store_leaves_daemon_json_unchanged(expired_client_cert):
    assert expired_client_cert[1] == expired_client_cert[2]


TCP_API_KEYS = {"hosts", "tlsverify", "tlscacert", "tlscert", "tlskey"}


@pytest.fixture
def engine_tcp_closed(lab, store_tls, play_once):
    """site.yml again without the engines' TCP API (TLS to the store kept): docker_engine closes what it opened."""
    return play_once("site-engine-tcp-closed", SITE, lab.inventory, tls_vars("kv"))


def test_site_without_the_tcp_api_converges(engine_tcp_closed):
    assert engine_tcp_closed.returncode == 0, engine_tcp_closed.stdout[-3000:]


def test_closed_tcp_api_no_longer_answers(lab, engine_tcp_closed):
    assert tls_curl(lab, "https://n2:2376/version").returncode != 0


def test_closed_tcp_api_settings_are_out_of_daemon_json(lab, engine_tcp_closed):
    assert not TCP_API_KEYS & set(json.loads(lab.daemon_json("n2")))


def test_closed_tcp_api_keeps_the_cluster_store(lab, engine_tcp_closed):
    assert lab.docker_info("n2")["ClusterStore"].startswith("consul://")


def test_closed_tcp_api_record_is_gone(lab, engine_tcp_closed):
    assert lab.sh("n2", "test -e /etc/docker/cnm-overlay-tcp-api.json").returncode == 1


def test_closed_tcp_api_rerun_changes_nothing(lab, engine_tcp_closed, play_once, changed_count):
    result = play_once("site-engine-tcp-closed-again", SITE, lab.inventory, tls_vars("kv"))
    assert result.returncode == 0 and changed_count(result.stdout) == 0, result.stdout[-3000:]


@pytest.fixture(scope="module")
def etcd_lab(lab_factory):
    return lab_factory("sec-etcd", "bookworm")


@pytest.fixture
def etcd_tls(etcd_lab, once, play_once, tmp_path_factory):
    """A bookworm lab (etcd) converged with client TLS to the store from the first run."""
    if "etcd-pki" not in once:
        once["etcd-pki"] = pki(etcd_lab, tmp_path_factory, owner="etcd")
    return play_once("etcd-tls", SITE, etcd_lab.inventory, tls_vars("kv"))


def test_etcd_site_with_client_tls_converges(etcd_tls):
    assert etcd_tls.returncode == 0, etcd_tls.stdout[-3000:]


def test_etcd_refuses_plain_http_from_the_network(etcd_lab, etcd_tls):
    assert etcd_lab.sh("n1", "curl -s http://kv:2379/health").returncode != 0


def test_etcd_refuses_a_client_without_certificate(etcd_lab, etcd_tls):
    assert tls_curl(etcd_lab, "https://kv:2379/health", client=False).returncode != 0


def test_etcd_answers_a_client_certificate(etcd_lab, etcd_tls):
    assert '"health":"true"' in tls_curl(etcd_lab, "https://kv:2379/health").stdout


def test_overlay_works_over_etcd_with_tls(etcd_lab, etcd_tls):
    assert etcd_lab.sh("n2", "docker exec c2 ping -c 2 -W 5 c1").returncode == 0


HOST_FLAG_PLAY = """
- name: The TCP API on an engine started with -H
  hosts: n1
  roles:
    - role: cnm.overlay.docker_engine
      docker_engine_tcp_listen: 0.0.0.0:2376
      docker_engine_tls_ca_file: {d}/ca.pem
      docker_engine_tls_cert_file: {d}/cert.pem
      docker_engine_tls_key_file: {d}/key.pem
""".format(d=TLS_DIR)

# debug: true in daemon.json next to -D on the command line.
DEBUG_FLAG_PLAY = """
- name: The cluster store with a daemon option the command line gives too
  hosts: n1
  roles:
    - role: cnm.overlay.docker_cluster_store
      docker_cluster_store_url: etcd://kv:2379
      docker_cluster_store_daemon_options: {debug: true}
"""


@pytest.fixture
def host_flag(etcd_lab, etcd_tls, once, playbook_runner):
    """n1's dockerd restarted with -H and -D from DOCKER_OPTS, then asked for the TCP API and for debug in
    daemon.json: (TCP API run, daemon.json before, daemon.json after both runs, debug run)."""
    if "host_flag" not in once:
        restart = "service docker restart >/dev/null; for i in $(seq 60); do docker info >/dev/null 2>&1 && exit 0; sleep 1; done"
        etcd_lab.sh("n1", "echo 'DOCKER_OPTS=\"-H unix:///var/run/docker.sock -D\"' >> /etc/default/docker; " + restart,
                    check=True)
        before = etcd_lab.daemon_json("n1")
        result = playbook_runner(HOST_FLAG_PLAY, inventory=etcd_lab.inventory)
        debug_result = playbook_runner(DEBUG_FLAG_PLAY, inventory=etcd_lab.inventory)
        after = etcd_lab.daemon_json("n1")
        etcd_lab.sh("n1", "sed -i '/^DOCKER_OPTS=/d' /etc/default/docker; " + restart, check=True)
        once["host_flag"] = (result, before, after, debug_result)
    return once["host_flag"]


def test_tcp_api_with_h_on_the_command_line_fails_naming_it(host_flag, flat):
    result = host_flag[0]
    assert result.returncode != 0 and "the running dockerd has -H on its command line" in flat(result)


def test_tcp_api_with_h_on_the_command_line_leaves_daemon_json_unchanged(host_flag):
    assert host_flag[1] == host_flag[2]


def test_daemon_option_given_as_a_flag_too_fails_naming_the_flag(host_flag, flat):
    result = host_flag[3]
    assert result.returncode != 0 and "The running dockerd has -D on its command line" in flat(result), \
        result.stdout[-3000:]


CONSUL_PLAY = """
- name: Consul servers
  hosts: kv_store
  roles:
    - cnm.overlay.consul_kv
"""


@pytest.fixture(scope="module")
def consul_cluster(lab_factory, inventory_file):
    """kv, n1 and n2 of another bullseye lab as three Consul servers."""
    lab = lab_factory("sec-c3", "bullseye")
    return lab, inventory_file({"kv_store": {node: lab.host_vars(node) for node in ("kv", "n1", "n2")}})


@pytest.fixture
def cluster_run(consul_cluster, play_once):
    return play_once("consul-cluster", CONSUL_PLAY, consul_cluster[1])


def test_three_servers_converge_with_acls(cluster_run):
    assert cluster_run.returncode == 0, cluster_run.stdout[-3000:]


def test_three_servers_share_the_gossip_key(consul_cluster, cluster_run):
    keys = consul_cluster[0].sh("kv", "CONSUL_HTTP_TOKEN=$(cat %s/management.token) consul keyring -list" % SECRETS,
                                check=True).stdout
    assert "%s [3/3]" % consul_cluster[0].kept_secret("gossip.key") in keys


def test_secrets_are_kept_on_the_first_server_only(consul_cluster, cluster_run):
    assert consul_cluster[0].sh("n1", "test -e %s" % SECRETS).returncode != 0


def test_anonymous_write_on_another_server_is_refused(consul_cluster, cluster_run):
    status = consul_cluster[0].sh("n2", "curl -s -o /dev/null -w '%{http_code}' -X PUT --data x "
                                  "http://127.0.0.1:8500/v1/kv/sec-anonymous").stdout
    assert status == "403"


def test_three_servers_second_run_changes_nothing(consul_cluster, cluster_run, play_once, changed_count):
    result = play_once("consul-cluster-again", CONSUL_PLAY, consul_cluster[1])
    assert result.returncode == 0 and changed_count(result.stdout) == 0, result.stdout[-3000:]
