"""Ratings and citizen feedback (see docs/ARCHITECTURE.md)."""
