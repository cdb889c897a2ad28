# Sourced by bin/clip4stream, .ci/run and ./mvnw: exports JAVA_HOME pointing at a JDK >= 21, or exits with a clear message.
# Order: $JAVA_HOME, then the usual install locations, then `java` on the PATH.

clip4stream_java_major() {
  # Prints the major version of the JDK at $1 (0 when it is not a JDK).
  local java="$1/bin/java"
  [ -x "$java" ] && [ -x "$1/bin/javac" ] || { echo 0; return; }
  "$java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

clip4stream_find_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* \
                   "$HOME"/.sdkman/candidates/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -n "$candidate" ] && [ -d "$candidate" ] || continue
    major=$(clip4stream_java_major "$candidate")
    if [ "${major:-0}" -ge 21 ] 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  if command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    major=$(clip4stream_java_major "$candidate")
    if [ "${major:-0}" -ge 21 ] 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  fi
  return 1
}

if ! CLIP4STREAM_JDK=$(clip4stream_find_jdk); then
  echo "clip4stream: no JDK 21 or newer found (looked at \$JAVA_HOME, /usr/lib/jvm, /opt/java, SDKMAN and the PATH)." >&2
  echo "clip4stream: install one (e.g. 'apt-get install openjdk-21-jdk' or Temurin 21+) and set JAVA_HOME to it." >&2
  exit 1
fi
export JAVA_HOME="$CLIP4STREAM_JDK"
