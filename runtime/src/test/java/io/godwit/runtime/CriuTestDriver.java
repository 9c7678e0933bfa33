package io.godwit.runtime;

import io.godwit.proto.criu.Rpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Test-only CRIU driving: dump with the `criu dump` command line, restore through the monitor with a minimal
 * swrk RPC client (the real client lives in criu-rpc, which runtime must not depend on).
 */
final class CriuTestDriver {
    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int O_DIRECTORY = 0x10000;

    private CriuTestDriver() {
    }

    /** Dumps (and so kills) the container; returns the target, which carries what the restore needs. */
    /**
     * These tests are about the runtime, not about how a host takes CRIU's debug traps: they run
     * CRIU without hardware breakpoints (FI_NO_BREAKPOINTS), which works on every host, also on
     * those that never deliver the traps (where a dump with them hangs). The daemon's probe
     * decides this per host; its tests are in criu-rpc and migrator.
     */
    static final Map<String, String> NO_BREAKPOINTS = Map.of("CRIU_FAULT", "130");

    static CheckpointTarget dump(ContainerRuntime rt, String name, Path imagesDir) throws Exception {
        CheckpointTarget t = rt.checkpointTarget(name);
        Files.createDirectories(imagesDir);
        List<String> cmd = new ArrayList<>(List.of("criu", "dump", "-t", Integer.toString(t.initPid()), "-D",
                imagesDir.toString(), "-o", "dump.log", "-v4", "--manage-cgroups=ignore", "--network-lock", "nftables",
                "--file-locks"));
        for (String pipe : t.externalPipes()) {
            cmd.add("--external");
            cmd.add(pipe);
        }
        for (Map.Entry<String, String> e : t.externalMounts().entrySet()) {
            cmd.add("--ext-mount-map");
            cmd.add(e.getValue() + ":" + e.getKey());
        }
        if (t.freezerPath() != null) {
            cmd.add("--freeze-cgroup");
            cmd.add(t.freezerPath());
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(NO_BREAKPOINTS);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("criu dump failed: " + out + "\n" + tail(imagesDir.resolve("dump.log")));
        }
        return t;
    }

    /** launchRestore + RESTORE over swrk + adoptRestored (abortRestore on failure). Returns the new init pid. */
    static int restore(ContainerRuntime rt, String name, Path imagesDir, CheckpointTarget dumped) throws Exception {
        var posix = Posix.POSIX;
        int[] sp = new int[2];
        if (posix.socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0) {
            throw new IOException("socketpair: errno " + posix.errno());
        }
        int dirFd = -1;
        try {
            RestoreLaunch l;
            try {
                l = rt.launchRestore(name, sp[1]);
            } finally {
                posix.close(sp[1]);
            }
            dirFd = posix.open(imagesDir.toString(), O_DIRECTORY, 0);
            Rpc.criu_opts.Builder o = Rpc.criu_opts.newBuilder()
                    .setImagesDirFd(dirFd)
                    .setLogFile("restore.log")
                    .setLogLevel(4)
                    .setRoot(l.rootfs().toString())
                    .setRstSibling(true)
                    .setNotifyScripts(false)
                    .setManageCgroupsMode(Rpc.criu_cg_mode.IGNORE)
                    .setNetworkLock(Rpc.criu_network_lock_method.NFTABLES)
                    .setFileLocks(true);
            o.addInheritFd(Rpc.inherit_fd.newBuilder().setKey(dumped.stdioPipes().get("stdout"))
                    .setFd(l.inheritFds().get("stdout")));
            if (!dumped.stdioPipes().get("stderr").equals(dumped.stdioPipes().get("stdout"))) {
                o.addInheritFd(Rpc.inherit_fd.newBuilder().setKey(dumped.stdioPipes().get("stderr"))
                        .setFd(l.inheritFds().get("stderr")));
            }
            l.volumeHostPaths().forEach((k, v) -> o.addExtMnt(Rpc.ext_mount_map.newBuilder().setKey(k).setVal(v)));
            byte[] req = Rpc.criu_req.newBuilder().setType(Rpc.criu_req_type.RESTORE).setOpts(o).build().toByteArray();
            if (posix.write(sp[0], req, req.length) != req.length) {
                rt.abortRestore(name);
                throw new IOException("send RESTORE: errno " + posix.errno());
            }
            byte[] buf = new byte[1 << 20];
            int n = posix.read(sp[0], buf, buf.length);
            if (n <= 0) {
                rt.abortRestore(name);
                throw new IOException("no RESTORE response (criu died?)\n" + tail(imagesDir.resolve("restore.log")));
            }
            Rpc.criu_resp resp = Rpc.criu_resp.parseFrom(java.util.Arrays.copyOf(buf, n));
            if (!resp.getSuccess()) {
                rt.abortRestore(name);
                throw new IOException("RESTORE failed: errno " + resp.getCrErrno() + " " + resp.getCrErrmsg() + "\n"
                        + tail(imagesDir.resolve("restore.log")));
            }
            int pid = resp.getRestore().getPid();
            rt.adoptRestored(name, pid);
            return pid;
        } finally {
            posix.close(sp[0]);
            if (dirFd >= 0) {
                posix.close(dirFd);
            }
        }
    }

    static String tail(Path log) {
        String s = Fixture.read(log);
        List<String> lines = s.lines().filter(l -> l.contains("Error") || l.contains("rror")).toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }
}
