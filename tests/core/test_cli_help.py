"""`kechuang help` is the product's, in Chinese, grouped, before Django's; a growth rate above 1
is refused unless given as a percentage (issue 13 item 10)."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kechuang.cli import main


def test_help_lists_product_commands_first_grouped_in_chinese(capsys):
    main(["kechuang", "help"])
    out = capsys.readouterr().out
    for group in ("【启动与运维】", "【企业库与资格预诊断】", "【政策兑现】", "【目标考核】", "【技术市场】"):
        assert group in out
    for cmd in ("serve", "enterprises", "diagnose", "policy", "targets", "techmarket"):
        assert f"  {cmd} " in out
    assert out.index("techmarket") < out.index("【Django 框架命令") < out.index("flush")
    assert "docs/commands.md" in out


def test_docs_describe_every_product_command():
    from pathlib import Path

    from django.conf import settings
    from django.core.management import get_commands

    doc = (Path(settings.BASE_DIR) / "docs" / "commands.md").read_text(encoding="utf-8")
    for name, app in get_commands().items():
        if app in ("kechuang.core", "kechuang.enterprises", "kechuang.diagnosis", "kechuang.policies",
                   "kechuang.targets", "kechuang.techmarket"):
            assert f"kechuang {name}" in doc, name


def _gen(*args):
    out = io.StringIO()
    call_command("targets", "generate", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_growth_above_one_is_refused_unless_percent():
    with pytest.raises(CommandError, match="大于 1"):
        _gen("--base", "22000", "--growth", "20", "--from", "2020", "--to", "2025")
    expected = _gen("--base", "22000", "--growth", "0.2", "--from", "2020", "--to", "2025")
    assert expected["2025"] == 54743
    assert _gen("--base", "22000", "--growth", "20", "--percent", "--from", "2020", "--to", "2025") == expected
    assert _gen("--base", "22000", "--growth", "20%", "--from", "2020", "--to", "2025") == expected
    assert _gen("--base", "100", "--growth", "1", "--from", "2020", "--to", "2021") == {"2020": 100, "2021": 200}


def test_a_command_help_and_its_errors_are_in_chinese(capsys):
    """`kechuang enterprises --help` was half English (argparse's usage/options and Django's common
    options); a missing argument answered "the following arguments are required"."""
    with pytest.raises(SystemExit) as done:
        main(["kechuang", "enterprises", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：kechuang enterprises") and "选项" in out and "显示本帮助并退出" in out
    assert "输出详细程度" in out and "show this help" not in out and "Verbosity level" not in out
    with pytest.raises(SystemExit) as done:
        main(["kechuang", "enterprises", "facts"])
    assert done.value.code == 2
    assert "缺少必需的参数：uscc" in capsys.readouterr().err
    main(["kechuang", "help"])
    out = capsys.readouterr().out
    assert "index 建立或更新成果检索索引" in out and "screen 对全部企业筛查" in out
