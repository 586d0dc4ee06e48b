"""Unit tests of consul_kv_acl's decisions and its run against recorded Consul answers (no agent)."""

import base64
import json
import uuid

import pytest

from ansible_collections.cnm.overlay.plugins.module_utils import _consul as consul

DOCKER = {"name": "cnm-overlay-docker", "description": "cnm.overlay: dockerd", "rules": 'key_prefix "docker/" { policy = "write" }',
          "token": "11111111-1111-1111-1111-111111111111"}
AGENT = {"name": "cnm-overlay-agent", "description": "cnm.overlay: agents", "rules": 'node_prefix "" { policy = "write" }',
         "token": "22222222-2222-2222-2222-222222222222"}


def policy(wanted, **changed):
    found = {"ID": "id-" + wanted["name"], "Name": wanted["name"], "Description": wanted["description"], "Rules": wanted["rules"]}
    found.update(changed)
    return found


def token(wanted, policies=None):
    names = [wanted["name"]] if policies is None else policies
    return {"AccessorID": "acc-" + wanted["name"], "SecretID": wanted["token"], "Description": wanted["description"],
            "Policies": [{"ID": "id-" + name, "Name": name} for name in names]}


def test_policies_as_wanted_need_nothing():
    assert consul.policy_changes([DOCKER, AGENT], {DOCKER["name"]: policy(DOCKER), AGENT["name"]: policy(AGENT)}) == []


def test_missing_policy_is_created_with_name_description_and_rules():
    changes = consul.policy_changes([DOCKER, AGENT], {DOCKER["name"]: policy(DOCKER), AGENT["name"]: None})
    assert changes == [{"action": "create", "name": AGENT["name"], "id": None,
                        "body": {"Name": AGENT["name"], "Description": AGENT["description"], "Rules": AGENT["rules"]}}]


def test_policy_with_other_rules_is_updated_by_its_id():
    changes = consul.policy_changes([DOCKER], {DOCKER["name"]: policy(DOCKER, Rules='key_prefix "" { policy = "write" }')})
    assert [(change["action"], change["id"], change["body"]["Rules"]) for change in changes] == [("update", "id-cnm-overlay-docker", DOCKER["rules"])]


def test_policy_with_another_description_is_updated():
    changes = consul.policy_changes([DOCKER], {DOCKER["name"]: policy(DOCKER, Description="someone's")})
    assert [change["action"] for change in changes] == ["update"]


def test_tokens_that_exist_with_their_policy_need_nothing():
    assert consul.token_changes([DOCKER, AGENT], {DOCKER["name"]: token(DOCKER), AGENT["name"]: token(AGENT)}) == []


def test_missing_token_is_created_with_the_kept_secret_and_its_policy():
    changes = consul.token_changes([DOCKER], {DOCKER["name"]: None})
    assert changes == [{"action": "create", "name": DOCKER["name"], "id": None,
                        "body": {"SecretID": DOCKER["token"], "Description": DOCKER["description"],
                                 "Policies": [{"Name": DOCKER["name"]}]}}]


def test_token_without_its_policy_gets_it_and_keeps_the_others():
    changes = consul.token_changes([DOCKER], {DOCKER["name"]: token(DOCKER, policies=["operator-extra"])})
    assert [(change["action"], change["id"], change["body"]["Policies"]) for change in changes] == [
        ("update", "acc-cnm-overlay-docker", [{"Name": "operator-extra"}, {"Name": DOCKER["name"]}])]


def test_change_words_name_no_secret():
    words = consul.change_words("token", consul.token_changes([DOCKER], {}))
    assert words == ["create token cnm-overlay-docker"] and DOCKER["token"] not in " ".join(words)


class FakeConsul:
    """Answers by (method, path): a list of (status, body) given out in turn, the last one repeated."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def __call__(self, url, method="GET", data=None, headers=None, **_kwargs):
        path = url.split("8500", 1)[1]
        self.calls.append((method, path, (headers or {}).get("X-Consul-Token"), data))
        queue = self.answers[(method, path)]
        status, body = queue.pop(0) if len(queue) > 1 else queue[0]
        content = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
        if status >= 400:
            error = IOError("HTTP Error %s" % status)
            error.code, error.reason = status, "error"
            error.read = lambda: content
            raise error
        return Response(status, content)


class Response:
    def __init__(self, status, content):
        self.status, self.content = status, content

    def getcode(self):
        return self.status

    def read(self):
        return self.content


class Clock:
    def __init__(self):
        self.now = 0.0

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def params(tmp_path, **changed):
    values = dict(timeout=5, acl=True, acl_setup=True, management_token_file=str(tmp_path / "management.token"),
                  management_token=None, return_management_token=False, data_dir="/var/lib/consul",
                  policies=[DOCKER], probe_key="cnm-overlay/probe/kv", probe_value="kv")
    values.update(changed)
    return values


def agent_for(fake, clock=None):
    clock = clock or Clock()
    return consul.ConsulAgent("http://127.0.0.1:8500", opener=fake, sleep=clock.sleep, clock=clock.time)


def settled_answers(management):
    return {
        ("GET", "/v1/status/leader"): [(200, '"172.30.99.10:8300"')],
        ("GET", "/v1/acl/token/self"): [(200, {"AccessorID": "m", "SecretID": management})],
        ("GET", "/v1/acl/policy/name/cnm-overlay-docker"): [(200, policy(DOCKER))],
        ("PUT", "/v1/kv/cnm-overlay/probe/kv"): [(200, "true")],
        ("GET", "/v1/kv/cnm-overlay/probe/kv?raw"): [(200, "kv")],
    }


def test_rerun_with_everything_in_place_changes_nothing(tmp_path):
    (tmp_path / "management.token").write_text("mgmt-secret\n")
    answers = settled_answers("mgmt-secret")
    # /v1/acl/token/self answers for the management token and the docker token alike.
    answers[("GET", "/v1/acl/token/self")] = [(200, token(DOCKER))]
    fake = FakeConsul(answers)
    result = consul.run(agent_for(fake), params(tmp_path), check_mode=False)
    assert result == {"changed": False, "leader": "172.30.99.10:8300", "actions": []}
    assert [call for call in fake.calls if call[0] == "PUT"] == [("PUT", "/v1/kv/cnm-overlay/probe/kv", "mgmt-secret", b"kv")]


def test_first_run_bootstraps_keeps_the_token_0600_and_creates_policy_and_token(tmp_path):
    answers = settled_answers("new-mgmt")
    answers.update({
        # Legacy mode just after the start, then the bootstrap.
        ("PUT", "/v1/acl/bootstrap"): [(500, "The ACL system is currently in legacy mode."), (200, {"SecretID": "new-mgmt"})],
        ("GET", "/v1/acl/policy/name/cnm-overlay-docker"): [(403, "ACL not found")],
        ("GET", "/v1/acl/token/self"): [(403, "ACL not found")],
        ("PUT", "/v1/acl/policy"): [(200, {"ID": "p"})],
        ("PUT", "/v1/acl/token"): [(200, {"AccessorID": "t"})],
    })
    fake = FakeConsul(answers)
    result = consul.run(agent_for(fake), params(tmp_path), check_mode=False)
    kept = tmp_path / "management.token"
    assert kept.read_text() == "new-mgmt\n" and oct(kept.stat().st_mode & 0o777) == "0o600"
    assert result["changed"] and result["actions"][1:] == ["create policy cnm-overlay-docker", "create token cnm-overlay-docker"]
    token_body = [json.loads(call[3]) for call in fake.calls if call[:2] == ("PUT", "/v1/acl/token")]
    assert token_body == [{"SecretID": DOCKER["token"], "Description": DOCKER["description"], "Policies": [{"Name": DOCKER["name"]}]}]


def test_bootstrapped_elsewhere_without_the_kept_token_stops_with_how_to_recover(tmp_path):
    fake = FakeConsul({("GET", "/v1/status/leader"): [(200, '"a:8300"')],
                       ("PUT", "/v1/acl/bootstrap"): [(403, "Permission denied: ACL bootstrap no longer allowed (reset index: 9)")]})
    with pytest.raises(consul.ConsulError) as failure:
        consul.run(agent_for(fake), params(tmp_path), check_mode=False)
    assert failure.value.reason == "acl"
    assert "reset index: 9" in failure.value.msg and "/var/lib/consul/acl-bootstrap-reset" in failure.value.msg
    assert not (tmp_path / "management.token").exists()


def wiped_cluster_answers(bootstrap):
    """A cluster that knows no token (its data was wiped) and answers the bootstrap with `bootstrap`."""
    answers = settled_answers("new-mgmt")
    answers.update({("GET", "/v1/acl/token/self"): [(403, "ACL not found")], ("PUT", "/v1/acl/bootstrap"): [bootstrap],
                    ("GET", "/v1/acl/policy/name/cnm-overlay-docker"): [(403, "ACL not found")],
                    ("PUT", "/v1/acl/policy"): [(200, {"ID": "p"})], ("PUT", "/v1/acl/token"): [(200, {"AccessorID": "t"})]})
    return answers


def test_kept_token_unknown_to_a_wiped_cluster_is_moved_aside_and_the_acls_bootstrapped_again(tmp_path):
    kept = tmp_path / "management.token"
    kept.write_text("stale\n")
    result = consul.run(agent_for(FakeConsul(wiped_cluster_answers((200, {"SecretID": "new-mgmt"})))), params(tmp_path),
                        check_mode=False)
    assert kept.read_text() == "new-mgmt\n" and oct(kept.stat().st_mode & 0o777) == "0o600"
    assert (tmp_path / "management.token.stale").read_text() == "stale\n"
    assert result["actions"] == [
        "move the management token kept in %s, which this cluster does not know (its data was reset?), to %s.stale"
        % (kept, kept), "bootstrap the ACL system and keep its management token in %s" % kept,
        "create policy cnm-overlay-docker", "create token cnm-overlay-docker"]


def test_kept_token_unknown_to_a_wiped_cluster_in_check_mode_is_only_planned(tmp_path):
    kept = tmp_path / "management.token"
    kept.write_text("stale\n")
    fake = FakeConsul(wiped_cluster_answers((200, {"SecretID": "new-mgmt"})))
    result = consul.run(agent_for(fake), params(tmp_path), check_mode=True)
    assert result["changed"] and result["actions"][0].startswith("move the management token kept in")
    assert kept.read_text() == "stale\n" and not (tmp_path / "management.token.stale").exists()
    assert [call for call in fake.calls if call[0] == "PUT"] == []


def test_kept_token_unknown_to_a_cluster_bootstrapped_before_stops_naming_the_file_and_the_reset(tmp_path):
    kept = tmp_path / "management.token"
    kept.write_text("stale\n")
    fake = FakeConsul(wiped_cluster_answers((403, "Permission denied: ACL bootstrap no longer allowed (reset index: 9)")))
    with pytest.raises(consul.ConsulError) as failure:
        consul.run(agent_for(fake), params(tmp_path), check_mode=False)
    assert failure.value.reason == "acl"
    assert ("was bootstrapped before, but the management token kept in %s is not one it knows (Consul says: Permission "
            "denied: ACL bootstrap no longer allowed (reset index: 9))" % kept) in failure.value.msg
    assert "/var/lib/consul/acl-bootstrap-reset" in failure.value.msg
    assert kept.read_text() == "stale\n" and not (tmp_path / "management.token.stale").exists()


def test_a_given_management_token_the_cluster_does_not_know_stops_without_a_bootstrap(tmp_path):
    fake = FakeConsul(wiped_cluster_answers((200, {"SecretID": "new-mgmt"})))
    with pytest.raises(consul.ConsulError) as failure:
        consul.run(agent_for(fake), params(tmp_path, management_token="given", acl_setup=False), check_mode=False)
    assert failure.value.msg == ("consul_kv: the management token given in management_token is not known to this Consul "
                                 "cluster (Consul says: ACL not found): give this cluster's management SecretID.")
    assert [call for call in fake.calls if call[0] == "PUT"] == []


def test_no_leader_within_the_timeout_is_an_agent_failure_with_the_last_answer(tmp_path):
    clock = Clock()
    fake = FakeConsul({("GET", "/v1/status/leader"): [(200, '""')]})
    with pytest.raises(consul.ConsulError) as failure:
        consul.run(agent_for(fake, clock), params(tmp_path, timeout=3), check_mode=False)
    assert failure.value.reason == "agent" and "waiting for a leader" in failure.value.msg and 3 <= clock.now <= 4


def test_check_mode_reports_and_writes_nothing(tmp_path):
    (tmp_path / "management.token").write_text("mgmt-secret\n")
    answers = settled_answers("mgmt-secret")
    answers[("GET", "/v1/acl/policy/name/cnm-overlay-docker")] = [(200, policy(DOCKER, Rules="old"))]
    answers[("GET", "/v1/acl/token/self")] = [(200, token(DOCKER))]
    fake = FakeConsul(answers)
    result = consul.run(agent_for(fake), params(tmp_path), check_mode=True)
    assert result["changed"] and result["actions"] == ["update policy cnm-overlay-docker"]
    assert [call for call in fake.calls if call[0] != "GET"] == []


def test_without_acl_the_probe_goes_without_token_and_nothing_acl_is_asked(tmp_path):
    fake = FakeConsul(settled_answers("unused"))
    result = consul.run(agent_for(fake), params(tmp_path, acl=False, policies=[]), check_mode=False)
    assert not result["changed"] and all("/acl/" not in call[1] and call[2] is None for call in fake.calls)


def test_other_server_probes_with_the_given_token_and_sets_up_nothing(tmp_path):
    fake = FakeConsul(settled_answers("given"))
    result = consul.run(agent_for(fake), params(tmp_path, acl_setup=False, management_token="given"), check_mode=False)
    assert not result["changed"] and not any("/acl/policy" in call[1] or call[0] == "PUT" and "/acl/" in call[1] for call in fake.calls)
    assert ("PUT", "/v1/kv/cnm-overlay/probe/kv", "given", b"kv") in fake.calls


def test_probe_read_back_with_another_value_fails(tmp_path):
    answers = settled_answers("unused")
    answers[("GET", "/v1/kv/cnm-overlay/probe/kv?raw")] = [(200, "someone else")]
    with pytest.raises(consul.ConsulError) as failure:
        consul.run(agent_for(FakeConsul(answers)), params(tmp_path, acl=False), check_mode=False)
    assert "someone else" in failure.value.msg and failure.value.reason == "agent"


SECRETS = [{"name": "gossip.key", "kind": "gossip_key"}, {"name": "agent.token", "kind": "uuid"}]


def test_only_missing_or_empty_secrets_are_made():
    assert consul.secrets_to_make(SECRETS, {"gossip.key": "k", "agent.token": ""}) == ["agent.token"]


def test_new_gossip_key_is_32_random_bytes_and_a_token_a_uuid():
    key, secret_id = consul.new_secret("gossip_key"), consul.new_secret("uuid")
    assert len(base64.b64decode(key)) == 32 and key != consul.new_secret("gossip_key")
    assert str(uuid.UUID(secret_id)) == secret_id


def test_kept_secrets_are_read_back_and_missing_ones_kept_0600(tmp_path):
    directory = tmp_path / "consul"
    directory.mkdir(mode=0o755)
    (directory / "gossip.key").write_text("kept-key\n")
    secrets, made, _fixed = consul.kept_secrets(str(directory), SECRETS, check_mode=False, generate=lambda kind: "new-" + kind)
    assert secrets == {"gossip.key": "kept-key", "agent.token": "new-uuid"} and made == ["agent.token"]
    assert (directory / "agent.token").read_text() == "new-uuid\n"
    assert oct((directory / "agent.token").stat().st_mode & 0o777) == "0o600"
    assert oct(directory.stat().st_mode & 0o777) == "0o700"


def test_kept_secrets_in_check_mode_write_nothing(tmp_path):
    directory = tmp_path / "missing"
    secrets, made, fixed = consul.kept_secrets(str(directory), SECRETS, check_mode=True)
    assert fixed and made == ["gossip.key", "agent.token"] and all(secrets.values()) and not directory.exists()
