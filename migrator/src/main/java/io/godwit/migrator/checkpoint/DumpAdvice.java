package io.godwit.migrator.checkpoint;

import io.godwit.criu.CriuException;
import java.util.List;
import java.util.Optional;

/**
 * Says, for a dump that failed on something only an option, a setting or the container itself
 * can change, which one, in words an operator can act on; CRIU's own lines stay in the message.
 * The patterns are CRIU 4.x log messages.
 */
public final class DumpAdvice {
    private record Rule(String logText, String advice) {
    }

    private static final List<Rule> RULES = List.of(
            new Rule("Can't dump that handle",
                    "an inotify watch or fanotify mark on a file CRIU cannot find again: the container's overlay was "
                            + "mounted without index=on,nfs_export=on (the kernel refused them, see the daemon log), "
                            + "so only watches under /etc, /var/log and a few other fixed directories can be dumped"),
            new Rule("Use link-remap option",
                    "an open file whose name was removed: this needs CRIU's link_remap, which Godwit passes; the "
                            + "file is on a file system where CRIU cannot link it back"),
            new Rule("increase limit",
                    "an open file whose name was removed is bigger than CRIU's ghost_limit (1 MiB, CRIU's default, "
                            + "kept by Godwit): close or truncate it, or keep a name for it, before checkpointing"),
            new Rule("ext-unix-sk",
                    "a unix socket connected to a peer outside the container: CRIU can only dump it with ext_unix_sk, "
                            + "which Godwit does not pass (the peer would not be there after a restore or move); "
                            + "close the connection before checkpointing"),
            new Rule("Can't get 1:16 opt",
                    "an established TCP connection: this kernel cannot dump TCP sockets (SO_PASSCRED on TCP is not "
                            + "supported), whatever the options; close connections before checkpointing"),
            new Rule("is outside of its pid namespace",
                    "a process whose session leader is outside the container (CRIU's shell_job case), which a "
                            + "Godwit container never has unless something joined it from the host"),
            new Rule("without correspond master peer",
                    "a terminal whose master side is outside the container (CRIU's orphan_pts_master case); "
                            + "Godwit containers have no terminal from the host"),
            new Rule("Unable to freeze cgroup",
                    "the container's tasks did not freeze in time (a task stuck in the kernel, e.g. on a "
                            + "dead network file system)"));

    private DumpAdvice() {
    }

    /** What an operator can do about this failed dump, if its log names a cause we know. */
    public static Optional<String> of(CriuException e) {
        List<String> lines = new java.util.ArrayList<>(e.logExcerpt());
        lines.add(e.crErrmsg());
        return of(lines);
    }

    /** The advice for the first rule any of these CRIU log lines matches. */
    static Optional<String> of(List<String> logLines) {
        String all = String.join("\n", logLines);
        return RULES.stream().filter(r -> all.contains(r.logText())).map(Rule::advice).findFirst();
    }

    /**
     * The failure to report for the dump of container {@code name} during {@code step}: the advice
     * first when there is one, then CRIU's message with its log lines.
     */
    public static Exception explain(String name, String step, CriuException e) {
        String advice = of(e).map(a -> ": " + a).orElse("");
        return new CriuDumpException("the dump of " + name + " for its " + step + " failed" + advice + "\n"
                + e.getMessage(), e);
    }

    /** A dump that failed, with Godwit's advice in front of CRIU's message; the CRIU exception is the cause. */
    public static final class CriuDumpException extends Exception {
        CriuDumpException(String message, CriuException cause) {
            super(message, cause);
        }
    }
}
