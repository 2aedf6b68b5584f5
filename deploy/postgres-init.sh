#!/usr/bin/env bash
# First start of the compose PostgreSQL: the same roles and database as deploy/stack.sh makes.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username postgres --dbname postgres <<SQL
CREATE ROLE qtrail_owner LOGIN PASSWORD '${QTRAIL_DB_OWNER_PASSWORD}';
CREATE ROLE qtrail_app LOGIN PASSWORD '${QTRAIL_DB_PASSWORD}';
CREATE DATABASE qtrail OWNER qtrail_owner;
SQL
