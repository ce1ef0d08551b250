#!/usr/bin/env bash
# Starts a single-node Apache Kafka broker (KRaft, no ZooKeeper) for development and tests:
#   fetch the broker from Maven Central (once) → make a test CA and broker certificate (once)
#   → write a KRaft config → format storage (once) → start `kafka.Kafka` in the background
#   → wait until a kafkajs admin can list topics.
# Idempotent: when .run/<instance>.pid names a live broker, it only waits for it to be ready.
#
# Listeners, all on 127.0.0.1 (test/eventlog/kafka-security.int.test.ts derives the ports the same way):
#   KAFKA_PORT        PLAINTEXT, what every other test uses
#   KAFKA_PORT + 1    SASL_PLAINTEXT   } SASL users (PLAIN and SCRAM-SHA-256/512): jarvis / jarvis-test-password;
#   KAFKA_PORT + 2    SASL_SSL         } the CA that signed the broker's certificate is .run/kafka-tls/ca.pem
# These credentials and keys exist for the loopback test broker only.
#
# Environment (all optional):
#   KAFKA_PORT            client listener on 127.0.0.1 (default 9092)
#   KAFKA_SASL_PORT       SASL_PLAINTEXT listener (default KAFKA_PORT + 1)
#   KAFKA_SASL_SSL_PORT   SASL_SSL listener (default KAFKA_PORT + 2)
#   KAFKA_CONTROLLER_PORT KRaft controller listener (default KAFKA_PORT + 10000)
#   KAFKA_INSTANCE        name for the PID file, log and data dir under .run/ (default "kafka";
#                         the outage test starts a second broker under another name and port)
#   KAFKA_VERSION         override the pinned version (only to re-run the compatibility check)
#
# Version: Apache Kafka 4.1.2, chosen by testing kafkajs 2.2.4 (its last release, 2023) against
# real brokers started by this script (2026-11-27): a consumer group (join, fetch, commit) plus the
# idempotent producer worked on 4.0.0, 4.1.2 and 4.4.0; test/eventlog's contract and publisher
# suites passed on 4.1.2 and 4.4.0, the outage suite on 4.1.2. kafkajs negotiates API versions
# (ApiVersions), so KIP-896's removal of old versions in 4.0 does not hit it once the internal
# topics have replication factor 1 (the cause of tulios/kafkajs#1752). We pin 4.1.2 rather than
# the newest 4.x: a patch release of a line that also restored JoinGroup v0/v1 for old clients
# (apache/kafka#20116), and the version every suite here ran against. 3.9.x was not needed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

PINNED_VERSION=4.1.2 # see "Version" above
VERSION=${KAFKA_VERSION:-$PINNED_VERSION}
PORT=${KAFKA_PORT:-9092}
SASL_PORT=${KAFKA_SASL_PORT:-$((PORT + 1))}
SASL_SSL_PORT=${KAFKA_SASL_SSL_PORT:-$((PORT + 2))}
CPORT=${KAFKA_CONTROLLER_PORT:-$((PORT + 10000))}
NAME=${KAFKA_INSTANCE:-kafka}
HOME_DIR=$ROOT/.tools/kafka/$VERSION
LIBS=$HOME_DIR/libs
RUN=$ROOT/.run
PIDFILE=$RUN/$NAME.pid
DATA=$RUN/$NAME-data
CONF=$RUN/$NAME.properties
LOG=$RUN/$NAME.log
TLS=$RUN/kafka-tls # shared by every instance
SASL_USER=jarvis
SASL_PASSWORD=jarvis-test-password
KEYSTORE_PASSWORD=jarvis-test-keystore
# What the storage was formatted with (the SCRAM users live in the formatted metadata): a data
# dir formatted by an older version of this script, or for other users, is formatted again.
FORMAT_STAMP="scram-users=$SASL_USER:v1"
mkdir -p "$RUN"
# One start at a time per instance (npm test and a developer may race): the second waits, then
# finds the broker the first started.
if command -v flock >/dev/null; then exec 9>"$RUN/$NAME.lock"; flock 9; fi

is_broker() { # pid → true when it is a live kafka.Kafka JVM
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka'
}

wait_ready() {
  local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-90}))
  while ((SECONDS < deadline)); do
    if ! is_broker "$(cat "$PIDFILE" 2>/dev/null || true)"; then
      echo "kafka: the broker process exited; last log lines:" >&2
      tail -n 40 "$LOG" >&2 || true
      rm -f "$PIDFILE"
      return 1
    fi
    # TCP first (cheap), then a real client round trip.
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && node scripts/kafka/wait-ready.mjs "127.0.0.1:$PORT"; then
      return 0
    fi
    sleep 0.5
  done
  echo "kafka: not ready on 127.0.0.1:$PORT after ${KAFKA_START_TIMEOUT:-90}s; last log lines:" >&2
  tail -n 40 "$LOG" >&2 || true
  return 1
}

if is_broker "$(cat "$PIDFILE" 2>/dev/null || true)"; then
  wait_ready
  grep -q '^listeners=.*SASL_SSL://' "$CONF" 2>/dev/null ||
    echo "kafka: warning: this broker was started by an older start.sh, without the SASL listeners; restart it: bash scripts/kafka/stop.sh && bash scripts/kafka/start.sh" >&2
  echo "kafka: already running (pid $(cat "$PIDFILE"), 127.0.0.1:$PORT)"
  exit 0
fi
rm -f "$PIDFILE"

# 1. Fetch the broker and its runtime classpath (once per version).
if [ ! -f "$LIBS/.complete" ]; then
  echo "kafka: fetching org.apache.kafka:kafka_2.13:$VERSION from Maven Central…"
  t0=$SECONDS
  rm -rf "$LIBS" && mkdir -p "$LIBS"
  mvn -q -B -Dstyle.color=never -f scripts/kafka/pom.xml -Dmaven.repo.local="$ROOT/.tools/m2" -Dkafka.version="$VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIBS"
  touch "$LIBS/.complete"
  echo "kafka: fetched $(ls "$LIBS" | wc -l) jars in $((SECONDS - t0))s"
fi
MAJOR=${VERSION%%.*}

# 2. A private CA and a broker certificate for 127.0.0.1/localhost (and a client certificate for
#    mutual TLS), made once and again when they come within a day of expiry. Built in a temporary
#    directory and renamed into place, so two instances starting at once never see half of it; the
#    directory is shared by every instance, so its own lock (not the instance's) guards the check.
if command -v flock >/dev/null; then exec 8>"$RUN/kafka-tls.lock"; flock 8; fi
if ! openssl x509 -checkend 86400 -noout -in "$TLS/broker.pem" >/dev/null 2>&1; then
  tmp=$(mktemp -d "$RUN/kafka-tls.XXXXXX")
  (
    cd "$tmp"
    ossl() { openssl "$@" >/dev/null 2>&1 || { echo "kafka: openssl $1 failed" >&2; exit 1; }; }
    ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 -subj '/CN=Jarvis test Kafka CA' \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -keyout ca.key -out ca.pem
    for who in broker client; do
      ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=jarvis-test-$who" -keyout "$who.key" -out "$who.csr"
      if [ $who = broker ]; then ext='subjectAltName=IP:127.0.0.1,DNS:localhost'; else ext='extendedKeyUsage=clientAuth'; fi
      ossl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 824 -extfile <(echo "$ext") -out "$who.pem"
    done
    ossl pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem -name broker -passout "pass:$KEYSTORE_PASSWORD" -out broker.p12
    rm -f ./*.csr ca.srl
    chmod 600 ./*.key broker.p12
  )
  rm -rf "$TLS.old" && { [ ! -e "$TLS" ] || mv "$TLS" "$TLS.old"; } && mv "$tmp" "$TLS" && rm -rf "$TLS.old"
fi
exec 8>&- # released: the broker must not hold it

# 3. Configuration: one node that is both broker and controller, internal topics at
#    replication factor 1 (or consumer groups never form), no automatic topic creation
#    (the app creates its topics with their partitions and retention).
if ((MAJOR >= 4)); then
  QUORUM="controller.quorum.bootstrap.servers=127.0.0.1:$CPORT"
else
  QUORUM="controller.quorum.voters=1@127.0.0.1:$CPORT"
fi
cat >"$CONF" <<PROPS
process.roles=broker,controller
node.id=1
$QUORUM
listeners=PLAINTEXT://127.0.0.1:$PORT,SASL_PLAINTEXT://127.0.0.1:$SASL_PORT,SASL_SSL://127.0.0.1:$SASL_SSL_PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT,SASL_PLAINTEXT://127.0.0.1:$SASL_PORT,SASL_SSL://127.0.0.1:$SASL_SSL_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
inter.broker.listener.name=PLAINTEXT
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SASL_USER="$SASL_PASSWORD";
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SASL_USER="$SASL_PASSWORD";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$TLS/broker.p12
ssl.keystore.password=$KEYSTORE_PASSWORD
ssl.key.password=$KEYSTORE_PASSWORD
ssl.truststore.type=PEM
ssl.truststore.location=$TLS/ca.pem
# A client certificate is checked when one is sent (mutual TLS), not required: SASL authenticates.
ssl.client.auth=requested
log.dirs=$DATA
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.check.interval.ms=60000
PROPS

# Log to stdout (redirected to .run/<instance>.log) at INFO, quiet the chatty parts.
cat >"$RUN/$NAME-log4j2.properties" <<'L4J2'
status = error
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = out
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.apache.name = org.apache.kafka
logger.apache.level = WARN
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = INFO
L4J2
cat >"$RUN/$NAME-log4j.properties" <<'L4J1'
log4j.rootLogger=INFO, out
log4j.appender.out=org.apache.log4j.ConsoleAppender
log4j.appender.out.layout=org.apache.log4j.PatternLayout
log4j.appender.out.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=WARN
log4j.logger.org.apache.kafka=WARN
log4j.logger.kafka.server.KafkaRaftServer=INFO
L4J1
JAVA_OPTS=(-Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
  -Dlog4j2.configurationFile="$RUN/$NAME-log4j2.properties" -Dlog4j.configuration="file:$RUN/$NAME-log4j.properties"
  -Dkafka.logs.dir="$RUN")

# 4. Format the storage once (a new cluster id per data dir), with the SCRAM users (KRaft keeps
#    them in the metadata log, so they are written at format time). A data dir formatted without
#    them (by an older start.sh) only holds test topics: it is wiped and formatted again.
if [ -f "$DATA/meta.properties" ] && [ "$(cat "$DATA/.jarvis-format" 2>/dev/null || true)" != "$FORMAT_STAMP" ]; then
  echo "kafka: $DATA was formatted without the SASL/SCRAM users; wiping it and formatting again"
  rm -rf "$DATA"
fi
if [ ! -f "$DATA/meta.properties" ]; then
  mkdir -p "$DATA"
  cluster_id=-
  while [[ $cluster_id == -* ]]; do cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='); done
  fmt=(format -t "$cluster_id" -c "$CONF" --ignore-formatted
    --add-scram "SCRAM-SHA-256=[name=$SASL_USER,password=$SASL_PASSWORD]" --add-scram "SCRAM-SHA-512=[name=$SASL_USER,password=$SASL_PASSWORD]")
  ((MAJOR >= 4)) && fmt+=(--standalone)
  java "${JAVA_OPTS[@]}" -cp "$LIBS/*" kafka.tools.StorageTool "${fmt[@]}" >"$LOG" 2>&1 || {
    echo "kafka: formatting storage failed:" >&2; tail -n 40 "$LOG" >&2; exit 1; }
  echo "$FORMAT_STAMP" >"$DATA/.jarvis-format"
fi

# 5. Start in the background, in its own session so it outlives this script.
t0=$SECONDS
# 9>&-: the broker must not inherit (and hold forever) the start lock.
setsid java "${JAVA_OPTS[@]}" -cp "$LIBS/*" kafka.Kafka "$CONF" >>"$LOG" 2>&1 </dev/null 9>&- &
echo $! >"$PIDFILE"
wait_ready
echo "kafka: $VERSION ready on 127.0.0.1:$PORT, SASL on :$SASL_PORT, SASL_SSL on :$SASL_SSL_PORT (pid $(cat "$PIDFILE"), started in $((SECONDS - t0))s)"
