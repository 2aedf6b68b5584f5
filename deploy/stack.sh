#!/usr/bin/env bash
# The local stack: a single-node Apache Kafka (KRaft) from Maven Central jars and a private
# PostgreSQL cluster from Debian's binaries, on loopback ports, state under one folder.
#
#   deploy/stack.sh up | down | status
#
# Settings (environment): QTRAIL_STATE_DIR (default <repo>/.state), QTRAIL_KAFKA_PORT (19092),
# QTRAIL_KAFKA_CONTROLLER_PORT (19093), QTRAIL_PG_PORT (55432), QTRAIL_DB_NAME (qtrail),
# QTRAIL_DB_PASSWORD / QTRAIL_DB_OWNER_PASSWORD / QTRAIL_DB_ADMIN_PASSWORD (development defaults).
# Processes are stopped only by the pid this script recorded when it started them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${QTRAIL_STATE_DIR:-$ROOT/.state}"
KAFKA_PORT="${QTRAIL_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${QTRAIL_KAFKA_CONTROLLER_PORT:-19093}"
PG_PORT="${QTRAIL_PG_PORT:-55432}"
DB_NAME="${QTRAIL_DB_NAME:-qtrail}"
DB_PASSWORD="${QTRAIL_DB_PASSWORD:-qtrail-dev-only}"
DB_OWNER_PASSWORD="${QTRAIL_DB_OWNER_PASSWORD:-qtrail-dev-only}"
DB_ADMIN_PASSWORD="${QTRAIL_DB_ADMIN_PASSWORD:-qtrail-dev-only}"
KAFKA_DIR="$STATE/kafka"
KAFKA_LOG="$KAFKA_DIR/broker.log"
KAFKA_PID="$KAFKA_DIR/broker.pid"

say() { printf '[stack] %s\n' "$*"; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

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

pg_up() {
  local bindir home data
  bindir="$(pg_bindir)"
  home="$(pg_home)"
  data="$home/data"
  mkdir -p "$home/run"
  if [[ "$(id -u)" == 0 ]]; then chown -R postgres:postgres "$home"; fi
  if [[ ! -f "$data/PG_VERSION" ]]; then
    say "initialising PostgreSQL cluster in $data"
    as_pg "$bindir/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$home/initdb.log" 2>&1 || die "initdb failed; read $home/initdb.log"
  fi
  if as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    say "PostgreSQL already running on 127.0.0.1:$PG_PORT"
  else
    as_pg "$bindir/pg_ctl" -D "$data" -l "$home/postgres.log" -w -t 60 \
      -o "-p $PG_PORT -k $home/run -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
      || die "PostgreSQL did not start; read $home/postgres.log"
  fi
  local psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$home/run" -p "$PG_PORT" -U postgres)
  for _ in $(seq 1 60); do
    as_pg "${psql[@]}" -d postgres -c 'select 1' >/dev/null 2>&1 && break
    sleep 0.5
  done
  as_pg "${psql[@]}" -d postgres -c 'select 1' >/dev/null 2>&1 || die "PostgreSQL does not answer; read $home/postgres.log"
  as_pg "${psql[@]}" -d postgres >/dev/null <<SQL
ALTER ROLE postgres PASSWORD '$DB_ADMIN_PASSWORD';
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'qtrail_owner') THEN CREATE ROLE qtrail_owner LOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'qtrail_app') THEN CREATE ROLE qtrail_app LOGIN; END IF;
END \$\$;
ALTER ROLE qtrail_owner PASSWORD '$DB_OWNER_PASSWORD';
ALTER ROLE qtrail_app PASSWORD '$DB_PASSWORD';
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

kafka_up() {
  mkdir -p "$KAFKA_DIR"
  if alive "$KAFKA_PID"; then say "Kafka already running on 127.0.0.1:$KAFKA_PORT"; return; fi
  port_open "$KAFKA_PORT" && die "port $KAFKA_PORT is taken by a process this project did not start"
  kafka_libs
  cat > "$KAFKA_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=-1
PROPS
  local java=(java -Xms256m -Xmx512m -Dlog4j2.configurationFile="$ROOT/deploy/kafka/log4j2.yaml"
              -Dqtrail.kafka.log="$KAFKA_LOG" -cp "$KAFKA_DIR/libs/*")
  if [[ ! -f "$KAFKA_DIR/data/meta.properties" ]]; then
    say "formatting Kafka storage"
    "${java[@]}" kafka.tools.StorageTool format -t "$("${java[@]}" kafka.tools.StorageTool random-uuid)" \
      -c "$KAFKA_DIR/server.properties" >"$KAFKA_DIR/format.log" 2>&1 \
      || die "Kafka storage format failed; read $KAFKA_DIR/format.log"
  fi
  : > "$KAFKA_LOG"
  nohup "${java[@]}" kafka.Kafka "$KAFKA_DIR/server.properties" >>"$KAFKA_DIR/stdout.log" 2>&1 &
  echo $! > "$KAFKA_PID"
  for _ in $(seq 1 120); do
    alive "$KAFKA_PID" || die "Kafka exited at start; read $KAFKA_LOG and $KAFKA_DIR/stdout.log"
    if port_open "$KAFKA_PORT" && grep -q "Kafka Server started" "$KAFKA_LOG"; then
      say "Kafka ready on 127.0.0.1:$KAFKA_PORT (log $KAFKA_LOG)"; return
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
