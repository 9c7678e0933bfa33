package io.godwit.migrator.checkpoint;

import io.godwit.migrator.api.Json;
import io.godwit.migrator.files.AtomicWrite;
import io.godwit.runtime.image.OverlayLayer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Lists and hashes a checkpoint's files, writes manifest.json atomically and verifies it. */
public final class ManifestIo {
    public static final String FILE = "manifest.json";

    private ManifestIo() {
    }

    /**
     * Every regular file under the given subdirectories of {@code dir}, sorted, with size and SHA-256,
     * and every overlay whiteout and opaque directory there (see {@link ManifestFile}).
     */
    public static List<ManifestFile> hashTree(Path dir, List<String> subdirs) throws IOException {
        List<ManifestFile> out = new ArrayList<>();
        for (String sub : subdirs) {
            Path base = dir.resolve(sub);
            if (!Files.isDirectory(base, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(base)) {
                for (Path p : walk.sorted().toList()) {
                    String rel = dir.relativize(p).toString();
                    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        out.add(new ManifestFile(rel, Files.size(p), sha256(p)));
                    } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        if (OverlayLayer.isOpaque(p)) {
                            out.add(new ManifestFile(rel, 0, null, ManifestFile.OPAQUE_DIR));
                        }
                    } else if (!Files.isSymbolicLink(p) && OverlayLayer.isWhiteout(p)) {
                        out.add(new ManifestFile(rel, 0, null, ManifestFile.WHITEOUT));
                    }
                }
            }
        }
        return out;
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public static void write(Path dir, CheckpointManifest manifest) throws IOException {
        AtomicWrite.write(dir.resolve(FILE), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
    }

    public static CheckpointManifest read(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            throw new DamagedCheckpointException(dir, "manifest.json is missing");
        }
        try {
            return Json.MAPPER.readValue(f.toFile(), CheckpointManifest.class);
        } catch (IOException e) {
            throw new DamagedCheckpointException(dir, "manifest.json is unreadable: " + e.getMessage());
        }
    }

    /** Reads the manifest and checks every file's size and hash; the first difference is the error. */
    public static CheckpointManifest verify(Path dir) throws IOException {
        return verify(dir, f -> false);
    }

    /**
     * As {@link #verify(Path)}, except that the regular files {@code hashLater} accepts are checked
     * here only for being there with their size: the caller hashes them itself (see ImageCheck).
     */
    public static CheckpointManifest verify(Path dir, Predicate<ManifestFile> hashLater) throws IOException {
        CheckpointManifest m = read(dir);
        for (ManifestFile f : m.files()) {
            Path p = dir.resolve(f.path()).normalize();
            if (!p.startsWith(dir)) {
                throw new DamagedCheckpointException(dir, "manifest names a file outside the checkpoint: " + f.path());
            }
            if (ManifestFile.WHITEOUT.equals(f.kind())) {
                if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS) || !OverlayLayer.isWhiteout(p)) {
                    throw new DamagedCheckpointException(dir, f.path() + " is no longer a whiteout (a deleted file would come back)");
                }
                continue;
            }
            if (ManifestFile.OPAQUE_DIR.equals(f.kind())) {
                if (!OverlayLayer.isOpaque(p)) {
                    throw new DamagedCheckpointException(dir, f.path() + " is no longer an opaque directory (the image's files would show through)");
                }
                continue;
            }
            if (f.kind() != null) {
                throw new DamagedCheckpointException(dir, f.path() + " is of an unknown kind '" + f.kind() + "'");
            }
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new DamagedCheckpointException(dir, f.path() + " is missing");
            }
            if (Files.size(p) != f.size()) {
                throw new DamagedCheckpointException(dir, f.path() + " has " + Files.size(p) + " bytes, expected " + f.size());
            }
            if (!hashLater.test(f) && !sha256(p).equals(f.sha256())) {
                throw new DamagedCheckpointException(dir, f.path() + " does not match its SHA-256");
            }
        }
        return m;
    }
}
