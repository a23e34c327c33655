from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background jobs (Django's Tasks framework, database backend), the workers' schedule and the
    daily reminders. Each product app registers its job kinds in its own ``jobs.py``."""

    name = "kechuang.jobs"
    label = "jobs"
    verbose_name = "后台任务"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")   # <app>.jobs registers that app's job kinds
        from . import reminders  # noqa: F401  (the scheduled kinds)
