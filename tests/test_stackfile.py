"""Reading stack files the way the CLI does: namespaces, encodings, secure values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.plan.stackfile import (
    SECRET_PLACEHOLDER,
    StackFileError,
    list_stack_files,
    read_stack_file,
    stack_name_from_path,
)


def _project(tmp_path: Path, stack_yaml: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(
        "name: platform\nruntime: python\nconfig:\n  platform:cloud:\n    value: aws\n",
        encoding="utf-8",
    )
    path = tmp_path / "Pulumi.qa.yaml"
    path.write_text(stack_yaml, encoding="utf-8")
    return path


def test_values_are_namespaced_and_encoded(tmp_path: Path) -> None:
    path = _project(
        tmp_path,
        "config:\n  environment: dev\n  platform:network:\n    zones: 2\n  aws:region: eu-west-1\n",
    )
    stack = read_stack_file(path)
    assert stack.stack == "qa" and stack.project == "platform"
    assert stack.config["platform:environment"] == "dev"
    assert json.loads(stack.config["platform:network"]) == {"zones": 2}
    assert stack.config["platform:cloud"] == "aws"  # project-level default
    assert stack.secret_keys == []


def test_secure_values_become_placeholders_and_secret_keys(tmp_path: Path) -> None:
    path = _project(
        tmp_path,
        "config:\n  platform:token:\n    secure: AAABAJ8x\n  platform:addons:\n    hook:\n      secure: AAAB\n",
    )
    stack = read_stack_file(path)
    assert stack.config["platform:token"] == SECRET_PLACEHOLDER
    assert json.loads(stack.config["platform:addons"]) == {"hook": SECRET_PLACEHOLDER}
    assert stack.secret_keys == ["platform:addons", "platform:token"]
    assert "AAAB" not in json.dumps(stack.config)


def test_not_yaml_is_a_clear_error(tmp_path: Path) -> None:
    path = _project(tmp_path, "config: [unclosed\n")
    with pytest.raises(StackFileError, match=r"^Pulumi\.qa\.yaml:2:1: not valid YAML: expected"):
        read_stack_file(path)


def test_stack_names_and_listing(root: Path) -> None:
    assert stack_name_from_path(Path("Pulumi.prod-gcp.yaml")) == "prod-gcp"
    with pytest.raises(StackFileError):
        stack_name_from_path(Path("prod.yaml"))
    names = [p.name for p in list_stack_files(root)]
    assert {"Pulumi.dev.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml"} <= set(names)
    assert "Pulumi.yaml" not in names
