"""Events between services: CloudEvents envelope, transactional outbox, idempotent inbox, Kafka and in-process buses."""
