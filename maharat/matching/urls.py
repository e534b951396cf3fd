"""Pages of matching."""

from django.urls import path

from maharat.matching import views

app_name = "matching"
urlpatterns = [
    path("matching/me/", views.recommended, name="recommended"),
    path("matching/opportunities/<int:pk>/candidates/", views.candidates, name="candidates"),
    path(
        "matching/opportunities/<int:pk>/candidates/<int:rec_pk>/",
        views.candidate_action,
        name="candidate_action",
    ),
    path("matching/staff/runs/", views.runs, name="runs"),
    path("matching/staff/runs/start/", views.run_start, name="run_start"),
    path("matching/staff/runs/<int:pk>/resume/", views.run_resume, name="run_resume"),
    path("matching/staff/fairness/", views.fairness_audit, name="fairness"),
]
