package io.godwit.runtime.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * A tarball holding an image layout (an OCI archive, as {@code skopeo copy ... oci-archive:F} and
 * {@code podman save --format oci-archive} write, or a docker-archive, as {@code podman save} and
 * {@code docker save} write) rather than a root filesystem: told apart by the layout's files at the
 * archive's top. Unpacked to a scratch directory for {@link ImageLayout}: only plain files and
 * directories, at names that stay inside it.
 */
final class ImageArchive {

    private static final Set<String> LAYOUT_FILES = Set.of("oci-layout", "manifest.json");

    private ImageArchive() {
    }

    /** Whether the tarball's top holds oci-layout or manifest.json (and no etc/: a rootfs). */
    static boolean isImageArchive(Path tarball) throws IOException {
        boolean layout = false;
        try (InputStream in = LayerStreams.openTar(tarball)) {
            TarStream tar = new TarStream(in, tarball.toString());
            for (TarEntry e = tar.next(); e != null; e = tar.next()) {
                String name = e.name().replaceFirst("^(\\./)+", "");
                if (name.equals("etc") || name.startsWith("etc/")) {
                    return false;
                }
                layout |= LAYOUT_FILES.contains(name);
            }
        } catch (IOException notTar) {
            return false; // the rootfs import's tar gives the better message
        }
        return layout;
    }

    static void unpack(Path tarball, Path dir) throws IOException {
        Path base = dir.toAbsolutePath().normalize();
        try (InputStream in = LayerStreams.openTar(tarball)) {
            TarStream tar = new TarStream(in, tarball.toString());
            for (TarEntry e = tar.next(); e != null; e = tar.next()) {
                Path target = base.resolve(e.name()).normalize();
                if (e.name().startsWith("/") || !target.startsWith(base)) {
                    throw new InvalidImageException("refusing " + tarball + ": member '" + e.name() + "' leaves the archive");
                }
                if (e.type() == '5') {
                    Files.createDirectories(target);
                } else if (e.isFile()) {
                    Files.createDirectories(target.getParent());
                    try (InputStream body = tar.body()) {
                        Files.copy(body, target);
                    }
                } else {
                    throw new InvalidImageException("refusing " + tarball + ": member '" + e.name()
                            + "' is not a plain file or directory, which an image archive holds only");
                }
            }
        }
    }
}
