package io.godwit.runtime.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.runtime.image.TestImages.Compression;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OCI and docker-archive imports of images built here, layer by layer; hostile layers refused. */
class OciImportTest {

    @TempDir
    Path tmp;

    /** Three layers: a base; whiteout, opaque dir, hard link and an absolute symlink; a file through that symlink. */
    private static TestImages sample() {
        return new TestImages()
                .layer(new TestTar().dir("etc").file("etc/a", "a").file("etc/b", "b").dir("opt")
                        .file("opt/x", "x").file("opt/y", "y").dir("bin").file("bin/tool", "#!/bin/sh\n", 04755)
                        .dir("usr").dir("usr/lib").file("etc/passwd", "root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/:/bin/sh\n"),
                        Compression.NONE)
                .layer(new TestTar().file("etc/.wh.a", "").dir("opt").file("opt/z", "z").file("opt/.wh..wh..opq", "")
                        .hardlink("etc/c", "etc/b").symlink("lib", "/usr/lib"), Compression.GZIP)
                .layer(new TestTar().file("lib/libfoo.so", "foo"), Compression.ZSTD)
                .config(List.of("/bin/tool"), List.of("--serve"), List.of("MODE=test", "PATH=/bin"), "/opt", "app");
    }

    @Test
    void layersAreAppliedInOrderWithWhiteoutsOpaqueDirsLinksAndDefaults() throws IOException {
        ContentImageStore store = new ContentImageStore(tmp.resolve("images"));
        ImageInfo image = store.importImage("app", sample().ociLayout(tmp.resolve("layout")));
        Path rootfs = store.content("app").orElseThrow();

        assertFalse(Files.exists(rootfs.resolve("etc/a")), "the whiteout deleted etc/a of the lower layer");
        assertEquals("b", Files.readString(rootfs.resolve("etc/b")));
        try (Stream<Path> opt = Files.list(rootfs.resolve("opt"))) {
            assertEquals(List.of("z"), opt.map(p -> p.getFileName().toString()).sorted().toList(),
                    "the opaque dir hid x and y of the lower layer, kept z of its own layer");
        }
        assertEquals(Files.getAttribute(rootfs.resolve("etc/b"), "unix:ino"),
                Files.getAttribute(rootfs.resolve("etc/c"), "unix:ino"), "etc/c is a hard link of etc/b");
        assertEquals("/usr/lib", Files.readSymbolicLink(rootfs.resolve("lib")).toString());
        assertEquals("foo", Files.readString(rootfs.resolve("usr/lib/libfoo.so")),
                "lib/libfoo.so went through the image's own /usr/lib");
        assertEquals(0755, (int) Files.getAttribute(rootfs.resolve("bin/tool"), "unix:mode") & 07777,
                "the setuid bit was dropped");

        ImageConfig c = image.config();
        assertEquals(List.of("/bin/tool", "--serve"), c.command());
        assertEquals(List.of("MODE=test", "PATH=/bin"), c.env());
        assertEquals("/opt", c.workingDir());
        assertEquals("1000:1001", c.user(), "the user name resolved with the image's own /etc/passwd");
        assertEquals(c, store.find("app").orElseThrow().config(), "the defaults were stored");
    }

    @Test
    void layoutArchiveAndDockerArchiveGiveOneImageThatKeepsEveryAlias() throws IOException {
        ContentImageStore store = new ContentImageStore(tmp.resolve("images"));
        TestImages img = sample();
        ImageInfo fromDir = store.importImage("oci-dir", img.ociLayout(tmp.resolve("layout")));
        ImageInfo fromArchive = store.importImage("oci-archive",
                TestImages.archive(tmp.resolve("layout"), tmp.resolve("image.oci.tar")));
        ImageInfo fromDocker = store.importImage("docker",
                TestImages.archive(img.dockerArchiveDir(tmp.resolve("docker")), tmp.resolve("image.docker.tar")));

        assertEquals(fromDir.fingerprint(), fromArchive.fingerprint());
        assertEquals(fromDir.fingerprint(), fromDocker.fingerprint());
        assertEquals(1, store.list().size());
        assertEquals(List.of("oci-dir", "oci-archive", "docker"), store.list().get(0).aliases(),
                "importing the same content again adds an alias and drops none");
        assertEquals(List.of("/bin/tool", "--serve"), store.find("docker").orElseThrow().config().command());

        store.addAlias("docker", "extra");
        store.removeAlias("oci-dir");
        assertEquals(List.of("oci-archive", "docker", "extra"), store.find("extra").orElseThrow().aliases());
        assertTrue(store.find("oci-dir").isEmpty());
    }

    @Test
    void exportIsAnOciArchiveThatImportsBackToTheSameImage() throws IOException {
        ContentImageStore store = new ContentImageStore(tmp.resolve("images"));
        ImageInfo original = store.importImage("app", sample().ociLayout(tmp.resolve("layout")));
        Path file = tmp.resolve("app.oci.tar");
        long bytes = store.export("app", file);
        assertEquals(Files.size(file), bytes);

        ContentImageStore other = new ContentImageStore(tmp.resolve("other"));
        ImageInfo back = other.importImage("app-again", file);
        assertEquals(original.fingerprint(), back.fingerprint(), "same tree after the round trip");
        assertEquals(original.config(), back.config(), "same defaults after the round trip");
        Path rootfs = other.content("app-again").orElseThrow();
        assertEquals(Files.getAttribute(rootfs.resolve("etc/b"), "unix:ino"),
                Files.getAttribute(rootfs.resolve("etc/c"), "unix:ino"), "the hard link survived the export");
    }

    @Test
    void aBlobThatDoesNotMatchItsDigestIsRefusedNamingIt() throws IOException {
        Path layout = sample().ociLayout(tmp.resolve("layout"));
        Path victim;
        try (Stream<Path> blobs = Files.list(layout.resolve("blobs/sha256"))) {
            // the zstd layer: the only blob starting with zstd's magic
            victim = blobs.filter(b -> startsWithZstd(b)).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(victim);
        bytes[bytes.length - 1] ^= 1;
        Files.write(victim, bytes);
        ContentImageStore store = new ContentImageStore(tmp.resolve("images"));
        IOException e = assertThrows(IOException.class, () -> store.importImage("bad", layout));
        assertTrue(e.getMessage().contains("sha256:" + victim.getFileName()) && e.getMessage().contains("digest"),
                e.getMessage());
        assertTrue(store.list().isEmpty(), "nothing was kept of the refused import");
    }

    @Test
    void hostileLayersAreRefusedAndWriteNothingOutsideTheTree() throws IOException {
        assertRefused(new TestTar().file("../escape", "x"), "'..'");
        assertRefused(new TestTar().file("/etc/evil", "x"), "absolute");
        assertRefused(new TestTar().charDevice("dev/mem"), "device node");
        assertRefused(new TestTar().hardlink("pw", "../../../../etc/passwd"), "'..'");
        assertRefused(new TestTar().file("f", "x").dir("f/sub"), "not a directory");

        // A symlink layer pointing out of the tree, then a file written "through" it: it lands inside.
        Path host = Files.createDirectories(tmp.resolve("host-dir"));
        Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
        LayerApplier.apply(rootfs, new ByteArrayInputStream(new TestTar().symlink("x", host.toString())
                .symlink("up", "../../../../../../" + host).bytes()), "layer 1");
        LayerApplier.apply(rootfs, new ByteArrayInputStream(new TestTar().file("x/pwned", "p")
                .file("up/pwned2", "p").bytes()), "layer 2");
        try (Stream<Path> left = Files.list(host)) {
            assertEquals(0, left.count(), "nothing was written to the host directory");
        }
        assertEquals("p", Files.readString(rootfs.resolve(host.toString().substring(1)).resolve("pwned")));
        assertEquals("p", Files.readString(rootfs.resolve(host.toString().substring(1)).resolve("pwned2")));
    }

    @Test
    void hostileArchivesAndManifestsAreRefused() throws IOException {
        ContentImageStore store = new ContentImageStore(tmp.resolve("images"));
        // a docker-archive whose manifest.json names a layer outside the archive
        Path docker = sample().dockerArchiveDir(tmp.resolve("docker"));
        Files.writeString(docker.resolve("manifest.json"), Files.readString(docker.resolve("manifest.json"))
                .replaceFirst("\\[\"[0-9a-f]{64}\\.tar\"", "[\"../../etc/passwd\""));
        IOException e = assertThrows(IOException.class, () -> store.importImage("d", docker));
        assertTrue(e.getMessage().contains("../../etc/passwd"), e.getMessage());

        // a docker-archive whose layer is not the one its config's diff_ids name
        Path swapped = sample().dockerArchiveDir(tmp.resolve("swapped"));
        try (Stream<Path> tars = Files.list(swapped)) {
            Path layer = tars.filter(p -> p.toString().endsWith(".tar")).findFirst().orElseThrow();
            Files.write(layer, new TestTar().file("etc/passwd", "root::0:0::/:/bin/sh\n").bytes());
        }
        e = assertThrows(InvalidImageException.class, () -> store.importImage("s", swapped));
        assertTrue(e.getMessage().contains("does not match its digest"), e.getMessage());

        // an image archive with a member leaving it
        Path archive = tmp.resolve("evil.tar");
        Files.write(archive, new TestTar().file("oci-layout", "{}").file("../outside", "x").bytes());
        e = assertThrows(InvalidImageException.class, () -> store.importImage("a", archive));
        assertTrue(e.getMessage().contains("leaves the archive"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("outside")));
        assertTrue(store.list().isEmpty());
    }

    @Test
    void aFileReplacesADirectoryAndOwnersAreKept() throws IOException {
        Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
        LayerApplier.apply(rootfs, new ByteArrayInputStream(new TestTar().dir("d").file("d/f", "1").bytes()), "l1");
        LayerApplier.apply(rootfs, new ByteArrayInputStream(new TestTar().file("d", "now a file")
                .owned("mine", "secret", 4242).bytes()), "l2");
        assertEquals("now a file", Files.readString(rootfs.resolve("d")));
        assertEquals(4242, Files.getAttribute(rootfs.resolve("mine"), "unix:uid"));
        assertFalse(Files.isSymbolicLink(rootfs.resolve("d")));
        assertTrue(Files.isRegularFile(rootfs.resolve("d"), LinkOption.NOFOLLOW_LINKS));
    }

    private void assertRefused(TestTar layer, String why) throws IOException {
        Path rootfs = Files.createTempDirectory(tmp, "rootfs");
        IOException e = assertThrows(IOException.class,
                () -> LayerApplier.apply(rootfs, new ByteArrayInputStream(layer.bytes()), "layer 7"));
        assertTrue(e.getMessage().contains("layer 7") && e.getMessage().contains(why), e.getMessage());
    }

    private static boolean startsWithZstd(Path p) {
        try (var in = Files.newInputStream(p)) {
            byte[] m = in.readNBytes(4);
            return m.length == 4 && (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
