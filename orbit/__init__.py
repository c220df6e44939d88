"""Orbit: account management for a B2B client department."""
