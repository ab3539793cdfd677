"""Sincerity."""
