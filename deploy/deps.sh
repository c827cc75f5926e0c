#!/usr/bin/env bash
# Machine set-up for building and testing the suite (what `make deps` runs).
#
# Idempotent and quick the second time: apt is touched only when a package is missing, and the Kafka
# broker jars are resolved only when the cache marker for that exact POM is absent.
#
#   deploy/deps.sh            everything
#   deploy/deps.sh apt        only the Debian packages (and stopping the system services they start)
#   deploy/deps.sh kafka      only the Kafka jars
#   deploy/deps.sh npm        only the npm packages: the browser tests' (tests/browser/node_modules) and
#                             the services' frontends (check-in, leaderboard) with their bundles
#                             (services/<service>/web/assets/vendor/)
#
# Environment:
#   EXPO_CACHE_DIR   where the Kafka jars go (default <repo>/.cache); ignored by git.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache_dir=${EXPO_CACHE_DIR:-$repo_root/.cache}
kafka_pom=$repo_root/deploy/kafka/pom.xml

# Debian 12 names. Boost is pinned to 1.81 because that is what the code is written and tested against.
apt_packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev
  librdkafka-dev libhiredis-dev prometheus-cpp-dev libjemalloc-dev
  libgtest-dev libgmock-dev libssl-dev
  redis-server kcat wrk prometheus
  nginx openssl
  openjdk-17-jdk-headless maven
  curl procps iproute2 python3
  libqrencode-dev chromium zbar-tools libnss3-tools nodejs
  # Debian's npm conflicts with a NodeSource nodejs, which brings its own npm: ask for it only when absent.
  $(command -v npm >/dev/null 2>&1 || echo npm)
)

log() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

missing_apt_packages() {
  # One dpkg-query for all packages; unknown ones print nothing on stdout (an error on stderr).
  local installed
  installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${apt_packages[@]}" 2>/dev/null || true)
  local pkg
  for pkg in "${apt_packages[@]}"; do
    if ! grep -qE "^${pkg//./\\.}(:[a-z0-9]+)? install ok installed$" <<<"$installed"; then
      printf '%s\n' "$pkg"
    fi
  done
}

# Debian's maintainer scripts start redis-server, prometheus and nginx on their default ports (6379,
# 9090, 80). The local stack runs its own instances on other ports and with its own data, so a system
# instance is only noise (and holds memory, and nginx's port 80 welcome page): stop it and keep it from
# coming back at boot.
stop_system_service() {
  local name=$1 binary=$2 pidfile=$3
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    if systemctl is-enabled --quiet "$name" 2>/dev/null || systemctl is-active --quiet "$name" 2>/dev/null; then
      as_root systemctl disable --now "$name" >/dev/null 2>&1 || true
      log "stopped and disabled system service $name"
    fi
    return 0
  fi
  # No systemd (containers, CI): SysV script first, then the pid file as a last resort.
  if [[ -x /etc/init.d/$name ]] && service "$name" status >/dev/null 2>&1; then
    as_root service "$name" stop >/dev/null 2>&1 || true
    log "stopped system service $name"
  fi
  # Also when it is not running (a policy-rc.d that denied the start at install leaves its boot links
  # enabled all the same): an S link in any runlevel would start it at the next boot.
  if compgen -G "/etc/rc[2-5].d/S[0-9][0-9]$name" >/dev/null && command -v update-rc.d >/dev/null 2>&1; then
    as_root update-rc.d "$name" disable >/dev/null 2>&1 || true
    log "disabled system service $name at boot"
  fi
  if [[ -r $pidfile ]]; then
    local pid
    pid=$(<"$pidfile")
    if [[ $pid =~ ^[0-9]+$ ]] && [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$binary" ]]; then
      as_root kill -TERM "$pid" 2>/dev/null || true
      log "stopped system $name (pid $pid)"
    fi
  fi
}

ensure_apt_packages() {
  local missing
  missing=$(missing_apt_packages)
  if [[ -n $missing ]]; then
    mkdir -p "$cache_dir"
    local apt_log=$cache_dir/deps-apt.log
    # shellcheck disable=SC2086 # word splitting of the package list is intended
    log "installing" $missing "(log: $apt_log)"
    # shellcheck disable=SC2086
    if ! { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
           as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
         } >"$apt_log" 2>&1; then
      tail -n 30 "$apt_log" >&2
      die "apt-get failed (full log: $apt_log)"
    fi
    missing=$(missing_apt_packages)
    [[ -z $missing ]] || die "still missing after apt-get install: $(tr '\n' ' ' <<<"$missing")"
  fi
  stop_system_service redis-server /usr/bin/redis-server /run/redis/redis-server.pid
  stop_system_service prometheus /usr/bin/prometheus /run/prometheus/prometheus.pid
  stop_system_service nginx /usr/sbin/nginx /run/nginx.pid
  log "apt packages ok (${#apt_packages[@]})"
}

kafka_version() {
  sed -n 's:.*<kafka\.version>\(.*\)</kafka\.version>.*:\1:p' "$kafka_pom" | head -n1
}

ensure_kafka_jars() {
  local version
  version=$(kafka_version)
  [[ -n $version ]] || die "no <kafka.version> in $kafka_pom"
  local dest=$cache_dir/kafka/$version
  local marker=$dest/.complete
  # The marker holds the POM's checksum, so changing a pinned version (log4j, say) re-resolves.
  local want
  want=$(sha256sum "$kafka_pom" | cut -d' ' -f1)
  if [[ -f $marker && $(<"$marker") == "$want" && -d $dest/libs ]]; then
    log "kafka $version jars ok ($(find "$dest/libs" -name '*.jar' | wc -l) jars, cached)"
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found (run: deploy/deps.sh apt)"
  log "resolving kafka $version jars with maven"
  mkdir -p "$dest"
  local staging=$dest/libs.partial
  rm -rf "$staging"
  local mvn_log=$dest/maven.log
  if ! mvn -q -B -f "$kafka_pom" \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$staging" >"$mvn_log" 2>&1; then
    tail -n 30 "$mvn_log" >&2
    die "maven could not resolve the kafka jars (full log: $mvn_log)"
  fi
  local main_jar=$staging/kafka_2.13-$version.jar
  [[ -f $main_jar ]] || die "maven finished but $main_jar is missing"
  # Swap in whole: a half-copied libs/ must never look complete.
  rm -rf "$dest/libs"
  mv "$staging" "$dest/libs"
  printf '%s\n' "$want" >"$marker"
  log "kafka $version jars ok ($(find "$dest/libs" -name '*.jar' | wc -l) jars)"
}

# tests/browser drives Debian's Chromium with playwright-core, pinned in its package-lock.json.
# `npm ci` runs only when node_modules is missing or older than the lock file.
ensure_browser_test_packages() {
  local dir=$repo_root/tests/browser
  [[ -f $dir/package-lock.json ]] || return 0
  command -v npm >/dev/null 2>&1 || die "npm not found (run: deploy/deps.sh apt)"
  local node_major
  node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if (( node_major < 20 )); then
    log "warning: node $(node --version 2>/dev/null) is older than 20, which playwright-core needs: the browser tests will fail"
  fi
  if [[ -d $dir/node_modules && $dir/node_modules -nt $dir/package-lock.json ]]; then
    log "browser test packages ok (cached)"
    return 0
  fi
  mkdir -p "$cache_dir"
  local npm_log=$cache_dir/deps-npm.log
  log "installing browser test packages (npm ci in tests/browser; log: $npm_log)"
  if ! (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund) >"$npm_log" 2>&1; then
    tail -n 30 "$npm_log" >&2
    die "npm ci failed in tests/browser (full log: $npm_log)"
  fi
  # npm ci may keep the package's own timestamps; the folder itself must read as newer than the lock.
  touch "$dir/node_modules"
  log "browser test packages ok"
}

# A service's third-party browser code is an npm package bundled by esbuild into
# services/<service>/web/assets/vendor/: build output, ignored by git, which that service refuses to
# start without. Each frontend folder (package.json, package-lock.json, build.mjs, src/) is handled
# alike (build.mjs calls deploy/frontend/bundle.mjs): `npm ci` runs when node_modules is missing or older than the lock file (with
# --ignore-scripts: none of these packages needs an install script), the bundle when it is missing or
# older than the lock file, the sources or the build script.
#   checkin:     @zxing/library -> vendor/qr.js (the booth tablet's QR decoder, the admin page's encoder)
#   leaderboard: chart.js + chartjs-chart-matrix -> vendor/charts.js (the operations page's charts)
ensure_frontend() {
  local service=$1 bundle_name=$2 what=$3
  local dir=$repo_root/services/$service/frontend
  local bundle=$repo_root/services/$service/web/assets/$bundle_name
  [[ -f $dir/package-lock.json ]] || return 0
  command -v npm >/dev/null 2>&1 || die "npm not found (run: deploy/deps.sh apt)"
  mkdir -p "$cache_dir"
  local npm_log=$cache_dir/deps-npm-$service.log
  if [[ ! -d $dir/node_modules || $dir/package-lock.json -nt $dir/node_modules ]]; then
    log "installing the $service frontend's packages (npm ci in services/$service/frontend; log: $npm_log)"
    if ! (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund) >"$npm_log" 2>&1; then
      tail -n 30 "$npm_log" >&2
      die "npm ci failed in services/$service/frontend (full log: $npm_log)"
    fi
    touch "$dir/node_modules"
  fi
  local stale=0 source
  if [[ ! -f $bundle ]]; then
    stale=1
  else
    for source in "$dir/package-lock.json" "$dir/build.mjs" "$repo_root/deploy/frontend/bundle.mjs" "$dir"/src/*; do
      [[ $source -nt $bundle ]] && stale=1
    done
  fi
  if (( stale )); then
    log "bundling $what (services/$service/frontend -> web/assets/$bundle_name)"
    if ! (cd "$dir" && node build.mjs) >>"$npm_log" 2>&1; then
      tail -n 30 "$npm_log" >&2
      die "bundling the $service frontend failed (full log: $npm_log)"
    fi
    touch "$bundle"
  fi
  log "$service frontend ok ($(wc -c <"$bundle") bytes)"
}

ensure_frontends() {
  ensure_frontend checkin vendor/qr.js "the tablet's QR decoder"
  ensure_frontend leaderboard vendor/charts.js "the operations page's charts"
}

main() {
  local what=${1:-all}
  case $what in
    all) ensure_apt_packages; ensure_kafka_jars; ensure_browser_test_packages; ensure_frontends ;;
    apt) ensure_apt_packages ;;
    kafka) ensure_kafka_jars ;;
    npm) ensure_browser_test_packages; ensure_frontends ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" ;;
    *) die "unknown target '$what' (all|apt|kafka|npm)" ;;
  esac
}

main "$@"
