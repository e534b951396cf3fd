"""Registry pages."""

from django.urls import path

from maharat.people import views, views_import

app_name = "people"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("me/", views.me, name="me"),
    path("me/data/", views.my_data, name="my_data"),
    path("me/delete/", views.my_deletion, name="my_deletion"),
    path("staff/people/", views.person_list_view, name="list"),
    path("staff/people/new/", views.person_create, name="create"),
    path("staff/people/<int:pk>/", views.person_detail_view, name="detail"),
    path("staff/people/<int:pk>/edit/", views.person_edit, name="edit"),
    path("staff/people/<int:pk>/anonymize/", views.person_anonymize_view, name="anonymize"),
    path("staff/duplicates/", views.duplicates_view, name="duplicates"),
    path("staff/duplicates/<int:pk>/", views.duplicate_resolve, name="duplicate_resolve"),
    path("staff/imports/", views_import.import_upload, name="import_upload"),
    path("staff/imports/<int:pk>/", views_import.import_review, name="import_review"),
    path("research/people/", views.research_view, name="research"),
]
