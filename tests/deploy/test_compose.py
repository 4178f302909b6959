"""compose.yaml and the Dockerfile, read without Docker (CI has no daemon): the app servers'
environment is a configuration the app accepts, their connections fit PostgreSQL's default
limit, and every file the image copies exists in the checkout."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from exercises import config

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_MAX_CONNECTIONS = 100   # PostgreSQL's default max_connections


def _compose() -> dict:
    text = (ROOT / "compose.yaml").read_text()
    # ${NAME:-default} takes its default, ${NAME:?message} a stand-in value (as `docker compose`
    # would with the variable set).
    text = re.sub(r"\$\{(\w+):-([^}]*)\}", r"\2", text)
    text = re.sub(r"\$\{SECRET_KEY:\?[^}]*\}", "s" * 48, text)
    return yaml.safe_load(text)


def test_the_app_servers_environment_is_a_valid_configuration():
    services = _compose()["services"]
    servers = [name for name, service in services.items() if "command" not in service
               and service.get("image", "").startswith("backprop-lab")]
    assert servers == ["app1", "app2"]
    env = {key: str(value) for key, value in services["app1"]["environment"].items()}
    loaded = config.load("/nonexistent/instance", env)   # raises ConfigError if refused
    assert loaded["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert loaded["TRUSTED_PROXIES"] == 1 and loaded["LOG_FORMAT"] == "json"
    processes = len(servers) * int(env["WEB_CONCURRENCY"]) + 2   # + the worker and migration
    per_process = loaded["DATABASE_POOL_SIZE"] + loaded["DATABASE_MAX_OVERFLOW"]
    assert processes * per_process < POSTGRES_MAX_CONNECTIONS
    assert not Path("/nonexistent/instance").exists()


def test_every_app_service_waits_for_the_migration_and_the_proxy_for_healthy_servers():
    services = _compose()["services"]
    for name in ("app1", "app2", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == \
            "service_completed_successfully"
    assert services["migrate"]["command"] == ["flask", "--app", "wsgi", "db", "upgrade"]
    assert {name: dep["condition"] for name, dep in services["proxy"]["depends_on"].items()} == \
        {"app1": "service_healthy", "app2": "service_healthy"}
    assert services["proxy"]["volumes"][0].split(":")[0] == "./deploy/nginx.conf"


def test_every_file_the_image_copies_exists():
    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = [part for line in dockerfile.splitlines() if line.startswith("COPY ")
              and "--from=" not in line for part in line.split()[1:-1]]
    assert copied and all((ROOT / part).exists() for part in copied), copied
    assert "USER backprop" in dockerfile and "HEALTHCHECK" in dockerfile
