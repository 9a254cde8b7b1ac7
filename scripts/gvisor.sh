#!/usr/bin/env bash
# Installs gVisor (runsc) and registers it with the Docker engine as two runtimes, then reloads dockerd:
#   runsc      --network=none   for sandboxes without a network (the default): gVisor's own stack, loopback only
#   runsc-net  --network=host   for sandboxes with a network (an egress allowlist, "bridge"): gVisor passes socket
#                               calls to the host kernel, inside the container's own Docker network namespace
# Why not gVisor's own network stack (--network=sandbox) for the second: runsc builds before 2024-08 refuse to
# start on kernels from about 6.11 on ("cannot run with network enabled in root network namespace",
# google/gvisor#10704); Debian 12's runsc is from 2022-12. MCPGW_RUNSC_NET_MODE=sandbox picks it where it works.
# Idempotent: re-running changes nothing once both runtimes are registered. Keeps every other daemon.json key.
# Needs root (or sudo), apt-get for the install (install runsc yourself elsewhere), and dockerd (not Podman).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
log() { printf '[gvisor] %s\n' "$*" >&2; }

DAEMON_JSON="${MCPGW_DOCKER_DAEMON_JSON:-/etc/docker/daemon.json}"
NET_MODE="${MCPGW_RUNSC_NET_MODE:-host}"
case "$NET_MODE" in host | sandbox) ;; *)
  log "MCPGW_RUNSC_NET_MODE must be host or sandbox (got: $NET_MODE)"
  exit 2
  ;;
esac

if ! command -v runsc >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    log "runsc is not installed and apt-get is missing: install gVisor from https://gvisor.dev/docs/user_guide/install/"
    exit 1
  fi
  log "installing runsc"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends runsc >/dev/null
fi
RUNSC="$(command -v runsc)"
log "$("$RUNSC" --version | head -n 1)"

# Merge, never overwrite: daemon.json may hold the user's own settings. node is there (mcpgw needs it).
changed="$($SUDO node - "$DAEMON_JSON" "$RUNSC" "$NET_MODE" <<'EOF'
const fs = require('node:fs');
const path = require('node:path');
const [file, runsc, netMode] = process.argv.slice(2);
let config = {};
if (fs.existsSync(file)) {
  const text = fs.readFileSync(file, 'utf8').trim();
  config = text === '' ? {} : JSON.parse(text);
}
const wanted = {
  runsc: { path: runsc, runtimeArgs: ['--network=none'] },
  'runsc-net': { path: runsc, runtimeArgs: [`--network=${netMode}`] },
};
config.runtimes = config.runtimes ?? {};
let changed = false;
for (const [name, entry] of Object.entries(wanted)) {
  if (JSON.stringify(config.runtimes[name]) !== JSON.stringify(entry)) {
    config.runtimes[name] = entry;
    changed = true;
  }
}
if (changed) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(config, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}
process.stdout.write(changed ? 'yes' : 'no');
EOF
)"

registered() { docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q '"runsc-net"'; }

if [ "$changed" = "yes" ] || ! registered; then
  pid="$(cat /var/run/docker.pid 2>/dev/null || pgrep -xo dockerd || true)"
  if [ -z "$pid" ]; then
    log "wrote $DAEMON_JSON; dockerd is not running: it reads the runtimes when it starts"
    exit 0
  fi
  # SIGHUP reloads the runtimes without restarting dockerd: running containers are untouched.
  log "registered runsc and runsc-net in $DAEMON_JSON; reloading dockerd ($pid)"
  $SUDO kill -HUP "$pid"
  for _ in $(seq 1 50); do
    if registered; then break; fi
    sleep 0.2
  done
fi
if ! registered; then
  log "dockerd does not list runsc-net after the reload; see its log"
  exit 1
fi

# The proof a user wants: a hardened container answers from gVisor's kernel (it reports Linux 4.4.0).
if image="$(docker images --format '{{.Repository}}:{{.Tag}}' 'mcpgw/base' | grep ':node' | head -n 1)" && [ -n "$image" ]; then
  kernel="$(docker run --rm --runtime=runsc --network=none --read-only --cap-drop=ALL --user 65534:65534 \
    --entrypoint node "$image" -e 'process.stdout.write(require("node:os").release())' 2>&1)" || {
    log "runsc is registered but a container failed to start under it: $kernel"
    exit 1
  }
  log "runsc works (sandbox kernel: $kernel)"
fi
log "gVisor ready: set \"sandbox\": { \"runtime\": \"runsc\" } (or \"auto\") in the mcpgw config"
