"""Skill pages."""

from django.urls import path

from maharat.skills import views

app_name = "skills"
urlpatterns = [
    path("me/skills/", views.my_skills, name="my_skills"),
    path("me/skills/add/", views.my_skill_add, name="my_skill_add"),
    path("me/skills/<int:pk>/remove/", views.my_skill_remove, name="my_skill_remove"),
    path("skills/search.json", views.skill_search_json, name="search_json"),
]
