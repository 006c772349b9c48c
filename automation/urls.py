"""The supervisors' pages for workflow rules (mounted under the language prefix): /<lang>/agent/rules/..."""
from django.urls import path

from . import views, webhook_views

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
    path("agent/rules/webhooks/", webhook_views.webhook_list, name="webhooks"),
    path("agent/rules/webhooks/new/", webhook_views.webhook_new, name="webhook_new"),
    path("agent/rules/webhooks/<int:webhook_id>/", webhook_views.webhook_edit, name="webhook_edit"),
    path("agent/rules/webhooks/<int:webhook_id>/secret/", webhook_views.webhook_secret, name="webhook_secret"),
    path("agent/rules/webhooks/<int:webhook_id>/secret/new/", webhook_views.webhook_rotate, name="webhook_rotate"),
    path("agent/rules/webhooks/<int:webhook_id>/pause/", webhook_views.webhook_pause, name="webhook_pause"),
    path("agent/rules/webhooks/<int:webhook_id>/resume/", webhook_views.webhook_resume, name="webhook_resume"),
    path("agent/rules/webhooks/<int:webhook_id>/test/", webhook_views.webhook_test, name="webhook_test"),
    path("agent/rules/webhooks/<int:webhook_id>/delete/", webhook_views.webhook_delete, name="webhook_delete"),
    path("agent/rules/webhooks/<int:webhook_id>/deliveries/", webhook_views.webhook_deliveries,
         name="webhook_deliveries"),
    path("agent/rules/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/retry/",
         webhook_views.webhook_delivery_retry, name="webhook_delivery_retry"),
    path("agent/rules/addresses/", webhook_views.addresses, name="addresses"),
    path("agent/rules/addresses/<int:address_id>/remove/", webhook_views.address_remove, name="address_remove"),
]
