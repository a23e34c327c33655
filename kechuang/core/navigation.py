"""The shell's navigation and home cards, collected from the product apps.

An app contributes by defining, on its AppConfig:

    def nav_items(self, user) -> list[NavItem]        # links in the side menu
    def home_cards(self, user) -> list[HomeCard]      # counts on the home page (scoped!)

An app without nav_items is left out of the menu.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.urls import reverse

from kechuang.core.roles import Role

# The modules of the product, in menu order (label shown in Chinese).
MODULES = [
    ("enterprises", "企业库"),
    ("diagnosis", "资格预诊断"),
    ("policies", "政策兑现"),
    ("targets", "目标考核"),
    ("techmarket", "技术市场"),
    ("resources", "创新资源"),
    ("commissioners", "科技特派员"),
    ("supervision", "项目与监管"),
    ("talent", "人才"),
    ("carriers", "创新载体"),
]


@dataclass(frozen=True)
class NavItem:
    """A menu link. ``perm`` names the permission (core.permissions) the page needs, when it
    needs one beyond being signed in with a business role."""

    label: str
    url: str
    perm: str = ""


@dataclass(frozen=True)
class HomeCard:
    label: str
    count: int | str
    url: str
    note: str = ""


@dataclass
class NavSection:
    label: str
    items: list[NavItem]


_SECTIONS_TTL = 300  # seconds; menus depend only on the user's role and bindings
_sections_cache: dict[tuple, tuple[float, list[NavSection]]] = {}


def sections_for(user) -> list[NavSection]:
    """The side menu of ``user``, kept per (user, role, bindings) for a few minutes: building it
    reverses some thirty URLs, a noticeable share of a busy page's time."""
    key = (user.pk, getattr(user, "role", ""), getattr(user, "township_id", None),
           getattr(user, "org_unit_id", None), getattr(user, "enterprise_id", None))
    now = time.monotonic()
    hit = _sections_cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    if len(_sections_cache) > 5000:
        _sections_cache.clear()
    sections = _build_sections(user)
    _sections_cache[key] = (now + _SECTIONS_TTL, sections)
    return sections


def _build_sections(user) -> list[NavSection]:
    from kechuang.core.models import ADMIN_ROLES

    sections = []
    labels = {name.rsplit(".", 1)[-1] for name in settings.PROJECT_APPS}
    role = getattr(user, "role", "")
    admin_role = role in ADMIN_ROLES
    for label, title in MODULES:
        if label not in labels or admin_role:  # 三员 see no business modules
            continue
        config = apps.get_app_config(label)
        if not hasattr(config, "nav_items"):   # a module with no pages yet is not shown
            continue
        from kechuang.core.permissions import has_perm

        items = [i for i in config.nav_items(user) if not i.perm or has_perm(user, i.perm)]
        if items:   # a module the role has no page in is left out of its menu
            sections.append(NavSection(title, items))
    admin_items = []
    if admin_role:
        from kechuang.core.permissions import has_perm

        if has_perm(user, "core.account.manage"):
            admin_items.append(NavItem("账户管理", reverse("core:accounts"), perm="core.account.manage"))
        if has_perm(user, "core.security_policy.change"):
            admin_items.append(NavItem("安全策略", reverse("core:security_policy"),
                                       perm="core.security_policy.change"))
        admin_items.append(NavItem("系统管理后台", reverse("admin:index")))
    if role == Role.AUDIT_ADMIN:
        admin_items.append(NavItem("审计日志", reverse("core:audit_log")))
    admin_items.append(NavItem("行政区划与责任单位", reverse("core:regions")))
    sections.append(NavSection("基础数据与系统", admin_items))
    return sections


def cards_for(user) -> list[HomeCard]:
    cards = []
    for label, _title in MODULES:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        if hasattr(config, "home_cards"):
            cards.extend(config.home_cards(user))
    return cards
