"""Touches and tasks."""
