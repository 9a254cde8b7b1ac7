#!/usr/bin/env bash
# Installs and starts what mcpgw and its tests need on a Debian/Ubuntu machine: a Docker engine, rootful Podman
# (scripts/podman.sh; skip with MCPGW_BOOTSTRAP_PODMAN=0), Redis, python3 with pip (the offline Python base), busybox
# (the sandbox hardening tests' fork bomb), stunnel4 + openssl (the remote-engine tests) and Chromium (the web
# client's browser test; skip it with MCPGW_BOOTSTRAP_BROWSER=0).
# Idempotent: safe to re-run.
# Needs root (or sudo). On other systems install Docker and redis-server yourself.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

log() { printf '[bootstrap] %s\n' "$*" >&2; }

need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
command -v redis-server >/dev/null 2>&1 || need_pkgs+=(redis-server)
[ -x /bin/busybox ] || need_pkgs+=(busybox-static)
# stunnel4 + openssl: the remote-engine tests put a TLS endpoint (client certificates) in front of the Docker socket.
command -v stunnel4 >/dev/null 2>&1 || need_pkgs+=(stunnel4)
command -v openssl >/dev/null 2>&1 || need_pkgs+=(openssl)
# The offline Python base is made from the system python3; its builder carries the system pip, setuptools and wheel.
/usr/bin/python3 -c 'import pip, setuptools, wheel' >/dev/null 2>&1 || need_pkgs+=(python3 python3-pip python3-setuptools python3-wheel)
if [ "${MCPGW_BOOTSTRAP_BROWSER:-1}" = "1" ] && ! command -v chromium >/dev/null 2>&1; then need_pkgs+=(chromium); fi

if [ "${#need_pkgs[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    log "missing: ${need_pkgs[*]} — install them with your package manager"
    exit 1
  fi
  log "installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

# Rootful Podman and its Docker-compatible API: `npm test` runs the engine-dependent integration files against it too
# (scripts/test-engines.sh). Skip it with MCPGW_BOOTSTRAP_PODMAN=0 (then run `npm run test:docker`).
if [ "${MCPGW_BOOTSTRAP_PODMAN:-1}" = "1" ]; then bash "$(dirname "$0")/podman.sh"; fi

# Redis ships with an init script that may have started a system instance; mcpgw runs its own private one, so
# nothing else is needed here.

# Starts dockerd unless it runs already.
ensure_dockerd() {
  if docker info >/dev/null 2>&1; then
    log "docker engine is running"
    return 0
  fi

  # A dockerd that was killed leaves its pid file behind and the next start refuses.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    log "removing stale /var/run/docker.pid"
    $SUDO rm -f /var/run/docker.pid
  fi
  if [ -S /run/containerd/containerd.sock ] && ! pgrep -x containerd >/dev/null 2>&1; then
    $SUDO rm -f /run/containerd/containerd.sock
  fi

  log "starting dockerd"
  $SUDO sh -c 'nohup dockerd >/var/log/mcpgw-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then
      log "docker engine is up"
      return 0
    fi
    sleep 1
  done
  log "dockerd did not come up; see /var/log/mcpgw-dockerd.log:"
  tail -n 20 /var/log/mcpgw-dockerd.log >&2 || true
  return 1
}
ensure_dockerd

# gVisor (runsc) registered with Docker as a user would: `npm test` runs the sandbox walls under it too
# (scripts/test-engines.sh runsc). Skip it with MCPGW_BOOTSTRAP_GVISOR=0 (then run `npm run test:docker`).
if [ "${MCPGW_BOOTSTRAP_GVISOR:-1}" = "1" ]; then bash "$(dirname "$0")/gvisor.sh"; fi
