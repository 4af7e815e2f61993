from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import requires_csrf_token

from tanhua.accounts.scope import user_scope


def home(request):
    """Each role starts where its work is."""
    user = request.user
    scope = user_scope(user)
    if scope.own and not (scope.everything or scope.subtrees or scope.units):
        # 仅本人: a talk leader's work is the talks they lead; a cadre's, their own talks.
        if user.has_perm("talks.change"):
            return redirect("talks:talks")
        if user.cadre_id:
            return redirect("talks:my_talks")
    for perm, target in [
        ("registry.view", "registry:roster"),
        ("clues.view", "clues:list"),
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


@requires_csrf_token
def permission_denied(request, exception=None):
    """403 for a function the user's roles do not grant; the attempt goes to the audit log."""
    from tanhua.audit.services import record

    if request.user.is_authenticated:
        record("access", request=request, object_repr=request.path[:200], result="denied",
               summary={"method": request.method})
    return render(request, "403.html", status=403)
