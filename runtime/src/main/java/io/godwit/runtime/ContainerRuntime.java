package io.godwit.runtime;

import io.godwit.runtime.ContainerState.Status;
import io.godwit.runtime.StateStore.Persisted;
import io.godwit.runtime.cgroup.Cgroup;
import io.godwit.runtime.cgroup.CgroupStats;
import io.godwit.runtime.cgroup.ResourceLimits;
import io.godwit.runtime.confine.ConfinementCheck;
import io.godwit.runtime.confine.DeviceRules;
import io.godwit.runtime.confine.ProcStatus;
import io.godwit.runtime.confine.SeccompProfile;
import io.godwit.runtime.confine.SeccompRules;
import io.godwit.runtime.image.ContainerRootfs;
import io.godwit.runtime.net.BridgeAttachment;
import io.godwit.runtime.net.BridgeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Local containers: create, start, stop, checkpoint hooks, restore through the monitor.
 *
 * <p>All state lives on disk in {@code containersDir/NAME/} (see {@link StateStore}); this object holds only
 * locks and the pipes of restores in flight, so a new instance over the same directory re-attaches to running
 * containers. Operations on one container are serialised; different containers proceed in parallel.
 */
public final class ContainerRuntime implements AutoCloseable {
    private static final int SIGKILL = 9;
    private static final int SIGTERM = 15;

    private final RuntimeConfig config;
    private final MonitorLauncher launcher;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final Map<String, PendingRestore> restores = new ConcurrentHashMap<>();

    private record PendingRestore(MonitorLauncher.Channel channel, int monitorPid, int criuPid) {
    }

    public ContainerRuntime(RuntimeConfig config) throws IOException {
        this.config = config;
        this.launcher = new MonitorLauncher(config.monitorBinary(), config.criuEnvironment());
        PrivateFiles.directory(config.containersDir());
        recoverSetAside();
    }

    public RuntimeConfig config() {
        return config;
    }

    private Object lock(String name) {
        return locks.computeIfAbsent(name, k -> new Object());
    }

    private StateStore store(String name) {
        ContainerName.validate(name);
        return new StateStore(config.containersDir().resolve(name));
    }

    private StateStore existing(String name) {
        StateStore s = store(name);
        if (!s.exists()) {
            throw new NoSuchContainerException(name);
        }
        return s;
    }

    private static IllegalStateException badState(String name, Status status, String op) {
        return new IllegalStateException("container " + name + " is " + status + ": cannot " + op);
    }

    // ------------------------------------------------------------------ create

    /**
     * Makes the container directory, its config.json and its rootfs from the image. With {@code rootfsChanges}
     * (a restore or an incoming migration: a copy of a container's change layer) that directory becomes the new
     * rootfs's change layer as it is, deletions and replaced directories included (see
     * {@link io.godwit.runtime.image.ImageStore#createRootfs(String, Path, Path)}); it is consumed.
     */
    public ContainerState create(String name, ContainerSpec spec, Path rootfsChanges) throws IOException {
        ContainerName.validate(name);
        ContainerSpec full = spec.validate().withDefaults(name);
        if (full.network().bridgeMode() && config.network() == null) {
            throw new InvalidSpecException("network.mode", "bridge networking is not configured in this runtime");
        }
        UserNamespace userns = full.confinement().userns();
        if (userns != null && !full.mounts().isEmpty()) {
            throw new InvalidSpecException("security.userns",
                    "volumes are not supported in a container with its own user namespace (yet)");
        }
        synchronized (lock(name)) {
            StateStore s = store(name);
            if (Files.exists(s.dir())) {
                throw new IllegalStateException("container " + name + " already exists");
            }
            PrivateFiles.directory(s.dir());
            try {
                if (userns != null && !userns.allocated()) {
                    full = allocateUserns(name, full, s);
                } else {
                    s.writeSpec(full);
                }
                if (rootfsChanges != null && !Files.isDirectory(rootfsChanges)) {
                    throw new ContainerException(name, "apply rootfs changes", rootfsChanges + " is not a directory");
                }
                ContainerRootfs rootfs = config.images().createRootfs(full.image(), s.dir(), rootfsChanges);
                if (full.confinement().userns() != null) {
                    RootfsOwnership.shift(rootfs.path(), full.confinement().userns());
                }
                s.writeState(new Persisted(Status.CREATED, Instant.now(), null, rootfs.imageFingerprint(), 0, 0, 0,
                        0, null));
                return state(name);
            } catch (IOException | RuntimeException e) {
                try {
                    destroyFiles(name, s);
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    private static final Object USERNS_ALLOCATION = new Object();

    /**
     * Picks a host id range no other container here has and writes the spec recording it, both under one
     * lock, so that two creates never take the same range.
     */
    private ContainerSpec allocateUserns(String name, ContainerSpec full, StateStore s) throws IOException {
        synchronized (USERNS_ALLOCATION) {
            List<Long> taken = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(config.containersDir())) {
                for (Path d : ds) {
                    if (d.getFileName().toString().equals(name)) {
                        continue;
                    }
                    try {
                        UserNamespace other = new StateStore(d).readSpec().confinement().userns();
                        if (other != null && other.allocated()) {
                            taken.add(other.hostUid());
                        }
                    } catch (IOException | RuntimeException e) {
                        // half-made or foreign directory: it holds no range
                    }
                }
            }
            UserNamespace ns = UsernsRanges.allocate(Path.of("/etc/subuid"), Path.of("/etc/subgid"), taken);
            ContainerSpec withRange = full.withSecurity(full.confinement().withUserns(ns));
            s.writeSpec(withRange);
            return withRange;
        }
    }

    // ------------------------------------------------------------------ start

    public ContainerState start(String name) throws IOException {
        synchronized (lock(name)) {
            StateStore s = existing(name);
            ContainerState st = state(name);
            if (st.status() != Status.CREATED && st.status() != Status.STOPPED) {
                throw badState(name, st.status(), "start");
            }
            if (restores.containsKey(name)) {
                throw new IllegalStateException("container " + name + " has a restore in progress: cannot start");
            }
            ContainerSpec spec = s.readSpec();
            Persisted p = s.readState();
            Path rootfs = openRootfs(name, s).path();
            s.clearRun();
            Cgroup cgroup = createCgroup(name, spec);
            Path envFile = s.writeMonitorEnv(spec.env());
            List<String> args = startArgs(s.dir(), rootfs, spec, envFile, config.consoleLog());
            args.addAll(args.indexOf("--"), confinementArgs(s.dir(), spec.confinement()));
            BridgeAttachment bridge = null;
            int initPid = 0;
            try (MonitorLauncher.Channel ch = launcher.spawn(name, s.dir(), args, -1)) {
                String[] init = ch.expect("start", "init");
                initPid = Integer.parseInt(init[1]);
                // the init waits for "go" before it builds its root: join its cgroup and network first,
                // so that nothing it does escapes the limits
                if (cgroup != null) {
                    cgroup.addProcess(initPid);
                }
                if (spec.network().bridgeMode()) {
                    NetworkSpec n = spec.network();
                    bridge = config.network().attach(name, initPid, new BridgeConfig(n.bridge(), n.address(),
                            n.gateway()));
                }
                ch.writeLine("go");
                String[] ok = ch.expect("start", "ok");
                int monitorPid = Integer.parseInt(ok[1]);
                ProcInfo mon = ProcInfo.read(monitorPid);
                ProcInfo ini = ProcInfo.read(initPid);
                s.writeState(new Persisted(Status.RUNNING, p.createdAt(), Instant.now(), p.imageFingerprint(),
                        monitorPid, mon == null ? 0 : mon.startTime(), initPid, ini == null ? 0 : ini.startTime(),
                        bridge));
            } catch (IOException | RuntimeException e) {
                // the monitor killed the init when it reported the error; undo what we did around it
                if (initPid > 0) {
                    Posix.POSIX.kill(initPid, SIGKILL);
                }
                cleanupAfterFailure(name, cgroup, bridge, e);
                s.clearRun();
                throw e;
            } finally {
                Files.deleteIfExists(envFile); // the monitor unlinks it once read; this is for a monitor that never ran
            }
            return state(name);
        }
    }

    /**
     * The container's cgroup with its limits and, on cgroup v2, the device allow-list as an eBPF program
     * (attached again on every start and restore: CRIU does not restore cgroup BPF programs); null
     * when the runtime manages no cgroups.
     */
    private Cgroup createCgroup(String name, ContainerSpec spec) throws IOException {
        if (config.cgroups() == null) {
            return null;
        }
        Cgroup cgroup = config.cgroups().create(name, limits(spec));
        java.util.Optional<Path> bpfDir = cgroup.deviceProgramDir();
        if (bpfDir.isPresent()) {
            List<String> cmd = new ArrayList<>(List.of(config.monitorBinary().toString(), "devices",
                    bpfDir.get().toString()));
            cmd.addAll(DeviceRules.ALLOW);
            HostCommand.Result r = HostCommand.attempt(cmd, Duration.ofSeconds(30));
            if (!r.ok()) {
                try {
                    cgroup.destroy();
                } catch (IOException e) {
                    // the error below is the one that matters
                }
                throw new ContainerException(name, "device allow-list (cgroup v2 eBPF program)", r.stderr().strip());
            }
        }
        return cgroup;
    }

    private void cleanupAfterFailure(String name, Cgroup cgroup, BridgeAttachment bridge, Exception e) {
        if (bridge != null) {
            try {
                config.network().detach(bridge);
            } catch (IOException | RuntimeException x) {
                e.addSuppressed(x);
            }
        }
        if (cgroup != null) {
            try {
                cgroup.destroy();
            } catch (IOException | RuntimeException x) {
                e.addSuppressed(x);
            }
        }
    }

    private static ResourceLimits limits(ContainerSpec spec) {
        return spec.limits() == null ? ResourceLimits.NONE : spec.limits();
    }

    /** The environment goes in envFile (0600, read and unlinked by the monitor): argv is world-readable. */
    private static List<String> startArgs(Path stateDir, Path rootfs, ContainerSpec spec, Path envFile,
            ConsoleLog log) {
        List<String> a = new ArrayList<>(List.of("start", stateDir.toString(), rootfs.toString(),
                "--hostname", spec.hostname(), "--cwd", spec.cwd(), "--env-file", envFile.toString()));
        a.addAll(log.monitorArgs());
        for (VolumeMount m : spec.mounts()) {
            a.addAll(List.of("--mount", m.hostPath(), m.containerPath(), m.readOnly() ? "ro" : "rw"));
        }
        a.add("--");
        a.addAll(spec.command());
        return a;
    }

    /**
     * The monitor's options for the spec's confinement: the init's credentials ({@link #credentialArgs})
     * and what it does to its root (masked and read-only paths, tmpfs, read-only rootfs).
     */
    private static List<String> confinementArgs(Path stateDir, SecuritySpec sec) throws IOException {
        List<String> a = credentialArgs(stateDir, sec);
        sec.maskedPaths().forEach(p -> a.addAll(List.of("--mask", p)));
        sec.readonlyPaths().forEach(p -> a.addAll(List.of("--readonly-path", p)));
        sec.tmpfs().forEach(p -> a.addAll(List.of("--tmpfs", p)));
        if (sec.readOnlyRootfs()) {
            a.add("--read-only");
        }
        UserNamespace ns = sec.userns();
        if (ns != null) {
            if (!ns.allocated()) {
                throw new InvalidSpecException("security.userns", "no host id range recorded (create allocates one)");
            }
            a.addAll(List.of("--userns", Long.toString(ns.hostUid()), Long.toString(ns.hostGid()),
                    Long.toString(ns.size())));
        }
        return a;
    }

    /**
     * Capabilities, no_new_privs, seccomp, user and groups: what the init and every exec'd process get
     * alike. The seccomp profile is compiled for this container's capabilities and this kernel into
     * STATE_DIR/seccomp.rules, replaced atomically (execs may start side by side, and a restored or
     * moved container gets the rules of the kernel it runs on now); the monitor reads it before it
     * enters the container.
     */
    private static List<String> credentialArgs(Path stateDir, SecuritySpec sec) throws IOException {
        List<String> a = new ArrayList<>();
        a.addAll(List.of("--caps", Long.toHexString(sec.capabilityMask())));
        if (sec.noNewPrivileges()) {
            a.add("--no-new-privs");
        }
        SeccompProfile profile = sec.seccompRules();
        Path rules = stateDir.resolve(StateStore.SECCOMP_RULES);
        if (profile != null) {
            Path tmp = Files.createTempFile(stateDir, ".seccomp", ".tmp");
            try {
                Files.writeString(tmp, SeccompRules.compile(profile, Set.copyOf(sec.capabilities()),
                        System.getProperty("os.version")));
                Files.move(tmp, rules, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            a.addAll(List.of("--seccomp", rules.toString()));
        } else {
            Files.deleteIfExists(rules);
        }
        if (sec.hasUser()) {
            a.addAll(List.of("--user", sec.uid() + ":" + sec.gid()));
        }
        for (long g : sec.groups()) {
            a.addAll(List.of("--group", Long.toString(g)));
        }
        return a;
    }

    private ContainerRootfs openRootfs(String name, StateStore s) throws IOException {
        try {
            return config.images().openRootfs(s.dir());
        } catch (IOException e) {
            throw new IOException("container " + name + ": open rootfs: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ stop / kill

    /** SIGTERM, up to {@code timeout} to end, then SIGKILL. Note: a pid-1 without a TERM handler ignores TERM. */
    public ContainerState stop(String name, Duration timeout) throws IOException {
        synchronized (lock(name)) {
            ContainerState st = state(name);
            if (!st.isActive()) {
                throw badState(name, st.status(), "stop");
            }
            Persisted p = store(name).readState();
            signal(name, p, SIGTERM);
            if (!waitGone(p, timeout)) {
                signal(name, p, SIGKILL);
                if (!waitGone(p, Duration.ofSeconds(10))) {
                    throw new ContainerException(name, "stop", "init " + p.initPid() + " survived SIGKILL");
                }
            }
            waitExitFile(name, Duration.ofSeconds(3));
            return state(name);
        }
    }

    public void kill(String name, int signal) throws IOException {
        synchronized (lock(name)) {
            ContainerState st = state(name);
            if (!st.isActive()) {
                throw badState(name, st.status(), "kill");
            }
            signal(name, store(name).readState(), signal);
        }
    }

    private void signal(String name, Persisted p, int sig) throws IOException {
        if (!ProcInfo.isSame(p.initPid(), p.initStartTime())) {
            return;
        }
        if (Posix.POSIX.kill(p.initPid(), sig) != 0 && Posix.POSIX.errno() != 3 /* ESRCH */) {
            throw new ContainerException(name, "kill " + sig, "errno " + Posix.POSIX.errno());
        }
        // a frozen task handles no signal: thaw so that TERM/KILL take effect
        if (p.status() == Status.PAUSED && (sig == SIGKILL || sig == SIGTERM) && config.cgroups() != null) {
            config.cgroups().open(name).thaw();
        }
    }

    private static boolean waitGone(Persisted p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ProcInfo.isSame(p.initPid(), p.initStartTime())) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(20);
        }
        return true;
    }

    private void waitExitFile(String name, Duration timeout) throws IOException {
        StateStore s = store(name);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (s.readExit() == null && System.nanoTime() < deadline) {
            sleep(20);
        }
    }

    // ------------------------------------------------------------------ pause / resume / stats

    public ContainerState pause(String name) throws IOException {
        synchronized (lock(name)) {
            ContainerState st = state(name);
            if (st.status() != Status.RUNNING) {
                throw badState(name, st.status(), "pause");
            }
            // The state first: if it cannot be written (a full disk) nothing is frozen, and a crash
            // between the two leaves a running container marked paused, which resume mends. The other
            // order could leave a frozen container that every record calls running.
            StateStore s = store(name);
            s.writeState(s.readState().with(Status.PAUSED));
            try {
                cgroup(name, "pause").freeze();
            } catch (IOException | RuntimeException e) {
                s.writeState(s.readState().with(Status.RUNNING));
                throw e;
            }
            return state(name);
        }
    }

    public ContainerState resume(String name) throws IOException {
        synchronized (lock(name)) {
            ContainerState st = state(name);
            if (st.status() != Status.PAUSED) {
                throw badState(name, st.status(), "resume");
            }
            cgroup(name, "resume").thaw();
            StateStore s = store(name);
            s.writeState(s.readState().with(Status.RUNNING));
            return state(name);
        }
    }

    // ------------------------------------------------------------------ the monitor's fence (fleet failover)

    /**
     * Arms (or pushes back) the fence of a running container's monitor: past deadlineNanos
     * (System.nanoTime) the monitor freezes the container, and kills it if it is not frozen within
     * freeze, even when this daemon is gone. Takes no lock of the container (the fleet's member loop
     * calls it every round and must not wait behind a checkpoint). False when the container does not
     * run here (nothing armed).
     */
    public boolean armFence(String name, long deadlineNanos, Duration window, Duration freeze) throws IOException {
        StateStore s = existing(name);
        if (config.cgroups() == null) {
            return false;
        }
        String freezer = config.cgroups().open(name).freezerPath();
        MonitorFence.arm(s.dir(), deadlineNanos, window, freeze, freezer);
        return true;
    }

    /** Disarms the monitor's fence (the container is no longer a failover container). */
    public void disarmFence(String name) throws IOException {
        StateStore s = store(name);
        if (s.exists()) {
            MonitorFence.disarm(s.dir());
        }
    }

    /** Whether the monitor has a fence armed. */
    public boolean fenceArmed(String name) {
        StateStore s = store(name);
        return s.exists() && MonitorFence.armed(s.dir());
    }

    /** "frozen" or "killed" when the container's monitor fenced it (its deadline passed), else empty. */
    public Optional<String> fencedByMonitor(String name) throws IOException {
        StateStore s = store(name);
        return s.exists() ? MonitorFence.fenced(s.dir()) : Optional.empty();
    }

    /**
     * Undoes the monitor's fence once the daemon knows the container was not restored elsewhere: thaws
     * the cgroup if the container is RUNNING by its state (the monitor froze it behind the state's back;
     * one PAUSED by hand stays paused) and removes the mark. The fence itself is re-armed by the caller
     * first, else the monitor would freeze it again.
     */
    public void unfence(String name) throws IOException {
        synchronized (lock(name)) {
            StateStore s = existing(name);
            if (state(name).status() == Status.RUNNING && config.cgroups() != null) {
                cgroup(name, "thaw after the fence").thaw();
            }
            MonitorFence.clearFenced(s.dir());
        }
    }

    public CgroupStats stats(String name) throws IOException {
        existing(name);
        return cgroup(name, "stats").stats();
    }

    private Cgroup cgroup(String name, String op) throws IOException {
        if (config.cgroups() == null) {
            throw new IllegalStateException("container " + name + ": cannot " + op + ": no cgroup manager configured");
        }
        return config.cgroups().open(name);
    }

    // ------------------------------------------------------------------ delete

    public void delete(String name) throws IOException {
        delete(name, false);
    }

    /**
     * Removes what a create cut short left under this name: a container directory without its state
     * file (the daemon died between making the directory, maybe mounting its rootfs, and recording
     * the container). {@link #list()} does not show such a directory, yet it holds the name. A
     * directory with a state file is a container and is left alone; returns whether one was removed.
     */
    public boolean discardUnfinished(String name) throws IOException {
        ContainerName.validate(name);
        synchronized (lock(name)) {
            StateStore s = store(name);
            if (!Files.isDirectory(s.dir(), LinkOption.NOFOLLOW_LINKS) || Files.exists(s.dir().resolve(StateStore.STATE))) {
                return false;
            }
            destroyFiles(name, s);
            locks.remove(name);
            return true;
        }
    }

    /** Removes rootfs, cgroup and state directory; a running or paused container only with {@code force}. */
    public void delete(String name, boolean force) throws IOException {
        synchronized (lock(name)) {
            StateStore s = existing(name);
            ContainerState st = state(name);
            if (st.isActive() || restores.containsKey(name)) {
                if (!force) {
                    throw badState(name, st.status(), "delete (stop it first, or force)");
                }
                if (restores.containsKey(name)) {
                    abortRestore(name);
                }
                if (st.isActive()) {
                    Persisted p = s.readState();
                    signal(name, p, SIGKILL);
                    waitGone(p, Duration.ofSeconds(10));
                }
            }
            Persisted p = s.readState();
            releaseHostResources(name, p);
            destroyFiles(name, s);
            locks.remove(name);
        }
    }

    /**
     * What a container that no longer runs still holds outside its directory: its network attachment
     * and its cgroup. First waits for its monitor, which writes exit.json and its last console output
     * after it reaped the init: touching the directory before it is gone races those writes.
     */
    private void releaseHostResources(String name, Persisted p) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ProcInfo.isSame(p.monitorPid(), p.monitorStartTime()) && System.nanoTime() < deadline) {
            sleep(20);
        }
        if (p.bridge() != null && config.network() != null) {
            config.network().detach(p.bridge());
        }
        if (config.cgroups() != null && p.startedAt() != null) {
            try {
                config.cgroups().open(name).destroy();
            } catch (IOException | RuntimeException e) {
                // never created, or already gone: nothing to remove
            }
        }
    }

    // ------------------------------------------------------------------ set aside (a restore replacing a container)

    /** A container that is not running, moved whole out of its name while a restore makes a new one under it. */
    public record SetAside(String name, Path dir) {
    }

    private Path asideDir(String name) {
        return config.containersDir().resolve(".aside").resolve(name);
    }

    /**
     * Moves a stopped (or created) container out of the way, so that a restore can make a new one under its
     * name and still give the old one back if it fails: its rootfs is unmounted, its cgroup and network
     * attachment released, its directory renamed to containersDir/.aside/NAME (out of {@link #list()}).
     * Then exactly one of {@link #putBack} and {@link #discardSetAside} must follow.
     */
    public SetAside setAside(String name) throws IOException {
        synchronized (lock(name)) {
            StateStore s = existing(name);
            ContainerState st = state(name);
            if (st.isActive() || restores.containsKey(name)) {
                throw badState(name, st.status(), "set it aside for a restore");
            }
            Path aside = asideDir(name);
            if (Files.exists(aside, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new ContainerException(name, "set aside", aside + " exists: an earlier restore of " + name
                        + " left it (the daemon puts it back when it starts)");
            }
            Persisted p = s.readState();
            releaseHostResources(name, p);
            s.writeState(new Persisted(p.status(), p.createdAt(), p.startedAt(), p.imageFingerprint(), p.monitorPid(),
                    p.monitorStartTime(), p.initPid(), p.initStartTime(), null));
            unmountUnder(name, s.dir());
            Files.createDirectories(aside.getParent());
            Files.move(s.dir(), aside, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new SetAside(name, aside);
        }
    }

    /** Undoes {@link #setAside}: whatever now holds the name (a failed restore's leftovers) goes, the old container comes back. */
    public ContainerState putBack(SetAside a) throws IOException {
        synchronized (lock(a.name())) {
            StateStore s = store(a.name());
            if (s.exists()) {
                delete(a.name(), true);
            } else if (Files.exists(s.dir(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                unmountUnder(a.name(), s.dir());
                deleteTree(s.dir()); // a half-made directory without state
            }
            Files.move(a.dir(), s.dir(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            // A failed restore's removal dropped the name's hold on its image: take it again (and mount).
            config.images().openRootfs(s.dir());
            return state(a.name());
        }
    }

    /** Removes a set-aside container for good (the restore that replaced it succeeded). */
    public void discardSetAside(SetAside a) throws IOException {
        unmountUnder(a.name(), a.dir());
        deleteTree(a.dir());
    }

    /**
     * A daemon that stopped during a replacing restore left the old container set aside: the new one
     * runs (the restore succeeded, the old one goes), or the old one comes back.
     */
    private void recoverSetAside() throws IOException {
        Path dir = config.containersDir().resolve(".aside");
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path d : ds) {
                SetAside a = new SetAside(d.getFileName().toString(), d);
                try {
                    ContainerName.validate(a.name());
                    if (store(a.name()).exists() && state(a.name()).isActive()) {
                        discardSetAside(a);
                    } else {
                        putBack(a);
                    }
                } catch (IOException | RuntimeException e) {
                    System.getLogger(ContainerRuntime.class.getName()).log(System.Logger.Level.WARNING,
                            "cannot recover container " + a.name() + " set aside in " + d + ": " + e.getMessage(), e);
                }
            }
        }
    }

    private void destroyFiles(String name, StateStore s) throws IOException {
        try {
            config.images().openRootfs(s.dir()).destroy();
        } catch (IOException | RuntimeException e) {
            // not a rootfs the store knows (half-created): the tree removal below takes it
        }
        unmountUnder(name, s.dir());
        deleteTree(s.dir());
    }

    /** Lazily unmounts whatever is still mounted under dir (deepest first), so removal never crosses a mount. */
    private static void unmountUnder(String name, Path dir) throws IOException {
        String prefix = dir.toAbsolutePath().normalize().toString();
        List<String> points = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mp = line.split(" ")[4].replace("\\040", " ");
            if (mp.equals(prefix) || mp.startsWith(prefix + "/")) {
                points.add(mp);
            }
        }
        points.sort(Comparator.comparingInt(String::length).reversed());
        for (String mp : points) {
            run(name, "unmount " + mp, List.of("umount", "-l", mp));
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        // walk does not follow symlinks: a link in a rootfs never leads the removal out of it
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ------------------------------------------------------------------ queries

    public List<ContainerState> list() throws IOException {
        List<ContainerState> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(config.containersDir())) {
            for (Path d : ds) {
                String n = d.getFileName().toString();
                if (Files.isRegularFile(d.resolve(StateStore.STATE))) {
                    try {
                        out.add(state(n));
                    } catch (NoSuchContainerException | IllegalArgumentException e) {
                        // deleted meanwhile, or not a container directory
                    }
                }
            }
        }
        addSetAside(out);
        out.sort(Comparator.comparing(ContainerState::name));
        return out;
    }

    /**
     * The state as the processes say it is: a container recorded RUNNING whose init is gone (or whose pid now
     * belongs to another process) is STOPPED, with the exit status the monitor wrote. A read: it never writes
     * (a full disk must not stop `godwit list`); the next change of state writes the file, and until then
     * the same check gives the same answer, since a pid's start time never comes back.
     */
    /**
     * A container set aside by a restore that replaces it is still the user's container: until the
     * new one exists under its name, it is listed as it was (stopped), so it never vanishes from a
     * list in the middle of a restore.
     */
    private void addSetAside(List<ContainerState> out) throws IOException {
        Path dir = config.containersDir().resolve(".aside");
        if (!Files.isDirectory(dir)) {
            return;
        }
        java.util.Set<String> listed = new java.util.HashSet<>();
        out.forEach(c -> listed.add(c.name()));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path d : ds) {
                String n = d.getFileName().toString();
                if (listed.contains(n) || !Files.isRegularFile(d.resolve(StateStore.STATE))) {
                    continue;
                }
                try {
                    StateStore s = new StateStore(d);
                    Persisted p = s.readState();
                    out.add(new ContainerState(n, Status.STOPPED, 0, 0, p.createdAt(), p.startedAt(), s.readExit(),
                            p.imageFingerprint()));
                } catch (IOException | RuntimeException gone) {
                    // put back or discarded meanwhile
                }
            }
        }
    }

    public ContainerState state(String name) throws IOException {
        synchronized (lock(name)) {
            StateStore s = existing(name);
            Persisted p = s.readState();
            ExitStatus exit = s.readExit();
            if ((p.status() == Status.RUNNING || p.status() == Status.PAUSED)
                    && !ProcInfo.isSame(p.initPid(), p.initStartTime())) {
                if (exit == null) {
                    // the monitor writes exit.json right after reaping; give it a moment
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                    while (exit == null && ProcInfo.isSame(p.monitorPid(), p.monitorStartTime())
                            && System.nanoTime() < deadline) {
                        sleep(20);
                        exit = s.readExit();
                    }
                }
                p = p.with(Status.STOPPED);
            }
            boolean active = p.status() == Status.RUNNING || p.status() == Status.PAUSED;
            return new ContainerState(name, p.status(), active ? p.initPid() : 0, active ? p.monitorPid() : 0,
                    p.createdAt(), p.startedAt(), p.status() == Status.STOPPED ? exit : null, p.imageFingerprint());
        }
    }

    public ContainerSpec spec(String name) throws IOException {
        return existing(name).readSpec();
    }

    public Path logFile(String name) {
        return existing(name).file(StateStore.CONSOLE);
    }

    public Path rootfs(String name) {
        return existing(name).dir().resolve("rootfs");
    }

    public Path changesDir(String name) throws IOException {
        return openRootfs(name, existing(name)).changesDir();
    }

    // ------------------------------------------------------------------ exec

    /** The most of each output stream {@link #exec} keeps in memory; the rest is read and dropped. */
    public static final int EXEC_OUTPUT_CAP = 1 << 20;

    /**
     * Starts a command in a running container confined exactly as its init (as runc exec does): the
     * monitor binary in exec mode joins the container's cgroup and namespaces, forks the command into
     * its pid namespace and applies the init's capabilities, user and groups, no_new_privs and seccomp
     * filter, in its working directory, with the spec's environment and stdin empty (see the overload). The caller reads
     * its output as it comes and closes it.
     */
    public ExecProcess startExec(String name, List<String> command) throws IOException {
        return startExec(name, command, false);
    }

    /** As above; withStdin: the command's stdin is a pipe the caller writes ({@link ExecProcess#stdin}), not empty. */
    public ExecProcess startExec(String name, List<String> command, boolean withStdin) throws IOException {
        return startExec(name, command, withStdin, null);
    }

    /**
     * As above, on a new pseudo-terminal of columns x rows: the command's stdin, stdout and stderr and
     * its controlling terminal ({@code exec -t}); its output comes out as one stream.
     */
    public ExecProcess startExecOnTerminal(String name, List<String> command, int columns, int rows) throws IOException {
        Terminal t = Terminal.open(columns, rows);
        try {
            return startExec(name, command, true, t);
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private ExecProcess startExec(String name, List<String> command, boolean withStdin, Terminal terminal)
            throws IOException {
        if (command == null || command.isEmpty()) {
            throw new IllegalArgumentException("exec: empty command");
        }
        Persisted p;
        ContainerSpec spec;
        List<String> args = new ArrayList<>();
        StateStore s;
        synchronized (lock(name)) {
            ContainerState st = state(name);
            if (st.status() != Status.RUNNING) {
                throw badState(name, st.status(), "exec");
            }
            s = store(name);
            p = s.readState();
            spec = s.readSpec();
            args.add(config.monitorBinary().toString());
            args.addAll(List.of("exec", s.dir().toString(), Integer.toString(p.initPid()), "--cwd", spec.cwd()));
            if (config.cgroups() != null) {
                for (Path procs : config.cgroups().open(name).procsFiles()) {
                    args.addAll(List.of("--cgroup-procs", procs.toString()));
                }
            }
            args.addAll(credentialArgs(s.dir(), spec.confinement()));
        }
        if (terminal != null) {
            args.addAll(List.of("--tty", terminal.slave().toString()));
        }
        args.add("--");
        args.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(args);
        pb.environment().clear();
        pb.environment().putAll(spec.env());
        if (terminal != null) {
            // the monitor opens the slave itself (O_NOCTTY): opened here, it would become the daemon's own
            // controlling terminal, and the command could not take it
            pb.environment().putIfAbsent("TERM", "xterm");
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            Process proc = pb.start();
            proc.onExit().thenRun(terminal::commandStarted); // a command that wrote nothing: its end is the terminal's
            return new ExecProcess(name, proc, terminal);
        }
        if (!withStdin) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        return new ExecProcess(name, pb.start());
    }

    /** Runs a command to its end (at most timeout) and returns its output, each stream cut at {@link #EXEC_OUTPUT_CAP}. */
    public ExecResult exec(String name, List<String> command, Duration timeout) throws IOException {
        try (ExecProcess proc = startExec(name, command)) {
            CompletableFuture<BoundedText> out = drain(proc.stdout());
            CompletableFuture<BoundedText> err = drain(proc.stderr());
            ExecProcess.Exit exit = proc.await(timeout);
            BoundedText o = out.join();
            BoundedText e = err.join();
            return new ExecResult(exit.exitCode(), o.text(), e.text(), exit.timedOut(), o.cut() || e.cut());
        }
    }

    private record BoundedText(String text, boolean cut) {
    }

    /** Reads the stream to its end (so that the command never blocks on a full pipe), keeping the first bytes. */
    private static CompletableFuture<BoundedText> drain(InputStream in) {
        CompletableFuture<BoundedText> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
            boolean cut = false;
            byte[] buf = new byte[64 * 1024];
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    int room = EXEC_OUTPUT_CAP - kept.size();
                    kept.write(buf, 0, Math.min(room, n));
                    cut |= n > room;
                }
            } catch (IOException e) {
                // the command was killed: what came until then is the output
            }
            f.complete(new BoundedText(kept.toString(StandardCharsets.UTF_8), cut));
        });
        return f;
    }

    // ------------------------------------------------------------------ CRIU hooks

    /** What CRIU needs to dump this running (or paused) container; see {@link CheckpointTarget}. */
    public CheckpointTarget checkpointTarget(String name) throws IOException {
        synchronized (lock(name)) {
            ContainerState st = state(name);
            if (!st.isActive()) {
                throw badState(name, st.status(), "checkpoint");
            }
            StateStore s = store(name);
            Persisted p = s.readState();
            ContainerSpec spec = s.readSpec();
            Map<String, String> ext = new LinkedHashMap<>();
            Map<String, String> hosts = volumeKeys(spec);
            int i = 0;
            for (VolumeMount m : spec.mounts()) {
                ext.put("vol" + i++, m.containerPath());
            }
            ext.putAll(HostNodeBinds.containerPaths(spec));
            Map<String, String> stdio = new LinkedHashMap<>();
            stdio.put("stdout", fdLink(name, p.initPid(), 1));
            stdio.put("stderr", fdLink(name, p.initPid(), 2));
            List<String> pipes = stdio.values().stream().filter(l -> l.startsWith("pipe:")).distinct().toList();
            Cgroup cg = config.cgroups() == null ? null : config.cgroups().open(name);
            return new CheckpointTarget(p.initPid(), rootfs(name), Map.copyOf(ext), hosts, pipes,
                    Map.copyOf(stdio), cg == null ? null : cg.freezerPath(), cg == null ? Map.of() : cg.paths(),
                    p.bridge(), spec);
        }
    }

    private static Map<String, String> volumeKeys(ContainerSpec spec) {
        Map<String, String> hosts = new LinkedHashMap<>();
        int i = 0;
        for (VolumeMount m : spec.mounts()) {
            hosts.put("vol" + i++, m.hostPath());
        }
        hosts.putAll(HostNodeBinds.hostPaths(spec));
        return Map.copyOf(hosts);
    }

    private static String fdLink(String name, int pid, int fd) throws IOException {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "fd", Integer.toString(fd)))
                    .toString();
        } catch (IOException e) {
            throw new IOException("container " + name + ": read fd " + fd + " of init " + pid + ": " + e, e);
        }
    }

    /**
     * Starts a monitor in restore mode for a CREATED (or STOPPED) container: it runs {@code criu swrk 3} on a dup of
     * {@code criuSocketFd} (the daemon's end stays the daemon's), with the new stdout/stderr pipes' write ends at
     * fds 4 and 5. The daemon then sends RESTORE (root = rootfs, rst_sibling = true, inherit_fd {key: old stdout
     * pipe, fd: 4} and {key: old stderr pipe, fd: 5}, ext_mnt {key: volN, val: host path}) and, on success,
     * calls {@link #adoptRestored}; on any failure {@link #abortRestore}.
     */
    /**
     * A container with its own user namespace: CRIU opens some image files (tty-info.img, ...) from inside
     * the restored tree, as the container's root, an unprivileged host user. Gives the directory and its
     * files to the container's host group, read-only (0750/0640; the owner stays root, so nothing in the
     * container can change them). Nothing to do for other containers.
     */
    public void shareImagesWithContainer(String name, Path imagesDir) throws IOException {
        UserNamespace ns = existing(name).readSpec().confinement().userns();
        if (ns == null || !ns.allocated()) {
            return;
        }
        int gid = ns.hostGid().intValue();
        Files.setAttribute(imagesDir, "unix:gid", gid);
        Files.setAttribute(imagesDir, "unix:mode", 0750);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(imagesDir)) {
            for (Path f : ds) {
                if (Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.setAttribute(f, "unix:gid", gid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(f, "unix:mode", 0640, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }

    public RestoreLaunch launchRestore(String name, int criuSocketFd) throws IOException {
        synchronized (lock(name)) {
            StateStore s = existing(name);
            ContainerState st = state(name);
            if (st.status() != Status.CREATED && st.status() != Status.STOPPED) {
                throw badState(name, st.status(), "restore");
            }
            if (restores.containsKey(name)) {
                throw new IllegalStateException("container " + name + " has a restore in progress already");
            }
            ContainerSpec spec = s.readSpec();
            Path rootfs = openRootfs(name, s).path();
            s.clearRun();
            Cgroup cgroup = createCgroup(name, spec);
            MonitorLauncher.Channel ch = null;
            try {
                List<String> args = new ArrayList<>(List.of("restore", s.dir().toString(), "--criu", criuBinary()));
                args.addAll(config.consoleLog().monitorArgs());
                ch = launcher.spawn(name, s.dir(), args, criuSocketFd);
                String[] f = ch.expect("launch restore", "criu");
                PendingRestore pr = new PendingRestore(ch, Integer.parseInt(f[2]), Integer.parseInt(f[1]));
                restores.put(name, pr);
                return new RestoreLaunch(pr.monitorPid(), pr.criuPid(),
                        Map.of("stdout", MonitorLauncher.CRIU_STDOUT_FD, "stderr", MonitorLauncher.CRIU_STDERR_FD),
                        rootfs, volumeKeys(spec), cgroup == null ? Map.of() : cgroup.paths(),
                        cgroup == null ? null : cgroup.freezerPath(),
                        spec.network().bridgeMode() && config.network() != null
                                ? Map.of("eth0", config.network().hostInterfaceName(name)) : Map.of());
            } catch (IOException | RuntimeException e) {
                if (ch != null) {
                    ch.close();
                }
                cleanupAfterFailure(name, cgroup, null, e);
                throw e;
            }
        }
    }

    /**
     * Gives a CREATED container (its restore may be launched: the monitor and criu wait outside the
     * rootfs) the change layer {@code changes} instead of the one it was made with; consumed. A
     * move's target made it from the changes copied while the source ran; these are the final ones.
     */
    public void replaceRootfsChanges(String name, Path changes) throws IOException {
        synchronized (lock(name)) {
            StateStore s = existing(name);
            ContainerState st = state(name);
            if (st.status() != Status.CREATED) {
                throw badState(name, st.status(), "replace its rootfs changes");
            }
            try {
                config.images().replaceChanges(s.dir(), changes);
                UserNamespace userns = s.readSpec().confinement().userns();
                if (userns != null) {
                    RootfsOwnership.shift(openRootfs(name, s).path(), userns);
                }
            } catch (IOException e) {
                throw new ContainerException(name, "replace its rootfs changes", e.getMessage(), e);
            }
        }
    }

    /**
     * Writes a file into a CREATED container's rootfs before it first runs (a warm start's
     * /run/godwit/restored), never following a link of the rootfs; see {@link RootfsFiles}.
     */
    public void placeFile(String name, String containerPath, byte[] content) throws IOException {
        synchronized (lock(name)) {
            StateStore s = existing(name);
            ContainerState st = state(name);
            if (st.status() != Status.CREATED || restores.containsKey(name)) {
                throw badState(name, st.status(), "write " + containerPath + " into its rootfs");
            }
            Path rootfs = openRootfs(name, s).path();
            try {
                RootfsFiles.write(rootfs, containerPath, content);
            } catch (IOException | IllegalArgumentException e) {
                throw new ContainerException(name, "write " + containerPath + " into its rootfs", e.getMessage(), e);
            }
        }
    }

    /**
     * A restored tree that does not run yet (CRIU's post-restore) takes the identity of its spec: the
     * host name and, bridged, the address. CRIU put back the ones of the checkpoint, which for a warm
     * start are the template's: without this every clone would answer to the template's name and
     * address. Listening sockets bound to any address keep working; one bound to the old address no
     * longer receives anything.
     */
    public void takeIdentity(String name, int restoredPid) throws IOException {
        ContainerSpec spec = existing(name).readSpec();
        try {
            HostCommand.run(List.of("nsenter", "--target", Integer.toString(restoredPid), "--uts",
                    "hostname", spec.hostname()), Duration.ofSeconds(30));
            if (spec.network().bridgeMode() && config.network() != null) {
                NetworkSpec n = spec.network();
                config.network().readdress(restoredPid, new BridgeConfig(n.bridge(), n.address(), n.gateway()));
            }
        } catch (IOException e) {
            throw new ContainerException(name, "give the restored tree (pid " + restoredPid + ") its host name "
                    + spec.hostname() + (spec.network().bridgeMode() ? " and address " + spec.network().address() : ""),
                    e.getMessage(), e);
        }
    }

    private static String criuBinary() {
        return System.getProperty("godwit.criu", "criu");
    }

    /** After CRIU's RESTORE response: the monitor takes the restored init as its own; state becomes RUNNING. */
    public ContainerState adoptRestored(String name, int restoredInitPid) throws IOException {
        synchronized (lock(name)) {
            StateStore s = existing(name);
            PendingRestore pr = restores.get(name);
            if (pr == null) {
                throw new IllegalStateException("container " + name + " has no restore in progress: cannot adopt");
            }
            // one scan of /proc for both uses below (each costs tens of ms on a busy host): the tree
            // is whole once CRIU answered, and a task forked later inherits its parent's cgroup
            List<Integer> tree = processTree(restoredInitPid);
            verifyConfinement(name, s.readSpec(), tree);
            pr.channel().writeLine("adopt " + restoredInitPid);
            pr.channel().expect("adopt restored init " + restoredInitPid, "ok");
            restores.remove(name);
            pr.channel().close();
            Persisted old = s.readState();
            // CRIU put the tree where criu ran (or where cg_root said): make sure every task is in our cgroup
            if (config.cgroups() != null) {
                Cgroup cg = config.cgroups().open(name);
                for (int pid : tree) {
                    try {
                        cg.addProcess(pid);
                    } catch (IOException e) {
                        if (ProcInfo.live(pid) != null) {
                            throw new IOException("container " + name + ": move restored pid " + pid
                                    + " into cgroup: " + e.getMessage(), e);
                        }
                    }
                }
            }
            // CRIU recreated the veth pair (RestoreLaunch.veths) and left the host end here: back on the bridge.
            BridgeAttachment bridge = old.bridge();
            ContainerSpec spec = s.readSpec();
            if (spec.network().bridgeMode() && config.network() != null) {
                NetworkSpec n = spec.network();
                bridge = config.network().adoptRestored(name, new BridgeConfig(n.bridge(), n.address(), n.gateway()));
            }
            ProcInfo mon = ProcInfo.read(pr.monitorPid());
            ProcInfo ini = ProcInfo.read(restoredInitPid);
            s.writeState(new Persisted(Status.RUNNING, old.createdAt(), Instant.now(), old.imageFingerprint(),
                    pr.monitorPid(), mon == null ? 0 : mon.startTime(), restoredInitPid,
                    ini == null ? 0 : ini.startTime(), bridge));
            return state(name);
        }
    }

    /**
     * Every process of a restored tree must be at most as privileged as the spec says: CRIU put back
     * the credentials and filters of the images, and neither they nor the restore path may widen the
     * container. On a violation the restore fails (the caller aborts it, which kills the tree).
     */
    private static void verifyConfinement(String name, ContainerSpec spec, List<Integer> tree) throws IOException {
        SecuritySpec sec = spec.confinement();
        ConfinementCheck check = new ConfinementCheck(sec.capabilityMask(), sec.noNewPrivileges(),
                !sec.seccomp().equals("unconfined"));
        List<String> violations = new ArrayList<>();
        for (int pid : tree) {
            if (isZombie(pid)) {
                continue; // it runs nothing (and has shed its seccomp filter): nothing to confine
            }
            ProcStatus st = ProcStatus.of(pid);
            if (st != null) {
                violations.addAll(check.violations(pid, st));
            }
        }
        if (!violations.isEmpty()) {
            throw new ContainerException(name, "verify confinement after restore",
                    "the restored container is less confined than its spec: " + String.join("; ", violations));
        }
    }

    private static boolean isZombie(int pid) {
        try {
            String stat = Files.readAllLines(Path.of("/proc/" + pid + "/stat")).get(0);
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
        } catch (IOException | IndexOutOfBoundsException e) {
            return false; // gone, or unreadable: the check itself decides
        }
    }

    /** A failed or cancelled restore: the monitor kills criu and anything restored, the cgroup goes away. */
    public ContainerState abortRestore(String name) throws IOException {
        synchronized (lock(name)) {
            StateStore s = existing(name);
            PendingRestore pr = restores.remove(name);
            if (pr != null) {
                try {
                    pr.channel().writeLine("abort");
                    pr.channel().readLine();
                } catch (RuntimeException e) {
                    // monitor already gone: the kills below make sure
                } finally {
                    pr.channel().close();
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (ProcInfo.live(pr.monitorPid()) != null && System.nanoTime() < deadline) {
                    sleep(20);
                }
                Posix.POSIX.kill(pr.monitorPid(), SIGKILL);
                if (ProcInfo.live(pr.criuPid()) != null) {
                    Posix.POSIX.kill(pr.criuPid(), SIGKILL);
                }
            }
            if (config.cgroups() != null) {
                try {
                    config.cgroups().open(name).destroy();
                } catch (IOException | RuntimeException e) {
                    // nothing was created
                }
            }
            s.clearRun();
            return state(name);
        }
    }

    /** pid and all its descendants, from /proc (children files need CONFIG_PROC_CHILDREN; this does not). */
    private static List<Integer> processTree(int root) throws IOException {
        Map<Integer, List<Integer>> children = new ConcurrentHashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path d : ds) {
                ProcInfo p = ProcInfo.read(Integer.parseInt(d.getFileName().toString()));
                if (p != null) {
                    children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p.pid());
                }
            }
        }
        List<Integer> out = new ArrayList<>();
        List<Integer> todo = new ArrayList<>(List.of(root));
        while (!todo.isEmpty()) {
            int pid = todo.remove(todo.size() - 1);
            out.add(pid);
            todo.addAll(children.getOrDefault(pid, List.of()));
        }
        return out;
    }

    // ------------------------------------------------------------------ misc

    /** Aborts restores still waiting; running containers keep running (their monitors are independent). */
    @Override
    public void close() {
        for (String name : List.copyOf(restores.keySet())) {
            try {
                abortRestore(name);
            } catch (IOException | RuntimeException e) {
                // best effort on shutdown
            }
        }
    }

    private static void run(String name, String step, List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (p.waitFor() != 0) {
                throw new ContainerException(name, step, String.join(" ", cmd) + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("container " + name + ": " + step + " interrupted", e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted", e));
        }
    }
}
