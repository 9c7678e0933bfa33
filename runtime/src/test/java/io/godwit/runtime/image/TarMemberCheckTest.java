package io.godwit.runtime.image;

import io.godwit.runtime.HostCommand;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile tarballs, made with GNU tar itself (-P keeps '..' and absolute names). */
class TarMemberCheckTest {

    @TempDir
    Path tmp;

    private Path tar(String name, String... args) throws IOException {
        Path out = tmp.resolve(name);
        List<String> cmd = new java.util.ArrayList<>(List.of("tar", "-c", "-f", out.toString()));
        cmd.addAll(List.of(args));
        HostCommand.run(cmd);
        return out;
    }

    @Test
    void refusesDotDotMembersAndImportLeavesNothing() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src/a"));
        Files.writeString(tmp.resolve("evil"), "x");
        Path bad = tar("bad.tar", "-P", "-C", src.toString(), "../../evil");
        IOException e = assertThrows(IOException.class, () -> TarMemberCheck.check(bad));
        assertTrue(e.getMessage().contains(".."), e.getMessage());

        ContentImageStore store = new ContentImageStore(tmp.resolve("images"));
        assertThrows(IOException.class, () -> store.importImage("bad", bad));
        assertTrue(store.list().isEmpty());
        try (var left = Files.list(store.root())) {
            assertFalse(left.findAny().isPresent(), "temp dir left behind");
        }
    }

    @Test
    void refusesAbsoluteMembersAndGzip() throws IOException {
        Files.writeString(tmp.resolve("f"), "x");
        Path abs = tar("abs.tar", "-P", tmp.resolve("f").toString());
        assertThrows(IOException.class, () -> TarMemberCheck.check(abs));
        Path gz = tmp.resolve("abs.tar.gz");
        HostCommand.run(List.of("sh", "-c", "gzip -c < '" + abs + "' > '" + gz + "'"));
        assertThrows(IOException.class, () -> TarMemberCheck.check(gz));
    }

    @Test
    void refusesMembersThroughASymlinkOfTheSameArchive() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("s1"));
        Files.createSymbolicLink(src.resolve("x"), Path.of("/etc"));
        Path second = Files.createDirectories(tmp.resolve("s2/x"));
        Files.writeString(second.resolve("passwd"), "owned");
        Path bad = tar("sym.tar", "-C", src.toString(), "x", "-C", tmp.resolve("s2").toString(), "x/passwd");
        IOException e = assertThrows(IOException.class, () -> TarMemberCheck.check(bad));
        assertTrue(e.getMessage().contains("symlink"), e.getMessage());
    }

    @Test
    void acceptsLongNamesAndTheTestRootfs() throws IOException {
        Path deep = tmp.resolve("long");
        Path dir = Files.createDirectories(deep.resolve("d".repeat(90) + "/" + "e".repeat(90) + "/" + "f".repeat(90)));
        Files.writeString(dir.resolve("g".repeat(120)), "x");
        TarMemberCheck.check(tar("long.tar", "--format=gnu", "-C", deep.toString(), "."));
        TarMemberCheck.check(tar("long-pax.tar", "--format=pax", "-C", deep.toString(), "."));
        Path testTar = Path.of(System.getProperty("godwit.testfs", "build/testfs"), "rootfs.tar");
        TarMemberCheck.check(testTar);
    }
}
