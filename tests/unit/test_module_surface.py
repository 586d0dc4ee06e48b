"""The collection's public module surface: the CNM modules; every other module says it is internal and whom it serves."""

from pathlib import Path

import yaml

MODULES = Path(__file__).resolve().parents[2] / "plugins" / "modules"
PUBLIC = {"docker_cnm_network", "docker_cnm_endpoint", "docker_cnm_network_info", "docker_cnm_topology_info"}


def documentation(path):
    """A module's DOCUMENTATION block, parsed."""
    source = path.read_text(encoding="utf-8")
    start = source.index('DOCUMENTATION = r"""') + len('DOCUMENTATION = r"""')
    return yaml.safe_load(source[start:source.index('"""', start)])


def test_every_public_module_exists():
    assert PUBLIC <= {path.stem for path in MODULES.glob("*.py")}


def test_every_other_module_is_marked_internal_naming_what_it_serves():
    unmarked = {}
    for path in sorted(MODULES.glob("*.py")):
        if path.stem in PUBLIC or path.stem == "__init__":
            continue
        short = documentation(path)["short_description"]
        if not short.startswith("Internal, for ") or " - " not in short:
            unmarked[path.stem] = short
    assert unmarked == {}


def test_public_modules_are_not_marked_internal():
    assert [name for name in sorted(PUBLIC) if documentation(MODULES / (name + ".py"))["short_description"].startswith("Internal")] == []
