"""Editions: what a build makes of the rendered talk besides the print handout (web.py: one
self-contained HTML page)."""
