"""Adapters: everything that touches the outside (PostgreSQL, Kafka, files, signing)."""
