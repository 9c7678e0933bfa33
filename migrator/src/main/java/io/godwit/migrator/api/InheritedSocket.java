package io.godwit.migrator.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The listening Unix socket systemd hands over when a socket unit starts the daemon (socket
 * activation, sd_listen_fds(3)): LISTEN_PID names this process, LISTEN_FDS counts the descriptors,
 * which begin at 3. systemd made the socket (path, owner, group, mode): the daemon serves on it
 * and neither changes nor removes it, so that the socket unit keeps accepting while the daemon is
 * stopped or restarting.
 */
public record InheritedSocket(int fd, Path path) {
    /** The first descriptor systemd passes (SD_LISTEN_FDS_START). */
    public static final int FIRST_FD = 3;

    /** The environment is not a usable hand-over; the daemon must not start on a guess. */
    public static final class BadHandOverException extends Exception {
        public BadHandOverException(String message) {
            super(message);
        }
    }

    /**
     * The socket handed to this process, if any. Variables meant for another process (LISTEN_PID
     * of a parent whose child we are) are ignored, as sd_listen_fds does.
     */
    public static Optional<InheritedSocket> fromEnvironment(Map<String, String> env, long myPid, Path procSelf,
            Path procNetUnix) throws BadHandOverException {
        String pid = env.get("LISTEN_PID");
        String fds = env.get("LISTEN_FDS");
        if (pid == null || fds == null) {
            return Optional.empty();
        }
        if (!pid.trim().equals(Long.toString(myPid))) {
            return Optional.empty();
        }
        int count;
        try {
            count = Integer.parseInt(fds.trim());
        } catch (NumberFormatException e) {
            throw new BadHandOverException("LISTEN_FDS is '" + fds + "', not a number of sockets");
        }
        if (count == 0) {
            return Optional.empty();
        }
        if (count != 1) {
            throw new BadHandOverException("systemd handed over " + count + " sockets (LISTEN_FDS); godwitd serves"
                    + " on one Unix socket: give its socket unit a single ListenStream=");
        }
        Path link = procSelf.resolve("fd").resolve(Integer.toString(FIRST_FD));
        String target;
        try {
            target = Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            throw new BadHandOverException("LISTEN_FDS=1 but descriptor " + FIRST_FD + " is not open (" + e.getMessage() + ")");
        }
        String inode = socketInode(target);
        if (inode == null) {
            throw new BadHandOverException("descriptor " + FIRST_FD + " handed over by systemd is " + target
                    + ", not a socket");
        }
        Path path = unixPathOf(inode, procNetUnix);
        if (path == null) {
            throw new BadHandOverException("descriptor " + FIRST_FD + " handed over by systemd is not a Unix socket"
                    + " bound to a path (socket inode " + inode + " is not in " + procNetUnix + ")");
        }
        return Optional.of(new InheritedSocket(FIRST_FD, path));
    }

    /** The hand-over of the running process, read from its real environment and /proc. */
    public static Optional<InheritedSocket> ofThisProcess() throws BadHandOverException {
        return fromEnvironment(System.getenv(), ProcessHandle.current().pid(), Path.of("/proc/self"),
                Path.of("/proc/net/unix"));
    }

    /** "socket:[1234]" -> "1234"; anything else (a file, a pipe) -> null. */
    static String socketInode(String linkTarget) {
        if (linkTarget.startsWith("socket:[") && linkTarget.endsWith("]")) {
            return linkTarget.substring("socket:[".length(), linkTarget.length() - 1);
        }
        return null;
    }

    /**
     * The path a Unix socket is bound to, from the kernel's table (columns: Num RefCount Protocol
     * Flags Type St Inode Path); null when the inode is not a Unix socket or has no path.
     */
    static Path unixPathOf(String inode, Path procNetUnix) throws BadHandOverException {
        List<String> lines;
        try {
            lines = Files.readAllLines(procNetUnix);
        } catch (IOException e) {
            throw new BadHandOverException("cannot read " + procNetUnix + " to name the handed-over socket: "
                    + e.getMessage());
        }
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] cols = line.trim().split("\\s+", 8); // a path may hold spaces
            if (cols.length >= 8 && cols[6].equals(inode) && cols[7].startsWith("/")) {
                return Path.of(cols[7]);
            }
        }
        return null;
    }
}
