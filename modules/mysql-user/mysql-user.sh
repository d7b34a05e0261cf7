#!/bin/sh
# Creates Gitpod's own MySQL user, or brings it up to date: its password, mysql_native_password
# (Gitpod's Node driver has no caching_sha2_password), TLS required or not, and every privilege on
# Gitpod's databases, which it creates if they are missing; it grants nothing else. Logs in as the
# server's admin (e.g. the RDS master user). Safe to run again and again: it never drops a user, a
# database or a table, and a new password replaces the old one.
#
# Inputs (environment):
#   MYSQL_HOST, MYSQL_PORT         the server
#   ADMIN_USER, ADMIN_PASSWORD     an account that may create users and grant on Gitpod's databases
#   GITPOD_USER, GITPOD_PASSWORD   Gitpod's user; letters, digits and "_" / letters and digits only
#   DATABASES                      space-separated names (letters, digits, "_", "-")
#   REQUIRE_TLS                    true: the user may connect only with TLS (REQUIRE SSL); false: REQUIRE NONE
#   CA_FILE                        optional: verify the server's certificate and name against this CA bundle
#   WORK_DIR                       where the client's option file goes (in memory) [/run/mysql-user]
#   MYSQL_CLIENT                   the client program [mysql]
#   CONNECT_TRIES                  tries to reach the server, 5 s apart [12]
#
# No password is ever printed or passed as an argument: the admin's is in an option file readable
# by this process only, Gitpod's reaches the client on its standard input.
set -eu

log() { printf 'mysql-user: %s\n' "$*" >&2; }
fail() { log "ERROR: $*"; exit 1; }

: "${MYSQL_HOST:?MYSQL_HOST is required}" "${MYSQL_PORT:?MYSQL_PORT is required}"
: "${ADMIN_USER:?ADMIN_USER is required}" "${ADMIN_PASSWORD:?ADMIN_PASSWORD is required}"
: "${GITPOD_USER:?GITPOD_USER is required}" "${GITPOD_PASSWORD:?GITPOD_PASSWORD is required}"
: "${DATABASES:?DATABASES is required}" "${REQUIRE_TLS:?REQUIRE_TLS is required}"
WORK_DIR=${WORK_DIR:-/run/mysql-user}
MYSQL_CLIENT=${MYSQL_CLIENT:-mysql}
CONNECT_TRIES=${CONNECT_TRIES:-12}
CA_FILE=${CA_FILE:-}

# What goes into SQL text is checked here, so nothing can break out of its quotes.
case "$GITPOD_USER" in *[!A-Za-z0-9_]*) fail "GITPOD_USER may hold only letters, digits and _" ;; esac
[ "${#GITPOD_USER}" -le 32 ] || fail "GITPOD_USER is longer than MySQL's 32 characters"
case "$GITPOD_PASSWORD" in *[!A-Za-z0-9]*) fail "GITPOD_PASSWORD may hold only letters and digits" ;; esac
[ "$GITPOD_USER" != "$ADMIN_USER" ] || fail "GITPOD_USER must not be the admin user $ADMIN_USER"
# The option file takes the admin's values between double quotes.
case "$ADMIN_USER$ADMIN_PASSWORD" in *[\"\\]*) fail "ADMIN_USER and ADMIN_PASSWORD must not contain \" or \\" ;; esac
case "$ADMIN_USER$ADMIN_PASSWORD" in *"
"*) fail "ADMIN_USER and ADMIN_PASSWORD must be one line each" ;; esac
case "$MYSQL_HOST" in *[!A-Za-z0-9.:-]*) fail "MYSQL_HOST must be a host name or an IP address" ;; esac
case "$MYSQL_PORT" in '' | *[!0-9]*) fail "MYSQL_PORT must be a number" ;; esac
case "$REQUIRE_TLS" in true | false) ;; *) fail "REQUIRE_TLS must be true or false" ;; esac
set -f
# shellcheck disable=SC2086 # a list of names, split on purpose (globbing is off)
set -- $DATABASES
set +f
[ "$#" -gt 0 ] || fail "DATABASES names no database"
for database; do
  case "$database" in *[!A-Za-z0-9_-]*) fail "database names may hold only letters, digits, _ and -: $database" ;; esac
done
[ -z "$CA_FILE" ] || [ -s "$CA_FILE" ] || fail "CA_FILE $CA_FILE is missing or empty"

# MySQL's and MariaDB's clients name their TLS options differently. (No grep: the image may lack it.)
client_version=$("$MYSQL_CLIENT" --version 2>/dev/null) || fail "cannot run the MySQL client $MYSQL_CLIENT"
case "$client_version" in
  *MariaDB*) verify="ssl-verify-server-cert" required="ssl" ;;
  *) verify="ssl-mode=VERIFY_IDENTITY" required="ssl-mode=REQUIRED" ;;
esac
if [ -n "$CA_FILE" ]; then
  # The server's certificate must chain to the CA and name MYSQL_HOST.
  tls_options="ssl-ca=$CA_FILE
$verify"
elif [ "$REQUIRE_TLS" = true ]; then
  tls_options=$required
else
  tls_options=""
fi

umask 077
mkdir -p "$WORK_DIR"
options_file="$WORK_DIR/admin.cnf"
trap 'rm -f "$options_file"' EXIT
{
  printf '[client]\nhost=%s\nport=%s\nuser="%s"\npassword="%s"\nconnect-timeout=10\n' "$MYSQL_HOST" "$MYSQL_PORT" "$ADMIN_USER" "$ADMIN_PASSWORD"
  [ -z "$tls_options" ] || printf '%s\n' "$tls_options"
} >"$options_file"

sql() { "$MYSQL_CLIENT" --defaults-file="$options_file" --batch --skip-column-names "$@"; }

# The server may still be starting, or the pod's network not ready yet.
try=1
until version=$(sql --execute='SELECT VERSION()'); do
  [ "$try" -lt "$CONNECT_TRIES" ] || fail "cannot log in to $MYSQL_HOST:$MYSQL_PORT as $ADMIN_USER (see the client's error above)"
  try=$((try + 1))
  sleep 5
done
log "logged in to $MYSQL_HOST:$MYSQL_PORT ($version) as $ADMIN_USER"

if [ "$REQUIRE_TLS" = true ]; then require="REQUIRE SSL"; else require="REQUIRE NONE"; fi
case "$version" in
  # MariaDB: the plugin by VIA, the password hashed by PASSWORD().
  *MariaDB*) identified="IDENTIFIED VIA mysql_native_password USING PASSWORD('$GITPOD_PASSWORD')" ;;
  # MySQL 5.7 and 8.x; on 8.4 the plugin must be enabled (RDS: the parameter group does it).
  *) identified="IDENTIFIED WITH mysql_native_password BY '$GITPOD_PASSWORD'" ;;
esac
account="'$GITPOD_USER'@'%'"
# What ALL PRIVILEGES means on one database in MySQL 5.7 and 8.x, named: MariaDB's ALL holds more
# (DELETE HISTORY), which an admin without it, like RDS's master user, could not grant.
privileges="SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, REFERENCES, INDEX, ALTER, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, EVENT, TRIGGER"

# printf is a shell builtin: the password is in no process's arguments.
{
  printf 'CREATE USER IF NOT EXISTS %s %s %s;\n' "$account" "$identified" "$require"
  # An existing user: the current password, plugin and TLS requirement.
  printf 'ALTER USER %s %s %s;\n' "$account" "$identified" "$require"
  # shellcheck disable=SC2016 # backticks quote SQL names; nothing to expand
  for database; do
    printf 'CREATE DATABASE IF NOT EXISTS `%s` CHARACTER SET utf8mb4;\n' "$database"
    printf 'GRANT %s ON `%s`.* TO %s;\n' "$privileges" "$database" "$account"
  done
} | sql || fail "could not set up user $GITPOD_USER (see the client's error above)"
log "user $GITPOD_USER: mysql_native_password, $require, every privilege on $* (and nothing else granted here)"
