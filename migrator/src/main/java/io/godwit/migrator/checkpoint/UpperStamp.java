package io.godwit.migrator.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What a container's change layer (its overlay upper directory) looked like, by metadata only:
 * every entry's path, inode, type, mode, links, size, mtime and ctime, hashed. A checkpoint that
 * stops its container notes the stamp; a restore of that checkpoint finding the same stamp knows
 * the layer is untouched since (nothing ran, nobody wrote: any write changes a ctime, which no
 * one can set back), so it restores onto the layer itself, and the files keep their inode
 * numbers, which a copy would change (programs that cache st_ino, file locks).
 */
final class UpperStamp {
    /** Beside the checkpoint's manifest; a hint, not part of it: a missing or stale stamp only means a copy. */
    static final String FILE = "upper.stamp";

    private UpperStamp() {
    }

    static String of(Path upper) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        List<Path> entries;
        try (var walk = Files.walk(upper)) {
            entries = walk.sorted().toList();
        }
        for (Path p : entries) {
            Map<String, Object> a = Files.readAttributes(p, "unix:ino,mode,nlink,size,lastModifiedTime,ctime",
                    LinkOption.NOFOLLOW_LINKS);
            String line = upper.relativize(p) + "\0" + a.get("ino") + " " + a.get("mode") + " " + a.get("nlink") + " "
                    + a.get("size") + " " + nanos(a.get("lastModifiedTime")) + " " + nanos(a.get("ctime")) + "\n";
            sha.update(line.getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static long nanos(Object time) {
        return ((FileTime) time).to(TimeUnit.NANOSECONDS);
    }

    static void record(Path checkpointDir, Path upper) throws IOException {
        Files.writeString(checkpointDir.resolve(FILE), of(upper), StandardCharsets.US_ASCII);
    }

    /** The stamp noted with the checkpoint, if any. */
    static Optional<String> recorded(Path checkpointDir) throws IOException {
        Path f = checkpointDir.resolve(FILE);
        return Files.isRegularFile(f) ? Optional.of(Files.readString(f, StandardCharsets.US_ASCII).strip())
                : Optional.empty();
    }
}
