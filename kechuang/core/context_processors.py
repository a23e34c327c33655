from kechuang.core.navigation import sections_for


def shell(request):
    """Navigation for the page shell (signed-in users only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    return {"nav_sections": sections_for(user)}
