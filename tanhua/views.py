from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect


def home(request):
    """Each role starts where its work is."""
    user = request.user
    for perm, target in [
        ("registry.view", "registry:roster"),
        ("accounts.view", "accounts:users"),
        ("audit.view", "audit:entries"),
        ("units.view", "registry:units"),
    ]:
        if user.has_perm(perm):
            return redirect(target)
    return redirect("accounts:security")


@login_not_required
def healthz(request):
    """For load balancers: the app answers and its database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
