"""Job kinds of the targets app: the 晾晒/考核 bulletin (.docx in the 公文 layout, or .xlsx) is
computed and written by a worker; the assessment page shows the bar and, when done, the link that
downloads the file (``jobs:file``: only whoever may see the job)."""

from __future__ import annotations

import datetime as dt

from kechuang.jobs.registry import JobOutcome, job_kind

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@job_kind("targets.bulletin", label="生成晾晒通报", perm="jobs.bulletin.start")
def bulletin(ctx, *, actor, period: int, fmt: str, on: str = ""):
    """Compute the period's assessment as of ``on`` and write the bulletin; idempotent (the file is
    named by the job, a retry overwrites it; nothing else is written but the export audit event)."""
    from django.core.exceptions import ValidationError

    from kechuang.core.audit import record
    from kechuang.core.downloads import dated_name
    from kechuang.core.models import AuditEvent
    from kechuang.core.permissions import is_system, require
    from kechuang.jobs.files import keep_job_file

    from .bulletin import build_docx, build_xlsx
    from .models import Period
    from .selectors import period_assessment
    from .views import _bulletin_data

    require(actor, "targets.bulletin.manage")
    if fmt not in ("docx", "xlsx"):
        raise ValidationError("格式应为 docx 或 xlsx")
    p = Period.objects.filter(pk=int(period)).first()
    if p is None:
        raise ValidationError("考核期不存在")
    ctx.progress(0, 3, step="测算完成情况、预警与排名")
    a = period_assessment(user=actor, period=p, on=dt.date.fromisoformat(on) if on else None)
    ctx.progress(1, 3, step="整理通报内容")
    data = _bulletin_data(p, a)
    ctx.progress(2, 3, step="生成 Word 文件" if fmt == "docx" else "生成 Excel 文件")
    body = build_docx(data) if fmt == "docx" else build_xlsx(data)
    name = dated_name(f"{p.label}目标任务{'考核' if data.annual else '晾晒'}通报", fmt)
    url, info = keep_job_file(ctx, body, name, DOCX if fmt == "docx" else XLSX)
    record(AuditEvent.Kind.EXPORT, user=None if is_system(actor) else actor, username=actor.get_username(),
           object_ref=f"targets.Period:{p.pk}",
           detail={"file": f"bulletin.{fmt}", "period": p.label, "units": len(a.regions), "job": ctx.job_id})
    ctx.progress(3, 3, step="完成")
    return JobOutcome(url=url, label=f"下载 {name}", data=info)
