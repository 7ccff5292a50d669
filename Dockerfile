# Idemgate container image: the gateway, plus the demo upstream of loadtest/ for the compose stack.
#   docker build -t idemgate .
#   docker run -p 8080:8080 -v $PWD/my.conf:/etc/idemgate/gateway.conf:ro idemgate
# Plain Dockerfile syntax (no "# syntax=" frontend to pull): BuildKit and the classic builder both build it.

# The official images, pinned. Other bases with the same tools (a JDK 17 with Maven; a JRE 17 with
# bash, groupadd and useradd) can stand in: scripts/standin-images.sh makes them from Debian packages,
#   docker build --build-arg BUILD_IMAGE=idemgate-standin/builder:current \
#                --build-arg RUNTIME_IMAGE=idemgate-standin/jre:current -t idemgate .
ARG BUILD_IMAGE=maven:3.9.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17.0.13_11-jre

# ---- build: Maven and a JDK; dependencies in their own layer so a source change does not refetch them
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY pom.xml ./
COPY gateway/pom.xml gateway/pom.xml
COPY loadtest/pom.xml loadtest/pom.xml
# The reactor reads every module's pom; the JMH benchmarks (microbench) are not built into the image.
COPY microbench/pom.xml microbench/pom.xml
# go-offline misses some plugins' own dependencies (enforcer, shade); packaging the source-less modules
# fetches those too, so the source build below runs offline.
RUN mvn -B -q dependency:go-offline -pl gateway,loadtest \
 && mvn -B -q package -DskipTests -pl gateway,loadtest \
 && rm -rf target gateway/target loadtest/target
COPY gateway/src gateway/src
COPY loadtest/src loadtest/src
# Tests start real processes (Redis, upstreams) and run in CI, not in the image build.
RUN mvn -B -q -o package -DskipTests -pl gateway,loadtest \
 && cp gateway/target/idemgate.jar loadtest/target/idemgate-loadtest.jar /tmp/

# ---- runtime: a JRE pinned by version, nothing else
FROM ${RUNTIME_IMAGE}
RUN groupadd --system --gid 10001 idemgate \
 && useradd --system --uid 10001 --gid idemgate --home-dir /nonexistent --no-create-home \
            --shell /usr/sbin/nologin idemgate
COPY --from=build /tmp/idemgate.jar /tmp/idemgate-loadtest.jar /app/
# Mount your own rules over this file (or the directory); IDEMGATE_* variables override it (reference.conf).
COPY config/gateway.conf /etc/idemgate/gateway.conf
COPY deploy/container/healthcheck /usr/local/bin/idemgate-healthcheck
# Warm start, part one: before its port opens the gateway drives its own request path on loopback (a private
# copy with its own upstream, store and metrics) for up to 10 s, less once the JIT has settled, so the port
# opens on compiled code (server.warm-up; docs/deploy.md). Set IDEMGATE_WARM_UP=0s to start at once.
ENV IDEMGATE_WARM_UP=10s
# Warm start, part two: a short training run (warm-up included, so it holds those classes too) records
# what the JVM loads (JDK 25+: an AOT cache with method profiles; 17-24: a class-data-sharing archive)
# and /app/jvm.args, the flag that uses it.
COPY deploy/container/aot-train /usr/local/lib/idemgate/aot-train
RUN bash /usr/local/lib/idemgate/aot-train
WORKDIR /app
USER 10001:10001
EXPOSE 8080 9090

# Container-aware heap (75% of the memory limit; Netty's direct memory is capped at the same size by
# default, so leave the limit generous) and die on OOM so the orchestrator restarts a clean process.
# Add flags with JAVA_TOOL_OPTIONS, e.g. -Didemgate.admin.host=0.0.0.0.
# @/app/jvm.args: the warm-start archive (written by aot-train above).
ENTRYPOINT ["java", "@/app/jvm.args", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/idemgate.jar"]
CMD ["--config", "/etc/idemgate/gateway.conf"]

# GET the admin /healthz with bash's /dev/tcp: a few milliseconds per probe instead of a JVM start
# (~1 s of CPU), on the admin port (IDEMGATE_ADMIN_PORT/_HOST, or IDEMGATE_HEALTHCHECK_PORT/_HOST; deploy/container/healthcheck).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/bin/bash", "/usr/local/bin/idemgate-healthcheck"]
