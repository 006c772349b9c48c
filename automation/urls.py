"""The supervisors' pages for workflow rules (mounted under the language prefix): /<lang>/agent/rules/..."""
from django.urls import path

from . import views

app_name = "automation"

urlpatterns = [
    path("agent/rules/", views.rules_list, name="rules"),
    path("agent/rules/triggers/new/", views.trigger_new, name="trigger_new"),
    path("agent/rules/triggers/<int:trigger_id>/", views.trigger_edit, name="trigger_edit"),
    path("agent/rules/triggers/<int:trigger_id>/toggle/", views.trigger_toggle, name="trigger_toggle"),
    path("agent/rules/triggers/<int:trigger_id>/move/", views.trigger_move, name="trigger_move"),
    path("agent/rules/triggers/<int:trigger_id>/delete/", views.trigger_delete_view, name="trigger_delete"),
    path("agent/rules/triggers/<int:trigger_id>/dry-run/", views.trigger_dry_run, name="trigger_dry_run"),
    path("agent/rules/automations/new/", views.automation_new, name="automation_new"),
    path("agent/rules/automations/<int:automation_id>/", views.automation_edit, name="automation_edit"),
    path("agent/rules/automations/<int:automation_id>/toggle/", views.automation_toggle, name="automation_toggle"),
    path("agent/rules/automations/<int:automation_id>/move/", views.automation_move, name="automation_move"),
    path("agent/rules/automations/<int:automation_id>/delete/", views.automation_delete_view,
         name="automation_delete"),
    path("agent/rules/automations/<int:automation_id>/dry-run/", views.automation_dry_run,
         name="automation_dry_run"),
]
