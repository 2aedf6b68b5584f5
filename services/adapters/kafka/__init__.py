"""Kafka adapters (aiokafka): topic set-up and the idempotent producer."""
