package io.godwit.criu;

import io.godwit.proto.criu.Rpc;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Drives CRIU in swrk mode: one {@code criu swrk 3} per request, spawned by the JVM (or, for
 * {@link #restoreOver}, by another process), one request, its notifications, one response.
 * Thread-safe: calls share nothing but the binary path, so any number may run at once.
 * Calls block the calling thread (a platform thread is best; a virtual one pins its carrier
 * while blocked in recvmsg).
 */
public final class CriuClient {
    private final Path criu;
    private final Supplier<CriuLaunch> launch;
    private volatile Consumer<CriuStalledException> stalledWithBreakpoints = e -> { };
    private volatile CriuFeatures features; // probed once: the kernel does not change under us
    private volatile CriuPidRecord pids = CriuPidRecord.none();

    /** Uses {@code criu} from PATH, with CRIU's defaults. */
    public CriuClient() {
        this(Path.of("criu"));
    }

    public CriuClient(Path criuBinary) {
        this(criuBinary, CriuLaunch.defaults());
    }

    /** Every criu this client starts gets {@code launch}'s environment and stall bound. */
    public CriuClient(Path criuBinary, CriuLaunch launch) {
        this(criuBinary, constant(launch));
    }

    /**
     * The launch settings are asked for each time a criu starts: a daemon can serve while its host
     * probe still runs, and its first CRIU call waits for the verdict (the supplier bounds that).
     */
    public CriuClient(Path criuBinary, Supplier<CriuLaunch> launch) {
        if (criuBinary == null) throw new IllegalArgumentException("criuBinary must not be null");
        if (launch == null) throw new IllegalArgumentException("launch must not be null");
        this.criu = criuBinary;
        this.launch = launch;
    }

    /**
     * Called when a call that ran with hardware breakpoints stalled: on a host where the probe believed
     * the traps arrive, the caller can stop using them (the call itself has failed; see CriuStalledException).
     */
    public CriuClient onStalledWithBreakpoints(Consumer<CriuStalledException> listener) {
        this.stalledWithBreakpoints = listener == null ? e -> { } : listener;
        return this;
    }

    /** Notes every criu this client starts in pids, so that a daemon killed mid-call can stop them at its next start. */
    public CriuClient recordPidsIn(CriuPidRecord pids) {
        this.pids = pids == null ? CriuPidRecord.none() : pids;
        return this;
    }

    /** Where this client notes the criu it starts; starters of other criu (lazy-pages) note theirs there too. */
    public CriuPidRecord pidRecord() {
        return pids;
    }

    private static Supplier<CriuLaunch> constant(CriuLaunch launch) {
        if (launch == null) throw new IllegalArgumentException("launch must not be null");
        return () -> launch;
    }

    /** The binary this client runs. */
    public Path binary() {
        return criu;
    }

    /** How this client starts criu: what any other starter of criu on this host must do too. */
    public CriuLaunch launch() {
        return launch.get();
    }

    public CriuVersion version() throws CriuException {
        Rpc.criu_version v = oneShot(Rpc.criu_req.newBuilder().setType(Rpc.criu_req_type.VERSION), null).getVersion();
        return new CriuVersion(v.getMajorNumber(), v.getMinorNumber(), v.getSublevel(), v.getGitid());
    }

    /** FEATURE_CHECK asking for all three features. */
    public CriuFeatures features() throws CriuException {
        Rpc.criu_req.Builder req = Rpc.criu_req.newBuilder().setType(Rpc.criu_req_type.FEATURE_CHECK)
                .setFeatures(Rpc.criu_features.newBuilder().setMemTrack(true).setLazyPages(true).setPidfdStore(true));
        Rpc.criu_features f = oneShot(req, null).getFeatures();
        return new CriuFeatures(f.getMemTrack(), f.getLazyPages(), f.getPidfdStore());
    }

    /** CRIU's basic kernel check; its log (check.log) goes into {@code workDir}. */
    public void check(Path workDir) throws CriuException {
        oneShot(Rpc.criu_req.newBuilder().setType(Rpc.criu_req_type.CHECK), workDir);
    }

    /** Writes this CPU's description (cpuinfo.img) into {@code imagesDir}. */
    public void cpuinfoDump(Path imagesDir) throws CriuException {
        oneShot(Rpc.criu_req.newBuilder().setType(Rpc.criu_req_type.CPUINFO_DUMP), imagesDir);
    }

    /** Throws when images made on the CPU described in {@code imagesDir} cannot run here. */
    public void cpuinfoCheck(Path imagesDir) throws CriuException {
        oneShot(Rpc.criu_req.newBuilder().setType(Rpc.criu_req_type.CPUINFO_CHECK), imagesDir);
    }

    public DumpResult dump(CriuOptions opts) throws CriuException {
        return dump(opts, CriuNotifications.NONE, CriuCancel.none());
    }

    /**
     * Checkpoints the tree of {@code opts.pid()} into {@code opts.imagesDir()}. If criu dies or
     * is cancelled midway, the tree is resumed and its network lock removed ({@link DumpCleanup}).
     */
    public DumpResult dump(CriuOptions opts, CriuNotifications n, CriuCancel cancel) throws CriuException {
        return dumpLike(Rpc.criu_req_type.DUMP, opts, n, cancel, "dump.log");
    }

    public DumpResult preDump(CriuOptions opts) throws CriuException {
        return preDump(opts, CriuNotifications.NONE, CriuCancel.none());
    }

    /**
     * A pre-dump (memory only, tasks keep running). CRIU needs soft-dirty memory tracking for
     * it and hits an internal BUG without it, so this checks FEATURE_CHECK first (once per
     * client) and refuses with a clear CriuException on kernels without it.
     */
    public DumpResult preDump(CriuOptions opts, CriuNotifications n, CriuCancel cancel) throws CriuException {
        CriuFeatures f = features;
        if (f == null) features = f = features();
        if (!f.memTrack()) {
            throw new CriuException("this kernel has no soft-dirty memory tracking (FEATURE_CHECK mem_track false), "
                    + "which CRIU needs for pre-dumps; do a full dump instead", "PRE_DUMP", 0, "",
                    opts == null ? null : opts.imagesDir(), null, List.of(), null);
        }
        return dumpLike(Rpc.criu_req_type.PRE_DUMP, opts, n, cancel, "pre-dump.log");
    }

    private DumpResult dumpLike(Rpc.criu_req_type type, CriuOptions opts, CriuNotifications n, CriuCancel cancel,
                                String log) throws CriuException {
        require(opts, type);
        if (opts.pid() <= 0) throw new IllegalArgumentException("CRIU option pid: required for " + type);
        long t0 = System.nanoTime();
        try {
            Rpc.criu_resp resp = request(type, opts, n, cancel, null, log);
            return new DumpResult(resp.getDump().getRestored(), Duration.ofNanos(System.nanoTime() - t0), opts.logPath(log));
        } catch (CriuException e) {
            DumpCleanup.afterKilledDump(opts.pid(), opts.networkLock());
            throw e;
        }
    }

    public RestoreResult restore(CriuOptions opts) throws CriuException {
        return restore(opts, CriuNotifications.NONE, CriuCancel.none());
    }

    /**
     * Restores from {@code opts.imagesDir()} with a criu the JVM spawns. With rstSibling the
     * restored root task becomes the JVM's child: the client then reaps it on a daemon thread
     * (by its pid), so it never lingers as a zombie. Without rstSibling it is reparented to the
     * host's init (or subreaper) when criu exits.
     */
    public RestoreResult restore(CriuOptions opts, CriuNotifications n, CriuCancel cancel) throws CriuException {
        require(opts, Rpc.criu_req_type.RESTORE);
        long t0 = System.nanoTime();
        Rpc.criu_resp resp = request(Rpc.criu_req_type.RESTORE, opts, n, cancel, null, "restore.log");
        int pid = resp.getRestore().getPid();
        if (opts.rstSibling()) ChildReaper.reap(pid);
        return new RestoreResult(pid, Duration.ofNanos(System.nanoTime() - t0));
    }

    public RestoreResult restoreOver(CriuSocket socket, CriuOptions opts) throws CriuException {
        return restoreOver(socket, opts, CriuNotifications.NONE, CriuCancel.none());
    }

    /**
     * Restores with a {@code criu swrk 3} another process started (Godwit's monitor) whose fd 3
     * is {@code socket}'s peer end. This closes the JVM's copy of the peer end first (so criu's
     * death is seen as end-of-file): the other process must already hold its own copy (it
     * inherited it, or {@link CriuSocket#sendPeerOver} has returned). The socket stays open; the
     * caller closes it. Inherited fds must be given with {@code inheritCriuFd} (numbers in criu).
     * Cancel shuts the socket down (we do not know criu's pid): criu fails at its next message.
     * The restored tree's parent, with rstSibling, is the other process, which reaps it.
     */
    public RestoreResult restoreOver(CriuSocket socket, CriuOptions opts, CriuNotifications n, CriuCancel cancel)
            throws CriuException {
        if (socket == null) throw new IllegalArgumentException("socket must not be null");
        require(opts, Rpc.criu_req_type.RESTORE);
        socket.closePeer();
        long t0 = System.nanoTime();
        Rpc.criu_resp resp = request(Rpc.criu_req_type.RESTORE, opts, n, cancel, socket, "restore.log");
        return new RestoreResult(resp.getRestore().getPid(), Duration.ofNanos(System.nanoTime() - t0));
    }

    /**
     * Starts a page server writing into {@code opts.imagesDir()} (listening on
     * {@code pageServer(address, port)}, port 0 = any, or serving {@code pageServerFd}); returns
     * once it listens. Close the result to stop it early.
     */
    public PageServer startPageServer(CriuOptions opts) throws CriuException {
        require(opts, Rpc.criu_req_type.PAGE_SERVER);
        Rpc.criu_resp resp = request(Rpc.criu_req_type.PAGE_SERVER, opts, CriuNotifications.NONE, CriuCancel.none(),
                null, "page-server.log");
        pids.started(resp.getPs().getPid()); // daemonized by criu: it outlives this call
        return new PageServer(resp.getPs().getPid(), resp.getPs().getPort());
    }

    private static void require(CriuOptions opts, Rpc.criu_req_type type) {
        if (opts == null) throw new IllegalArgumentException("options must not be null for " + type);
        if (opts.imagesDir() == null) throw new IllegalArgumentException("CRIU option imagesDir: required for " + type);
    }

    /** VERSION, FEATURE_CHECK, CHECK, CPUINFO_*: options only for the directory (if any). */
    private Rpc.criu_resp oneShot(Rpc.criu_req.Builder req, Path dir) throws CriuException {
        Rpc.criu_req_type type = req.getType();
        CriuOptions opts = null;
        if (dir != null) {
            CriuOptions.Builder b = CriuOptions.builder().imagesDir(dir);
            opts = b.build();
        }
        String log = type.name().toLowerCase().replace('_', '-') + ".log";
        return exchange(type, req, opts, CriuNotifications.NONE, CriuCancel.none(), null, log);
    }

    private Rpc.criu_resp request(Rpc.criu_req_type type, CriuOptions opts, CriuNotifications n, CriuCancel cancel,
                                  CriuSocket foreign, String log) throws CriuException {
        return exchange(type, Rpc.criu_req.newBuilder().setType(type), opts, n == null ? CriuNotifications.NONE : n,
                cancel == null ? CriuCancel.none() : cancel, foreign, log);
    }

    /** Opens the dirs, starts criu (unless foreign), runs the call, and always cleans up. */
    private Rpc.criu_resp exchange(Rpc.criu_req_type type, Rpc.criu_req.Builder req, CriuOptions opts,
                                   CriuNotifications n, CriuCancel cancel, CriuSocket foreign, String log)
            throws CriuException {
        CriuLaunch now = launch();
        try {
            return exchange(type, req, opts, n, cancel, foreign, log, now);
        } catch (CriuStalledException e) {
            if (now.hardwareBreakpoints()) {
                stalledWithBreakpoints.accept(e);
            }
            throw e;
        }
    }

    private Rpc.criu_resp exchange(Rpc.criu_req_type type, Rpc.criu_req.Builder req, CriuOptions opts,
                                   CriuNotifications n, CriuCancel cancel, CriuSocket foreign, String log,
                                   CriuLaunch launch) throws CriuException {
        Path imagesDir = opts == null ? null : opts.imagesDir();
        Path logFile = opts == null ? null : opts.logPath(log);
        if (cancel.isCancelled()) throw new CriuCancelledException(type.name(), cancel.reason(), imagesDir, logFile);
        try (DirFd images = DirFd.open("imagesDir", imagesDir);
             DirFd work = DirFd.open("workDir", opts == null ? null : opts.workDir())) {
            if (opts != null) {
                req.setOpts(opts.toProto(images.fd, work.fd, log, n != CriuNotifications.NONE, foreign == null));
            }
            if (foreign != null) {
                return new CriuCall(type, foreign, null, imagesDir, logFile, launch.stallTimeout()).run(req.build(), n, cancel);
            }
            CriuSocket socket;
            try {
                socket = CriuSocket.pair();
            } catch (IOException e) {
                throw new CriuException(e.getMessage(), type.name(), 0, "", imagesDir, logFile, List.of(), e);
            }
            try (socket) {
                CriuProcess process;
                try {
                    List<Integer> fds = opts == null ? List.of() : opts.jvmFdsToPass();
                    Path stderr = opts != null && opts.workDir() != null ? opts.workDir().resolve("criu-swrk.stderr") : null;
                    process = CriuProcess.spawn(criu, socket.peerFd(), fds, stderr, launch.environment());
                    pids.started(process.pid());
                } catch (IOException e) {
                    throw new CriuException(e.getMessage(), type.name(), 0, "", imagesDir, logFile, List.of(), e);
                } finally {
                    socket.closePeer(); // criu has its copy; ours would hide criu's death
                }
                boolean done = false;
                try {
                    Rpc.criu_resp resp = new CriuCall(type, socket, process, imagesDir, logFile, launch.stallTimeout())
                            .run(req.build(), n, cancel);
                    done = true;
                    return resp;
                } finally {
                    if (!done) process.kill();
                    socket.close(); // without keep_open criu exits after its answer; EOF makes sure
                    process.waitFor();
                    pids.ended(process.pid());
                }
            }
        }
    }
}
