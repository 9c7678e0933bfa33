package io.godwit.migrator.move;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The target's test of whether the final rootfs sync changed a staged tree, on real files. */
class TreeListingTest {
    @TempDir
    Path tree;

    @Test
    void directoryTimesSetAgainToTheSameValuesAreNoChange() throws Exception {
        Files.createDirectories(tree.resolve("tmp"));
        Files.writeString(tree.resolve("tmp/count"), "41");
        FileTime t = Files.getLastModifiedTime(tree.resolve("tmp"));
        TreeListing before = TreeListing.of(tree);
        Files.setLastModifiedTime(tree.resolve("tmp"), t); // what the receiver does at the end of every sync
        assertEquals(before, TreeListing.of(tree));
    }

    @Test
    void aFileReceivedAgainIsAChangeEvenWithTheSameSizeAndTime() throws Exception {
        Files.createDirectories(tree.resolve("tmp"));
        Path count = tree.resolve("tmp/count");
        Files.writeString(count, "41");
        FileTime t = Files.getLastModifiedTime(count);
        TreeListing before = TreeListing.of(tree);
        Path incoming = tree.resolve("tmp/.incoming");
        Files.writeString(incoming, "42");
        Files.setLastModifiedTime(incoming, t);
        Files.move(incoming, count, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertNotEquals(before, TreeListing.of(tree), "a new inode under the same name");
    }

    @Test
    void deletionsAndModeChangesAreChanges() throws Exception {
        Files.writeString(tree.resolve("a"), "x");
        Files.writeString(tree.resolve("b"), "y");
        TreeListing before = TreeListing.of(tree);
        Files.delete(tree.resolve("b"));
        assertNotEquals(before, TreeListing.of(tree));
        TreeListing afterDelete = TreeListing.of(tree);
        Files.setPosixFilePermissions(tree.resolve("a"), java.nio.file.attribute.PosixFilePermissions.fromString("r--------"));
        assertNotEquals(afterDelete, TreeListing.of(tree));
    }
}
