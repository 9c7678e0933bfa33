# Sourced by scripts/godwit and scripts/build: how the godwit CLI's JVM starts.
# A short-lived client wants a fast start, not peak speed. On JDK 25+ its classes come loaded and
# linked, with the profiles of its hot methods, from an ahead-of-time cache that scripts/build
# records from a training run (CliTraining). Where there is no cache (JDK 21-24, or the jar was
# rebuilt since), a class-data sharing archive the JVM makes itself on the first run stands in.
# The JIT stops at its first tier, and the serial collector has nothing to set up.
# Needs: top (the project's root) and jdk (a JDK's home).
cli_jar="$top/migrator/target/godwit-migrator-0.1.0-SNAPSHOT.jar"
cli_classpath="$cli_jar:$top/migrator/target/lib/*"
cli_cache_dir="$top/build/cds"
cli_aot_cache="$cli_cache_dir/godwit-cli.aot"
cli_fast=(--enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k)

cli_jdk_version() {
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$jdk/release" 2>/dev/null
}

# The JVM options that bring in a cache: the AOT cache when it is newer than every jar, else a
# per-user dynamic archive in a directory the user may write; nothing when neither can be had.
cli_cache_options() {
  if [ -f "$cli_aot_cache" ] && [ "$(cli_jdk_version)" -ge 25 ] 2>/dev/null \
     && [ -z "$(find "$cli_jar" "$top/migrator/target/lib" -newer "$cli_aot_cache" -print -quit 2>/dev/null)" ]; then
    echo "-XX:AOTCache=$cli_aot_cache"
    echo "-Xlog:aot=off"
    echo "-Xlog:cds=off"
  elif mkdir -p "$cli_cache_dir" 2>/dev/null && [ -w "$cli_cache_dir" ]; then
    # quiet: a stale or missing archive is rebuilt, which is no news to the user
    echo "-XX:SharedArchiveFile=$cli_cache_dir/godwit-cli-$(id -u).jsa"
    echo "-XX:+AutoCreateSharedArchive"
    echo "-Xlog:cds=off"
    echo "-Xlog:cds+dynamic=off"
  fi
}

# Records the AOT cache from the training run (JDK 25+; a no-op before). Written beside and
# renamed into place, so a godwit command started meanwhile never reads half a cache.
cli_make_aot_cache() {
  [ "$(cli_jdk_version)" -ge 25 ] 2>/dev/null || return 0
  mkdir -p "$cli_cache_dir"
  local tmp="$cli_aot_cache.new.$$"
  rm -f "$tmp" "$tmp.config"
  if "$jdk/bin/java" "${cli_fast[@]}" -XX:AOTCacheOutput="$tmp" -XX:AOTConfiguration="$tmp.config" \
       -Xlog:aot=off -Xlog:cds=off -cp "$cli_classpath" io.godwit.migrator.cli.CliTraining > /dev/null 2>&1 \
     && [ -s "$tmp" ]; then
    chmod 0644 "$tmp"
    mv -f "$tmp" "$cli_aot_cache"
  else
    echo "scripts/build: could not record the CLI's AOT cache; godwit starts without it" >&2
  fi
  rm -f "$tmp" "$tmp.config"
}
