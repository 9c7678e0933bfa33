package io.godwit.migrator.move;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What a directory tree held at one instant, per entry its inode, size, modification time, mode and
 * owner: enough to tell whether a tree sync changed anything since, as it writes a file it receives
 * under a temporary name and renames it into place (a new inode) and sets the sender's attributes.
 * Not the change time: the receiver sets every directory's times again at the end of a sync, which
 * moves the change time of directories nothing changed in.
 */
record TreeListing(Map<String, String> entries) {
    static TreeListing of(Path root) throws IOException {
        Map<String, String> m = new HashMap<>();
        try (var all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Map<String, Object> a = Files.readAttributes(p, "unix:ino,size,lastModifiedTime,mode,uid,gid",
                        LinkOption.NOFOLLOW_LINKS);
                m.put(root.relativize(p).toString(), a.get("ino") + " " + a.get("size") + " " + a.get("lastModifiedTime")
                        + " " + a.get("mode") + " " + a.get("uid") + ":" + a.get("gid"));
            }
        }
        return new TreeListing(m);
    }
}
