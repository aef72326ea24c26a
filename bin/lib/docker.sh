# Starts Debian's dockerd for the container test, unless a daemon already answers. Sourced by
# bin/setup. The daemon never touches the host's network: no bridge, no iptables or masquerade
# rules, so containers run with --network host (or none) and their traffic stays on loopback.

SLUICE_DOCKER_LOG="${SLUICE_DOCKER_LOG:-/var/log/sluice-dockerd.log}"

sluice_start_docker() {
  # /usr/local/bin may hold a static docker CLI; the daemon is Debian's.
  if docker info >/dev/null 2>&1; then
    return 0
  fi
  if (( EUID != 0 )); then
    echo "setup: starting dockerd needs root" >&2
    return 1
  fi
  echo "setup: starting dockerd (no bridge, no iptables), log in $SLUICE_DOCKER_LOG"
  local flags=(--bridge=none --iptables=false --ip-masq=false --ip6tables=false)
  # setsid: the daemon outlives this script and ignores its terminal's signals.
  setsid /usr/sbin/dockerd "${flags[@]}" >>"$SLUICE_DOCKER_LOG" 2>&1 </dev/null &
  local waited
  for waited in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then
      return 0
    fi
    sleep 1
  done
  echo "setup: dockerd did not answer within 60 s; see $SLUICE_DOCKER_LOG" >&2
  tail -20 "$SLUICE_DOCKER_LOG" >&2
  return 1
}
