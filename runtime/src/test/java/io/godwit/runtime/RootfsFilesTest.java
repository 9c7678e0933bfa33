package io.godwit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing into a rootfs from the host never follows a link of the rootfs out of it. */
class RootfsFilesTest {
    @TempDir
    Path dir;

    @Test
    void makesMissingDirectoriesAndReplacesTheFile() throws IOException {
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        RootfsFiles.write(rootfs, "/run/godwit/restored", "one".getBytes());
        RootfsFiles.write(rootfs, "/run/godwit/restored", "two".getBytes());
        Path f = rootfs.resolve("run/godwit/restored");
        assertEquals("two", Files.readString(f));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        try (var files = Files.list(f.getParent())) {
            assertEquals(1, files.count(), "no temp file left beside it");
        }
    }

    @Test
    void aLinkOnTheWayIsRefusedAndNothingIsWrittenOutside() throws IOException {
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createSymbolicLink(rootfs.resolve("run"), outside); // a container's /run -> host path
        IOException e = assertThrows(IOException.class,
                () -> RootfsFiles.write(rootfs, "/run/godwit/restored", "x".getBytes()));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        try (var files = Files.list(outside)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void aLinkInPlaceOfTheFileIsReplacedNotFollowed() throws IOException {
        Path rootfs = Files.createDirectories(dir.resolve("rootfs/run/godwit"));
        Path target = Files.writeString(dir.resolve("host-file"), "host");
        Files.createSymbolicLink(rootfs.resolve("restored"), target);
        RootfsFiles.write(dir.resolve("rootfs"), "/run/godwit/restored", "clone".getBytes());
        assertEquals("host", Files.readString(target));
        assertFalse(Files.isSymbolicLink(rootfs.resolve("restored")));
        assertEquals("clone", Files.readString(rootfs.resolve("restored")));
    }

    @Test
    void pathsMustBeAbsoluteWithoutDotDot() {
        assertThrows(IllegalArgumentException.class, () -> RootfsFiles.parts("run/x"));
        assertThrows(IllegalArgumentException.class, () -> RootfsFiles.parts("/run/../etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> RootfsFiles.parts("/"));
        assertEquals(java.util.List.of("run", "godwit", "restored"), RootfsFiles.parts("//run/godwit/restored"));
    }
}
