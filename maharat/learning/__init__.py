"""Learning: courses, modules, quizzes, workshops, enrolment, progress events and certificates."""
