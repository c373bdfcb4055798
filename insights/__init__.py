"""Insights: the message store and what is built from it (pain map, metrics, FAQ, reports)."""
