#!/usr/bin/env bash
# The integration files that depend on how the engine behaves, run again against another engine after the full suite
# ran against Docker. Usage: scripts/test-engines.sh podman   (needs scripts/podman.sh to have run: its API socket).
# MCPGW_TEST_ENGINE makes the integration global setup check that it is really talking to that engine, and its
# teardown's leak check then covers that engine's containers and networks.
set -euo pipefail
cd "$(dirname "$0")/.."

engine="${1:-podman}"
case "$engine" in
  podman) socket="${MCPGW_PODMAN_SOCKET:-/run/podman/podman.sock}" ;;
  *)
    echo "[test-engines] unknown engine: $engine (known: podman)" >&2
    exit 2
    ;;
esac
if [ ! -S "$socket" ]; then
  echo "[test-engines] no $engine API at $socket: run scripts/$engine.sh first (a missing engine fails, never skips)" >&2
  exit 1
fi

# What differs per engine: the hardening seen from inside and by inspect, image builds in build containers, hostile
# servers (output floods, crashes, size caps, terminal injection through the CLI), real servers with mounts and the
# warm pool, orphan purge, egress networks and the gateway (also through mcpd), and a daemon session end to end. Pure
# logic, Redis, auth and the clients are engine-independent and run once, against Docker.
files=(
  test/integration/hardening.test.ts
  test/integration/misbehaving.test.ts
  test/integration/flood.test.ts
  test/integration/sandbox-servers.test.ts
  test/integration/purge.test.ts
  test/integration/egress.test.ts
  test/integration/egress-daemon.test.ts
  test/integration/images-build.test.ts
  test/integration/hostile-cli.test.ts
  test/integration/daemon-sessions.test.ts
)
echo "[test-engines] $engine at unix://$socket: ${#files[@]} files" >&2
MCPGW_TEST_ENGINE="$engine" DOCKER_HOST="unix://$socket" npx vitest run --project integration "${files[@]}"
