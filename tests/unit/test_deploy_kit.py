"""The deploy kit names only real settings, and the deploying guide documents
every one."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from caseroom.config import Settings
from caseroom.settings_doc import DESCRIPTIONS, render, rewrite, undocumented

ROOT = Path(__file__).resolve().parents[2]
SETTING = re.compile(r"\bCASEROOM_([A-Z0-9_]+)")


def named_settings(text: str) -> set[str]:
    return {name.lower() for name in SETTING.findall(text)}


def test_every_setting_has_a_description() -> None:
    assert undocumented() == []


def test_descriptions_are_only_for_settings_that_exist() -> None:
    assert set(DESCRIPTIONS) - set(Settings.model_fields) == set()


def test_the_deploying_guide_has_the_current_settings_table() -> None:
    guide = (ROOT / "docs" / "deploying.md").read_text()
    assert rewrite(guide) == guide, "run: python -m caseroom.settings_doc docs/deploying.md"
    for name in Settings.model_fields:
        assert f"`CASEROOM_{name.upper()}`" in render()


def test_the_guide_and_the_kit_mention_no_setting_that_does_not_exist() -> None:
    texts = ["docs/deploying.md", "compose.yaml", ".env.example", "Dockerfile", "SECURITY.md"]
    texts += [str(p.relative_to(ROOT)) for p in (ROOT / "deploy").iterdir()]
    for relative in texts:
        named = named_settings((ROOT / relative).read_text())
        # LOGIN_ADDRESS_* and LIMIT_* stand for groups in the prose.
        named = {n for n in named if not n.endswith("_")}
        assert named - set(Settings.model_fields) == set(), relative


def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def as_settings(env: dict[str, str], monkeypatch: Any) -> Settings:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return Settings()


def test_env_example_values_are_valid_settings(monkeypatch: Any) -> None:
    env = {k: v for k, v in env_example().items() if k.startswith("CASEROOM_")}
    settings = as_settings(env, monkeypatch)
    assert settings.cookie_secure is True
    assert settings.trusted_proxies == ["172.16.0.0/12"]


def test_compose_wires_the_app_to_postgres_redis_and_a_files_volume(monkeypatch: Any) -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "caseroom"} <= set(services)
    app = services["caseroom"]
    env = {k: v.replace("${POSTGRES_PASSWORD}", "pw") for k, v in app["environment"].items()}
    assert set(env) <= {f"CASEROOM_{n.upper()}" for n in Settings.model_fields}
    settings = as_settings(env, monkeypatch)
    assert settings.database_url.startswith("postgresql+asyncpg://caseroom:pw@postgres:5432/")
    assert settings.broker_url == "redis://redis:6379/0"
    volume, _, mount = next(v for v in app["volumes"] if v.startswith("files:")).partition(":")
    assert Path(mount) == settings.data_dir
    assert volume in compose["volumes"]
    assert set(app["depends_on"]) == {"postgres", "redis"}


def test_the_image_runs_as_an_unprivileged_user_from_the_wheel() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    final_stage = dockerfile.rsplit("\nFROM ", 1)[1]
    assert re.search(r"^USER caseroom$", final_stage, re.MULTILINE)
    assert (
        "pip wheel" in dockerfile and "--no-index --find-links /tmp/wheels caseroom" in final_stage
    )
    assert 'ENTRYPOINT ["caseroom-entrypoint"]' in final_stage
    env = dict(re.findall(r"(CASEROOM_[A-Z_]+)=(\S+)", final_stage))
    assert set(env) <= {f"CASEROOM_{n.upper()}" for n in Settings.model_fields}
