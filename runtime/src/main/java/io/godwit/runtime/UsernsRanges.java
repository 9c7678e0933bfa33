package io.godwit.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;

/**
 * Picks a free host id range for a new container's user namespace: slots of
 * {@link UserNamespace#DEFAULT_SIZE} ids inside the subordinate range of the user "godwit" in
 * /etc/subuid and /etc/subgid (the shadow-utils convention, "godwit:START:COUNT"), or, without such
 * an entry, inside {@link #DEFAULT_START}.. (65536 slots). A slot that another container on this host
 * records is taken.
 */
public final class UsernsRanges {
    public static final long DEFAULT_START = 1L << 30;
    public static final long DEFAULT_COUNT = 65536L * 65536L / 2;
    static final String OWNER = "godwit";

    private UsernsRanges() {
    }

    /** START and COUNT of OWNER's entry in a subuid/subgid file, or the defaults when it has none. */
    static long[] range(Path file) throws IOException {
        if (Files.isReadable(file)) {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split(":");
                if (f.length == 3 && f[0].equals(OWNER)) {
                    return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
                }
            }
        }
        return new long[] {DEFAULT_START, DEFAULT_COUNT};
    }

    /** The first slot of both ranges that no container in {@code taken} (host uids in use) has. */
    static UserNamespace allocate(Path subuid, Path subgid, Collection<Long> taken) throws IOException {
        long[] u = range(subuid);
        long[] g = range(subgid);
        long size = UserNamespace.DEFAULT_SIZE;
        Set<Long> used = Set.copyOf(taken);
        long slots = Math.min(u[1], g[1]) / size;
        for (long i = 0; i < slots; i++) {
            if (!used.contains(u[0] + i * size)) {
                return new UserNamespace(u[0] + i * size, g[0] + i * size, size);
            }
        }
        throw new IOException("no free user namespace range of " + size + " ids left in " + subuid + " (user "
                + OWNER + ", " + u[1] + " ids)");
    }
}
