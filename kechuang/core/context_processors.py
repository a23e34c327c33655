from kechuang.core.navigation import sections_for


class PermissionLookup:
    """``{% if may.techmarket.import %}`` in templates: whether the signed-in user holds the named
    permission (core.permissions), for showing only the actions the user may take."""

    def __init__(self, user, prefix: str = ""):
        self._user, self._prefix = user, prefix

    def __getitem__(self, part: str):
        from kechuang.core.permissions import PERMISSIONS, has_perm

        name = f"{self._prefix}.{part}" if self._prefix else part
        if name in PERMISSIONS:
            return has_perm(self._user, name)
        if any(p.startswith(name + ".") for p in PERMISSIONS):
            return PermissionLookup(self._user, name)
        raise KeyError(name)

    def __bool__(self) -> bool:
        return False


def shell(request):
    """Navigation for the page shell (signed-in users only), the ``may`` permission lookup and the
    ``Role`` enum (``{% if user.role == Role.ENTERPRISE_USER %}``: templates name roles through it too)."""
    from kechuang.core.roles import Role

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": [], "may": PermissionLookup(None), "Role": Role}
    return {"nav_sections": sections_for(user), "may": PermissionLookup(user), "Role": Role}
