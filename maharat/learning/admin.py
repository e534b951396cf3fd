"""Administration of learning: courses and modules for support staff; learner records read-only."""

from django.contrib import admin

from maharat.learning.models import Certificate, Choice, Course, CourseEnrolment, Module, Question


class ModuleInline(admin.TabularInline):
    """Modules of a course, in order."""

    model = Module
    fields = ["position", "kind", "label_en", "label_ar", "required"]
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    """Courses."""

    list_display = ["label_en", "provider", "track", "delivery_mode", "published"]
    list_filter = ["track", "delivery_mode", "published"]
    search_fields = ["label_en", "label_ar"]
    inlines = [ModuleInline]


class ChoiceInline(admin.TabularInline):
    """Answers of a question."""

    model = Choice
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """Quiz questions."""

    list_display = ["text_en", "module", "kind"]
    inlines = [ChoiceInline]


@admin.register(CourseEnrolment)
class CourseEnrolmentAdmin(admin.ModelAdmin):
    """Enrolments, read-only: they change through the learning services, which audit them."""

    list_display = ["course", "person", "source", "status", "status_changed_at"]
    list_filter = ["status", "source"]
    raw_id_fields = ["person", "cohort"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Certificates, read-only."""

    list_display = ["code", "enrolment", "issued_at"]
    search_fields = ["code"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
