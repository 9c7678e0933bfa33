package io.godwit.runtime.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * Unpacks an image layout (directory or archive, see {@link ImageLayout}) into a root filesystem:
 * every blob checked, layers applied in order by {@link LayerApplier}, the config's User resolved
 * to numbers with the image's own /etc/passwd and /etc/group.
 */
final class OciImport {

    private static final Logger LOG = Logger.getLogger(OciImport.class.getName());

    private OciImport() {
    }

    /** Whether {@code source} is an image layout or image archive rather than a root filesystem. */
    static boolean isImage(Path source) throws IOException {
        return Files.isDirectory(source) ? ImageLayout.isLayout(source)
                : Files.isRegularFile(source) && ImageArchive.isImageArchive(source);
    }

    /** Unpacks the image at {@code source} into {@code rootfs}; {@code scratch} is an empty directory to use. */
    static ImageConfig unpack(Path source, Path rootfs, Path scratch) throws IOException {
        Path dir = source;
        if (!Files.isDirectory(source)) {
            dir = scratch.resolve("archive");
            Files.createDirectories(dir);
            ImageArchive.unpack(source, dir);
        }
        ImageLayout layout = ImageLayout.read(dir.toAbsolutePath().normalize(), source.toString());
        int dropped = 0;
        for (ImageLayout.Layer layer : layout.layers()) {
            try (InputStream tar = LayerStreams.openTar(layer.blob())) {
                dropped += LayerApplier.apply(rootfs, tar, layer.name()).privilegeBitsDropped();
            }
        }
        if (dropped > 0) {
            LOG.info(source + ": dropped the setuid/setgid bits of " + dropped + " files (images may not bring them)");
        }
        ImageConfig config = layout.config();
        return config.user() == null ? config : config.withUser(ImageUsers.numeric(rootfs, config.user(), source));
    }
}
