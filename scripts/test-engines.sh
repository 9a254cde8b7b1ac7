#!/usr/bin/env bash
# The integration files that depend on how the engine behaves, run again against another engine after the full suite
# ran against Docker. Usage: scripts/test-engines.sh podman|runsc   (needs scripts/podman.sh or scripts/gvisor.sh).
# MCPGW_TEST_ENGINE makes the integration global setup check that it is really talking to that engine, and its
# teardown's leak check then covers that engine's containers and networks.
set -euo pipefail
cd "$(dirname "$0")/.."

engine="${1:-podman}"
case "$engine" in
  podman)
    socket="${MCPGW_PODMAN_SOCKET:-/run/podman/podman.sock}"
    if [ ! -S "$socket" ]; then
      echo "[test-engines] no podman API at $socket: run scripts/podman.sh first (a missing engine fails, never skips)" >&2
      exit 1
    fi
    ;;
  runsc)
    # gVisor is a runtime of the Docker engine, not an engine: the walls again under it, through Docker.
    if ! docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q '"runsc"'; then
      echo "[test-engines] Docker has no runsc runtime: run scripts/gvisor.sh first (a missing runtime fails, never skips)" >&2
      exit 1
    fi
    # The sandbox walls (uid, caps, loopback only, read-only root, OOM, fork bomb), the hostile server through mcpd
    # and the CLI, the output flood, and the egress gateway (runsc-net). Everything else does not depend on the
    # runtime, so it runs once, under runc.
    files=(
      test/integration/sandbox-hardening.test.ts
      test/integration/cli-hostile.test.ts
      test/integration/sandbox-flood.test.ts
      test/integration/egress.test.ts
    )
    echo "[test-engines] Docker with runsc: ${#files[@]} files" >&2
    MCPGW_TEST_RUNTIME=runsc npx vitest run --project integration "${files[@]}"
    exit 0
    ;;
  *)
    echo "[test-engines] unknown engine: $engine (known: podman, runsc)" >&2
    exit 2
    ;;
esac

# What differs per engine: the hardening seen from inside and by inspect, the CPU limit (quota and period read back
# from the kernel, throttling seen in cpu.stat), gVisor (what a runsc container
# really runs under; Podman's refusal in the library, ls, test and doctor), image builds in build containers, hostile
# servers (output floods, crashes, size caps, terminal injection through the CLI), real servers with mounts and the
# warm pool, orphan purge, egress networks and the gateway (also through mcpd), and a daemon session end to end. Pure
# logic, Redis, auth and the clients are engine-independent and run once, against Docker.
files=(
  test/integration/sandbox-hardening.test.ts
  test/integration/sandbox-cpu-limit.test.ts
  test/integration/sandbox-runtime-engine.test.ts
  test/integration/sandbox-misbehaving.test.ts
  test/integration/sandbox-flood.test.ts
  test/integration/sandbox-servers.test.ts
  test/integration/sandbox-purge.test.ts
  test/integration/egress.test.ts
  test/integration/egress-daemon.test.ts
  test/integration/images-build.test.ts
  test/integration/cli-hostile.test.ts
  test/integration/daemon-sessions.test.ts
)
echo "[test-engines] $engine at unix://$socket: ${#files[@]} files" >&2
MCPGW_TEST_ENGINE="$engine" DOCKER_HOST="unix://$socket" npx vitest run --project integration "${files[@]}"
