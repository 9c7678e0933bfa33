package io.godwit.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * In a container with its own user namespace nothing may mknod, so the monitor binds the host's
 * device nodes into its /dev, and the masked /proc files are binds of that /dev/null. Such a mount's
 * root lies outside the container ("doesn't have a proper root mount", says CRIU's dump): each is
 * declared to CRIU as an external mount, key to container path on dump and key to host path on
 * restore. The keys come from the spec alone, so dump and restore (even on another host) agree.
 */
final class HostNodeBinds {
    /** The nodes the monitor makes in /dev (mknod, or a bind of the host's when mknod is refused). */
    static final List<String> NODES = List.of("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
            "/dev/tty");

    private HostNodeBinds() {
    }

    /** Key to the path inside the container; empty without a user namespace (nodes are mknod'ed there). */
    static Map<String, String> containerPaths(ContainerSpec spec) {
        Map<String, String> m = new LinkedHashMap<>();
        binds(spec, (key, inside, host) -> m.put(key, inside));
        return m;
    }

    /** Key to the host path to bind on restore. */
    static Map<String, String> hostPaths(ContainerSpec spec) {
        Map<String, String> m = new LinkedHashMap<>();
        binds(spec, (key, inside, host) -> m.put(key, host));
        return m;
    }

    private interface Sink {
        void bind(String key, String inside, String host);
    }

    private static void binds(ContainerSpec spec, Sink sink) {
        SecuritySpec sec = spec.confinement();
        if (sec.userns() == null) {
            return;
        }
        for (int i = 0; i < NODES.size(); i++) {
            sink.bind("node" + i, NODES.get(i), NODES.get(i));
        }
        List<String> masked = sec.maskedPaths();
        for (int i = 0; i < masked.size(); i++) {
            // a masked file gets /dev/null bound over it (a directory gets a tmpfs, which CRIU dumps itself);
            // the kernel is the same inside and out, so the host's /proc says which are files
            if (Files.isRegularFile(Path.of(masked.get(i)))) {
                sink.bind("mask" + i, masked.get(i), "/dev/null");
            }
        }
    }
}
