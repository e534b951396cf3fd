"""Public pages, log-in with lockout, and the role-based home redirect."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from maharat.core.auth import is_locked_out
from maharat.core.roles import Role, primary_role


class LoginForm(forms.Form):
    """Log in with a phone number, user name or e-mail and a password."""

    username = forms.CharField(label=_("Phone number, user name or e-mail"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user_cache: Any = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username, password = data.get("username"), data.get("password")
        if username and password:
            # Django's authenticate() swallows the backend's PermissionDenied, so ask first to say why.
            if is_locked_out(username, self.request):
                raise forms.ValidationError(
                    _("Too many failed attempts. Wait %(minutes)s minutes, then try again."),
                    code="locked",
                    params={"minutes": settings.LOGIN_FAILURE_WINDOW_SECONDS // 60},
                )
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                raise forms.ValidationError(
                    _("The phone number, user name or password is not right. Check them and try again."),
                    code="invalid_login",
                )
        return data

    def get_user(self) -> Any:
        """The authenticated user (Django's LoginView calls this)."""
        return self.user_cache


class LoginView(auth_views.LoginView):
    """Log-in page for staff and beneficiaries."""

    form_class = LoginForm  # type: ignore[assignment]
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["otp_available"] = bool(getattr(settings, "ONE_TIME_CODE_SENDER", None))
        return context


def landing(request: HttpRequest) -> HttpResponse:
    """The public front page."""
    return render(request, "core/landing.html")


def home(request: HttpRequest) -> HttpResponse:
    """Send each user to the page of their main role."""
    if not request.user.is_authenticated:
        return redirect("core:login")
    role = primary_role(request.user)
    targets: dict[str, str] = {
        Role.ADMIN: "people:list",
        Role.PROGRAMME_OFFICER: "people:list",
        Role.TRAINING_PROVIDER: "people:list",
        Role.RESEARCHER: "people:research",
        Role.EMPLOYER_RECRUITER: "opportunities:employer_home",
        Role.MENTOR: "mentoring:home",
        Role.BENEFICIARY: "people:me",
    }
    if role in targets:
        return redirect(targets[role])
    return render(request, "core/home_other.html", {"role": role})


def logout_view(request: HttpRequest) -> HttpResponse:
    """Log out on POST (GET shows the landing page)."""
    if request.method == "POST":
        from django.contrib.auth import logout

        logout(request)
        return HttpResponseRedirect(reverse("core:landing"))
    return redirect("core:landing")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A localized 403 page."""
    return render(request, "core/403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A localized 404 page."""
    return render(request, "core/404.html", status=404)
