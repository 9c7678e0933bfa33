# Sourced by the scripts: prints the home of a JDK >= 21, preferring JAVA_HOME, then Temurin.
# The version comes from the JDK's release file: starting a JVM just to ask it cost the CLI
# a second JVM start on every command.
find_jdk() {
  local c v
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-*-jdk-amd64 \
           /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64 /usr/lib/jvm/*; do
    [ -n "$c" ] && [ -x "$c/bin/javac" ] || continue
    v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$c/release" 2>/dev/null)"
    [ -n "$v" ] || v="$("$c/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
    [ -n "$v" ] && [ "${v%%.*}" -ge 21 ] 2>/dev/null && { echo "$c"; return 0; }
  done
  return 1
}
