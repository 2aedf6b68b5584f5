#!/usr/bin/env bash
# The local stack: a single-node Apache Kafka (KRaft) from Maven Central jars and a private
# PostgreSQL cluster from Debian's binaries, on loopback ports, state under one folder.
#
#   deploy/stack.sh up | down | status
#
# Settings (environment): QTRAIL_STATE_DIR (default <repo>/.state), QTRAIL_KAFKA_PORT (19092),
# QTRAIL_KAFKA_CONTROLLER_PORT (19093), QTRAIL_PG_PORT (55432), QTRAIL_DB_NAME (qtrail), and the
# same secrets the services read (development defaults): QTRAIL_DB_{API,RECORDER,READER,MIGRATOR}_
# PASSWORD, QTRAIL_DB_ADMIN_PASSWORD (the postgres superuser, for tests), QTRAIL_KAFKA_{ADMIN,
# GATEWAY,RECORDER,READER}_{USER,PASSWORD}. No secret is written into tracked files; Kafka's
# properties under the state folder hold the admin's password (the broker needs it), readable by
# this user only.
#
# Least privilege: PostgreSQL authenticates with peer (its own OS user, on a socket only that user
# reaches) or scram-sha-256, never trust; each service has its own role (schemas/sql/0006_roles.sql
# grants them). Kafka authenticates with SASL/SCRAM and ACLs allow each principal its own topics.
# Processes are stopped only by the pid this script recorded when it started them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${QTRAIL_STATE_DIR:-$ROOT/.state}"
KAFKA_PORT="${QTRAIL_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${QTRAIL_KAFKA_CONTROLLER_PORT:-19093}"
PG_PORT="${QTRAIL_PG_PORT:-55432}"
DB_NAME="${QTRAIL_DB_NAME:-qtrail}"
DEV_SECRET="qtrail-dev-only"
DB_API_PASSWORD="${QTRAIL_DB_API_PASSWORD:-$DEV_SECRET}"
DB_RECORDER_PASSWORD="${QTRAIL_DB_RECORDER_PASSWORD:-$DEV_SECRET}"
DB_READER_PASSWORD="${QTRAIL_DB_READER_PASSWORD:-$DEV_SECRET}"
DB_MIGRATOR_PASSWORD="${QTRAIL_DB_MIGRATOR_PASSWORD:-$DEV_SECRET}"
DB_ADMIN_PASSWORD="${QTRAIL_DB_ADMIN_PASSWORD:-$DEV_SECRET}"
KAFKA_DIR="$STATE/kafka"
KAFKA_LOG="$KAFKA_DIR/broker.log"
KAFKA_PID="$KAFKA_DIR/broker.pid"

say() { printf '[stack] %s\n' "$*"; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

# shellcheck source=kafka/security.sh
source "$ROOT/deploy/kafka/security.sh"  # principals, listeners' security, ACLs

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------- PostgreSQL

pg_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -z "$dir" ]]; then
    [[ "$(id -u)" == 0 ]] || die "PostgreSQL binaries are missing; install Debian's postgresql package"
    say "installing PostgreSQL from Debian's packages"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    dir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi
  echo "$dir"
}

# The cluster runs as the postgres user when we are root (initdb refuses root). That user must
# reach its folder; a repository under a private home is not reachable, so fall back to /var/tmp.
pg_home() {
  if [[ -f "$STATE/pg.location" ]]; then cat "$STATE/pg.location"; return; fi
  local home="$STATE/pg"
  if [[ "$(id -u)" == 0 ]] && ! runuser -u postgres -- test -x "$STATE"; then
    home="/var/tmp/qtrail-pg-$(printf '%s' "$STATE" | sha256sum | cut -c1-12)"
  fi
  echo "$home" > "$STATE/pg.location"
  echo "$home"
}

as_pg() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Who may connect how. Rewritten on every start (an older cluster trusted local connections):
# the postgres superuser only as the OS user that runs the cluster (peer), everyone else with a
# password. Returns 0 when the file changed.
pg_auth() {
  local data="$1" os_user hba ident
  os_user="$([[ "$(id -u)" == 0 ]] && echo postgres || id -un)"
  hba="# Written by deploy/stack.sh on every start: edits are overwritten. Never trust.
local   all   postgres                  peer map=qtrail
local   all   all                       scram-sha-256
host    all   all      127.0.0.1/32     scram-sha-256
host    all   all      ::1/128          scram-sha-256"
  ident="# Written by deploy/stack.sh: the OS user that runs the cluster is its superuser.
qtrail   $os_user   postgres"
  if [[ "$(as_pg cat "$data/pg_hba.conf")" == "$hba" && "$(as_pg cat "$data/pg_ident.conf")" == "$ident" ]]; then
    return 1
  fi
  printf '%s\n' "$hba" | as_pg tee "$data/pg_hba.conf" >/dev/null
  printf '%s\n' "$ident" | as_pg tee "$data/pg_ident.conf" >/dev/null
  return 0
}

pg_up() {
  local bindir home data
  bindir="$(pg_bindir)"
  home="$(pg_home)"
  data="$home/data"
  mkdir -p "$home/run"
  if [[ "$(id -u)" == 0 ]]; then chown -R postgres:postgres "$home"; fi
  chmod 0700 "$home" "$home/run"  # the socket, logs and data: for the cluster's OS user only
  if [[ ! -f "$data/PG_VERSION" ]]; then
    say "initialising PostgreSQL cluster in $data"
    as_pg "$bindir/initdb" -D "$data" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$home/initdb.log" 2>&1 || die "initdb failed; read $home/initdb.log"
  fi
  local auth_changed=0
  pg_auth "$data" && auth_changed=1
  if as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    if [[ "$auth_changed" == 1 ]]; then
      as_pg "$bindir/pg_ctl" -D "$data" reload >/dev/null
      say "PostgreSQL authentication switched to peer and scram-sha-256 (no trust)"
    fi
    say "PostgreSQL already running on 127.0.0.1:$PG_PORT"
  else
    as_pg "$bindir/pg_ctl" -D "$data" -l "$home/postgres.log" -w -t 60 \
      -o "-p $PG_PORT -k $home/run -c unix_socket_permissions=0700 -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
      || die "PostgreSQL did not start; read $home/postgres.log"
  fi
  local psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$home/run" -p "$PG_PORT" -U postgres)
  for _ in $(seq 1 60); do
    as_pg "${psql[@]}" -d postgres -c 'select 1' >/dev/null 2>&1 && break
    sleep 0.5
  done
  as_pg "${psql[@]}" -d postgres -c 'select 1' >/dev/null 2>&1 || die "PostgreSQL does not answer; read $home/postgres.log"
  # Roles are cluster-wide; what each may do is granted by the migrations (0006_roles.sql).
  as_pg "${psql[@]}" -d postgres >/dev/null <<SQL
SET client_min_messages = warning;
ALTER ROLE postgres PASSWORD $(sql_literal "$DB_ADMIN_PASSWORD");
DO \$\$
DECLARE name text;
BEGIN
  FOREACH name IN ARRAY ARRAY['qtrail_owner', 'qtrail_app', 'qtrail_migrator', 'qtrail_api',
                              'qtrail_recorder', 'qtrail_reader'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', name);
    END IF;
  END LOOP;
END \$\$;
ALTER ROLE qtrail_owner NOLOGIN PASSWORD NULL;
ALTER ROLE qtrail_app NOLOGIN PASSWORD NULL;
ALTER ROLE qtrail_migrator LOGIN PASSWORD $(sql_literal "$DB_MIGRATOR_PASSWORD");
GRANT qtrail_owner TO qtrail_migrator;
ALTER ROLE qtrail_api LOGIN PASSWORD $(sql_literal "$DB_API_PASSWORD");
ALTER ROLE qtrail_recorder LOGIN PASSWORD $(sql_literal "$DB_RECORDER_PASSWORD");
ALTER ROLE qtrail_reader LOGIN PASSWORD $(sql_literal "$DB_READER_PASSWORD");
SQL
  if [[ -z "$(as_pg "${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ]]; then
    as_pg "${psql[@]}" -d postgres -c "CREATE DATABASE \"$DB_NAME\" OWNER qtrail_owner" >/dev/null
  fi
  say "PostgreSQL ready on 127.0.0.1:$PG_PORT (database $DB_NAME, log $home/postgres.log)"
}

pg_down() {
  [[ -f "$STATE/pg.location" ]] || { say "PostgreSQL not started by this project"; return; }
  local home bindir
  home="$(cat "$STATE/pg.location")"
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$bindir" && -f "$home/data/postmaster.pid" ]]; then
    as_pg "$bindir/pg_ctl" -D "$home/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    say "PostgreSQL stopped"
  else
    say "PostgreSQL not running"
  fi
}

pg_status() {
  [[ -f "$STATE/pg.location" ]] && [[ -f "$(cat "$STATE/pg.location")/data/postmaster.pid" ]] \
    && port_open "$PG_PORT" && { say "PostgreSQL up on 127.0.0.1:$PG_PORT"; return 0; }
  say "PostgreSQL down"; return 1
}

# ---------------------------------------------------------------- Kafka

kafka_libs() {
  local stamp="$KAFKA_DIR/libs/.pom.sha256" want
  want="$(sha256sum "$ROOT/deploy/kafka/pom.xml" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return; fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Kafka's jars"
  command -v java >/dev/null || die "Java 17+ is needed to run Kafka"
  say "fetching Kafka jars from Maven Central (first run only)"
  rm -rf "$KAFKA_DIR/libs"
  (cd "$ROOT/deploy/kafka" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$KAFKA_DIR/libs") \
    || die "Maven could not fetch Kafka's jars"
  echo "$want" > "$stamp"
}

# Kafka's properties: the listeners' security comes from deploy/kafka/security.sh. Its file holds
# the admin's password, so only this user may read it.
kafka_properties() {
  (umask 077
   cat > "$KAFKA_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=BROKER://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=BROKER://127.0.0.1:$KAFKA_PORT
$(kafka_security_properties)
log.dirs=$KAFKA_DIR/data
$(kafka_node_properties)
PROPS
   kafka_admin_properties > "$KAFKA_DIR/admin.properties")
}

# ACLs live in the metadata too; granted once per formatted storage (and ACL version).
kafka_acls() {
  local want stamp="$KAFKA_DIR/acls.stamp"
  want="$(printf '%s\n' "$KAFKA_ACL_VERSION" "$(kafka_security_stamp)" | sha256sum | cut -d' ' -f1)"
  [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && return
  say "granting each Kafka principal its topics (ACLs)"
  kafka_grant_acls java -Xmx256m -Dlog4j2.configurationFile="$ROOT/deploy/kafka/log4j2.yaml" \
    -Dqtrail.kafka.log="$KAFKA_DIR/tools.log" -cp "$KAFKA_DIR/libs/*" org.apache.kafka.tools.AclCommand \
    --bootstrap-server "127.0.0.1:$KAFKA_PORT" --command-config "$KAFKA_DIR/admin.properties" \
    >"$KAFKA_DIR/acls.log" 2>&1 || die "granting Kafka ACLs failed; read $KAFKA_DIR/acls.log"
  echo "$want" > "$stamp"
}

kafka_up() {
  mkdir -p "$KAFKA_DIR"
  chmod 0700 "$KAFKA_DIR"  # its properties hold the admin's password
  kafka_check_credentials
  local want have=""
  want="$(kafka_security_stamp)"
  [[ -f "$KAFKA_DIR/security.stamp" ]] && have="$(cat "$KAFKA_DIR/security.stamp")"
  java=(java -Xms256m -Xmx512m -Dlog4j2.configurationFile="$ROOT/deploy/kafka/log4j2.yaml"
        -Dqtrail.kafka.log="$KAFKA_LOG" -cp "$KAFKA_DIR/libs/*")
  if alive "$KAFKA_PID"; then
    if [[ "$have" == "$want" ]]; then
      kafka_acls
      say "Kafka already running on 127.0.0.1:$KAFKA_PORT"; return
    fi
    say "the running broker has no SASL/SCRAM users, or other credentials: restarting it"
    kafka_down
  fi
  port_open "$KAFKA_PORT" && die "port $KAFKA_PORT is taken by a process this project did not start"
  kafka_libs
  kafka_properties
  if [[ -f "$KAFKA_DIR/data/meta.properties" && "$have" != "$want" ]]; then
    say "Kafka's local storage was formatted without these SASL/SCRAM users (an older, unauthenticated"
    say "stack, or changed passwords): formatting it again. Its topics and offsets are dropped. That is"
    say "safe: the durable record is the trail in PostgreSQL, and local Kafka data is disposable"
    say "('qtrail topics', run by 'make up' and the tests, creates the topics again)."
    rm -rf "$KAFKA_DIR/data" "$KAFKA_DIR/security.stamp" "$KAFKA_DIR/acls.stamp"
  fi
  if [[ ! -f "$KAFKA_DIR/data/meta.properties" ]]; then
    say "formatting Kafka storage with SCRAM users $KAFKA_ADMIN_USER, $KAFKA_GATEWAY_USER, $KAFKA_RECORDER_USER, $KAFKA_READER_USER"
    kafka_scram_args
    "${java[@]}" kafka.tools.StorageTool format -t "$("${java[@]}" kafka.tools.StorageTool random-uuid)" \
      -c "$KAFKA_DIR/server.properties" "${KAFKA_SCRAM_ARGS[@]}" >"$KAFKA_DIR/format.log" 2>&1 \
      || die "Kafka storage format failed; read $KAFKA_DIR/format.log"
    echo "$want" > "$KAFKA_DIR/security.stamp"
    rm -f "$KAFKA_DIR/acls.stamp"
  fi
  : > "$KAFKA_LOG"
  nohup "${java[@]}" kafka.Kafka "$KAFKA_DIR/server.properties" >>"$KAFKA_DIR/stdout.log" 2>&1 &
  echo $! > "$KAFKA_PID"
  for _ in $(seq 1 120); do
    alive "$KAFKA_PID" || die "Kafka exited at start; read $KAFKA_LOG and $KAFKA_DIR/stdout.log"
    if port_open "$KAFKA_PORT" && grep -q "Kafka Server started" "$KAFKA_LOG"; then
      kafka_acls
      say "Kafka ready on 127.0.0.1:$KAFKA_PORT, SASL/SCRAM with ACLs (log $KAFKA_LOG)"; return
    fi
    sleep 0.5
  done
  die "Kafka did not answer within 60 s; read $KAFKA_LOG"
}

kafka_down() {
  if alive "$KAFKA_PID"; then
    local pid; pid="$(cat "$KAFKA_PID")"
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    say "Kafka stopped"
  else
    say "Kafka not running"
  fi
  rm -f "$KAFKA_PID"
}

kafka_status() {
  alive "$KAFKA_PID" && port_open "$KAFKA_PORT" && { say "Kafka up on 127.0.0.1:$KAFKA_PORT"; return 0; }
  say "Kafka down"; return 1
}

mkdir -p "$STATE"
case "${1:-}" in
  up) pg_up; kafka_up ;;
  down) kafka_down; pg_down ;;
  status) rc=0; pg_status || rc=1; kafka_status || rc=1; exit $rc ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
