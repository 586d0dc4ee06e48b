"""docs/roles.md against the roles' argument specs: a section per role, every variable of a role's
main entry point in its section, and example plays that use only variables a role knows."""

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ROLES_DIR = REPO / "roles"
ROLES_DOC = REPO / "docs" / "roles.md"
# Docs whose YAML examples include the roles.
EXAMPLE_DOCS = (ROLES_DOC, REPO / "README.md")
# Facts the roles set for the plays that include them (not inputs, so not in the argument specs).
OUTPUT_FACTS = {
    "consul_kv_cluster_store_url", "consul_kv_docker_token", "control_plane_chosen", "control_plane_kv_store", "control_plane_engines",
    "docker_cluster_store_backup_file", "docker_engine_backup_file", "docker_engine_backup_files",
    "docker_restart_pending", "run_record_inputs", "run_record_unchanged", "docker_swarm_manager", "etcd_kv_cluster_store_url", "overlay_check_passed",
}

ROLES = sorted(path.name for path in ROLES_DIR.iterdir() if (path / "meta" / "argument_specs.yml").is_file())


def argument_specs(role):
    text = (ROLES_DIR / role / "meta" / "argument_specs.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["argument_specs"]


def sections(text):
    """Heading '## name' -> the text up to the next '## ' heading."""
    found = {}
    for part in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        heading, body = (part.split("\n", 1) + [""])[:2]
        found[heading.strip()] = body
    return found


def yaml_blocks(text):
    return re.findall(r"^```yaml\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def mapping_keys(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from mapping_keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from mapping_keys(item)


def known_variables():
    known = set(OUTPUT_FACTS)
    for role in ROLES:
        for entry_point in argument_specs(role).values():
            known.update((entry_point.get("options") or {}).keys())
    return known


ROLE_VARIABLE = re.compile(r"^(%s)_[a-z0-9_]+$" % "|".join(ROLES))


def test_the_roles_are_found():
    assert len(ROLES) >= 10 and "overlay_check" in ROLES


@pytest.mark.parametrize("role", ROLES)
def test_every_role_has_a_section(role):
    assert role in sections(ROLES_DOC.read_text(encoding="utf-8")), "docs/roles.md has no '## %s' section" % role


def test_every_section_is_a_role():
    assert sorted(sections(ROLES_DOC.read_text(encoding="utf-8"))) == ROLES


@pytest.mark.parametrize("role", ROLES)
def test_every_main_variable_is_in_its_section(role):
    section = sections(ROLES_DOC.read_text(encoding="utf-8")).get(role, "")
    options = argument_specs(role)["main"].get("options") or {}
    missing = [name for name in options if not re.search(r"\b%s\b" % re.escape(name), section)]
    assert not missing, "docs/roles.md, section %s, does not name %s" % (role, ", ".join(missing))


@pytest.mark.parametrize("doc", EXAMPLE_DOCS, ids=lambda path: path.name)
def test_examples_are_yaml_and_use_known_variables(doc):
    known = known_variables()
    unknown = []
    for block in yaml_blocks(doc.read_text(encoding="utf-8")):
        for key in mapping_keys(yaml.safe_load(block)):
            if isinstance(key, str) and ROLE_VARIABLE.match(key) and key not in known:
                unknown.append(key)
    assert not unknown, "%s: variables no role knows: %s" % (doc.name, ", ".join(sorted(set(unknown))))


@pytest.mark.parametrize("doc", EXAMPLE_DOCS, ids=lambda path: path.name)
def test_examples_include_existing_roles(doc):
    named = re.findall(r"(?:role|name): cnm\.overlay\.([a-z_]+)\s*$", doc.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert named and not sorted(set(named) - set(ROLES))
