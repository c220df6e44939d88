"""The plans pages: plan vs fact of a month, and the head's or lead's grid to enter the plans."""

from django.urls import path

from orbit.growth import views_plans

urlpatterns = [
    path("plans/", views_plans.plan_fact_page, name="plans"),
    path("plans/entry/", views_plans.plan_entry, name="plans_entry"),
]
