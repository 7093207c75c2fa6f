#!/usr/bin/env bash
# Runs the whole test suite, with every set-up step it needs, on a fresh machine:
#   ./test.sh [dotnet test options...]      e.g. ./test.sh --filter "FullyQualifiedName~Deployment"
#
# - installs kubectl (the Kubernetes manifest test renders k8s/ with `kubectl kustomize`), openssl (k8s/certs/make-certs.sh)
#   and PostgreSQL when they are missing (apt-get, as root; otherwise it says what to install);
# - starts a throwaway PostgreSQL cluster of its own (initdb + pg_ctl) in a temporary folder, on a free loopback port,
#   whatever PostgreSQL the machine already runs, and creates a database;
# - installs iproute2 and iptables when missing (the network partition fault test builds network namespaces, a bridge
#   and DROP rules of its own with them);
# - exports ACTORPUBSUB_TEST_POSTGRES (the Npgsql connection string the PostgreSQL tests read; they fail without it) and
#   ACTORPUBSUB_TEST_POSTGRES_CTL (a script that stops and starts that server, for the PostgreSQL restart fault test);
# - runs `dotnet test ActorPubSub.sln` with the options given, and stops and deletes the PostgreSQL cluster on exit.
# When ACTORPUBSUB_TEST_POSTGRES is already set, that server is used and none is started (set ACTORPUBSUB_TEST_POSTGRES_CTL
# too, to a command taking stop or start, or the PostgreSQL restart fault test fails saying so).
set -euo pipefail
cd "$(dirname "$0")"

say() { echo "test.sh: $*" >&2; }
is_root() { [ "$(id -u)" = 0 ]; }

apt_updated=
apt_install() {
  if ! is_root; then
    say "$1 is missing and this is not root: install it (apt-get install -y $*) and run again."
    exit 1
  fi
  if [ -z "$apt_updated" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- kubectl ---------------------------------------------------------------------------------------------------------
if ! command -v kubectl >/dev/null 2>&1; then
  say "installing kubectl"
  # Debian names it kubernetes-client; machines with the Kubernetes or Google Cloud repository have kubectl.
  if is_root && apt-cache show kubectl >/dev/null 2>&1; then apt_install kubectl; else apt_install kubernetes-client; fi
fi

# --- openssl -----------------------------------------------------------------------------------------------------------
# The Kubernetes secrets test runs k8s/certs/make-certs.sh, which makes the cluster's CA and certificates with openssl.
if ! command -v openssl >/dev/null 2>&1; then
  say "installing openssl"
  apt_install openssl
fi

# --- network fault tools ------------------------------------------------------------------------------------------------
if ! command -v ip >/dev/null 2>&1; then
  say "installing iproute2"
  apt_install iproute2
fi
if ! command -v iptables >/dev/null 2>&1; then
  say "installing iptables"
  apt_install iptables
fi

# --- PostgreSQL --------------------------------------------------------------------------------------------------------
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ -z "${ACTORPUBSUB_TEST_POSTGRES:-}" ]; then
  if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
    say "installing PostgreSQL"
    apt_install postgresql
  fi
  PG_BIN="$(pg_bin)"

  # PostgreSQL refuses to run as root: run the throwaway cluster as the postgres user (made by the package).
  run_pg() { "$@"; }
  pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/actorpubsub-pg.XXXXXX")"
  if is_root; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    chown postgres "$pg_dir"
    run_pg() { runuser -u postgres -- "$@"; }
  fi

  stop_pg() {
    if [ -f "$pg_dir/data/postmaster.pid" ]; then
      run_pg "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$pg_dir"
  }
  trap stop_pg EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  pg_user=actorpubsub
  pg_password="test-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  pg_database=actorpubsub_test
  printf '%s\n' "$pg_password" > "$pg_dir/password"
  is_root && chown postgres "$pg_dir/password"
  run_pg "$PG_BIN/initdb" -D "$pg_dir/data" -U "$pg_user" --pwfile="$pg_dir/password" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C >"$pg_dir/initdb.log" 2>&1 || { cat "$pg_dir/initdb.log" >&2; exit 1; }
  rm -f "$pg_dir/password"

  # A free port: try random ones until the server binds (it refuses a port in use). Loopback only; the socket
  # directory is ours, so no system cluster is touched. fsync and synchronous_commit keep their defaults (on).
  started=
  for _ in $(seq 1 20); do
    pg_port=$((20000 + RANDOM % 40000))
    if run_pg "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
         -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1" start >/dev/null 2>&1; then
      started=1
      break
    fi
  done
  if [ -z "$started" ]; then
    say "PostgreSQL did not start; its log:"
    cat "$pg_dir/server.log" >&2 || true
    exit 1
  fi
  # The PostgreSQL restart fault test stops and starts this server mid-stream: `ctl stop` is an immediate shutdown (what
  # a crash of the database looks like to its clients), `ctl start` starts it again on the same port and data.
  run_as=""
  is_root && run_as="runuser -u postgres --"
  cat > "$pg_dir/ctl" <<CTL
#!/usr/bin/env bash
set -euo pipefail
case "\${1:-}" in
  stop)  $run_as "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m immediate -w stop ;;
  start) $run_as "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1" start ;;
  *)     echo "usage: \$0 stop|start" >&2; exit 2 ;;
esac
CTL
  chmod +x "$pg_dir/ctl"
  export ACTORPUBSUB_TEST_POSTGRES_CTL="$pg_dir/ctl"

  PGPASSWORD="$pg_password" "$PG_BIN/createdb" -h 127.0.0.1 -p "$pg_port" -U "$pg_user" "$pg_database"
  export ACTORPUBSUB_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=$pg_user;Password=$pg_password;Database=$pg_database"
  say "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port (data in $pg_dir, removed on exit)"
else
  say "using the PostgreSQL server of ACTORPUBSUB_TEST_POSTGRES"
fi

# --- tests -------------------------------------------------------------------------------------------------------------
# Not exec: the EXIT trap stops PostgreSQL after the tests.
dotnet test ActorPubSub.sln "$@"
