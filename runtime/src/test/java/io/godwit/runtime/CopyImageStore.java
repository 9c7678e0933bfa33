package io.godwit.runtime;

import io.godwit.runtime.image.ContainerRootfs;
import io.godwit.runtime.image.ImageInfo;
import io.godwit.runtime.image.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Test-only image store: one image ("testfs", the busybox test rootfs) copied with cp -a per container, so the
 * runtime tests do not depend on the real store. Image "badroot" makes a rootfs that is a plain file.
 */
final class CopyImageStore implements ImageStore {
    private final Path source;

    CopyImageStore(Path source) {
        this.source = source;
    }

    private record Rootfs(Path path, String imageFingerprint) implements ContainerRootfs {
        @Override
        public Path changesDir() {
            return path;
        }

        @Override
        public void destroy() throws IOException {
            ContainerRuntime.deleteTree(path);
        }
    }

    @Override
    public ImageInfo importImage(String alias, Path directoryOrTarball) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<ImageInfo> list() {
        return List.of(new ImageInfo("testfs", "testfs", 0, Instant.EPOCH));
    }

    @Override
    public Optional<ImageInfo> find(String aliasOrFingerprint) {
        return list().stream().filter(i -> i.alias().equals(aliasOrFingerprint)).findFirst();
    }

    @Override
    public Optional<Path> content(String aliasOrFingerprint) {
        return find(aliasOrFingerprint).map(i -> source);
    }

    @Override
    public void delete(String aliasOrFingerprint) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ContainerRootfs createRootfs(String alias, Path containerDir, Path changes) throws IOException {
        Path root = containerDir.resolve("rootfs");
        if (changes != null && alias.equals("testfs")) {
            io.godwit.runtime.image.LayerCopy.moveInto(changes, root); // a copy's changes are its whole tree
            return new Rootfs(root, "testfs");
        }
        if (alias.equals("badroot")) {
            Files.writeString(root, "not a directory\n");
            return new Rootfs(root, "badroot");
        }
        if (!alias.equals("testfs")) {
            throw new IOException("no image " + alias);
        }
        Process p = new ProcessBuilder("cp", "-a", source.toString(), root.toString()).inheritIO().start();
        try {
            if (p.waitFor() != 0) {
                throw new IOException("cp -a failed");
            }
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        return new Rootfs(root, "testfs");
    }

    @Override
    public ContainerRootfs openRootfs(Path containerDir) throws IOException {
        Path root = containerDir.resolve("rootfs");
        if (!Files.exists(root)) {
            throw new IOException("no rootfs in " + containerDir);
        }
        return new Rootfs(root, Files.isDirectory(root) ? "testfs" : "badroot");
    }
}
