"""Briefings: a cited written briefing on a topic, built only from the library (see builder.py)."""
