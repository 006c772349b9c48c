from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpcenterConfig(AppConfig):
    name = "helpcenter"
    verbose_name = _("Help center")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete

        from . import services
        from .models import ArticleImage

        post_delete.connect(services.image_file_remove, sender=ArticleImage, dispatch_uid="helpcenter-image-file")
