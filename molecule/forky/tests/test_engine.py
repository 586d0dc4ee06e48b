"""The forky scenario runs site.yml against Docker 28.5 (API 1.51), not an older engine."""

testinfra_hosts = ["docker_hosts"]


def test_engine_is_docker_28_5(host):
    version = host.check_output("docker version --format '{{.Server.Version}} {{.Server.APIVersion}}'")
    assert version.startswith("28.5.") and version.endswith(" 1.51")
