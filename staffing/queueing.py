"""Queueing models (being written)."""
