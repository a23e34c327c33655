from django.apps import AppConfig


class InboxConfig(AppConfig):
    """The message centre (站内信 / 待办) and the outbound SMS / e-mail interface."""

    name = "kechuang.inbox"
    label = "inbox"
    verbose_name = "消息中心"
    default_auto_field = "django.db.models.BigAutoField"
