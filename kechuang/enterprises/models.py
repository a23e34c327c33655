"""Enterprise registry (企业库). Minimal core written with the foundation; extended by issue 3."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kechuang.core.scoping import ScopedModel


class Enterprise(ScopedModel):
    """An enterprise registered in a township, identified by its 统一社会信用代码."""

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=200, db_index=True)
    township = models.ForeignKey("core.Region", verbose_name=_("所属乡镇"), on_delete=models.PROTECT,
                                 related_name="enterprises")

    class Scope:
        township = "township"
        enterprise = "pk"
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
