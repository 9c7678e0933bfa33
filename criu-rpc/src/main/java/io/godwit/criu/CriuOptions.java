package io.godwit.criu;

import io.godwit.proto.criu.Rpc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Immutable options of one CRIU request, built with {@link #builder()}; they cover what runc,
 * Podman and LXD set. Values are checked when set (IllegalArgumentException naming the
 * option), so CRIU never sees nonsense; which options a request needs is checked by the client.
 *
 * <p><b>Fds.</b> CRIU reads fd numbers (inherit_fd, page-server fd) in its own fd table, so:
 * <ul>
 * <li>{@link Builder#inheritFd(String, int)} and {@link Builder#pageServerFd(int)} take a
 * <em>JVM</em> fd; when the client spawns criu it passes that fd to criu as fd 4, 5, ... and
 * puts that number in the request. The JVM keeps its fd; the caller closes it after the call.
 * <li>{@link Builder#inheritCriuFd(String, int)} takes a number that is already valid in the
 * criu process and is sent as is; this is what {@code restoreOver} needs, since another process
 * started criu (and only it can have placed fds there). {@code restoreOver} rejects JVM fds.
 * </ul>
 * The images and work directories are opened by the client for the duration of the request
 * (CRIU reopens them through /proc/&lt;caller&gt;/fd/N).
 */
public final class CriuOptions {
    final int pid;
    final Path root;
    final Path imagesDir;
    final Path workDir;
    final String parentImg;
    final int logLevel;
    final String logFile;
    final boolean leaveRunning, leaveStopped, shellJob, tcpEstablished, tcpSkipInFlight, tcpClose, extUnixSk,
            fileLocks, linkRemap, lazyPages, rstSibling, orphanPtsMaster, autoDedup, trackMem, evasiveDevices,
            forceIrmap, weakSysctls, autoExtMnt, extSharing, extMasters, tls, tlsNoCnVerify;
    final Map<String, String> extMnt;
    final List<String> external;
    final Map<String, Integer> inheritJvmFd;
    final Map<String, Integer> inheritCriuFd;
    final Map<String, String> cgRoot;
    final Rpc.criu_cg_mode manageCgroupsMode;
    final String freezeCgroup;
    final Rpc.criu_network_lock_method networkLock;
    final String pageServerAddress;
    final int pageServerPort;
    final int pageServerJvmFd;
    final int emptyNs;
    final Rpc.criu_pre_dump_mode preDumpMode;
    final Path tlsCacert, tlsCacrl, tlsCert, tlsKey;
    final Path configFile;
    final Map<String, String> veths;
    final Duration timeout;
    final List<String> skipMnt;
    final List<String> enableFs;
    final String lsmProfile;

    private CriuOptions(Builder b) {
        pid = b.pid; root = b.root; imagesDir = b.imagesDir; workDir = b.workDir; parentImg = b.parentImg;
        logLevel = b.logLevel; logFile = b.logFile;
        leaveRunning = b.leaveRunning; leaveStopped = b.leaveStopped; shellJob = b.shellJob;
        tcpEstablished = b.tcpEstablished; tcpSkipInFlight = b.tcpSkipInFlight; tcpClose = b.tcpClose;
        extUnixSk = b.extUnixSk; fileLocks = b.fileLocks; linkRemap = b.linkRemap; lazyPages = b.lazyPages;
        rstSibling = b.rstSibling; orphanPtsMaster = b.orphanPtsMaster; autoDedup = b.autoDedup; trackMem = b.trackMem;
        evasiveDevices = b.evasiveDevices; forceIrmap = b.forceIrmap; weakSysctls = b.weakSysctls;
        autoExtMnt = b.autoExtMnt; extSharing = b.extSharing; extMasters = b.extMasters;
        tls = b.tls; tlsNoCnVerify = b.tlsNoCnVerify;
        extMnt = Collections.unmodifiableMap(new LinkedHashMap<>(b.extMnt));
        external = List.copyOf(b.external);
        inheritJvmFd = Collections.unmodifiableMap(new LinkedHashMap<>(b.inheritJvmFd));
        inheritCriuFd = Collections.unmodifiableMap(new LinkedHashMap<>(b.inheritCriuFd));
        cgRoot = Collections.unmodifiableMap(new LinkedHashMap<>(b.cgRoot));
        manageCgroupsMode = b.manageCgroupsMode; freezeCgroup = b.freezeCgroup; networkLock = b.networkLock;
        pageServerAddress = b.pageServerAddress; pageServerPort = b.pageServerPort; pageServerJvmFd = b.pageServerJvmFd;
        emptyNs = b.emptyNs; preDumpMode = b.preDumpMode;
        tlsCacert = b.tlsCacert; tlsCacrl = b.tlsCacrl; tlsCert = b.tlsCert; tlsKey = b.tlsKey;
        configFile = b.configFile;
        veths = Collections.unmodifiableMap(new LinkedHashMap<>(b.veths));
        timeout = b.timeout;
        skipMnt = List.copyOf(b.skipMnt);
        enableFs = List.copyOf(b.enableFs);
        lsmProfile = b.lsmProfile;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder preset with these options, to derive a variant. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public int pid() { return pid; }
    public Path root() { return root; }
    public Path imagesDir() { return imagesDir; }
    public Path workDir() { return workDir; }
    public String logFile() { return logFile; }
    public boolean rstSibling() { return rstSibling; }
    public boolean leaveRunning() { return leaveRunning; }
    public Map<String, Integer> inheritFds() { return inheritJvmFd; }
    public Map<String, Integer> inheritCriuFds() { return inheritCriuFd; }
    public Rpc.criu_network_lock_method networkLock() { return networkLock; }

    /** Where CRIU writes its log: the work dir if set, else the images dir. */
    Path logPath(String defaultName) {
        Path dir = workDir != null ? workDir : imagesDir;
        return dir == null ? null : dir.resolve(logFile != null ? logFile : defaultName);
    }

    /** The JVM fds criu must receive (at 4, 5, ... in this order): inherit fds, then the page-server fd. */
    List<Integer> jvmFdsToPass() {
        List<Integer> fds = new ArrayList<>(inheritJvmFd.values());
        if (pageServerJvmFd >= 0) fds.add(pageServerJvmFd);
        return fds;
    }

    /**
     * The criu_opts message. {@code passFds}: whether criu receives {@link #jvmFdsToPass()} at
     * 4, 5, ... (the client spawned it); if not, JVM fds are refused.
     */
    Rpc.criu_opts toProto(int imagesDirFd, int workDirFd, String defaultLogFile, boolean notify, boolean passFds) {
        if (!passFds && !jvmFdsToPass().isEmpty()) {
            throw new IllegalArgumentException("inheritFd/pageServerFd name JVM fds, which cannot reach a criu started "
                    + "by another process; use inheritCriuFd with the fd number criu has");
        }
        Rpc.criu_opts.Builder o = Rpc.criu_opts.newBuilder()
                .setImagesDirFd(imagesDirFd)
                .setLogLevel(logLevel)
                .setLogFile(logFile != null ? logFile : defaultLogFile)
                .setNetworkLock(networkLock);
        if (workDirFd >= 0) o.setWorkDirFd(workDirFd);
        if (pid > 0) o.setPid(pid);
        if (root != null) o.setRoot(root.toString());
        if (parentImg != null) o.setParentImg(parentImg);
        if (notify) o.setNotifyScripts(true);
        if (leaveRunning) o.setLeaveRunning(true);
        if (leaveStopped) o.setLeaveStopped(true);
        if (shellJob) o.setShellJob(true);
        if (tcpEstablished) o.setTcpEstablished(true);
        if (tcpSkipInFlight) o.setTcpSkipInFlight(true);
        if (tcpClose) o.setTcpClose(true);
        if (extUnixSk) o.setExtUnixSk(true);
        if (fileLocks) o.setFileLocks(true);
        if (linkRemap) o.setLinkRemap(true);
        if (lazyPages) o.setLazyPages(true);
        if (rstSibling) o.setRstSibling(true);
        if (orphanPtsMaster) o.setOrphanPtsMaster(true);
        if (autoDedup) o.setAutoDedup(true);
        if (trackMem) o.setTrackMem(true);
        if (evasiveDevices) o.setEvasiveDevices(true);
        if (forceIrmap) o.setForceIrmap(true);
        if (weakSysctls) o.setWeakSysctls(true);
        if (autoExtMnt) o.setAutoExtMnt(true);
        if (extSharing) o.setExtSharing(true);
        if (extMasters) o.setExtMasters(true);
        extMnt.forEach((k, v) -> o.addExtMnt(Rpc.ext_mount_map.newBuilder().setKey(k).setVal(v)));
        o.addAllExternal(external);
        int next = 0;
        for (String key : inheritJvmFd.keySet()) {
            o.addInheritFd(Rpc.inherit_fd.newBuilder().setKey(key).setFd(CriuProcess.extraFdNumber(next++)));
        }
        inheritCriuFd.forEach((k, fd) -> o.addInheritFd(Rpc.inherit_fd.newBuilder().setKey(k).setFd(fd)));
        cgRoot.forEach((ctrl, path) -> {
            Rpc.cgroup_root.Builder r = Rpc.cgroup_root.newBuilder().setPath(path);
            if (!ctrl.isEmpty()) r.setCtrl(ctrl);
            o.addCgRoot(r);
        });
        if (manageCgroupsMode != null) {
            o.setManageCgroups(true);
            o.setManageCgroupsMode(manageCgroupsMode);
        }
        if (freezeCgroup != null) o.setFreezeCgroup(freezeCgroup);
        if (pageServerAddress != null || pageServerPort > 0 || pageServerJvmFd >= 0) {
            Rpc.criu_page_server_info.Builder ps = Rpc.criu_page_server_info.newBuilder();
            if (pageServerAddress != null) ps.setAddress(pageServerAddress);
            if (pageServerPort > 0) ps.setPort(pageServerPort);
            if (pageServerJvmFd >= 0) ps.setFd(CriuProcess.extraFdNumber(next));
            o.setPs(ps);
        }
        if (emptyNs != 0) o.setEmptyNs(emptyNs);
        if (preDumpMode != null) o.setPreDumpMode(preDumpMode);
        if (tls) o.setTls(true);
        if (tlsNoCnVerify) o.setTlsNoCnVerify(true);
        if (tlsCacert != null) o.setTlsCacert(tlsCacert.toString());
        if (tlsCacrl != null) o.setTlsCacrl(tlsCacrl.toString());
        if (tlsCert != null) o.setTlsCert(tlsCert.toString());
        if (tlsKey != null) o.setTlsKey(tlsKey.toString());
        if (configFile != null) o.setConfigFile(configFile.toString());
        veths.forEach((in, out) -> o.addVeths(Rpc.criu_veth_pair.newBuilder().setIfIn(in).setIfOut(out)));
        if (timeout != null) o.setTimeout((int) Math.max(1, timeout.toSeconds()));
        o.addAllSkipMnt(skipMnt);
        o.addAllEnableFs(enableFs);
        if (lsmProfile != null) o.setLsmProfile(lsmProfile);
        return o.build();
    }

    /** Collects options; every setter validates its value and names the option when it refuses it. */
    public static final class Builder {
        private int pid;
        private Path root, imagesDir, workDir;
        private String parentImg;
        private int logLevel = 4; // CRIU's default is 2; 4 puts the cause of a failure in the log, at little cost
        private String logFile;
        private boolean leaveRunning, leaveStopped, shellJob, tcpEstablished, tcpSkipInFlight, tcpClose, extUnixSk,
                fileLocks, linkRemap, lazyPages, rstSibling, orphanPtsMaster, autoDedup, trackMem, evasiveDevices,
                forceIrmap, weakSysctls, autoExtMnt, extSharing, extMasters, tls, tlsNoCnVerify;
        private final Map<String, String> extMnt = new LinkedHashMap<>();
        private final List<String> external = new ArrayList<>();
        private final Map<String, Integer> inheritJvmFd = new LinkedHashMap<>();
        private final Map<String, Integer> inheritCriuFd = new LinkedHashMap<>();
        private final Map<String, String> cgRoot = new LinkedHashMap<>();
        private Rpc.criu_cg_mode manageCgroupsMode;
        private String freezeCgroup;
        // iptables is absent on Godwit hosts; CRIU's default would fail to lock
        private Rpc.criu_network_lock_method networkLock = Rpc.criu_network_lock_method.NFTABLES;
        private String pageServerAddress;
        private int pageServerPort;
        private int pageServerJvmFd = -1;
        private int emptyNs;
        private Rpc.criu_pre_dump_mode preDumpMode;
        private Path tlsCacert, tlsCacrl, tlsCert, tlsKey, configFile;
        private final Map<String, String> veths = new LinkedHashMap<>();
        private Duration timeout;
        private final List<String> skipMnt = new ArrayList<>();
        private final List<String> enableFs = new ArrayList<>();
        private String lsmProfile;

        private Builder() {}

        private Builder(CriuOptions o) {
            pid = o.pid; root = o.root; imagesDir = o.imagesDir; workDir = o.workDir; parentImg = o.parentImg;
            logLevel = o.logLevel; logFile = o.logFile;
            leaveRunning = o.leaveRunning; leaveStopped = o.leaveStopped; shellJob = o.shellJob;
            tcpEstablished = o.tcpEstablished; tcpSkipInFlight = o.tcpSkipInFlight; tcpClose = o.tcpClose;
            extUnixSk = o.extUnixSk; fileLocks = o.fileLocks; linkRemap = o.linkRemap; lazyPages = o.lazyPages;
            rstSibling = o.rstSibling; orphanPtsMaster = o.orphanPtsMaster; autoDedup = o.autoDedup; trackMem = o.trackMem;
            evasiveDevices = o.evasiveDevices; forceIrmap = o.forceIrmap; weakSysctls = o.weakSysctls;
            autoExtMnt = o.autoExtMnt; extSharing = o.extSharing; extMasters = o.extMasters;
            tls = o.tls; tlsNoCnVerify = o.tlsNoCnVerify;
            extMnt.putAll(o.extMnt); external.addAll(o.external); inheritJvmFd.putAll(o.inheritJvmFd);
            inheritCriuFd.putAll(o.inheritCriuFd); cgRoot.putAll(o.cgRoot);
            manageCgroupsMode = o.manageCgroupsMode; freezeCgroup = o.freezeCgroup; networkLock = o.networkLock;
            pageServerAddress = o.pageServerAddress; pageServerPort = o.pageServerPort; pageServerJvmFd = o.pageServerJvmFd;
            emptyNs = o.emptyNs; preDumpMode = o.preDumpMode;
            tlsCacert = o.tlsCacert; tlsCacrl = o.tlsCacrl; tlsCert = o.tlsCert; tlsKey = o.tlsKey; configFile = o.configFile;
            veths.putAll(o.veths); timeout = o.timeout; skipMnt.addAll(o.skipMnt); enableFs.addAll(o.enableFs);
            lsmProfile = o.lsmProfile;
        }

        private static IllegalArgumentException bad(String option, String why) {
            return new IllegalArgumentException("CRIU option " + option + ": " + why);
        }

        private static Path dir(String option, Path p) {
            if (p == null) throw bad(option, "must not be null");
            if (!Files.isDirectory(p)) throw bad(option, "not an existing directory: " + p);
            return p.toAbsolutePath();
        }

        private static Path file(String option, Path p) {
            if (p == null) throw bad(option, "must not be null");
            if (!Files.isRegularFile(p)) throw bad(option, "not an existing file: " + p);
            return p.toAbsolutePath();
        }

        private static String key(String option, String k) {
            if (k == null || k.isBlank()) throw bad(option, "key must not be empty");
            return k;
        }

        private static String value(String option, String v) {
            if (v == null || v.isEmpty()) throw bad(option, "value must not be empty");
            return v;
        }

        private static int fd(String option, int fd) {
            if (fd < 0) throw bad(option, "fd must be >= 0, got " + fd);
            return fd;
        }

        /** The root task of the tree to dump (host pid). */
        public Builder pid(int pid) {
            if (pid <= 0) throw bad("pid", "must be > 0, got " + pid);
            this.pid = pid;
            return this;
        }

        /** The root directory to restore into (the container's rootfs). */
        public Builder root(Path root) { this.root = dir("root", root); return this; }

        public Builder imagesDir(Path dir) { this.imagesDir = dir("imagesDir", dir); return this; }

        /** Where CRIU writes its log (and stats); defaults to the images dir. */
        public Builder workDir(Path dir) { this.workDir = dir("workDir", dir); return this; }

        /** The previous (pre-)dump's images dir, relative to imagesDir (CRIU's --prev-images-dir). */
        public Builder parentImg(String path) { this.parentImg = value("parentImg", path); return this; }

        public Builder logLevel(int level) {
            if (level < 0 || level > 4) throw bad("logLevel", "must be 0..4, got " + level);
            this.logLevel = level;
            return this;
        }

        /** A bare file name inside the work dir (CRIU's rule); default dump.log, restore.log, ... */
        public Builder logFile(String name) {
            value("logFile", name);
            if (name.contains("/") || name.equals(".") || name.equals("..")) throw bad("logFile", "must be a bare file name, got " + name);
            this.logFile = name;
            return this;
        }

        public Builder leaveRunning(boolean v) { leaveRunning = v; return this; }
        public Builder leaveStopped(boolean v) { leaveStopped = v; return this; }
        public Builder shellJob(boolean v) { shellJob = v; return this; }
        public Builder tcpEstablished(boolean v) { tcpEstablished = v; return this; }
        public Builder tcpSkipInFlight(boolean v) { tcpSkipInFlight = v; return this; }
        public Builder tcpClose(boolean v) { tcpClose = v; return this; }
        public Builder extUnixSk(boolean v) { extUnixSk = v; return this; }
        public Builder fileLocks(boolean v) { fileLocks = v; return this; }
        public Builder linkRemap(boolean v) { linkRemap = v; return this; }
        public Builder lazyPages(boolean v) { lazyPages = v; return this; }
        /** Restore: the restored root task becomes a child of the process that started criu. */
        public Builder rstSibling(boolean v) { rstSibling = v; return this; }
        public Builder orphanPtsMaster(boolean v) { orphanPtsMaster = v; return this; }
        public Builder autoDedup(boolean v) { autoDedup = v; return this; }
        public Builder trackMem(boolean v) { trackMem = v; return this; }
        public Builder evasiveDevices(boolean v) { evasiveDevices = v; return this; }
        public Builder forceIrmap(boolean v) { forceIrmap = v; return this; }
        public Builder weakSysctls(boolean v) { weakSysctls = v; return this; }
        public Builder autoExtMnt(boolean v) { autoExtMnt = v; return this; }
        public Builder extSharing(boolean v) { extSharing = v; return this; }
        public Builder extMasters(boolean v) { extMasters = v; return this; }

        /** External bind mount: on dump mount point -> key, on restore key -> host path. */
        public Builder extMnt(String key, String val) {
            extMnt.put(key("extMnt", key), value("extMnt", val));
            return this;
        }

        /** An external resource, e.g. "mnt[/data]:vol", "veth[eth0]:br0", "tty[88:1]". */
        public Builder external(String spec) { external.add(value("external", spec)); return this; }

        /** Restore: give CRIU the JVM fd {@code jvmFd} for the external file {@code key} (e.g. "pipe:[1234]"); passed into criu by the client. */
        public Builder inheritFd(String key, int jvmFd) {
            inheritJvmFd.put(key("inheritFd", key), fd("inheritFd", jvmFd));
            return this;
        }

        /** Like inheritFd, but {@code criuFd} is an fd number already valid inside the criu process (restoreOver). */
        public Builder inheritCriuFd(String key, int criuFd) {
            inheritCriuFd.put(key("inheritCriuFd", key), fd("inheritCriuFd", criuFd));
            return this;
        }

        /** Cgroup root for a controller ("" or null: all controllers). */
        public Builder cgRoot(String controller, String path) {
            cgRoot.put(controller == null ? "" : controller, value("cgRoot", path));
            return this;
        }

        public Builder manageCgroupsMode(Rpc.criu_cg_mode mode) {
            if (mode == null) throw bad("manageCgroupsMode", "must not be null");
            manageCgroupsMode = mode;
            return this;
        }

        /** Freeze the tree with this freezer cgroup instead of ptrace-stopping task by task. */
        public Builder freezeCgroup(String path) { freezeCgroup = value("freezeCgroup", path); return this; }

        public Builder networkLock(Rpc.criu_network_lock_method m) {
            if (m == null) throw bad("networkLock", "must not be null");
            networkLock = m;
            return this;
        }

        /** Send pages to (dump) or listen as (page server) this address and TCP port. */
        public Builder pageServer(String address, int port) {
            if (port < 0 || port > 65535) throw bad("pageServer", "port must be 0..65535, got " + port);
            pageServerAddress = address == null ? null : value("pageServer", address);
            pageServerPort = port;
            return this;
        }

        /** A connected socket (JVM fd) CRIU uses for the page-server protocol instead of dialling. */
        public Builder pageServerFd(int jvmFd) { pageServerJvmFd = fd("pageServerFd", jvmFd); return this; }

        /** CLONE_NEW* flags of namespaces CRIU should restore empty (e.g. CLONE_NEWNET). */
        public Builder emptyNs(int cloneFlags) {
            if (cloneFlags < 0) throw bad("emptyNs", "flags must be >= 0");
            emptyNs = cloneFlags;
            return this;
        }

        public Builder preDumpMode(Rpc.criu_pre_dump_mode m) {
            if (m == null) throw bad("preDumpMode", "must not be null");
            preDumpMode = m;
            return this;
        }

        public Builder tls(boolean v) { tls = v; return this; }
        public Builder tlsNoCnVerify(boolean v) { tlsNoCnVerify = v; return this; }
        public Builder tlsCacert(Path p) { tlsCacert = file("tlsCacert", p); return this; }
        public Builder tlsCacrl(Path p) { tlsCacrl = file("tlsCacrl", p); return this; }
        public Builder tlsCert(Path p) { tlsCert = file("tlsCert", p); return this; }
        public Builder tlsKey(Path p) { tlsKey = file("tlsKey", p); return this; }

        /** A CRIU configuration file read in addition to the request (e.g. "address 127.0.0.1" for lazy pages). */
        public Builder configFile(Path p) { configFile = file("configFile", p); return this; }

        /** Restore: veth pair, in-container name -> host name. */
        public Builder veth(String ifIn, String ifOut) {
            veths.put(key("veth", ifIn), value("veth", ifOut));
            return this;
        }

        /** CRIU's own timeout for collecting/freezing the tree (whole seconds, at least 1). */
        public Builder timeout(Duration t) {
            if (t == null || t.isNegative() || t.isZero()) throw bad("timeout", "must be positive, got " + t);
            timeout = t;
            return this;
        }

        public Builder skipMnt(String mountPoint) { skipMnt.add(value("skipMnt", mountPoint)); return this; }
        public Builder enableFs(String fs) { enableFs.add(value("enableFs", fs)); return this; }
        public Builder lsmProfile(String p) { lsmProfile = value("lsmProfile", p); return this; }

        public CriuOptions build() {
            if (lazyPages && pageServerJvmFd < 0 && pageServerPort == 0 && pageServerAddress != null) {
                throw bad("lazyPages", "a page server address needs a port");
            }
            return new CriuOptions(this);
        }
    }
}
