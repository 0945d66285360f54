"""Data only: the Jinja templates (one folder per language, shared layouts). A package so that
the installed desk finds them with importlib.resources (models/resources.py); no code here."""
