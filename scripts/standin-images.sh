#!/usr/bin/env bash
# Stand-in base images made from Debian packages, for machines that reach Debian's and Maven's package
# registries but no public image registry (this repository's CI). They take the place of the official
# images that the Dockerfile and docker-compose.yml name; see docs/deploy.md.
#
#   scripts/standin-images.sh              # builds what is missing, prints the image names
#   STANDIN_REBUILD=1 scripts/standin-images.sh   # rebuild even if cached (newer Debian packages)
#
# Images (each tagged :<content hash> and :current):
#   idemgate-standin/base        Debian bookworm minbase (mmdebstrap | docker import)
#   idemgate-standin/builder     + JDK 17, Maven, the host's CA bundle   -> Dockerfile BUILD_IMAGE
#   idemgate-standin/jre         + JRE 17                                -> Dockerfile RUNTIME_IMAGE
#   idemgate-standin/redis       + Debian's redis-server                 -> compose "redis"
#   idemgate-standin/prometheus  + Debian's prometheus                   -> compose "prometheus"
#   idemgate-standin/jre25       + a host Temurin 25 JDK, with STANDIN_JDK25=DIR (optional)
#
# Cached by content: an image's tag is a hash of the text that makes it and of what it copies in (the CA bundle
# for the builder), so an unchanged script reuses the images already in the engine. The builder
# carries the host's CA certificates because Maven inside the build container must trust whatever
# this machine trusts (here the package registries are reached through a TLS-intercepting egress).
# Builds use --network host: all traffic stays on this machine's own network path.
set -euo pipefail
cd "$(dirname "$0")/.."

# The engine's own client when docker.io is installed (another docker on PATH may be a newer major).
DOCKER=${DOCKER:-$(command -v /usr/bin/docker || echo docker)}
SUITE=${STANDIN_SUITE:-bookworm}
MIRROR=${STANDIN_MIRROR:-http://deb.debian.org/debian}
export DOCKER_BUILDKIT=0

command -v mmdebstrap >/dev/null 2>&1 || {
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing: mmdebstrap"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq mmdebstrap
}

ca_bundle=/etc/ssl/certs/ca-certificates.crt
java_cacerts=/etc/ssl/certs/java/cacerts

hash_of() { # text that makes the image, files copied in...
  { echo "$1"; shift; for f in "$@"; do sha256sum <"$f"; done; } | sha256sum | cut -c1-16
}

have() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

# build NAME DOCKERFILE_TEXT [context files...]: docker build from a temporary context.
build() {
  local name=$1 text=$2; shift 2
  local tag="idemgate-standin/$name:$(hash_of "$text" "$@")"
  if [ -z "${STANDIN_REBUILD:-}" ] && have "$tag"; then
    echo "cached: $tag"
  else
    local ctx; ctx=$(mktemp -d)
    local f; for f in "$@"; do cp "$f" "$ctx/"; done
    printf '%s\n' "$text" >"$ctx/Dockerfile"
    echo "building: $tag"
    local t0=$SECONDS
    "$DOCKER" build -q --network host -t "$tag" "$ctx" >/dev/null
    rm -rf "$ctx"
    echo "built: $tag ($((SECONDS - t0)) s)"
  fi
  "$DOCKER" tag "$tag" "idemgate-standin/$name:current"
}

# ---- base: a minimal Debian root filesystem, imported as an image
base_opts=(--variant=minbase --include=ca-certificates
  --aptopt='Acquire::Check-Valid-Until "false"'
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/locale/*')
base="idemgate-standin/base:$(hash_of "mmdebstrap ${base_opts[*]} $SUITE $MIRROR")"
if [ -z "${STANDIN_REBUILD:-}" ] && have "$base"; then
  echo "cached: $base"
else
  echo "building: $base (mmdebstrap $SUITE)"
  t0=$SECONDS
  mmdebstrap --quiet "${base_opts[@]}" "$SUITE" - "$MIRROR" \
    | "$DOCKER" import -c 'ENV LANG=C.UTF-8' -c 'CMD ["bash"]' - "$base" >/dev/null
  echo "built: $base ($((SECONDS - t0)) s)"
fi
"$DOCKER" tag "$base" idemgate-standin/base:current

# Installs with apt inside the build; --no-install-recommends keeps them small. The base leaves man
# pages out, but the JDK's postinst links its man page into man1 and fails without the directory.
apt_install() {
  echo "RUN mkdir -p /usr/share/man/man1 && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
-o Dpkg::Options::=--force-unsafe-io $* && apt-get clean && rm -rf /var/lib/apt/lists/*"
}

build builder "FROM $base
$(apt_install openjdk-17-jdk-headless maven)
# Trust what the host trusts (Maven reaches its registry through the host's network path).
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY cacerts /etc/ssl/certs/java/cacerts
ENV MAVEN_HOME=/usr/share/maven MAVEN_CONFIG=/root/.m2
CMD [\"mvn\", \"--version\"]" "$ca_bundle" "$java_cacerts"

build jre "FROM $base
$(apt_install openjdk-17-jre-headless)"

build redis "FROM $base
$(apt_install redis-server)
RUN mkdir -p /data && chown redis:redis /data
WORKDIR /data
USER redis
EXPOSE 6379
CMD [\"redis-server\", \"--bind\", \"0.0.0.0\", \"--protected-mode\", \"no\"]"

build prometheus "FROM $base
$(apt_install prometheus)
# Like the official image, data goes to /prometheus (compose mounts a volume there): Debian's build
# defaults --storage.tsdb.path to /var/lib/prometheus/metrics2, so point that at it.
RUN mkdir -p /prometheus && chown nobody:nogroup /prometheus \\
 && rm -rf /var/lib/prometheus/metrics2 && ln -s /prometheus /var/lib/prometheus/metrics2
WORKDIR /prometheus
USER nobody
EXPOSE 9090
ENTRYPOINT [\"/usr/bin/prometheus\"]
CMD [\"--config.file=/etc/prometheus/prometheus.yml\", \"--storage.tsdb.path=/prometheus\"]"

# Optional: a Java 25 runtime for the warm-start image (AOT cache), from a Temurin 25 JDK on the host
# (bookworm packages no Java 25).  STANDIN_JDK25=/usr/lib/jvm/temurin-25-jdk-amd64 scripts/standin-images.sh
if [ -n "${STANDIN_JDK25:-}" ]; then
  jre25_text="FROM $base
COPY jre /opt/java
ENV JAVA_HOME=/opt/java PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  jre25="idemgate-standin/jre25:$(hash_of "$jre25_text" "$STANDIN_JDK25/release")"
  if [ -z "${STANDIN_REBUILD:-}" ] && have "$jre25"; then
    echo "cached: $jre25"
  else
    ctx=$(mktemp -d)
    # The whole JDK (it ships no jmods to jlink a smaller runtime from), with its default CDS archives.
    cp -a "$STANDIN_JDK25" "$ctx/jre"
    rm -rf "$ctx/jre/man" "$ctx/jre/include" "$ctx/jre/lib/src.zip"
    printf '%s\n' "$jre25_text" >"$ctx/Dockerfile"
    "$DOCKER" build -q -t "$jre25" "$ctx" >/dev/null
    rm -rf "$ctx"
    echo "built: $jre25"
  fi
  "$DOCKER" tag "$jre25" idemgate-standin/jre25:current
fi

cat <<OUT
stand-ins ready:
  BUILD_IMAGE=idemgate-standin/builder:current
  RUNTIME_IMAGE=idemgate-standin/jre:current
  redis:      idemgate-standin/redis:current
  prometheus: idemgate-standin/prometheus:current
OUT
[ -z "${STANDIN_JDK25:-}" ] || echo "  RUNTIME_IMAGE=idemgate-standin/jre25:current   (Java 25: AOT cache)"
