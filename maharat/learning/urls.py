"""Learning pages: learners take courses; providers author them and follow progress; anyone verifies a certificate."""

from django.urls import path

from maharat.learning import views, views_authoring, views_files, views_offline, views_reports, views_staff

app_name = "learning"
urlpatterns = [
    # Learners and the public
    path("courses/", views.course_list, name="course_list"),
    path("courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("courses/<int:pk>/enrol/", views.course_enrol, name="course_enrol"),
    path("courses/<int:pk>/withdraw/", views.course_withdraw, name="course_withdraw"),
    path("courses/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("learn/<int:pk>/", views.module_detail, name="module_detail"),
    path("learn/<int:pk>/done/", views.module_complete, name="module_complete"),
    path("learn/<int:pk>/quiz/", views.quiz_submit, name="quiz_submit"),
    path("me/courses/", views.my_courses, name="my_courses"),
    path("verify/", views.verify, name="verify"),
    # Files, seats, the certificate PDF and offline packages
    path("learn/<int:pk>/hand-in/", views_files.assignment_submit, name="assignment_submit"),
    path("learn/<int:pk>/seat/", views_files.workshop_seat, name="workshop_seat"),
    path("learn/<int:pk>/offline/", views_offline.offline_module, name="offline_module"),
    path("courses/<int:pk>/offline/", views_offline.offline_course, name="offline_course"),
    path("courses/<int:pk>/certificate.pdf", views_files.certificate_pdf, name="certificate_pdf"),
    path("offline/answers/", views_offline.offline_answers, name="offline_answers"),
    path("files/submissions/<int:pk>/", views_files.submission_file, name="submission_file"),
    path("files/attachments/<int:pk>/", views_files.attachment_file, name="attachment_file"),
    path("staff/modules/<int:pk>/submissions/", views_files.submissions, name="submissions"),
    path("staff/submissions/<int:pk>/grade/", views_files.submission_grade, name="submission_grade"),
    path("staff/modules/<int:pk>/files/", views_files.module_files, name="module_files"),
    path("staff/attachments/<int:pk>/delete/", views_files.attachment_delete, name="attachment_delete"),
    path("verify/<str:code>/", views.verify, name="verify_code"),
    # Providers and staff
    path("staff/courses/", views_staff.staff_courses, name="staff_courses"),
    path("staff/courses/new/", views_staff.course_edit, name="course_create"),
    path("staff/courses/<int:pk>/", views_staff.staff_course, name="staff_course"),
    path("staff/courses/<int:pk>/edit/", views_staff.course_edit, name="course_edit"),
    path("staff/courses/<int:pk>/publish/", views_staff.course_publish, name="course_publish"),
    path("staff/courses/<int:pk>/cohort/", views_staff.course_enrol_cohort, name="course_enrol_cohort"),
    path("staff/courses/<int:pk>/progress/", views_staff.progress_grid, name="progress_grid"),
    path(
        "staff/courses/<int:course_pk>/modules/new/<str:kind>/", views_staff.module_edit, name="module_create"
    ),
    path("staff/modules/<int:pk>/edit/", views_staff.module_edit, name="module_edit"),
    path("staff/modules/<int:pk>/questions/", views_staff.questions, name="questions"),
    path("staff/modules/<int:pk>/attendance/", views_staff.attendance, name="attendance"),
    # Changing a course's shape (views_authoring)
    path("staff/courses/<int:pk>/unpublish/", views_authoring.course_unpublish, name="course_unpublish"),
    path("staff/modules/<int:pk>/delete/", views_authoring.module_delete, name="module_delete"),
    path("staff/modules/<int:pk>/move/", views_authoring.module_move, name="module_move"),
    path("staff/questions/<int:pk>/edit/", views_authoring.question_edit, name="question_edit"),
    path("staff/questions/<int:pk>/delete/", views_authoring.question_delete, name="question_delete"),
    # Reports of a course (views_reports)
    path("staff/courses/<int:pk>/help/", views_reports.learners_help, name="learners_help"),
    path("staff/courses/<int:pk>/help/remind/", views_reports.learners_remind, name="learners_remind"),
    path("staff/courses/<int:pk>/quiz-items/", views_reports.quiz_stats, name="quiz_stats"),
    path("staff/courses/<int:pk>/attendance/", views_reports.attendance_report, name="attendance_report"),
    path(
        "staff/courses/<int:pk>/export/<str:report>.<str:fmt>",
        views_reports.report_export,
        name="report_export",
    ),
]
