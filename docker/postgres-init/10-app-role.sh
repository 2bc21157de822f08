#!/bin/sh
# Run once by the postgres image when it creates the database (docker-compose.yml mounts
# this folder on /docker-entrypoint-initdb.d): the role the app runs as. The migrate service
# then grants it read/write on the app's tables and append-only on the audit log
# (manage.py grant_app_role); the tables stay owned by $POSTGRES_USER, which runs migrations.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v app_password="${IFSS_APP_DB_PASSWORD:-ifss_app}" <<'SQL'
CREATE ROLE ifss_app LOGIN PASSWORD :'app_password';
GRANT CONNECT ON DATABASE ifss TO ifss_app;
SQL
