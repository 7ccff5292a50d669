# Sourced from the repository root by scripts/demo.sh and the loadtest scenarios: builds the jars when one
# is missing or older than any source or pom (a pull must not leave old jars running), or when REBUILD=1.
#
#   ensure_jars gateway/target/idemgate.jar loadtest/target/idemgate-loadtest.jar
ensure_jars() {
  local why=""
  [ "${REBUILD:-0}" = 1 ] && why="REBUILD=1"
  for jar in "$@"; do
    [ -n "$why" ] && break
    if [ ! -f "$jar" ]; then
      why="$jar missing"
    elif [ -n "$(find pom.xml ./*/pom.xml ./*/src -newer "$jar" -type f -print -quit 2>/dev/null)" ]; then
      why="sources newer than $jar"
    fi
  done
  if [ -n "$why" ]; then
    echo "building ($why): mvn -B -q package -DskipTests ..." >&2
    mvn -B -q package -DskipTests
  fi
}
