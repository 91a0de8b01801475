#!/usr/bin/env bash
# The .env example for docker-compose.yml: prints every variable compose reads, with fresh random
# secrets, so that
#
#     deploy/new-dotenv.sh > .env && chmod 600 .env
#
# gives a .env that starts the stack. Run it once: the database passwords are written into the
# PostgreSQL volume on its first start, and data encrypted under the personal-data keys cannot be read
# without them, so keep the file (and a copy of the keys in your secret store) for the life of the
# deployment. tests/ops keeps this file and docker-compose.yml in step: a variable compose requires
# and this file lacks fails `make test`.
#
# Whose tokens the services accept, from the environment (defaults are an example identity provider):
#   SAFETYNET_JWT_ISSUER            the `iss` of the tokens
#   SAFETYNET_JWT_PUBLIC_KEY_FILE   host path of the issuer's PEM public key (readable by uid 10001)
# To try the stack without an identity provider, use the embedded mode's development key pair
# (created by `.venv/bin/safetynet token --role admin`) and mint tokens with `safetynet token`:
#   SAFETYNET_JWT_ISSUER=safetynet-dev \
#   SAFETYNET_JWT_PUBLIC_KEY_FILE=./.safetynet/keys/dev-signing-key.pub.pem deploy/new-dotenv.sh > .env
set -Eeuo pipefail

# URL-safe (the passwords go into connection URLs) and never a placeholder the services refuse.
password() { openssl rand -hex 24; }
# A personal-data key: base64 of 32 random bytes.
key() { openssl rand -base64 32; }
# Oversight's matching key: what eligibility's blind-index key derives for the one context oversight matches
# resident IDs with (`safetynet matching-key` computes the same; docs/oversight.md). Oversight gets this,
# never eligibility's key.
matching_key() {
    printf 'safetynet.blind-index.v1\000match.resident_id' |
        openssl dgst -sha256 -mac HMAC -binary \
            -macopt "hexkey:$(printf %s "$1" | openssl base64 -d -A | od -An -v -tx1 | tr -d ' \n')" |
        openssl base64 -A
}
eligibility_index_key=$(key)

cat <<ENV
# Written by deploy/new-dotenv.sh on $(date -u +%Y-%m-%d). Secret: chmod 600, never commit.

# PostgreSQL: the superuser of the postgres container, and one role per service (docs/deployment.md).
POSTGRES_PASSWORD=$(password)
ELIGIBILITY_DB_PASSWORD=$(password)
PAYMENTS_DB_PASSWORD=$(password)
FACILITIES_DB_PASSWORD=$(password)
INSURANCE_DB_PASSWORD=$(password)
OVERSIGHT_DB_PASSWORD=$(password)

# Whose tokens the services accept.
SAFETYNET_JWT_ISSUER=${SAFETYNET_JWT_ISSUER:-https://id.example.org/realms/safetynet}
SAFETYNET_JWT_PUBLIC_KEY_FILE=${SAFETYNET_JWT_PUBLIC_KEY_FILE:-./secrets/jwt_public.pem}

# Personal-data keys (docs/deployment.md, "Personal-data keys"), each service its own: a JSON object of
# encryption keys by id (single quotes: .env takes them literally), the id new values use, and the
# blind-index key. Data encrypted under a lost key cannot be recovered.
ELIGIBILITY_PII_ENCRYPTION_KEYS='{"k$(date -u +%Y)a":"$(key)"}'
ELIGIBILITY_PII_ACTIVE_KEY_ID=k$(date -u +%Y)a
ELIGIBILITY_PII_BLIND_INDEX_KEY=${eligibility_index_key}
PAYMENTS_PII_ENCRYPTION_KEYS='{"k$(date -u +%Y)a":"$(key)"}'
PAYMENTS_PII_ACTIVE_KEY_ID=k$(date -u +%Y)a
PAYMENTS_PII_BLIND_INDEX_KEY=$(key)
OVERSIGHT_MATCHING_KEY=$(matching_key "$eligibility_index_key")

# Optional.
SAFETYNET_IMAGE=safetynet:local
SAFETYNET_LOG_LEVEL=INFO
KAFKA_CLUSTER_ID=hgXYqUeKStSEZ4iXNDyKOw
ENV
