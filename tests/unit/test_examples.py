"""The example playbooks of playbooks/examples/: the README shows each whole, byte for byte, and they
include only roles of this collection with variables those roles document."""

import re
from pathlib import Path

import pytest
import yaml

from test_docs_roles import ROLE_VARIABLE, ROLES, known_variables, mapping_keys

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
EXAMPLES = sorted((REPO / "playbooks" / "examples").glob("*.yml"))
SECTION = "## Including the roles in your own playbooks\n"


def readme_section():
    text = README.read_text(encoding="utf-8")
    assert SECTION in text, "README.md has no section %r" % SECTION.strip()
    body = text.split(SECTION, 1)[1]
    return re.split(r"^## ", body, maxsplit=1, flags=re.MULTILINE)[0]


def readme_copy(relative):
    """The yaml block that follows the link to the file in the README's section, or None."""
    link = re.escape("[`%s`](%s)" % (relative, relative))
    found = re.search(link + r"[^\n]*\n\n```yaml\n(.*?)^```", readme_section(), flags=re.MULTILINE | re.DOTALL)
    return found.group(1) if found else None


def test_both_examples_exist():
    assert [path.name for path in EXAMPLES] == ["roles_kv.yml", "roles_swarm.yml"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_readme_shows_the_example_whole(path):
    relative = path.relative_to(REPO).as_posix()
    copy = readme_copy(relative)
    assert copy is not None, "README.md, %s: no yaml block after the link to %s" % (SECTION.strip(), relative)
    assert copy == path.read_text(encoding="utf-8"), \
        "README.md's copy of %s differs from the file: copy the file into the README again" % relative


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_example_uses_only_documented_role_variables(path):
    known = known_variables()
    plays = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = {key for key in mapping_keys(plays) if isinstance(key, str) and ROLE_VARIABLE.match(key) and key not in known}
    assert not unknown, "%s sets variables no role documents: %s" % (path.name, ", ".join(sorted(unknown)))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_example_includes_only_this_collections_roles_by_fqcn(path):
    plays = yaml.safe_load(path.read_text(encoding="utf-8"))
    roles = [entry["role"] for play in plays for entry in play.get("roles", [])]
    assert roles and all(role.startswith("cnm.overlay.") and role.split(".")[-1] in ROLES for role in roles), roles
