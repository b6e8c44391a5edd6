"""Retrieval, routing and answer composition."""
