# Sourced by scripts/godwit and scripts/build: how the godwit CLI's JVM starts.
# A short-lived client wants a fast start, not peak speed. Its classes come parsed and verified
# from a class-data sharing archive that scripts/build records from a training run (CliTraining:
# the commands people type most). Where there is none, or the jars were rebuilt since, the JVM
# makes a per-user archive itself on the first run. (JDK 25's ahead-of-time cache was measured
# too: no faster than this archive for `godwit list`, so not worth a second kind of cache.)
# The JIT stops at its first tier, and the serial collector has nothing to set up.
# Needs: scripts/lib/jdk.sh, top (the project's root) and jdk (a JDK's home).
cli_jar="$top/migrator/target/godwit-migrator-0.1.0-SNAPSHOT.jar"
cli_classpath="$cli_jar:$top/migrator/target/lib/*"
cli_cache_dir="$top/build/cds"
cli_archive="$cli_cache_dir/godwit-cli.jsa"
cli_fast=(--enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k)

# Sets cli_cache to the JVM options that bring in an archive: the trained one when it is newer
# than the jars (a stale one would be refused by the JVM, silently, after its checks), else a
# per-user one in a directory the user may write; none when neither can be had.
cli_cache_options() {
  if [ -f "$cli_archive" ] && ! [ "$cli_jar" -nt "$cli_archive" ] && ! [ "$top/migrator/target/lib" -nt "$cli_archive" ]; then
    cli_cache=(-XX:SharedArchiveFile="$cli_archive" -Xlog:cds=off -Xlog:cds+dynamic=off)
  elif { [ -d "$cli_cache_dir" ] || mkdir -p "$cli_cache_dir" 2>/dev/null; } && [ -w "$cli_cache_dir" ]; then
    # quiet: a stale or missing archive is rebuilt, which is no news to the user
    cli_cache=(-XX:SharedArchiveFile="$cli_cache_dir/godwit-cli-$EUID.jsa" -XX:+AutoCreateSharedArchive
               -Xlog:cds=off -Xlog:cds+dynamic=off)
  else
    cli_cache=()
  fi
}

# Records the trained archive. Written beside and renamed into place, so a godwit command
# started meanwhile never reads half an archive.
cli_make_archive() {
  mkdir -p "$cli_cache_dir"
  local tmp="$cli_archive.new.$$"
  rm -f "$tmp"
  if "$jdk/bin/java" "${cli_fast[@]}" -XX:ArchiveClassesAtExit="$tmp" -Xlog:cds=off -Xlog:cds+dynamic=off \
       -cp "$cli_classpath" io.godwit.migrator.cli.CliTraining > /dev/null 2>&1 && [ -s "$tmp" ]; then
    chmod 0644 "$tmp"
    mv -f "$tmp" "$cli_archive"
  else
    echo "scripts/build: could not record the CLI's class archive; godwit makes its own on first use" >&2
  fi
  rm -f "$tmp"
}
