package io.godwit.runtime.net;

import io.godwit.runtime.HostCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Bridge networking with iproute2. The host end of a container's veth pair is "gw" + the first 8
 * hex digits of SHA-256(container name), so it is stable across daemon restarts and restores (CRIU
 * needs the same name back in its veth option) and fits IFNAMSIZ (15). The peer is created as
 * "gp" + the same digits on the host and renamed to eth0 once inside the container's namespace,
 * because eth0 usually exists on the host already.
 */
public final class IpRouteNetworkSetup implements NetworkSetup {

    static final String CONTAINER_IF = "eth0";
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern IPV4_CIDR = Pattern.compile("(\\d{1,3}(\\.\\d{1,3}){3})/(\\d{1,2})");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    @Override
    public BridgeAttachment attach(String containerName, int initPid, BridgeConfig config) throws IOException {
        validate(config);
        if (initPid <= 0) {
            throw new IllegalArgumentException("bad init pid " + initPid);
        }
        String hash = shortHash(containerName);
        String hostIf = "gw" + hash;
        String peer = "gp" + hash;
        String prefix = IPV4_CIDR.matcher(config.addressCidr()).replaceAll("$3");
        ensureBridge(config.bridge(), config.gateway() + "/" + prefix);
        ip("link", "add", hostIf, "type", "veth", "peer", "name", peer);
        try {
            ip("link", "set", peer, "netns", Integer.toString(initPid));
            ip("link", "set", hostIf, "master", config.bridge());
            ip("link", "set", hostIf, "up");
            ipIn(initPid, "link", "set", peer, "name", CONTAINER_IF);
            ipIn(initPid, "addr", "add", config.addressCidr(), "dev", CONTAINER_IF);
            ipIn(initPid, "link", "set", CONTAINER_IF, "up");
            ipIn(initPid, "link", "set", "lo", "up");
            ipIn(initPid, "route", "replace", "default", "via", config.gateway());
            forgetNeighbour(config);
        } catch (IOException | RuntimeException e) {
            // Deleting one end deletes the pair, wherever the other end went.
            HostCommand.Result undo = tryIp("link", "del", hostIf);
            if (!undo.ok()) {
                e.addSuppressed(undo.failure());
            }
            throw e;
        }
        return new BridgeAttachment(containerName, config.bridge(), hostIf, CONTAINER_IF, config.addressCidr());
    }

    @Override
    public BridgeAttachment adoptRestored(String containerName, BridgeConfig config) throws IOException {
        validate(config);
        String hostIf = hostInterfaceName(containerName);
        String prefix = IPV4_CIDR.matcher(config.addressCidr()).replaceAll("$3");
        ensureBridge(config.bridge(), config.gateway() + "/" + prefix);
        ip("link", "set", hostIf, "master", config.bridge());
        ip("link", "set", hostIf, "up");
        forgetNeighbour(config);
        return new BridgeAttachment(containerName, config.bridge(), hostIf, CONTAINER_IF, config.addressCidr());
    }

    /**
     * The host may still hold a neighbour entry for this address with the MAC of an earlier holder
     * (a deleted container, a clone before): it would send there for seconds (until the entry's
     * delay and probes run out) before it asks again. Forget it; no entry is fine.
     */
    private static void forgetNeighbour(BridgeConfig config) throws IOException {
        String address = IPV4_CIDR.matcher(config.addressCidr()).replaceAll("$1");
        tryIp("neigh", "flush", "to", address, "dev", config.bridge());
    }

    @Override
    public void readdress(int pid, BridgeConfig config) throws IOException {
        validate(config);
        // flushing the old address takes the routes through it: the default route is put back
        ipIn(pid, "addr", "flush", "dev", CONTAINER_IF, "scope", "global");
        ipIn(pid, "addr", "add", config.addressCidr(), "dev", CONTAINER_IF);
        ipIn(pid, "route", "replace", "default", "via", config.gateway());
    }

    @Override
    public void detach(BridgeAttachment attachment) throws IOException {
        deleteLinkIfPresent(attachment.hostIf());
    }

    /** Removes a bridge (for tests and for tearing down a network); absent is fine. */
    public void removeBridge(String bridge) throws IOException {
        requireIfName(bridge);
        deleteLinkIfPresent(bridge);
    }

    /** The host-side veth name this class gives a container. */
    @Override
    public String hostInterfaceName(String containerName) {
        return hostIfName(containerName);
    }

    static String hostIfName(String containerName) {
        return "gw" + shortHash(containerName);
    }

    private static void deleteLinkIfPresent(String name) throws IOException {
        if (tryIp("link", "show", "dev", name).ok()) {
            HostCommand.Result r = tryIp("link", "del", name);
            // Gone in between (the container's netns died and took the pair with it) is fine.
            if (!r.ok() && tryIp("link", "show", "dev", name).ok()) {
                throw r.failure();
            }
        }
    }

    /** Creates the bridge with the gateway address if missing; adds the address and brings it up if not. */
    private static void ensureBridge(String bridge, String gatewayCidr) throws IOException {
        if (!tryIp("link", "show", "dev", bridge).ok()) {
            HostCommand.Result add = tryIp("link", "add", bridge, "type", "bridge");
            // Another attach may have created it a moment ago.
            if (!add.ok() && !tryIp("link", "show", "dev", bridge).ok()) {
                throw add.failure();
            }
        }
        String addresses = ip("-o", "-4", "addr", "show", "dev", bridge);
        if (!addresses.contains(" " + gatewayCidr + " ")) {
            ip("addr", "add", gatewayCidr, "dev", bridge);
        }
        ip("link", "set", bridge, "up");
    }

    // iproute2 through HostCommand: a link operation that hangs for half a minute is stuck.
    private static final Duration IP_TIMEOUT = Duration.ofSeconds(30);

    static String ip(String... args) throws IOException {
        return HostCommand.run(ipCommand(List.of(), args), IP_TIMEOUT);
    }

    /** {@code ip ARGS} inside the network namespace of {@code pid}, through nsenter. */
    static String ipIn(int pid, String... args) throws IOException {
        return HostCommand.run(ipCommand(List.of("nsenter", "-t", Integer.toString(pid), "-n"), args), IP_TIMEOUT);
    }

    static HostCommand.Result tryIp(String... args) throws IOException {
        return HostCommand.attempt(ipCommand(List.of(), args), IP_TIMEOUT);
    }

    private static List<String> ipCommand(List<String> prefix, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.add("ip");
        command.addAll(List.of(args));
        return command;
    }

    private static void validate(BridgeConfig config) {
        requireIfName(config.bridge());
        if (config.addressCidr() == null || !IPV4_CIDR.matcher(config.addressCidr()).matches()) {
            throw new IllegalArgumentException("container address must be IPv4 CIDR like 10.0.3.2/24: "
                    + config.addressCidr());
        }
        if (config.gateway() == null || !IPV4.matcher(config.gateway()).matches()) {
            throw new IllegalArgumentException("gateway must be an IPv4 address: " + config.gateway());
        }
    }

    private static void requireIfName(String name) {
        if (name == null || !IFNAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad interface name '" + name + "': 1-15 of [A-Za-z0-9_.-]");
        }
    }

    private static String shortHash(String containerName) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(containerName.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
