"""Which key ``harness run`` signs with: the credentials in the environment are read as the first
link of botocore's chain reads them, without a botocore session."""

from __future__ import annotations

import os
from pathlib import Path

import botocore.session
import pytest

from harness.aws import SigningKey
from harness.runner import signing_key


@pytest.fixture
def clean_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return monkeypatch


def botocore_key(region: str) -> SigningKey:
    frozen = botocore.session.get_session().get_credentials().get_frozen_credentials()
    return SigningKey(frozen.access_key, frozen.secret_key, region, frozen.token)


@pytest.mark.parametrize(
    "variables",
    [
        {"AWS_ACCESS_KEY_ID": "AKIDENVIRONMENT00001", "AWS_SECRET_ACCESS_KEY": "environment-secret"},
        {"AWS_ACCESS_KEY_ID": "AKIDENVIRONMENT00002", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "token-1"},
        {"AWS_ACCESS_KEY_ID": "AKIDENVIRONMENT00003", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SECURITY_TOKEN": "token-2"},
        {"AWS_ACCESS_KEY_ID": "AKIDENVIRONMENT00004", "AWS_SECRET_ACCESS_KEY": "s",
         "AWS_SESSION_TOKEN": "token-3", "AWS_SECURITY_TOKEN": "token-4"},
    ],
    ids=["keys", "session-token", "security-token", "both-tokens"],
)  # fmt: skip
def test_keys_in_the_environment_are_those_botocore_would_give(
    clean_environment: pytest.MonkeyPatch, variables: dict[str, str]
) -> None:
    for name, value in variables.items():
        clean_environment.setenv(name, value)
    assert signing_key("eu-west-1") == botocore_key("eu-west-1")


def test_a_profile_is_read_through_botocore_when_the_environment_has_no_keys(
    clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "credentials").write_text(
        "[other]\naws_access_key_id = AKIDFROMPROFILE00001\naws_secret_access_key = profile-secret\n", encoding="utf-8"
    )
    clean_environment.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    clean_environment.setenv("AWS_PROFILE", "other")
    assert signing_key(None) == SigningKey("AKIDFROMPROFILE00001", "profile-secret", "us-east-1")
