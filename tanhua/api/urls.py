from django.contrib.auth.decorators import login_not_required

from .v1 import api


def _public(patterns):
    # Token-authenticated: Django's login redirect does not apply (the API answers 401 itself).
    for entry in patterns:
        if hasattr(entry, "url_patterns"):
            _public(entry.url_patterns)
        else:
            entry.callback = login_not_required(entry.callback)
    return patterns


urlpatterns = _public(api.urls[0])
# django-ninja reverses its own URLs (the schema's) in the namespace it was given.
app_name = api.urls_namespace
