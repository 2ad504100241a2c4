"""Shared tools below every app: no models, no Django app, nothing that knows a dossier, a procedure or a rating.

Every app may import from here; `common` imports no app (docs/ARCHITECTURE.md, "Apps and what they own").
"""
