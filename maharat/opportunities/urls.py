"""Pages of opportunities."""

from django.urls import path

from maharat.opportunities import views

app_name = "opportunities"
urlpatterns = [
    # Seekers
    path("jobs/", views.opportunity_list, name="list"),
    path("jobs/<int:pk>/", views.opportunity_detail, name="detail"),
    path("jobs/<int:pk>/apply/", views.opportunity_apply, name="apply"),
    path("jobs/<int:pk>/report/", views.opportunity_report, name="report"),
    path("jobs/me/applications/", views.my_applications, name="my_applications"),
    path("jobs/me/applications/<int:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path("jobs/applications/<int:pk>/cv/", views.application_cv, name="application_cv"),
    # Employers
    path("jobs/employer/", views.employer_home, name="employer_home"),
    path("jobs/employer/<int:org_pk>/new/", views.opportunity_edit, name="create"),
    path("jobs/employer/<int:org_pk>/<int:pk>/edit/", views.opportunity_edit, name="edit"),
    path("jobs/employer/<int:org_pk>/document/", views.employer_document, name="employer_document"),
    path("jobs/<int:pk>/submit/", views.opportunity_submit, name="submit"),
    path("jobs/<int:pk>/close/", views.opportunity_close, name="close"),
    path("jobs/<int:pk>/applicants/", views.opportunity_applicants, name="applicants"),
    path("jobs/applications/<int:pk>/", views.application_manage, name="application_manage"),
    # Staff
    path("jobs/staff/moderation/", views.moderation, name="moderation"),
    path("jobs/staff/moderation/<int:pk>/", views.moderate_opportunity, name="moderate"),
    path("jobs/staff/employers/<int:org_pk>/verify/", views.verify_employer, name="verify_employer"),
    path("jobs/staff/reports/<int:pk>/resolve/", views.resolve_report, name="resolve_report"),
    path("jobs/staff/followups/", views.followups, name="followups"),
    path("jobs/followups/<int:pk>/", views.retention_record, name="retention_record"),
]
