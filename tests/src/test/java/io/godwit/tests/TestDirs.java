package io.godwit.tests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Removes a test's own temporary directory, also when its daemon could not delete its containers
 * (it failed to start again): what is still mounted under exactly this directory (a container's
 * rootfs) is unmounted first, deepest first, else rm --one-file-system would leave it behind.
 */
final class TestDirs {
    private TestDirs() {
    }

    static void remove(Path dir) throws Exception {
        if (dir == null) {
            return;
        }
        String prefix = dir.toAbsolutePath().normalize() + "/";
        List<String> points = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mp = line.split(" ")[4].replace("\\040", " ");
            if (mp.startsWith(prefix)) {
                points.add(mp);
            }
        }
        points.sort(Comparator.comparingInt(String::length).reversed());
        for (String mp : points) {
            new ProcessBuilder("umount", "-l", mp).inheritIO().start().waitFor();
        }
        new ProcessBuilder("rm", "-rf", "--one-file-system", dir.toString()).inheritIO().start().waitFor();
    }
}
