"""Programme pages: staff configuration, applications and selection; beneficiary calls and applications."""

from django.urls import path

from maharat.programmes import views, views_import, views_report

app_name = "programmes"
urlpatterns = [
    # Beneficiaries
    path("calls/", views.open_calls, name="open_calls"),
    path("calls/<int:pk>/", views.call_public, name="call_public"),
    path("me/applications/", views.my_applications, name="my_applications"),
    path("me/applications/<int:pk>/respond/", views.my_application_respond, name="my_application_respond"),
    # Staff
    path("staff/programmes/", views.programme_list, name="programme_list"),
    path("staff/programmes/new/", views.programme_edit, name="programme_create"),
    path("staff/programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("staff/programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("staff/programmes/<int:programme_pk>/calls/new/", views.call_edit, name="call_create"),
    path("staff/calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("staff/calls/<int:pk>/edit/", views.call_edit, name="call_edit"),
    path("staff/calls/<int:pk>/rules/", views.call_rules, name="call_rules"),
    path("staff/calls/<int:pk>/applications/", views.application_list, name="application_list"),
    path("staff/calls/<int:pk>/apply/", views.apply_on_behalf, name="apply_on_behalf"),
    path("staff/calls/<int:pk>/import/", views_import.import_upload, name="import_upload"),
    path("staff/calls/<int:pk>/import/<str:token>/", views_import.import_review, name="import_review"),
    path("staff/applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("staff/calls/<int:pk>/select/", views_report.selection_start, name="selection_start"),
    path("staff/runs/<int:pk>/", views_report.selection_report, name="selection_report"),
    path("staff/runs/<int:pk>/export.<str:fmt>", views_report.selection_export, name="selection_export"),
    path("staff/runs/<int:pk>/verify/", views_report.selection_verify_view, name="selection_verify"),
]
