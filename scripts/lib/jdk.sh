# Sourced by the scripts: prints the home of a JDK >= 21, preferring JAVA_HOME, then Temurin.
# The version comes from the JDK's release file: starting a JVM just to ask it cost the CLI
# a second JVM start on every command.
find_jdk() {
  local c v
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-*-jdk-amd64 \
           /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64 /usr/lib/jvm/*; do
    [ -n "$c" ] && [ -x "$c/bin/javac" ] || continue
    v="$(jdk_release_version "$c")"
    [ -n "$v" ] || v="$("$c/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
    [ -n "$v" ] && [ "${v%%.*}" -ge 21 ] 2>/dev/null && { echo "$c"; return 0; }
  done
  return 1
}

# The feature version in a JDK's release file (25 for JAVA_VERSION="25.0.1"), read by bash alone:
# the CLI's start waits for every process its script runs.
jdk_release_version() {
  local line
  while IFS= read -r line; do
    case "$line" in JAVA_VERSION=\"*) line="${line#JAVA_VERSION=\"}"; echo "${line%%[!0-9]*}"; return 0 ;; esac
  done < "$1/release" 2>/dev/null
}
