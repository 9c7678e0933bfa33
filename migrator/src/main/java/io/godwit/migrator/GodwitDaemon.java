package io.godwit.migrator;

import io.godwit.criu.CriuClient;
import io.godwit.migrator.host.ProbedHost;
import io.godwit.migrator.api.HttpApiHandler;
import io.godwit.migrator.api.InheritedSocket;
import io.godwit.migrator.api.Router;
import io.godwit.migrator.api.UnixSocketServer;
import io.godwit.migrator.move.IncomingMoves;
import io.godwit.migrator.move.MoveService;
import io.godwit.migrator.move.PageServers;
import io.godwit.migrator.peer.PeerLink;
import java.net.InetSocketAddress;
import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.catalog.CatalogOpener;
import io.godwit.migrator.checkpoint.CheckpointService;
import io.godwit.migrator.ops.EventBus;
import io.godwit.migrator.ops.OperationManager;
import io.godwit.migrator.schedule.Scheduler;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.RuntimeConfig;
import io.godwit.runtime.cgroup.CgroupManager;
import io.godwit.runtime.image.ContentImageStore;
import io.godwit.runtime.net.IpRouteNetworkSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** godwitd: one per host; holds the catalog, serves the API, runs the jobs. Containers outlive it. */
@Command(name = "godwitd", mixinStandardHelpOptions = true, version = GodwitDaemon.VERSION,
        description = "The Godwit daemon: runs, checkpoints and restores containers.")
public final class GodwitDaemon implements Callable<Integer> {
    public static final String VERSION = "0.1.0";
    private static final Logger LOG = Logger.getLogger(GodwitDaemon.class.getName());

    @Option(names = "--root", description = "state directory (default: ${DEFAULT-VALUE})")
    Path root = DaemonConfig.DEFAULT_ROOT;

    @Option(names = "--socket", description = "Unix socket of the API (default: ${DEFAULT-VALUE})")
    Path socket = DaemonConfig.DEFAULT_SOCKET;

    @Option(names = "--listen", paramLabel = "ADDR:PORT",
            description = "TLS port for peers and the remote API (default: none, peers cannot reach this daemon)")
    String listen;

    @Option(names = "--cgroup-parent", paramLabel = "NAME",
            description = "cgroup under which containers get theirs; one per daemon on a host (default: ${DEFAULT-VALUE})")
    String cgroupParent = "godwit";

    @Option(names = "--node-name", paramLabel = "NAME", description = "name in this daemon's certificate (default: the host name)")
    String nodeName;

    @Option(names = "--criu-breakpoints", paramLabel = "auto|on|off",
            description = "CRIU's hardware breakpoints: auto probes whether this host delivers debug traps "
                    + "(default: auto; the file's criuBreakpoints)")
    String criuBreakpoints;

    @Option(names = "--criu-stall-seconds", paramLabel = "N",
            description = "a CRIU call whose log stays silent this long is stopped and its container resumed "
                    + "(default: 30; the file's criuStallSeconds)")
    Integer criuStallSeconds;

    @Option(names = "--cluster", paramLabel = "URL[,URL...]",
            description = "join the fleet whose etcd is at these client URLs (docs/CLUSTER.md; the file's \"cluster\")")
    String cluster;

    @Option(names = "--config", paramLabel = "PATH",
            description = "settings file, JSON (default: /etc/godwit/godwitd.json if it exists); options given override it")
    Path configFile;

    @Spec
    CommandSpec spec;

    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Held (referenced) for the daemon's life: a channel that is collected would drop the lock. */
    private RootLock rootLock;

    public static void main(String[] args) {
        // CRIU calls block in native code (jnr recvmsg), which pins a virtual thread's carrier: with
        // as many carriers as CPUs, two lazy moves on a 2-CPU host stop every other virtual thread
        // (the API included). More carriers than CPUs costs only idle OS threads. Set before the
        // first virtual thread exists; an explicit -D wins.
        if (System.getProperty("jdk.virtualThreadScheduler.parallelism") == null) {
            System.setProperty("jdk.virtualThreadScheduler.parallelism",
                    Integer.toString(Math.max(64, 4 * Runtime.getRuntime().availableProcessors())));
        }
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT %4$s %3$s: %5$s%6$s%n");
        System.exit(new CommandLine(new GodwitDaemon()).execute(args));
    }

    /**
     * tmp/ holds the work of running operations (a move's dump, a restore's copy of the changes);
     * at start none runs, so what is there was cut short: a dump of gigabytes, maybe. Kept: the
     * CRIU logs of failed restores (restore-*), which their error messages point to.
     */
    static void discardScratch(Path tmp) throws java.io.IOException {
        if (!Files.isDirectory(tmp)) {
            return;
        }
        try (var entries = Files.list(tmp)) {
            for (Path p : entries.filter(e -> !e.getFileName().toString().startsWith("restore-")).toList()) {
                io.godwit.migrator.files.Trees.delete(p);
                LOG.info("discarded " + p + ", left by an operation the daemon's stop cut short");
            }
        }
    }

    private static final Path CRIU = Path.of(System.getProperty("godwit.criu", "criu"));

    @Override
    public Integer call() throws Exception {
        // Settings: the file (--config, or the default one if it exists), then the options given.
        DaemonConfigFile.Settings settings;
        try {
            settings = DaemonConfigFile.resolve(configFile, spec.commandLine().getParseResult());
        } catch (DaemonConfigFile.ConfigException e) {
            spec.commandLine().getErr().println("godwitd: bad settings: " + e.getMessage());
            return 2;
        }
        DaemonConfigFile.applyLogLevel(settings.logLevel());
        if (settings.source() != null) {
            LOG.info("settings from " + settings.source());
        }
        root = settings.root();
        socket = settings.socket();
        listen = settings.listen();
        cgroupParent = settings.cgroupParent();
        // Started by a socket unit: systemd's socket is the API's, whatever the settings name.
        java.util.Optional<InheritedSocket> inherited;
        try {
            inherited = InheritedSocket.ofThisProcess();
        } catch (InheritedSocket.BadHandOverException e) {
            spec.commandLine().getErr().println("godwitd: socket activation: " + e.getMessage());
            return 2;
        }
        if (inherited.isPresent() && !inherited.get().path().equals(socket.toAbsolutePath())) {
            LOG.warning("systemd handed over " + inherited.get().path() + "; serving there, not on " + socket);
        }
        DaemonConfig config = new DaemonConfig(root.toAbsolutePath(),
                inherited.map(InheritedSocket::path).orElse(socket.toAbsolutePath()));
        InetSocketAddress listenAddress = listen == null ? null : PeerLink.parseAddress(listen);
        String node = nodeName != null ? nodeName : java.net.InetAddress.getLocalHost().getHostName();
        Files.createDirectories(config.root());
        try {
            rootLock = RootLock.acquire(config.root()); // before anything under the root is read or changed
        } catch (RootLock.HeldException e) {
            spec.commandLine().getErr().println("godwitd: " + e.getMessage());
            return 1;
        }
        RootPermissions.secure(config.root());
        // Before anything else: a criu our killed predecessor left running may hold a container stopped.
        io.godwit.criu.CriuPidRecord criuPids = io.godwit.criu.CriuPidRecord.in(config.root().resolve("run/criu"));
        for (var left : criuPids.killLeftovers(Duration.ofSeconds(10))) {
            LOG.warning("killed criu " + left.pid() + " left running by an earlier run of this daemon: " + left.commandLine());
        }
        // In the background: the API serves at once, the first criu waits for the verdict.
        ProbedHost host = ProbedHost.start(CRIU, config.root(), settings.criuBreakpoints(), settings.criuStall());
        ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
        ContentImageStore images = new ContentImageStore(config.root().resolve("images"));
        Catalog opened;
        try {
            opened = CatalogOpener.open(config.root().resolve("catalog.db")).catalog();
        } catch (CatalogOpener.UnusableCatalogException e) {
            spec.commandLine().getErr().println("godwitd: " + e.getMessage());
            workers.shutdownNow();
            host.awaitDone(Duration.ofSeconds(90)); // its criu must not outlive us
            return 1;
        }
        try (Catalog catalog = opened;
                PeerLink peers = PeerLink.open(config.root().resolve("peer"), node, catalog);
                ContainerRuntime runtime = new ContainerRuntime(RuntimeConfig.of(config.root().resolve("containers"),
                        images, CgroupManager.detect(cgroupParent),
                        new IpRouteNetworkSetup()).withCriuEnvironment(host::criuEnvironment)
                        .withConsoleLog(settings.consoleLog()))) {
            int interrupted = catalog.failInterruptedOperations(Instant.now());
            CriuClient criu = new CriuClient(CRIU, host::launch).recordPidsIn(criuPids).onStalledWithBreakpoints(
                    stalled -> host.breakpointsStalled(stalled.request(), stalled.lastLine()));
            CheckpointService checkpoints = new CheckpointService(runtime, criu, catalog,
                    config.root().resolve("checkpoints"), config.root().resolve("tmp"));
            io.godwit.migrator.store.CheckpointStore store;
            try {
                store = io.godwit.migrator.store.CheckpointStore.open(config.root().resolve("store"), settings.store());
            } catch (io.godwit.migrator.store.StoreUnusableException e) {
                spec.commandLine().getErr().println("godwitd: " + e.getMessage());
                workers.shutdownNow();
                host.awaitDone(Duration.ofSeconds(90)); // its criu must not outlive us
                return 2;
            }
            checkpoints.useStore(store);
            var recovered = checkpoints.reconcile();
            discardScratch(config.root().resolve("tmp"));
            LOG.info("catalog reconciled: " + interrupted + " interrupted operations, " + recovered + ", "
                    + runtime.list().size() + " containers");
            EventBus events = new EventBus();
            OperationManager operations = new OperationManager(workers, catalog, events);
            operations.applyRetention();
            PageServers pageServers = new PageServers();
            MoveService moves = new MoveService(runtime, images, checkpoints, criu, peers, catalog, operations,
                    config.root().resolve("tmp"), pageServers, config.root().resolve("outgoing"));
            IncomingMoves incoming = new IncomingMoves(runtime, images, criu, checkpoints, operations,
                    config.root().resolve("incoming"), node, peers, pageServers, catalog);
            int stale = incoming.discardStaleStaging();
            Duration idle = Duration.ofSeconds(Long.getLong("godwit.move.idleSeconds", 1800));
            incoming.discardIdleEvery(idle);
            if (stale > 0) {
                LOG.warning("discarded " + stale + " unfinished incoming moves");
            }
            DaemonApi api = new DaemonApi(config, runtime, images, checkpoints, operations, catalog, events, criu, peers,
                    moves);
            var checkpointTransfer = new io.godwit.migrator.checkpoint.CheckpointTransfer(checkpoints, catalog,
                    config.root().resolve("tmp"));
            io.godwit.migrator.cluster.Cluster fleet = settings.cluster() == null
                    ? io.godwit.migrator.cluster.Cluster.none(catalog, runtime)
                    : io.godwit.migrator.cluster.Cluster.join(settings.cluster(), node, config.root(),
                            host::factsNow, VERSION,
                            runtime, peers, moves, checkpoints, operations, catalog, images, checkpointTransfer);
            Router router = fleet.routes(new io.godwit.migrator.checkpoint.ArchiveRoutes(checkpoints,
                    checkpointTransfer, operations).addTo(api.router()));
            io.godwit.migrator.api.Endpoint requestPath = io.godwit.migrator.api.RequestPath.around(router);
            if (listenAddress != null) {
                peers.listen(listenAddress, new io.godwit.migrator.peer.PairingCalls(fleet.peerCalls(incoming), peers),
                        (pipeline, client) -> HttpApiHandler.install(pipeline, requestPath, workers,
                                io.godwit.migrator.api.Caller.tls(client, peers.trustedName(client))));
                LOG.info("peers and remote clients: TLS on " + peers.listenAddress() + ", certificate "
                        + peers.identity().fingerprint());
            }
            fleet.start();
            api.containerDefaults(settings.containerDefaults());
            RootPermissions.secure(config.root()); // again: what the services made at this start included
            api.hostReport(host);
            api.metrics(new io.godwit.migrator.metrics.DaemonMetrics(runtime, () -> host).watch(operations));
            // Moves cut short by our own stop: their containers are frozen here until their target answers.
            Thread.ofVirtual().name("move-recovery").start(() -> {
                try {
                    int n = moves.recover();
                    if (n > 0) {
                        LOG.warning(n + " moves were cut short by the daemon's stop; see above what became of them");
                    }
                } catch (Exception e) {
                    LOG.log(java.util.logging.Level.SEVERE, "cannot recover interrupted moves", e);
                }
            });
            try (Scheduler scheduler = new Scheduler(catalog, checkpoints, operations, runtime);
                    UnixSocketServer server = inherited.isPresent()
                            ? UnixSocketServer.adopt(inherited.get(), requestPath, workers)
                            : UnixSocketServer.start(config.socket(), requestPath, workers)) {
                scheduler.afterCheckpoint(fleet::afterScheduledCheckpoint);
                scheduler.start();
                Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "godwitd-stop"));
                LOG.info("godwitd " + VERSION + " listening on " + config.socket()
                        + (inherited.isPresent() ? " (socket from systemd)" : "") + ", root " + config.root());
                stopped.await();
                LOG.info("stopping; containers keep running");
                fleet.close();
            }
        } finally {
            workers.shutdownNow();
        }
        return 0;
    }
}
