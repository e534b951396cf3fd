"""The demo course "Digital literacy basics": a lesson, a quiz and a virtual workshop, open to self-enrolment.

A new user logs in as Amal, enrols from the course page, reads the lesson and passes the quiz; the trainer
of Irbid Code Academy marks her present at the workshop, and her certificate can be verified publicly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from maharat.learning.authoring import question_add
from maharat.learning.choices import DeliveryMode, Level, ModuleKind, QuestionKind, Track
from maharat.learning.models import Course, Module
from maharat.learning.services import course_publish
from maharat.people.models import Organization
from maharat.skills.models import Skill

TITLE_EN = "Digital literacy basics"
SKILL_CODES = ["digital-computer-basics", "digital-email", "digital-file-management"]

LESSON_EN = """# Your first steps with a computer

A computer, a tablet and a smartphone all do the same three things: they **receive** information,
**keep** it and **show** it back to you.

## What you will practise

- Turning a device on and off safely
- Creating a folder and saving a file in it
- Writing and sending an e-mail

> Take your time: you can come back to this lesson whenever you like.

Read more on the [digital skills guide](https://www.example.org/digital-skills).
"""

LESSON_AR = """# خطواتك الأولى مع الحاسوب

الحاسوب واللوح الإلكتروني والهاتف الذكي تقوم كلها بثلاثة أمور: **تستقبل** المعلومات و**تحفظها** و**تعرضها** لك.

## ما ستتدرب عليه

- تشغيل الجهاز وإطفاؤه بأمان
- إنشاء مجلد وحفظ ملف فيه
- كتابة رسالة بريد إلكتروني وإرسالها

> خذ وقتك: يمكنك العودة إلى هذا الدرس متى شئت.

اقرأ المزيد في [دليل المهارات الرقمية](https://www.example.org/digital-skills).
"""


def _quiz(module: Module, actor: Any) -> None:
    question_add(
        actor=actor,
        module=module,
        text_en="Where do you type the address of the person you write to?",
        text_ar="أين تكتب عنوان الشخص الذي تراسله؟",
        choices=[("In the “To” field", "في حقل «إلى»", True), ("In the subject", "في الموضوع", False)],
    )
    question_add(
        actor=actor,
        module=module,
        text_en="Which of these keep your files safe?",
        text_ar="أيّ مما يلي يحفظ ملفاتك بأمان؟",
        kind=QuestionKind.MULTIPLE,
        choices=[
            ("Saving them in a named folder", "حفظها في مجلد له اسم", True),
            ("Keeping a backup copy", "الاحتفاظ بنسخة احتياطية", True),
            ("Sharing your password", "مشاركة كلمة المرور", False),
        ],
    )


@transaction.atomic
def demo_course(*, trainer: Any, provider: Organization) -> Course:
    """Create and publish the demo course of the training provider (idempotent)."""
    existing = Course.objects.filter(provider=provider, label_en=TITLE_EN).first()
    if existing is not None:
        return existing
    course = Course.objects.create(
        provider=provider,
        label_en=TITLE_EN,
        label_ar="أساسيات المهارات الرقمية",
        description_en="Use a computer and a phone with confidence: files, e-mail and staying safe online.",
        description_ar="استخدم الحاسوب والهاتف بثقة: الملفات والبريد الإلكتروني والأمان على الإنترنت.",
        track=Track.DIGITAL_LITERACY,
        level=Level.BEGINNER,
        duration_hours=6,
        delivery_mode=DeliveryMode.BLENDED,
        capacity=30,
        self_enrolment=True,
        attendance_share=100,
    )
    course.skills_taught.set(Skill.objects.filter(code__in=SKILL_CODES))
    lesson = Module.objects.create(
        course=course,
        position=1,
        kind=ModuleKind.LESSON,
        label_en="Your first steps with a computer",
        label_ar="خطواتك الأولى مع الحاسوب",
        body_en=LESSON_EN,
        body_ar=LESSON_AR,
    )
    quiz = Module.objects.create(
        course=course,
        position=2,
        kind=ModuleKind.QUIZ,
        label_en="Check what you learnt",
        label_ar="تحقق مما تعلمته",
        pass_mark=50,
        attempts_allowed=3,
    )
    quiz.prerequisites.add(lesson)
    _quiz(quiz, trainer)
    Module.objects.create(
        course=course,
        position=3,
        kind=ModuleKind.WORKSHOP,
        label_en="Live practice: sending your first e-mail",
        label_ar="تدريب مباشر: أرسل أول رسالة بريد إلكتروني",
        starts_at=(timezone.now() + dt.timedelta(days=7)).replace(hour=17, minute=0, second=0, microsecond=0),
        duration_minutes=60,
        meeting_url="https://meet.example.org/maharat-digital-basics",
        capacity=30,
    )
    return course_publish(actor=trainer, course=course)
