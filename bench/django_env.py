"""Import this before any orbit model: it configures Django from the environment (DEBUG off by default).

The generator needs the models' own functions (sort names, INN checksum); it talks to PostgreSQL through
psycopg, so the settings' DATABASE_URL does not matter to it.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orbit.settings")
os.environ.setdefault("DEBUG", "false")
# Orbit refuses to start without a secret key when DEBUG is off. The benchmark runs against a throwaway local
# database, so a fixed key is harmless here; in the environment, so `manage.py migrate` run by the generator
# inherits it.
os.environ.setdefault("SECRET_KEY", "orbit-bench-only-not-a-production-key-0123456789abcdef")
django.setup()
