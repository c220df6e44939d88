"""Deterministic demo data: a Russian B2B client department with its clients (`manage.py demo seed`).

`plan` draws the whole base from one seeded random source, anchored to today's date; `generator` writes it
in one transaction. Word lists live in `data`, people's names and phones in `people`, company names and tax
IDs in `companies`, ownership histories in `histories`, handoffs and account teams in `collaboration`.
"""
