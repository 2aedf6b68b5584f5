#!/usr/bin/env bash
# First start of the compose PostgreSQL: the same roles and database as deploy/stack.sh makes.
# The schema's owner cannot log in; what each service role may do is granted by the migrations
# (schemas/sql/0006_roles.sql). Passwords go through psql variables, so any character is safe.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username postgres --dbname postgres \
  -v api="$QTRAIL_DB_API_PASSWORD" -v recorder="$QTRAIL_DB_RECORDER_PASSWORD" \
  -v reader="$QTRAIL_DB_READER_PASSWORD" -v migrator="$QTRAIL_DB_MIGRATOR_PASSWORD" <<'SQL'
CREATE ROLE qtrail_owner NOLOGIN;
CREATE ROLE qtrail_app NOLOGIN;  -- granted to by the first migrations, holds nothing after 0006
CREATE ROLE qtrail_migrator LOGIN PASSWORD :'migrator' IN ROLE qtrail_owner;
CREATE ROLE qtrail_api LOGIN PASSWORD :'api';
CREATE ROLE qtrail_recorder LOGIN PASSWORD :'recorder';
CREATE ROLE qtrail_reader LOGIN PASSWORD :'reader';
CREATE DATABASE qtrail OWNER qtrail_owner;
SQL
