#!/usr/bin/env bash
# Installs rootful Podman and serves its Docker-compatible API at unix:///run/podman/podman.sock, for mcpgw to use
# with DOCKER_HOST=unix:///run/podman/podman.sock (or sandbox.engine: "podman"). Idempotent: safe to re-run.
# Needs root (or sudo) and apt (Debian/Ubuntu); elsewhere install podman and catatonit and start
# `podman system service` yourself.
#
# Machine-specific settings go into /etc/containers/containers.conf.d/50-mcpgw.conf, only where this machine needs
# them (both were needed on Debian 12 with cgroup v1, Podman 4.3):
#   - `[engine] runtime = "runc"`: crun 1.8 refuses hybrid cgroup v1 hosts; runc runs there.
#   - `[containers] default_ulimits = []`: Podman raises every container's open-files limit to 1048576, which fails
#     ("error setting rlimit type 7: operation not permitted") where even root may not raise it; the containers then
#     keep the service's own limits. mcpgw's own limits (memory, CPU, pids) are cgroup limits and are not affected.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
SOCKET=/run/podman/podman.sock
DROPIN=/etc/containers/containers.conf.d/50-mcpgw.conf
LOGFILE=/var/log/mcpgw-podman.log

log() { printf '[podman] %s\n' "$*" >&2; }
ping_api() { curl -sf --max-time 2 --unix-socket "$SOCKET" http://d/_ping >/dev/null 2>&1; }

need_pkgs=()
command -v podman >/dev/null 2>&1 || need_pkgs+=(podman)
# --init (every sandbox runs under an init) needs catatonit; runc is the runtime on cgroup v1 hosts.
[ -x /usr/bin/catatonit ] || [ -x /usr/libexec/podman/catatonit ] || need_pkgs+=(catatonit)
command -v runc >/dev/null 2>&1 || need_pkgs+=(runc)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    log "missing: ${need_pkgs[*]} — install them with your package manager"
    exit 1
  fi
  log "installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null 2>&1 ||
    { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null; }
fi

settings=()
if [ "$(stat -fc %T /sys/fs/cgroup)" != "cgroup2fs" ]; then
  settings+=("runtime-runc")
fi
if ! bash -c 'ulimit -Hn 1048576' >/dev/null 2>&1; then
  settings+=("no-default-ulimits")
fi
{
  echo "# Written by mcpgw's scripts/podman.sh for this machine; see the comments there."
  if [[ " ${settings[*]-} " == *" no-default-ulimits "* ]]; then
    echo "[containers]"
    echo "# This machine does not let root raise the open-files limit to Podman's default (1048576)."
    echo "default_ulimits = []"
  fi
  if [[ " ${settings[*]-} " == *" runtime-runc "* ]]; then
    echo "[engine]"
    echo "# cgroup v1 (hybrid) host: crun refuses it, runc runs there."
    echo 'runtime = "runc"'
  fi
} >/tmp/mcpgw-podman-dropin.$$
if ! cmp -s /tmp/mcpgw-podman-dropin.$$ "$DROPIN" 2>/dev/null; then
  log "writing $DROPIN (${settings[*]-nothing machine-specific})"
  $SUDO mkdir -p "$(dirname "$DROPIN")"
  $SUDO cp /tmp/mcpgw-podman-dropin.$$ "$DROPIN"
  changed=1
fi
rm -f /tmp/mcpgw-podman-dropin.$$

if ping_api && [ -z "${changed:-}" ]; then
  log "Podman API is up at unix://$SOCKET"
  exit 0
fi
if ping_api; then
  log "Podman API is up but its settings changed: restart it (the service re-reads containers.conf at start)"
  exit 0
fi

$SUDO mkdir -p "$(dirname "$SOCKET")"
if [ "$(ps -p 1 -o comm= 2>/dev/null)" = "systemd" ]; then
  log "starting podman.socket (systemd)"
  $SUDO systemctl enable --now podman.socket
else
  log "starting podman system service (no systemd; log in $LOGFILE)"
  $SUDO rm -f "$SOCKET"
  $SUDO sh -c "nohup podman system service --time=0 unix://$SOCKET >$LOGFILE 2>&1 &"
fi
for _ in $(seq 1 30); do
  if ping_api; then
    log "Podman API is up at unix://$SOCKET — use it with DOCKER_HOST=unix://$SOCKET"
    exit 0
  fi
  sleep 1
done
log "the Podman API did not come up; see $LOGFILE:"
tail -n 20 "$LOGFILE" >&2 || true
exit 1
