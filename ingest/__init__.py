"""Ingest: read quarterly Excel exports, check them, store them, and compute the indicators."""
