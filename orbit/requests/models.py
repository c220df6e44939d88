"""Requests and complaints."""
