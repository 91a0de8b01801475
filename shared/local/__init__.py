"""Local infrastructure for the embedded default and the tests: PostgreSQL and Apache Kafka started by the project itself."""
