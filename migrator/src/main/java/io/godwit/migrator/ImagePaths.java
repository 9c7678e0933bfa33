package io.godwit.migrator;

import io.godwit.migrator.api.ApiException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Where an image may be imported from. /proc, /sys and other kernel file systems are not root
 * file systems: importing /proc walked every process for 44 s and answered a 9 MB error.
 */
final class ImagePaths {
    private static final Set<String> KERNEL_FILE_SYSTEMS = Set.of("proc", "sysfs", "devtmpfs", "devpts", "cgroup",
            "cgroup2", "debugfs", "tracefs", "securityfs", "bpf", "configfs", "pstore", "fusectl", "mqueue",
            "binfmt_misc", "efivarfs", "hugetlbfs", "nsfs", "autofs");

    private ImagePaths() {
    }

    static void requireOrdinary(Path path) {
        String type;
        try {
            type = Files.getFileStore(path).type();
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read the image path " + path + ": " + e.getMessage());
        }
        if (KERNEL_FILE_SYSTEMS.contains(type)) {
            throw ApiException.badRequest("image path " + path + " is on the kernel's " + type
                    + " file system, not a root file system: give a directory (or archive) holding one");
        }
    }
}
