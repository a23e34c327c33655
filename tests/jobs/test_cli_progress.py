"""Long commands show a tqdm bar on a terminal and plain lines when piped: screening, imports,
the 培育库 batch diagnosis, the search index build and demo generation; ``--background`` queues
the same work as a job instead."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from kechuang.jobs.models import Job
from kechuang.jobs.worker import run_pending

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self):
        return True


def run(*args, tty=False):
    out, err = io.StringIO(), (Terminal() if tty else io.StringIO())
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_demo_generation_lines_when_piped_and_a_bar_on_a_terminal(world):
    out, err = run("enterprises", "demo", "--count", "30", "--seed", "7")
    assert "新建企业 30 家" in out
    assert "生成演示企业 30 家：生成演示企业及其年度数据" in err and "30/30（100%）" in err and "\r" not in err
    out, err = run("enterprises", "demo", "--count", "30", "--seed", "7", tty=True)
    assert "已存在 30 家" in out and "100%|" in err and "\r" in err      # tqdm draws on the terminal


def test_pipeline_run_and_index_build_report_their_steps(world, settings, tmp_path, monkeypatch):
    out, err = run("pipeline", "run", "--on", "2026-06-30")
    assert "培育库运行 #" in out and "培育库批量诊断：读取企业数据" in err and "培育库批量诊断：写入培育库结果" in err
    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("KECHUANG_EMBEDDER", "hashing")
    out, err = run("techmarket", "index")
    assert "成果检索索引：" in out and "成果检索索引：写入索引" in err and "成果检索索引：保存新版本" in err
    out, err = run("techmarket", "index")
    assert "新增或更新 0，移除 0" in out and "索引已是最新" in err


def test_import_reports_its_phases(world, tmp_path):
    from tests.enterprises.helpers import filled_template, good_rows

    path = tmp_path / "small.xlsx"
    path.write_bytes(filled_template(good_rows()))
    out, err = run("enterprises", "import", str(path))
    assert "导入完成" in out and err.startswith("导入 small.xlsx：")


def test_background_flags_queue_jobs_for_a_worker(world):
    out, _ = run("pipeline", "run", "--on", "2026-06-30", "--background")
    out2, _ = run("enterprises", "demo", "--count", "10", "--background")
    assert "后台任务" in out and "后台任务" in out2
    assert sorted(Job.objects.values_list("kind", flat=True)) == ["diagnosis.run", "enterprises.demo"]
    run_pending()
    assert set(Job.objects.values_list("state", flat=True)) == {"done"}
    demo = Job.objects.get(kind="enterprises.demo")
    assert demo.result["created"] == 10 and demo.done == demo.total == 10
