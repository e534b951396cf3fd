"""Pages of mentoring."""

from django.urls import path

from maharat.mentoring import views

app_name = "mentoring"
urlpatterns = [
    path("mentoring/", views.home, name="home"),
    path("mentoring/staff/", views.dashboard, name="dashboard"),
    path("mentoring/staff/confirm/", views.confirm, name="confirm"),
    path("mentoring/staff/requests/new/", views.request_create, name="request_create"),
    path("mentoring/staff/requests/<int:pk>/close/", views.request_close, name="request_close"),
    path("mentoring/staff/mentors/new/", views.profile_create, name="profile_create"),
    path("mentoring/staff/mentors/<int:pk>/edit/", views.profile_edit, name="profile_edit"),
    path("mentoring/me/profile/", views.my_profile, name="my_profile"),
    path("mentoring/me/mentees/", views.my_mentees, name="my_mentees"),
    path("mentoring/me/mentor/", views.my_mentor, name="my_mentor"),
    path("mentoring/pairings/<int:pk>/", views.pairing_detail, name="pairing"),
    path("mentoring/pairings/<int:pk>/sessions/", views.session_create, name="session_create"),
    path("mentoring/pairings/<int:pk>/message/", views.pairing_message, name="pairing_message"),
    path("mentoring/pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("mentoring/sessions/<int:pk>/record/", views.session_record, name="session_record"),
    path("mentoring/sessions/<int:pk>/feedback/", views.session_feedback, name="session_feedback"),
]
