# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Consul server's leader wait, ACL setup and KV write/read probe in one module run (private).

What the consul_kv role used to do with one uri/slurp/copy task each (one SSH command each): wait
for a leader, bootstrap the ACL system once (or read the kept management token), make sure the
policies and the tokens with their kept SecretIDs exist, and write and read a probe key. The
decisions (policy_changes, token_changes) are pure; ConsulAgent only talks HTTP, through
_host_probe.http_answer (ansible's open_url: standard library only on the managed host).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import time
import uuid

from ansible_collections.cnm.overlay.plugins.module_utils._host_probe import http_answer

# Consul 1.8 answers 403 "ACL not found" for a policy or token that does not exist, newer ones 404.
MISSING = (403, 404)


class ConsulError(Exception):
    """A failure with the words to show. reason "agent": the agent did not answer as it should (the role
    then shows its log tail); "acl": the ACL state needs the operator (the message says what to do)."""

    def __init__(self, msg, reason="agent"):
        super(ConsulError, self).__init__(msg)
        self.msg = msg
        self.reason = reason


def describe(answer):
    """An answer in a few words: status and what Consul said."""
    said = (answer.get("content") or "").strip()
    if answer["status"] == -1:
        return answer["msg"]
    return "HTTP %s%s" % (answer["status"], (": " + said[:300]) if said else "")


def policy_changes(wanted, found):
    """What to do so every wanted policy exists as wanted.

    wanted: [{name, description, rules}]; found: {name: the policy Consul returned, or None}.
    Returns [{action: create|update, name, id (update only), body}] in the order of wanted."""
    changes = []
    for policy in wanted:
        body = {"Name": policy["name"], "Description": policy["description"], "Rules": policy["rules"]}
        current = found.get(policy["name"])
        if current is None:
            changes.append({"action": "create", "name": policy["name"], "id": None, "body": body})
        elif current.get("Rules") != policy["rules"] or current.get("Description") != policy["description"]:
            changes.append({"action": "update", "name": policy["name"], "id": current.get("ID"), "body": body})
    return changes


def token_changes(wanted, found):
    """What to do so every policy's token exists with its kept SecretID and carries that policy.

    wanted: [{name (the policy), description, token (SecretID)}]; found: {policy name: the token
    Consul returned for /v1/acl/token/self, or None}. Returns [{action: create|update, name,
    id (AccessorID, update only), body}]; a token keeps any other policies it was given."""
    changes = []
    for policy in wanted:
        current = found.get(policy["name"])
        if current is None:
            body = {"SecretID": policy["token"], "Description": policy["description"],
                    "Policies": [{"Name": policy["name"]}]}
            changes.append({"action": "create", "name": policy["name"], "id": None, "body": body})
            continue
        names = [link.get("Name") for link in current.get("Policies") or []]
        if policy["name"] not in names:
            links = [{"Name": name} for name in names if name] + [{"Name": policy["name"]}]
            body = {"Description": current.get("Description") or policy["description"], "Policies": links}
            changes.append({"action": "update", "name": policy["name"], "id": current.get("AccessorID"), "body": body})
    return changes


def change_words(kind, changes):
    """Human words for a list of changes, e.g. 'create policy cnm-overlay-docker'."""
    return ["%s %s %s" % (change["action"], kind, change["name"]) for change in changes]


def new_secret(kind):
    """A fresh secret: a token's SecretID (uuid) or a gossip key (32 random bytes, base64, as Consul wants)."""
    if kind == "gossip_key":
        return base64.b64encode(os.urandom(32)).decode("ascii")
    return str(uuid.uuid4())


def secrets_to_make(wanted, kept):
    """The names in wanted ([{name, kind}]) whose kept value (kept: {name: value or None}) is missing."""
    return [secret["name"] for secret in wanted if not kept.get(secret["name"])]


def kept_secrets(directory, wanted, check_mode, generate=new_secret):
    """Read the secrets kept in directory (0700, root), make and keep the missing ones (0600).
    Returns (secrets by name, the names made, whether the directory was made or put right)."""
    fixed = False
    if not os.path.isdir(directory):
        fixed = True
        if not check_mode:
            os.makedirs(directory, 0o700)
    if os.path.isdir(directory):
        status = os.stat(directory)
        # Owned by root when run as root (as the role does); another user keeps its own.
        owner = (0, 0) if os.geteuid() == 0 else (status.st_uid, status.st_gid)
        if status.st_mode & 0o777 != 0o700 or (status.st_uid, status.st_gid) != owner:
            fixed = True
            if not check_mode:
                os.chmod(directory, 0o700)
                os.chown(directory, *owner)
    secrets = dict((secret["name"], read_token_file(os.path.join(directory, secret["name"]))) for secret in wanted)
    made = secrets_to_make(wanted, secrets)
    kinds = dict((secret["name"], secret["kind"]) for secret in wanted)
    for name in made:
        secrets[name] = generate(kinds[name])
        if not check_mode:
            keep_secret_file(os.path.join(directory, name), secrets[name])
    return secrets, made, fixed


class ConsulAgent:
    """The HTTP API of one Consul agent."""

    def __init__(self, url, request_timeout=10, ca_path=None, client_cert=None, client_key=None,
                 opener=None, sleep=time.sleep, clock=time.time):
        self.url = url.rstrip("/")
        self.request_timeout = request_timeout
        self.tls = dict(ca_path=ca_path, client_cert=client_cert, client_key=client_key)
        self.opener = opener
        self.sleep = sleep
        self.clock = clock

    def call(self, method, path, token=None, body=None, raw_body=None):
        """One request; the answer as http_answer's plus "json" (None when the body is not JSON)."""
        headers = {"X-Consul-Token": token} if token else {}
        data = raw_body
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        answer = http_answer(self.url + path, self.request_timeout, method=method, data=data, headers=headers,
                             opener=self.opener, **self.tls)
        try:
            answer["json"] = json.loads(answer["content"]) if answer["content"] else None
        except ValueError:
            answer["json"] = None
        return answer

    def until(self, timeout, attempt, what):
        """Call attempt() once a second until it returns an answer (not None) or timeout seconds passed.
        attempt returns (done, answer); the last answer names the failure."""
        deadline = self.clock() + timeout
        while True:
            done, answer = attempt()
            if done:
                return answer
            if self.clock() >= deadline:
                raise ConsulError("consul_kv: %s did not succeed within %s s at %s (last answer: %s)"
                                  % (what, timeout, self.url, describe(answer)))
            self.sleep(1)

    def expect(self, answer, statuses, what):
        """The answer when its status is one of statuses, else a ConsulError naming what was asked."""
        if answer["status"] not in statuses:
            raise ConsulError("consul_kv: %s at %s failed: %s" % (what, self.url, describe(answer)))
        return answer


def wait_for_leader(agent, timeout):
    """The leader's address, once the agent knows one."""
    def attempt():
        answer = agent.call("GET", "/v1/status/leader")
        return answer["status"] == 200 and bool(answer["json"]), answer
    return agent.until(timeout, attempt, "waiting for a leader")["json"]


def read_token_file(path):
    """The kept token in path, or None when there is no such file (or it is empty)."""
    try:
        with open(path) as handle:
            return handle.read().strip() or None
    except (IOError, OSError):
        return None


def keep_secret_file(path, secret):
    """Write secret to path, mode 0600, replacing it at once (never a half-written file)."""
    partial = path + ".partial"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secret + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(partial, 0o600)
    os.rename(partial, path)


def bootstrap(agent, timeout, token_file, data_dir, stale):
    """Bootstrap the ACL system; its management SecretID. A cluster bootstrapped before (403) stops with what
    to do: only the kept file can say that token (missing, or `stale`: one the cluster does not know)."""
    def attempt():
        # Just after a start the ACL system answers 500 ("legacy mode") until it knows the leader.
        answer = agent.call("PUT", "/v1/acl/bootstrap")
        return answer["status"] in (200, 403), answer
    answer = agent.until(timeout, attempt, "the ACL bootstrap")
    if answer["status"] == 403:
        lacking = ("the management token kept in %s is not one it knows" if stale else "%s is missing on this server")
        raise ConsulError(
            "consul_kv: the ACL system of this Consul cluster was bootstrapped before, but %s (Consul says: %s). Put "
            "that management token's SecretID in %s (mode 0600), or reset the bootstrap: write the reset index "
            "Consul names into %s/acl-bootstrap-reset on the leader and run again."
            % (lacking % token_file, (answer["content"] or "").strip(), token_file, data_dir), reason="acl")
    secret = (answer["json"] or {}).get("SecretID")
    if not secret:
        raise ConsulError("consul_kv: the ACL bootstrap at %s answered without a SecretID: %s" % (agent.url, describe(answer)))
    return secret


def token_self(agent, timeout, token):
    """Consul's answer to the token reading itself: 200 when the cluster knows it, 403 or 404 when not (a kept
    management token after the cluster's data was wiped)."""
    def attempt():
        # 500 while the ACL system is still in legacy mode just after a start.
        answer = agent.call("GET", "/v1/acl/token/self", token=token)
        return answer["status"] in (200,) + MISSING, answer
    return agent.until(timeout, attempt, "reading the management token")


def find_existing(agent, wanted, path, token_of, what):
    """{policy name: what Consul returned for path (formatted with the policy), or None when missing}.
    token_of(policy) is the token each request is made with."""
    found = {}
    for policy in wanted:
        answer = agent.expect(agent.call("GET", path % policy, token=token_of(policy)),
                              (200,) + MISSING, what % policy)
        found[policy["name"]] = answer["json"] if answer["status"] == 200 else None
    return found


def apply_changes(agent, token, kind, changes):
    for change in changes:
        path = "/v1/acl/%s" % kind + ("/%s" % change["id"] if change["action"] == "update" else "")
        agent.expect(agent.call("PUT", path, token=token, body=change["body"]), (200,),
                     "%s the %s of %s" % ("updating" if change["action"] == "update" else "creating", kind, change["name"]))


def set_up_acl(agent, params, check_mode):
    """Management token and the list of what was (or, in check mode, would be) done."""
    actions = []
    token_file = params["management_token_file"]
    management = params["management_token"] or read_token_file(token_file)
    known = token_self(agent, params["timeout"], management) if management is not None else None
    stale = known is not None and known["status"] != 200
    if stale:
        # A cluster whose data was wiped knows no token and can be bootstrapped again; a token the operator
        # gives is the operator's to sort out.
        if params["management_token"] or not params["acl_setup"]:
            raise ConsulError("consul_kv: the management token %s is not known to this Consul cluster (Consul says: "
                              "%s): give this cluster's management SecretID."
                              % ("given in management_token" if params["management_token"] else "kept in %s" % token_file,
                                 (known["content"] or "").strip()), reason="acl")
        actions.append("move the management token kept in %s, which this cluster does not know (its data was "
                       "reset?), to %s.stale" % (token_file, token_file))
        management = None
    if management is None:
        if not params["acl_setup"]:
            raise ConsulError("consul_kv: no management token: give management_token or management_token_file "
                              "(%s is missing)" % token_file, reason="acl")
        actions.append("bootstrap the ACL system and keep its management token in %s" % token_file)
        if check_mode:
            # Nothing can be looked up without the token: everything would be made.
            wanted = params["policies"]
            return None, actions + change_words("policy", policy_changes(wanted, {})) + \
                change_words("token", token_changes(wanted, {}))
        management = bootstrap(agent, params["timeout"], token_file, params["data_dir"], stale)
        if stale:
            os.rename(token_file, token_file + ".stale")
        keep_secret_file(token_file, management)
    if not params["acl_setup"]:
        return management, actions
    wanted = params["policies"]
    policies = policy_changes(wanted, find_existing(agent, wanted, "/v1/acl/policy/name/%(name)s",
                                                    lambda policy: management, "looking up the policy %(name)s"))
    if not check_mode:
        apply_changes(agent, management, "policy", policies)
    tokens = token_changes(wanted, find_existing(agent, wanted, "/v1/acl/token/self",
                                                 lambda policy: policy["token"], "looking up the token of the policy %(name)s"))
    if not check_mode:
        apply_changes(agent, management, "token", tokens)
    return management, actions + change_words("policy", policies) + change_words("token", tokens)


def kv_probe(agent, key, value, token, check_mode, tries=10):
    """Write key=value and read it back (check mode: only read the store's answer to a read)."""
    path = "/v1/kv/%s" % key.lstrip("/")
    if not check_mode:
        def attempt():
            answer = agent.call("PUT", path, token=token, raw_body=value.encode("utf-8"))
            return answer["status"] == 200 and answer["content"].strip() == "true", answer
        agent.until(tries, attempt, "writing the probe key %s" % key)
        answer = agent.call("GET", path + "?raw", token=token)
        if answer["status"] != 200 or answer["content"] != value:
            raise ConsulError("consul_kv: the probe key %s read back from %s is not %r: %s" % (key, agent.url, value, describe(answer)))
    else:
        agent.expect(agent.call("GET", path + "?raw", token=token), (200, 404), "reading the probe key %s" % key)


def run(agent, params, check_mode):
    """The whole job; a result for exit_json (never a secret unless return_management_token)."""
    leader = wait_for_leader(agent, params["timeout"])
    management, actions = None, []
    if params["acl"]:
        management, actions = set_up_acl(agent, params, check_mode)
    if params["probe_key"] and (management or not params["acl"]):
        kv_probe(agent, params["probe_key"], params["probe_value"], management, check_mode)
    result = dict(changed=bool(actions), leader=leader, actions=actions)
    if params["return_management_token"]:
        result["management_token"] = management or ""
    return result
