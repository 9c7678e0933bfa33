package io.godwit.migrator;

import io.godwit.runtime.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The root is root's alone (0700, as is every directory right under it; files there 0600): images
 * keep setuid files and device nodes, containers' upper dirs can gain some, checkpoint images
 * hold containers' memory, config.json their environment. No other host user may reach any of it.
 * The socket (elsewhere, 0660) is how others are let in.
 */
final class RootPermissions {
    private static final Logger LOG = Logger.getLogger(RootPermissions.class.getName());

    private RootPermissions() {
    }

    /** Makes the root 0700 and what is right under it 0700 (directories) or 0600 (files); says when it was open. */
    static void secure(Path root) throws IOException {
        Set<PosixFilePermission> was = Files.getPosixFilePermissions(root);
        if (!was.equals(PrivateFiles.DIR_MODE)) {
            LOG.warning("the root " + root + " was " + java.nio.file.attribute.PosixFilePermissions.toString(was)
                    + ": made rwx------ (other users could reach images, checkpoints and containers' files)");
        }
        Files.setPosixFilePermissions(root, PrivateFiles.DIR_MODE);
        try (var entries = Files.list(root)) {
            for (Path p : entries.toList()) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(p, PrivateFiles.DIR_MODE);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(p, PrivateFiles.FILE_MODE);
                }
            }
        }
    }
}
