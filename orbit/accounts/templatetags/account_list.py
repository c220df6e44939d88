"""The account list's rows (accounts/list_rows.py), for templates/accounts/_results.html."""

from django import template

from orbit.accounts import list_rows

register = template.Library()


@register.simple_tag
def account_rows(accounts, shown, today):
    return list_rows.rows(accounts, shown, today)
