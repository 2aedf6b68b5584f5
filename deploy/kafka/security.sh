# Kafka's authentication and authorization for qtrail, and the node's shared defaults: one
# definition for the local stack (deploy/stack.sh) and Docker hosts
# (deploy/kafka/compose-broker.sh). Sourced, not run; the caller defines die().
#
# Principals (SCRAM-SHA-512 users, written into the metadata when the storage is formatted):
#   admin     the super user: creates topics (qtrail topics, tests); no service runs as it
#   gateway   produces to qtrail.submitted.*
#   recorder  consumes qtrail.submitted.* and qtrail.trail.* in groups qtrail-recorder*, produces
#             qtrail.trail.*, qtrail.rejected.*, qtrail.alerts.*, consumes faust's leader topic
#             (named after its group, qtrail-recorder*; created by qtrail topics)
#   reader    consumes qtrail.trail.* without a group (qtrail replay --rebuild --from-kafka)
# Names and passwords come from the same QTRAIL_KAFKA_* variables the services read.

KAFKA_SASL_MECHANISM="SCRAM-SHA-512"
KAFKA_ADMIN_USER="${QTRAIL_KAFKA_ADMIN_USER:-qtrail-admin}"
KAFKA_ADMIN_PASSWORD="${QTRAIL_KAFKA_ADMIN_PASSWORD:-qtrail-dev-only}"
KAFKA_GATEWAY_USER="${QTRAIL_KAFKA_GATEWAY_USER:-qtrail-gateway}"
KAFKA_GATEWAY_PASSWORD="${QTRAIL_KAFKA_GATEWAY_PASSWORD:-qtrail-dev-only}"
KAFKA_RECORDER_USER="${QTRAIL_KAFKA_RECORDER_USER:-qtrail-recorder}"
KAFKA_RECORDER_PASSWORD="${QTRAIL_KAFKA_RECORDER_PASSWORD:-qtrail-dev-only}"
KAFKA_READER_USER="${QTRAIL_KAFKA_READER_USER:-qtrail-reader}"
KAFKA_READER_PASSWORD="${QTRAIL_KAFKA_READER_PASSWORD:-qtrail-dev-only}"
KAFKA_PRINCIPALS=(ADMIN GATEWAY RECORDER READER)

# They are written into JAAS strings and the storage tool's --add-scram argument, which have no
# escapes for these characters.
kafka_check_credentials() {
  local who name password value
  for who in "${KAFKA_PRINCIPALS[@]}"; do
    name="KAFKA_${who}_USER" password="KAFKA_${who}_PASSWORD"
    for value in "${!name}" "${!password}"; do
      [[ -n "$value" && "$value" != *[[:space:]\"\\,=\[\]\']* ]] \
        || die "Kafka user names and passwords must be non-empty, without spaces, quotes, backslashes, commas, '=' or brackets ($name)"
    done
  done
}

# A digest of what the storage holds (mechanism, users, passwords): formatted storage is only
# reused when it matches.
kafka_security_stamp() {
  local who name password
  {
    echo "sasl-scram-1 $KAFKA_SASL_MECHANISM"
    for who in "${KAFKA_PRINCIPALS[@]}"; do
      name="KAFKA_${who}_USER" password="KAFKA_${who}_PASSWORD"
      echo "${!name}:${!password}"
    done
  } | sha256sum | cut -d' ' -f1
}

# The storage tool's arguments that create every principal.
kafka_scram_args() {
  local who name password
  KAFKA_SCRAM_ARGS=()
  for who in "${KAFKA_PRINCIPALS[@]}"; do
    name="KAFKA_${who}_USER" password="KAFKA_${who}_PASSWORD"
    KAFKA_SCRAM_ARGS+=(--add-scram "$KAFKA_SASL_MECHANISM=[name=${!name},password=${!password}]")
  done
}

# The listeners' security, for server.properties: BROKER (clients and the broker itself) takes
# SCRAM users; CONTROLLER takes the admin alone (PLAIN): nothing is reachable anonymously.
kafka_security_properties() {
  local scram="org.apache.kafka.common.security.scram.ScramLoginModule required"
  local plain="org.apache.kafka.common.security.plain.PlainLoginModule required"
  cat <<PROPS
controller.listener.names=CONTROLLER
inter.broker.listener.name=BROKER
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,BROKER:SASL_PLAINTEXT
listener.name.broker.sasl.enabled.mechanisms=$KAFKA_SASL_MECHANISM
listener.name.broker.${KAFKA_SASL_MECHANISM,,}.sasl.jaas.config=$scram username="$KAFKA_ADMIN_USER" password="$KAFKA_ADMIN_PASSWORD";
sasl.mechanism.inter.broker.protocol=$KAFKA_SASL_MECHANISM
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=$plain username="$KAFKA_ADMIN_USER" password="$KAFKA_ADMIN_PASSWORD" user_$KAFKA_ADMIN_USER="$KAFKA_ADMIN_PASSWORD";
sasl.mechanism.controller.protocol=PLAIN
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:$KAFKA_ADMIN_USER
allow.everyone.if.no.acl.found=false
PROPS
}

# The single node's storage and topic defaults, the same on every host: topics are created by
# qtrail (never automatically), kept for ever, internal topics with one replica.
kafka_node_properties() {
  cat <<PROPS
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=-1
PROPS
}

# Client properties of the admin, for Kafka's command line tools.
kafka_admin_properties() {
  cat <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=$KAFKA_SASL_MECHANISM
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$KAFKA_ADMIN_USER" password="$KAFKA_ADMIN_PASSWORD";
PROPS
}

# Grants each principal its topics and groups; "$@" is the ACL command with its connection
# options. PREFIXED patterns cover versioned and per-test names (qtrail.submitted.v1.t<run>).
# Adding an ACL that exists changes nothing. The commands run side by side (each is a JVM start).
KAFKA_ACL_VERSION="acls-1"
kafka_grant_acls() {
  local acl=("$@" --add --force --resource-pattern-type prefixed) pids=() pid failed=0
  "${acl[@]}" --allow-principal "User:$KAFKA_GATEWAY_USER" --operation Write --operation Describe \
    --topic qtrail.submitted. & pids+=($!)
  "${acl[@]}" --allow-principal "User:$KAFKA_RECORDER_USER" --operation Read --operation Describe \
    --topic qtrail.submitted. --topic qtrail.trail. & pids+=($!)
  "${acl[@]}" --allow-principal "User:$KAFKA_RECORDER_USER" --operation Write --operation Describe \
    --topic qtrail.trail. --topic qtrail.rejected. --topic qtrail.alerts. & pids+=($!)
  "${acl[@]}" --allow-principal "User:$KAFKA_RECORDER_USER" --operation Read \
    --group qtrail-recorder & pids+=($!)
  "${acl[@]}" --allow-principal "User:$KAFKA_RECORDER_USER" --operation Read --operation Describe \
    --topic qtrail-recorder & pids+=($!)
  "${acl[@]}" --allow-principal "User:$KAFKA_READER_USER" --operation Read --operation Describe \
    --topic qtrail.trail. & pids+=($!)
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  return "$failed"
}
