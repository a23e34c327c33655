"""Demo: one recorded 培育库 run over the demo registry, so the funnel page has data."""

from __future__ import annotations


def load_demo(stdout=None) -> None:
    """Run the pre-diagnosis over every enterprise once (skipped when a run already exists)."""
    from kechuang.core.permissions import system_actor
    from kechuang.diagnosis.models import DiagnosisRun
    from kechuang.diagnosis.services import diagnosis_run_create
    from kechuang.enterprises.models import Enterprise

    if DiagnosisRun.objects.exists() or not Enterprise.objects.exists():
        return None
    run = diagnosis_run_create(user=system_actor("command:demo diagnosis"), queryset=Enterprise.objects.all(), note="演示数据")
    if stdout is not None:
        stdout.write(f"  培育库：已对 {run.enterprise_count} 家企业运行预诊断（运行 #{run.pk}）")
    return None
