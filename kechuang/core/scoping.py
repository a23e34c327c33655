"""Row-level scoping: the one choke point that restricts every queryset by the acting user and
action (NetBox's RestrictedQuerySet.restrict(user, action)).

A scoped model declares how its rows relate to the units users are bound to:

    class Enterprise(ScopedModel):
        class Scope:
            township = "township"          # path from this row to its township (Region)
            enterprise = "pk"              # path to the enterprise (for enterprise users)
            org_unit = None                # no department owns enterprises
            broker = None                  # brokers see no enterprises
            public = None                  # Q() of rows anyone signed in may view, or None
                                           # (or a function returning it, for a Q that
                                           # depends on today: a 榜单 public from its 张榜日期)

Every list, detail, edit, export, count, chart and API read goes through
`Model.objects.restrict(user, action)` (or `restrict(qs, user, action)`); `get_scoped_or_404`
is the detail/edit helper. A model that needs something other than paths overrides the
classmethod `scope_queryset(qs, user, action)`.

Actions: "view" (list, detail, count, chart), "export", "change", "delete", "add".
Rules:
- 科技局工作人员 sees and changes every business row.
- 乡镇填报员 / 部门联络员 / 企业用户 / 技术经理人 see and change the rows bound to their unit;
  `Scope.public` rows are additionally viewable (never changeable) by every signed-in user.
- The three administrators see no business rows at all (三员分立: they run the system, grant
  roles, or read the audit log).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

from kechuang.core.roles import Role

VIEW_ACTIONS = frozenset({"view", "export"})
ACTIONS = frozenset({"view", "export", "change", "delete", "add"})

# role → the attribute of Scope that names the path to the user's unit, and the user field
_ROLE_BINDING = {
    Role.TOWNSHIP_CLERK: ("township", "township_id"),
    Role.DEPT_LIAISON: ("org_unit", "org_unit_id"),
    Role.ENTERPRISE_USER: ("enterprise", "enterprise_id"),
    Role.BROKER: ("broker", "pk"),
}


class ScopeError(Exception):
    """A programming error: a model or action the choke point does not know."""


def _scope_attr(model, name):
    scope = getattr(model, "Scope", None)
    if scope is None:
        raise ScopeError(f"{model.__name__} declares no Scope; it cannot be restricted")
    return getattr(scope, name, None)


def _public(model):
    """The model's ``Scope.public`` Q (called when it is a function of today), or None."""
    public = _scope_attr(model, "public")
    return public() if callable(public) else public


def restrict(queryset: models.QuerySet, user, action: str = "view") -> models.QuerySet:
    """Return `queryset` narrowed to the rows `user` may act on with `action`."""
    if action not in ACTIONS:
        raise ScopeError(f"unknown action {action!r}")
    model = queryset.model
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        public = _public(model) if action == "view" else None
        if public is not None and getattr(model.Scope, "anonymous", False):
            return queryset.filter(public)
        return queryset.none()
    if getattr(user, "is_system", False):   # a command, job or loader (core.permissions.SystemActor)
        return queryset
    custom = getattr(model, "scope_queryset", None)
    if custom is not None:
        return custom(queryset, user, action)
    role = getattr(user, "role", "")
    if role == Role.BUREAU_STAFF:
        return queryset
    binding = _ROLE_BINDING.get(role)
    condition = None
    if binding is not None:
        attr, user_field = binding
        path = _scope_attr(model, attr)
        unit_id = getattr(user, user_field, None)
        if path and unit_id:
            condition = Q(**{path: unit_id})
    public = _public(model) if action == "view" else None
    if public is not None:
        condition = public if condition is None else (condition | public)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition).distinct() if _is_multi_valued(model, condition) else queryset.filter(condition)


def _is_multi_valued(model, condition: Q) -> bool:
    """True when a scope path crosses a to-many relation (then rows could repeat)."""
    for child in condition.children:
        if isinstance(child, Q):
            if _is_multi_valued(model, child):
                return True
            continue
        path = child[0].split("__")
        current = model
        for part in path:
            try:
                field = current._meta.get_field(part)
            except Exception:
                break
            if field.many_to_many or field.one_to_many:
                return True
            if not field.is_relation:
                break
            current = field.related_model
    return False


def can(user, obj, action: str = "view") -> bool:
    """Whether `user` may act on the single object `obj`."""
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def get_scoped_or_404(model_or_qs, user, action: str = "view", **lookup):
    """Fetch one object through the choke point. A row outside the user's scope is reported as
    not found (404) for reads and as forbidden (403) for writes on rows the user can see."""
    qs = model_or_qs if isinstance(model_or_qs, models.QuerySet) else model_or_qs._default_manager.all()
    obj = restrict(qs, user, action).filter(**lookup).first()
    if obj is not None:
        return obj
    if action not in VIEW_ACTIONS and restrict(qs, user, "view").filter(**lookup).exists():
        raise PermissionDenied
    raise Http404


class ScopedQuerySet(models.QuerySet):
    """QuerySet with `.restrict(user, action)`: the only sanctioned way to read business rows."""

    def restrict(self, user, action: str = "view"):
        return restrict(self, user, action)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


class ScopedModel(models.Model):
    """Base for every business model: rows are scoped and every write is change-logged."""

    objects = ScopedManager()

    class Meta:
        abstract = True
