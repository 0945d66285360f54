"""Data only: the sample reports `incidentdesk demo` loads, and the demo's config. A package so
that the installed desk finds them with importlib.resources (models/resources.py); no code here."""
