package io.godwit.migrator.move;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What a directory tree held at one instant, per entry its inode and change time: enough to tell
 * whether anything in it changed since, since every write, attribute change or replacement of an
 * entry (a received file is renamed into place: a new inode) moves one of the two.
 */
record TreeListing(Map<String, String> entries) {
    static TreeListing of(Path root) throws IOException {
        Map<String, String> m = new HashMap<>();
        try (var all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Map<String, Object> a = Files.readAttributes(p, "unix:ino,ctime", LinkOption.NOFOLLOW_LINKS);
                m.put(root.relativize(p).toString(), a.get("ino") + "@" + a.get("ctime"));
            }
        }
        return new TreeListing(m);
    }
}
