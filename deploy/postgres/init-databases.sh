#!/usr/bin/env bash
# Creates one login role and one database per SafetyNet service, each database owned by its role.
#
# Run by the official postgres image on first start (mounted into /docker-entrypoint-initdb.d/),
# as the superuser, before the server listens on TCP. Passwords come from the container's
# environment (<SERVICE>_DB_PASSWORD), never from this file; a missing one aborts the init.
# The roles get no superuser, createdb or createrole rights, and PUBLIC loses CONNECT on each
# database, so one service's role cannot open another service's database.
set -Eeuo pipefail

services=(eligibility payments facilities insurance oversight)

# Check every password before creating anything, so a missing one leaves nothing half-done.
for service in "${services[@]}"; do
    var="${service^^}_DB_PASSWORD"
    if [[ -z "${!var:-}" ]]; then
        echo "init-databases: $var is not set" >&2
        exit 1
    fi
done

for service in "${services[@]}"; do
    var="${service^^}_DB_PASSWORD"
    password="${!var}"
    # psql variables (:"name", :'value') quote identifiers and literals safely; they are
    # interpolated in script input read from stdin, not in -c commands.
    psql --no-psqlrc -v ON_ERROR_STOP=1 \
        --username "${POSTGRES_USER:-postgres}" --dbname postgres \
        -v role="$service" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', :'role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'role', :'role', 'UTF8')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'role') \gexec
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"role" TO :"role";
SQL
    echo "init-databases: database and role '$service' ready"
done
