"""The review rubric is edited here (in all six languages); reviews themselves are written by supervisors on the
desk's review page and only shown here."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from support.admin import TranslatedAdmin

from .models import QualityReview, ReviewCriterion, ReviewScore


@admin.register(ReviewCriterion)
class ReviewCriterionAdmin(TranslatedAdmin):
    list_display = ["name", "weight", "position", "is_active"]
    list_editable = ["weight", "position", "is_active"]


class ReviewScoreInline(admin.TabularInline):
    model = ReviewScore
    extra = 0
    can_delete = False
    readonly_fields = ["criterion", "score"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(QualityReview)
class QualityReviewAdmin(admin.ModelAdmin):
    list_display = ["created_at", "agent", "reviewer", "subject", "score"]
    list_filter = ["created_at"]
    search_fields = ["agent__email", "agent__name", "ticket__number"]
    readonly_fields = ["agent", "reviewer", "conversation", "ticket", "score", "created_at"]
    list_select_related = ["agent", "reviewer", "ticket"]
    inlines = [ReviewScoreInline]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("reviewed"))
    def subject(self, review):
        return review.subject_label
