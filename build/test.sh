#!/usr/bin/env bash
# The README's test command: installs what the tests need on a fresh Debian machine (a RabbitMQ server for the
# cluster tests, Chromium for the dashboard's browser tests), then runs every test. Extra arguments go to
# `dotnet test` (CI passes a TRX logger). Tests that need a broker start a private node themselves.
set -uo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

need=()
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing ${need[*]} (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null \
      || { echo "could not install ${need[*]}: install them with 'sudo apt-get install ${need[*]}' and run again" >&2; exit 1; }
    # The package starts a system-wide node as a service; the tests run their own private node instead.
    if [[ " ${need[*]} " == *" rabbitmq-server "* ]]; then
      (service rabbitmq-server stop || /usr/sbin/rabbitmqctl stop) >/dev/null 2>&1 || true
    fi
  else
    echo "missing ${need[*]}: install them with 'sudo apt-get install ${need[*]}' and run again" >&2
    exit 1
  fi
fi

dotnet build Juggle.sln -c Release -warnaserror || exit 1
exec dotnet test Juggle.sln -c Release --no-build "$@"
