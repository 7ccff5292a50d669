# syntax=docker/dockerfile:1
# Idemgate container image: the gateway, plus the demo upstream of loadtest/ for the compose stack.
#   docker build -t idemgate .
#   docker run -p 8080:8080 -v $PWD/my.conf:/etc/idemgate/gateway.conf:ro idemgate

# ---- build: Maven and a JDK; dependencies in their own layer so a source change does not refetch them
FROM maven:3.9.9-eclipse-temurin-17 AS build
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
FROM eclipse-temurin:17.0.13_11-jre
RUN groupadd --system --gid 10001 idemgate \
 && useradd --system --uid 10001 --gid idemgate --home-dir /nonexistent --no-create-home \
            --shell /usr/sbin/nologin idemgate
COPY --from=build /tmp/idemgate.jar /tmp/idemgate-loadtest.jar /app/
# Mount your own rules over this file (or the directory); IDEMGATE_* variables override it (reference.conf).
COPY config/gateway.conf /etc/idemgate/gateway.conf
WORKDIR /app
USER 10001:10001
EXPOSE 8080 9090

# Container-aware heap (75% of the memory limit; Netty's direct memory is capped at the same size by
# default, so leave the limit generous) and die on OOM so the orchestrator restarts a clean process.
# Add flags with JAVA_TOOL_OPTIONS, e.g. -Didemgate.admin.host=0.0.0.0.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/idemgate.jar"]
CMD ["--config", "/etc/idemgate/gateway.conf"]

# No curl in the image: the jar probes its own admin /healthz (host and port from the config; a
# wildcard admin host is probed on loopback). A small, quick-starting JVM for the probe.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["java", "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", \
       "-jar", "/app/idemgate.jar", "--health-check", "--config", "/etc/idemgate/gateway.conf"]
