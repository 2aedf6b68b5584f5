#!/usr/bin/env bash
# The broker on Docker hosts (deploy/compose.yml), inside the apache/kafka image: the listeners,
# SCRAM users and ACLs of the local stack (deploy/kafka/security.sh). SCRAM users are written when
# the storage is formatted, on the first start; ACLs are granted on every start (idempotent).
set -euo pipefail

die() { printf '[kafka] ERROR: %s\n' "$*" >&2; exit 1; }
# shellcheck source=security.sh
source "$(dirname "${BASH_SOURCE[0]}")/security.sh"

BIN="${KAFKA_BIN:-/opt/kafka/bin}"
DATA="${KAFKA_DATA:-/var/lib/kafka/data}"
CONF="${KAFKA_CONF:-/tmp/qtrail-kafka}"
HOST="${KAFKA_ADVERTISED_HOST:-kafka}"  # the service's name on the compose network
kafka_check_credentials
mkdir -p "$CONF"
(umask 077
 cat > "$CONF/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
listeners=BROKER://:9092,CONTROLLER://localhost:9093
advertised.listeners=BROKER://$HOST:9092
$(kafka_security_properties)
log.dirs=$DATA
$(kafka_node_properties)
PROPS
 kafka_admin_properties > "$CONF/admin.properties")

if [[ ! -f "$DATA/meta.properties" ]]; then
  kafka_scram_args
  "$BIN/kafka-storage.sh" format -t "$("$BIN/kafka-storage.sh" random-uuid)" \
    -c "$CONF/server.properties" "${KAFKA_SCRAM_ARGS[@]}"
fi
"$BIN/kafka-server-start.sh" "$CONF/server.properties" &
broker=$!
trap 'kill -TERM "$broker" 2>/dev/null' TERM INT
until "$BIN/kafka-broker-api-versions.sh" --bootstrap-server localhost:9092 \
      --command-config "$CONF/admin.properties" >/dev/null 2>&1; do
  kill -0 "$broker" 2>/dev/null || die "the broker exited at start"
  sleep 1
done
kafka_grant_acls "$BIN/kafka-acls.sh" --bootstrap-server localhost:9092 \
  --command-config "$CONF/admin.properties" >/dev/null
touch "$CONF/ready"  # the healthcheck: accepting the admin, ACLs granted
wait "$broker" || wait "$broker"  # a signal interrupts the first wait; the second sees the exit
