"""Reads of API tokens: a user only ever sees his own."""

from django.db.models import QuerySet
from django.http import Http404

from orbit.api.models import ApiToken
from orbit.org.models import User


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_get(user: User, pk: int) -> ApiToken:
    token = tokens_of(user).filter(pk=pk).first()
    if token is None:
        raise Http404
    return token
