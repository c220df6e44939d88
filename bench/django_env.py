"""Import this before any orbit model: it configures Django from the environment (DEBUG off by default).

The generator needs the models' own functions (sort names, INN checksum); it talks to PostgreSQL through
psycopg, so the settings' DATABASE_URL does not matter to it.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orbit.settings")
os.environ.setdefault("DEBUG", "false")
django.setup()
