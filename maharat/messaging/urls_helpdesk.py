"""URLs of the helpdesk, the FAQ knowledge base, follow-up surveys and a person's conversation."""

from django.urls import path

from maharat.messaging import views_helpdesk as views

urlpatterns = [
    path("staff/helpdesk/", views.helpdesk_inbox, name="helpdesk_inbox"),
    path("staff/helpdesk/<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("staff/helpdesk/<int:pk>/reply/", views.ticket_reply_view, name="ticket_reply"),
    path("staff/helpdesk/<int:pk>/assign/", views.ticket_assign_view, name="ticket_assign"),
    path("staff/helpdesk/<int:pk>/close/", views.ticket_close_view, name="ticket_close"),
    path("staff/people/<int:person_id>/conversation/", views.person_conversation, name="person_conversation"),
    path("staff/faq/", views.faq_list, name="faq_list"),
    path("staff/faq/new/", views.faq_edit, name="faq_new"),
    path("staff/faq/<int:pk>/", views.faq_edit, name="faq_edit"),
    path("staff/surveys/", views.survey_list, name="survey_list"),
    path("staff/surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
]
