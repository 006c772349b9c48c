"""Django admin for organisations: desk admins keep the list of institutional clients, their email domains and
notes; every save goes through services.py, so a change of domains moves the members at once. The accounts of an
organisation are the users' list filtered by it (the members column links there); an account's organisation is
chosen on its own page (support/admin.py)."""
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from support.admin import stored_text

from . import services
from .models import Organisation, OrganisationDomain


class OrganisationForm(forms.ModelForm):
    domains = forms.CharField(
        label=_("Email domains"), required=False, widget=forms.Textarea(attrs={"rows": 3, "translate": "no"}),
        help_text=_("One per line (or separated by commas), such as example.com. Accounts that have verified an "
                    "address at one of them belong to the organisation; an address nobody verified never does."))

    class Meta:
        model = Organisation
        fields = ["name", "domains", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["domains"].initial = "\n".join(self.instance.domain_names())

    def clean_domains(self):
        text = self.cleaned_data.get("domains") or ""
        try:
            domains = services.domains_clean(text.replace(",", "\n").splitlines())
        except services.OrganisationInvalid as exc:
            raise ValidationError(exc.detail) from exc
        taken = (OrganisationDomain.objects.filter(domain__in=domains).exclude(organisation_id=self.instance.pk)
                 .values_list("domain", flat=True))
        if taken:
            raise ValidationError(_("These domains belong to another organisation: %(domains)s.")
                                  % {"domains": ", ".join(sorted(taken))})
        return domains


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationForm
    list_display = ["name", "domain_list", "member_count", "created_at"]
    search_fields = ["name", "domains__domain"]
    readonly_fields = ["created_at"]

    def get_queryset(self, request):
        # The members counted and the domains read in the list's own queries, not one per row.
        return (super().get_queryset(request).annotate(member_count=Count("members", distinct=True))
                .prefetch_related("domains"))

    @admin.display(description=_("Email domains"))
    def domain_list(self, organisation):
        return format_html_join(", ", "{}", ((stored_text(domain),) for domain in organisation.domain_names()))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, organisation):
        url = reverse("admin:support_user_changelist")
        return format_html('<a href="{}?organisation__id__exact={}">{}</a>', url, organisation.pk,
                           organisation.member_count)

    def save_form(self, request, form, change):
        if change:
            return form.save(commit=False)
        # A new organisation is made by the service, which moves the accounts at its domains in.
        return services.organisation_create(name=form.cleaned_data["name"], domains=form.cleaned_data["domains"],
                                            notes=form.cleaned_data["notes"])

    def save_model(self, request, obj, form, change):
        if change:
            services.organisation_update(organisation=obj, name=form.cleaned_data["name"],
                                         domains=form.cleaned_data["domains"], notes=form.cleaned_data["notes"])

    def save_related(self, request, form, formsets, change):
        pass  # no relations of its own: the domains were saved by the service

    def delete_model(self, request, obj):
        services.organisation_delete(organisation=obj)

    def delete_queryset(self, request, queryset):
        for organisation in queryset:
            services.organisation_delete(organisation=organisation)
