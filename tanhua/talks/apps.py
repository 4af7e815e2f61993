from django.apps import AppConfig


class TalksConfig(AppConfig):
    name = "tanhua.talks"
    verbose_name = "谈话"

    def ready(self):
        from django.db.models import Q

        from tanhua.accounts import scope
        from tanhua.registry.units import PATH_COPIES

        from .models import Draw, Member, Programme, Round, Talk

        # A programme belongs to the unit that runs it; its rounds and draws go with it. 仅本人:
        # a leader sees the programmes whose talk group they are in and the talks they lead or
        # sit in; a cadre sees their own talks. Subqueries, not joins: a join through the
        # members would repeat each row once per member.
        def in_group(lookup):
            return lambda user: Q(**{f"{lookup}__in": Member.objects.filter(user=user).values("programme_id")})

        def own_talks(user):
            q = Q(lead=user) | Q(pk__in=Talk.members.through.objects.filter(member__user=user).values("talk_id"))
            return q | Q(cadre_id=user.cadre_id) if user.cadre_id else q

        scope.register(Programme, "unit__path", own=in_group("pk"))
        scope.register(Round, "programme__unit__path", own=in_group("programme_id"))
        scope.register(Draw, "programme__unit__path", own=in_group("programme_id"))
        scope.register(Talk, "unit_path", own=own_talks)
        PATH_COPIES.append(Talk)
