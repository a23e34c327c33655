"""Demo data for `kechuang serve --demo`: institutes, brokers and an instrument."""
from __future__ import annotations


def load_demo(stdout=None) -> None:
    """Create two institutes with experts, three brokers and one shared instrument (idempotent)."""
    from .models import Broker, Institute, Instrument
    hqu, _ = Institute.objects.get_or_create(name="华侨大学", defaults={
        "kind": "高校", "city": "泉州", "platforms": ["石材加工技术工程研究中心"],
        "experts": [{"name": "陈教授", "title": "教授", "field": "智能装备"}]})
    Institute.objects.get_or_create(name="中国科学院海西研究院泉州装备制造研究中心", defaults={
        "kind": "大院大所", "city": "泉州", "platforms": ["智能制造中试平台"],
        "experts": [{"name": "林研究员", "title": "研究员", "field": "新材料"}]})
    Instrument.objects.get_or_create(name="场发射扫描电子显微镜", owner=hqu,
                                     defaults={"category": "分析测试", "fee": "400 元/小时"})
    for name, fields in (("张技术经理", ["新材料", "化学工程"]), ("李技术经理", ["智能装备", "机械工程"]),
                         ("王技术经理", ["生物医药", "食品科学"])):
        Broker.objects.get_or_create(name=name, defaults={"fields": fields, "institution": "南安市技术转移中心"})
    if stdout is not None:
        stdout.write("技术市场演示数据：科研院所 2 家、技术经理人 3 名、仪器 1 台\n")
