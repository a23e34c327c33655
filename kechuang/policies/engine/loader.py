"""Load the shipped policy YAML files (``data/policies/*.yaml``)."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import PolicyDataError
from .model import Policy, policy_from_dict

#: the product's own copy of the policies (never read from /work/shared at run time)
DATA_DIR = Path(__file__).resolve().parents[3] / "data" / "policies"


def load_policy_file(path: Path | str) -> Policy:
    """Parse and validate one policy YAML file."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PolicyDataError(path.name, f"YAML 语法错误：{exc}") from None
    if not isinstance(doc, dict):
        raise PolicyDataError(path.name, "文件内容应为映射")
    return policy_from_dict(doc, where=path.name)


def load_policies(directory: Path | str | None = None) -> tuple[Policy, ...]:
    """All policies of ``directory`` (default: the shipped ``data/policies``), sorted by file name."""
    directory = Path(directory) if directory else DATA_DIR
    return tuple(load_policy_file(p) for p in sorted(directory.glob("*.yaml")))
