# shellcheck shell=bash
# Starts a throwaway PostgreSQL for the test suites and stops it on exit. Sourced by scripts/test.sh.
#
#   postgres_start   installs Debian's postgresql when missing, initializes a cluster in a temporary
#                    directory owned by the 'postgres' user (PostgreSQL refuses to run as root), starts
#                    it on a free loopback port with password authentication, creates a database, and
#                    exports COINSHARD_TEST_POSTGRES (an Npgsql connection string) and
#                    COINSHARD_REQUIRE_POSTGRES=1. Registers postgres_stop on EXIT.
#   postgres_stop    stops the server and removes its directory (safe to call twice).

_pg_dir=""
_pg_bin=""

_pg_as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

_pg_find_bin() {
  local candidate
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir 2>/dev/null)/initdb" ]; then
    _pg_bin=$(pg_config --bindir)
    return 0
  fi
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
      _pg_bin=$candidate
      return 0
    fi
  done
  return 1
}

_pg_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

postgres_stop() {
  if [ -n "$_pg_dir" ] && [ -d "$_pg_dir" ]; then
    if [ -f "$_pg_dir/data/postmaster.pid" ]; then
      _pg_as_postgres "$_pg_bin/pg_ctl" -D "$_pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$_pg_dir"
  fi
  _pg_dir=""
}

postgres_start() {
  if ! _pg_find_bin; then
    echo "== installing postgresql (Debian package)"
    local sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql >/dev/null
    _pg_find_bin || { echo "error: postgresql installed but initdb/pg_ctl not found" >&2; return 1; }
  fi
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "error: running as root but there is no 'postgres' user to run PostgreSQL as" >&2
    return 1
  fi

  _pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/coinshard-pg.XXXXXX")
  trap postgres_stop EXIT
  local password port
  password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)
  port=$(_pg_free_port)
  printf '%s\n' "$password" >"$_pg_dir/pwfile"
  [ "$(id -u)" -eq 0 ] && chown -R postgres: "$_pg_dir"
  chmod 700 "$_pg_dir"

  _pg_as_postgres "$_pg_bin/initdb" -D "$_pg_dir/data" -U postgres --pwfile="$_pg_dir/pwfile" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C >"$_pg_dir/initdb.log" 2>&1 \
    || { cat "$_pg_dir/initdb.log" >&2; return 1; }
  rm -f "$_pg_dir/pwfile"
  # Loopback only, no Unix socket in a shared place, fsync off (a throwaway test cluster).
  _pg_as_postgres "$_pg_bin/pg_ctl" -D "$_pg_dir/data" -l "$_pg_dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$_pg_dir -c fsync=off -c max_connections=200" \
    start >/dev/null || { cat "$_pg_dir/server.log" >&2; return 1; }
  PGPASSWORD=$password "$_pg_bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE coinshard_test" >/dev/null || return 1

  export COINSHARD_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Database=coinshard_test;Username=postgres;Password=$password"
  export COINSHARD_REQUIRE_POSTGRES=1
  echo "== PostgreSQL $("$_pg_bin/postgres" --version | awk '{print $3}') running on 127.0.0.1:$port (data in $_pg_dir)"
}
