"""Django admin for users, teams and agent profiles. Role changes go through the role service."""
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from modeltranslation.admin import TabbedTranslationAdmin

from . import notifications, services
from .languages import LANGUAGE_CODES
from .models import (
    AgentProfile,
    AuditEvent,
    MembershipSource,
    Notification,
    Organisation,
    OutboundEmail,
    Team,
    User,
)
from .organisations.selectors import organisation_choices
from .organisations.services import user_organisation_set
from .outbox import outbound_email_retry
from .roles import Role, user_role
from .twofactor import two_factor_reset

# Not in the admin: django-otp's device pages (English-only; admins reset a lost authenticator from the user list,
# UserAdmin.reset_two_factor) and Django's groups (the roles are groups whose permissions the code sets,
# support.roles.ensure_role_groups; a role is given on the user's page).
for _model in (StaticDevice, TOTPDevice, Group):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

# Django's own catalogue has no Chinese for these admin strings (the app list's column headers, read by screen
# readers; a line of the add-user page; the login page's), so an admin reading zh-hans would be shown or read
# English: marked here, they are in our catalogue, which Django reads before its own (LOCALE_PATHS).
DJANGO_ADMIN_STRINGS = (
    gettext_noop("Model name"), gettext_noop("Add link"), gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."), gettext_noop("Error:"),
    gettext_noop("Forgotten your login credentials?"), gettext_noop("In case you’ve forgotten, you are:"),
)


class AgentProfileInline(admin.StackedInline):
    model = AgentProfile
    can_delete = False
    extra = 0


def stored_text(text, language=""):
    """Stored text shown as written, not interface (a customer's message, an example phrase, a code): marked with
    its language, so a screen reader reads it in that language's voice, or, without one, as not to translate."""
    if language:
        return format_html('<span lang="{}" translate="no">{}</span>', language, text)
    return format_html('<span translate="no">{}</span>', text)


@admin.display(description=_("slug"), ordering="slug")
def slug_code(obj):
    """A list column with the object's slug: a part of its address, not words."""
    return stored_text(obj.slug)


class TranslatedAdmin(TabbedTranslationAdmin):
    """A tab per language (modeltranslation), each language's field marked as stored text in its language (as
    stored_text does): the English tab of a Japanese admin's form is English on purpose, spell-checked and read out
    as such."""

    def patch_translation_field(self, db_field, field, request, **kwargs):
        super().patch_translation_field(db_field, field, request, **kwargs)
        language = getattr(db_field, "language", None)
        if language and hasattr(db_field, "translated_field") and field is not None:
            self._get_widget_from_field(field).attrs.update({"lang": language, "translate": "no"})


class RoleFilter(admin.SimpleListFilter):
    """Users by role, named in the reader's language (a role is a group whose name is its code: "agent")."""

    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        if self.value() in Role.values:
            return queryset.filter(groups__name=self.value())
        return queryset


ORGANISATION_AUTOMATIC, ORGANISATION_NONE = "automatic", "none"


class UserAdminForm(forms.ModelForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organisation_choice = forms.ChoiceField(
        label=_("Organisation"), help_text=_("An account follows the domain of its address once the address is "
                                             "verified; an organisation chosen here (or none) is kept whatever the "
                                             "domain."))

    class Meta:
        model = User
        fields = ("email", "name", "language", "is_active", "email_verified")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation_choice"].choices = [
            (ORGANISATION_AUTOMATIC, _("From the verified email's domain")), (ORGANISATION_NONE, _("None")),
            *organisation_choices()]
        if self.instance.pk:
            self.fields["role"].initial = user_role(self.instance).value
            user = self.instance
            self.fields["organisation_choice"].initial = (
                ORGANISATION_AUTOMATIC if user.organisation_source != MembershipSource.ADMIN
                else str(user.organisation_id or ORGANISATION_NONE))

    def organisation_chosen(self):
        """(automatic, organisation id or None) as chosen."""
        choice = self.cleaned_data["organisation_choice"]
        if choice == ORGANISATION_AUTOMATIC:
            return True, None
        return False, None if choice == ORGANISATION_NONE else int(choice)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminForm
    ordering = ["email"]
    list_display = ["email", "name", "language", "role_name", "organisation", "is_active", "date_joined"]
    list_filter = [RoleFilter, "language", "is_active", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["email", "name"]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = []
    fieldsets = [
        (None, {"fields": ["email", "name", "language", "role", "is_active", "email_verified",
                           "organisation_choice"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "name", "language", "role", "password1", "password2"]})]
    inlines = [AgentProfileInline]
    actions = ["reset_two_factor"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            return UserAddForm
        return super().get_form(request, obj, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("Role"))
    def role_name(self, obj):
        return user_role(obj).label

    @admin.action(description=_("Reset two-factor authentication (a new authenticator at the next sign-in)"))
    def reset_two_factor(self, request, queryset):
        reset = [user for user in queryset if two_factor_reset(user=user)]
        self.message_user(request, ngettext(
            "Two-factor authentication was reset for %(count)d account; it sets up a new authenticator at its next "
            "sign-in.",
            "Two-factor authentication was reset for %(count)d accounts; each sets up a new authenticator at its "
            "next sign-in.", len(reset)) % {"count": len(reset)}, messages.SUCCESS)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None and hasattr(obj, "agent_profile") else []

    def save_form(self, request, form, change):
        if change:
            return super().save_form(request, form, change)
        # A new account is made by the same service as every other path, so it gets its role and profile.
        return services.user_create(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            name=form.cleaned_data.get("name", ""),
            language=form.cleaned_data["language"],
            role=form.cleaned_data["role"],
            email_verified=True,
        )

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            services.user_set_role(user=obj, role=form.cleaned_data["role"])
            # After the save: a changed or newly verified address moves an account that follows its domain.
            automatic, organisation_id = form.organisation_chosen()
            user_organisation_set(user=obj, automatic=automatic,
                                  organisation=Organisation.objects.filter(pk=organisation_id).first())

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)


class UserAddForm(forms.ModelForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.CUSTOMER)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    class Meta:
        model = User
        fields = ("email", "name", "language")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords do not match."))
        return cleaned


class AgentProfileForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages served"), choices=[(c, c) for c in LANGUAGE_CODES], widget=forms.CheckboxSelectMultiple
    )
    assisted_languages = forms.MultipleChoiceField(
        label=_("Languages served with assist"), choices=[(c, c) for c in LANGUAGE_CODES], required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Chats in these languages are given to this agent only when the customer accepted an agent of "
                    "another language, served with suggestions in the customer's language and machine translation."))

    class Meta:
        model = AgentProfile
        fields = ["languages", "assisted_languages", "capacity", "presence", "team"]

    def clean(self):
        cleaned = super().clean()
        native = set(cleaned.get("languages") or [])
        both = [code for code in cleaned.get("assisted_languages") or [] if code in native]
        if both:
            self.add_error("assisted_languages", _("A language the agent speaks natively is not served with assist: "
                                                   "%(languages)s.") % {"languages": ", ".join(both)})
        return cleaned


AgentProfileInline.form = AgentProfileForm


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", slug_code]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class RecordAdmin(admin.ModelAdmin):
    """A record the services write (tickets, incidents, ...): the admin looks, never adds, changes or deletes, so
    every change keeps its audit trail, notifications and rules."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    form = AgentProfileForm
    list_display = ["user", "languages", "assisted_languages", "capacity", "presence", "last_seen_at", "team",
                    "verification_code"]
    list_filter = ["presence", "team"]
    list_select_related = ["user", "team"]
    search_fields = ["user__email", "user__name", "verification_code"]
    readonly_fields = ["user", "last_seen_at", "verification_code"]
    actions = ["rotate_verification_codes"]

    def has_add_permission(self, request):
        # Profiles come with the agent role (create_agent or a role change), never on their own.
        return False

    @admin.action(description=_("Give the selected agents new verification codes"))
    def rotate_verification_codes(self, request, queryset):
        for profile in queryset:
            services.agent_verification_code_rotate(profile=profile)
        self.message_user(request, ngettext(
            "%(count)d agent has a new verification code; the old one is no longer official.",
            "%(count)d agents have new verification codes; the old ones are no longer official.",
            queryset.count()) % {"count": queryset.count()}, messages.SUCCESS)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Notifications are written by the services that have something to tell (support.notifications): looked up
    and deleted here, never added or edited by hand."""

    list_display = ["user", "title", "created_at", "read_at"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "title", "kind", "params", "url", "created_at", "read_at"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("title"))
    def title(self, notification):
        return notifications.render_title(notification)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox: what was sent, what is waiting, what failed and why. Failed rows can be queued again."""

    list_display = ["created_at", "to_email", "subject", "status", "attempts", "sent_at", "about"]
    list_filter = ["status"]
    search_fields = ["to_email", "subject", "message_id", "topic"]
    readonly_fields = [f.name if f.name != "topic" else "about" for f in OutboundEmail._meta.fields]
    exclude = ["topic"]  # shown as "about"
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=OutboundEmail._meta.get_field("topic").verbose_name, ordering="topic")
    def about(self, email):
        return stored_text(email.topic)  # a reference ("ticket:T-10001"), not words

    @admin.action(description=_("Send again"))
    def retry(self, request, queryset):
        count = outbound_email_retry(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(count)s emails queued again.") % {"count": count})


@admin.register(AuditEvent)
class AuditEventAdmin(RecordAdmin):
    """Who read or exported whose data (support.audit): desk admins look it up by customer, staff member or
    object; nobody adds, changes or deletes (the database refuses too)."""

    list_display = ["created_at", "actor_email", "action", "object_type", "object_id", "customer_ref", "via",
                    "ip_address"]
    list_filter = ["action", "via", "object_type"]
    search_fields = ["actor_email", "object_id", "=customer__email"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    show_full_result_count = False  # the log only grows: no COUNT(*) over all of it on every page

    @admin.display(description=_("customer ID"), ordering="customer_id")
    def customer_ref(self, event):
        # The id, not the account: the log keeps it after the account is gone (no constraint, DO_NOTHING).
        return event.customer_id


# Organisations keep their admin in their package; imported here (it uses stored_text above), it is registered.
from .organisations import admin as organisations_admin  # noqa: E402,F401
