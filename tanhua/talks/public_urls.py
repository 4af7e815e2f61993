"""The draw's published page (公示): reachable without a login, by an unguessable token."""

from django.urls import re_path

from . import public

app_name = "public"
urlpatterns = [
    re_path(r"^draws/(?P<token>[A-Za-z0-9_-]{43})/$", public.draw_page, name="draw"),
    re_path(r"^draws/(?P<token>[A-Za-z0-9_-]{43})/record\.json$", public.draw_record, name="draw_record"),
    re_path(r"^draws/(?P<token>[A-Za-z0-9_-]{43})/verify_draw\.py$", public.verifier, name="verifier"),
]
