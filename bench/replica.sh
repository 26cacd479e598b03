#!/usr/bin/env bash
# Start a real PostgreSQL streaming replica of the local server on loopback (port 5433),
# point Zhibu's `replica` alias at it and measure the cockpit reading from it; then stop
# and remove the replica. Needs root (to act as the postgres user) and a local cluster.
#
#   bash bench/replica.sh [DATABASE]          # default: zhibu_bench_m (from make bench)
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${1:-zhibu_bench_m}
PRIMARY_PORT=${ZHIBU_CI_PG_PORT:-5432}
PORT=5433
DIR=$(mktemp -d /tmp/zhibu-replica.XXXXXX)
VERSION=$(ls /etc/postgresql | sort -n | tail -1)
BIN=/usr/lib/postgresql/$VERSION/bin
HBA=/etc/postgresql/$VERSION/main/pg_hba.conf
as_pg() { su postgres -s /bin/bash -c "$*"; }

cleanup() {
  as_pg "$BIN/pg_ctl -D $DIR -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT

if ! psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -lqt | cut -d'|' -f1 | grep -qw "$DB"; then
  echo "database $DB not found: run make bench first, or pass a database name" >&2
  exit 1
fi
# Streaming replication needs a 'replication' entry in the primary's pg_hba.conf.
if ! grep -Eq '^host\s+replication\s+all\s+127\.0\.0\.1/32' "$HBA"; then
  echo "host replication all 127.0.0.1/32 trust  # added by zhibu bench/replica.sh" >> "$HBA"
  psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -qc "SELECT pg_reload_conf()" >/dev/null
fi

chown postgres "$DIR" && chmod 700 "$DIR"
echo "base backup of the primary into $DIR ..."
as_pg "$BIN/pg_basebackup -h 127.0.0.1 -p $PRIMARY_PORT -U postgres -D $DIR -R -X stream -c fast"
cat > "$DIR/postgresql.conf" <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
hot_standby = on
CONF
cp "$HBA" "$DIR/pg_hba.conf"
chown postgres "$DIR/postgresql.conf" "$DIR/pg_hba.conf"
as_pg "$BIN/pg_ctl -D $DIR -l $DIR/replica.log -w start" >/dev/null
in_recovery=$(psql -h 127.0.0.1 -p $PORT -U postgres -Atc "SELECT pg_is_in_recovery()")
echo "replica on port $PORT, in recovery: $in_recovery"
[ "$in_recovery" = "t" ]

# A write on the primary reaches the replica (streaming, not a copy).
psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d "$DB" -qc "CREATE TABLE IF NOT EXISTS zhibu_replica_probe (at timestamptz); INSERT INTO zhibu_replica_probe VALUES (now())"
for _ in $(seq 1 20); do
  seen=$(psql -h 127.0.0.1 -p $PORT -U postgres -d "$DB" -Atc "SELECT count(*) FROM zhibu_replica_probe" 2>/dev/null || echo 0)
  [ "$seen" -gt 0 ] && break
  sleep 0.5
done
echo "replicated probe rows: $seen"
psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d "$DB" -qc "DROP TABLE zhibu_replica_probe"

echo "cockpit and lists through the replica alias:"
DATABASE_URL="postgres://postgres@127.0.0.1:$PRIMARY_PORT/$DB" \
ZHIBU_REPLICA_URL="postgres://postgres@127.0.0.1:$PORT/$DB" \
ZHIBU_ENV=development ZHIBU_DEBUG=0 \
  .venv/bin/python bench/tasks.py pages --org "${ZHIBU_BENCH_ORG:-SYN}" --period "$(date +%Y)" --repeat 5 --aliases
