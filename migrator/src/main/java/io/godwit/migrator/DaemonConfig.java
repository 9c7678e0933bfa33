package io.godwit.migrator;

import java.nio.file.Path;

/** Where the daemon keeps its state and where it listens. */
public record DaemonConfig(Path root, Path socket) {
    public static final Path DEFAULT_ROOT = Path.of("/var/lib/godwit");
    public static final Path DEFAULT_SOCKET = Path.of("/run/godwit/godwit.sock");
}
