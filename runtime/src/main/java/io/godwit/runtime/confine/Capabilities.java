package io.godwit.runtime.confine;

import io.godwit.runtime.InvalidSpecException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Linux capability names and numbers, the default set a container gets (the one runc and Docker
 * give), and how --cap-add / --cap-drop (with ALL) change it. Names are kept as "CAP_CHOWN";
 * "chown", "CHOWN" and "cap_chown" are accepted.
 */
public final class Capabilities {
    /** By number (capability.h); index = capability number. */
    static final List<String> NAMES = List.of("CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL",
            "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
            "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN",
            "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
            "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
            "PERFMON", "BPF", "CHECKPOINT_RESTORE");

    /** What a container gets unless told otherwise: runc's and Docker's default. */
    public static final List<String> DEFAULT = List.of("CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER",
            "CAP_FSETID", "CAP_KILL", "CAP_MKNOD", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP", "CAP_SETGID",
            "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT");

    private Capabilities() {
    }

    /** "net_admin" -> "CAP_NET_ADMIN"; an unknown name is an InvalidSpecException naming it and the field. */
    public static String canonical(String field, String name) {
        if (name == null) {
            throw new InvalidSpecException(field, "null capability name");
        }
        String up = name.trim().toUpperCase(Locale.ROOT);
        String bare = up.startsWith("CAP_") ? up.substring(4) : up;
        if (!NAMES.contains(bare)) {
            throw new InvalidSpecException(field, "unknown capability '" + name + "'");
        }
        return "CAP_" + bare;
    }

    public static int number(String canonicalName) {
        return NAMES.indexOf(canonicalName.substring(4));
    }

    /** The default set, plus {@code add}, minus {@code drop}; "ALL" in add means every one, in drop none to start from. */
    public static List<String> resolve(List<String> add, List<String> drop) {
        List<String> adds = add == null ? List.of() : add;
        List<String> drops = drop == null ? List.of() : drop;
        TreeSet<String> set = new TreeSet<>();
        if (!containsAll(drops)) {
            set.addAll(DEFAULT);
        }
        for (int i = 0; i < adds.size(); i++) {
            if (isAll(adds.get(i))) {
                NAMES.forEach(n -> set.add("CAP_" + n));
            } else {
                set.add(canonical("security.capAdd[" + i + "]", adds.get(i)));
            }
        }
        for (int i = 0; i < drops.size(); i++) {
            if (!isAll(drops.get(i))) {
                set.remove(canonical("security.capDrop[" + i + "]", drops.get(i)));
            }
        }
        return List.copyOf(set);
    }

    /** Checks names only (for validate()). */
    public static void check(String field, List<String> names) {
        if (names == null) {
            return;
        }
        for (int i = 0; i < names.size(); i++) {
            if (!isAll(names.get(i))) {
                canonical(field + "[" + i + "]", names.get(i));
            }
        }
    }

    public static long mask(Collection<String> canonicalNames) {
        long m = 0;
        for (String n : canonicalNames) {
            m |= 1L << number(canonical("capabilities", n));
        }
        return m;
    }

    public static List<String> names(long mask) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            if ((mask & (1L << i)) != 0) {
                out.add(i < NAMES.size() ? "CAP_" + NAMES.get(i) : "CAP_" + i);
            }
        }
        return out;
    }

    /** The bounding set of this process (the daemon): a container can never hold more. */
    public static long hostBounding() throws IOException {
        return ProcStatus.read(Path.of("/proc/self/status")).capBnd();
    }

    private static boolean isAll(String s) {
        return s != null && s.trim().equalsIgnoreCase("ALL");
    }

    private static boolean containsAll(List<String> names) {
        return names.stream().anyMatch(Capabilities::isAll);
    }
}
