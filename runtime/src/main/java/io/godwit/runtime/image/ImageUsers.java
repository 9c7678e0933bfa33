package io.godwit.runtime.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * An image config's User ("uid", "uid:gid", "name", "name:group") as numbers, looked up in the
 * image's own /etc/passwd and /etc/group (a container's user names are the image's, never the
 * host's). A user the image's files do not know is refused at import, naming it.
 */
final class ImageUsers {

    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,10}");

    private ImageUsers() {
    }

    static String numeric(Path rootfs, String user, Path source) throws IOException {
        String[] parts = user.split(":", 2);
        String uid = lookup(rootfs.resolve("etc/passwd"), parts[0], 2, source, "user");
        if (parts.length == 2) {
            return uid + ":" + lookup(rootfs.resolve("etc/group"), parts[1], 2, source, "group");
        }
        if (NUMBER.matcher(parts[0]).matches()) {
            return uid;
        }
        // A named user without a group runs with that user's primary group, as Docker does.
        return uid + ":" + field(rootfs.resolve("etc/passwd"), parts[0], 3, source, "user");
    }

    private static String lookup(Path file, String name, int column, Path source, String kind) throws IOException {
        return NUMBER.matcher(name).matches() ? name : field(file, name, column, source, kind);
    }

    private static String field(Path file, String name, int column, Path source, String kind) throws IOException {
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split(":");
                if (f.length > column && f[0].equals(name) && NUMBER.matcher(f[column]).matches()) {
                    return f[column];
                }
            }
        }
        throw new InvalidImageException(source + ": the image config's User names the " + kind + " '" + name
                + "', which the image's /" + file.getParent().getFileName() + "/" + file.getFileName()
                + " does not have");
    }
}
