"""Kafka adapters (aiokafka): topic set-up, the idempotent producer, reading the trail topic."""
