package io.godwit.runtime.net;

import java.io.IOException;

/**
 * Host-side networking of containers, set up with iproute2. Mode none needs nothing (the container's
 * own network namespace has loopback only); mode bridge joins it to a host bridge with a veth pair.
 */
public interface NetworkSetup {

    /**
     * Creates a veth pair, moves one end into the network namespace of {@code initPid}, names it eth0
     * inside, gives it {@code config.address()} and a default route via the bridge, and attaches the
     * host end to the bridge (created if missing, with {@code config.gateway()} as its address).
     */
    BridgeAttachment attach(String containerName, int initPid, BridgeConfig config) throws IOException;

    /**
     * The host end of a restored container's pair: CRIU recreated the pair and left this end, named
     * {@link #hostInterfaceName}, in our namespace (the container's end kept its address). Joins it
     * to the bridge (created if missing) and brings it up.
     */
    BridgeAttachment adoptRestored(String containerName, BridgeConfig config) throws IOException;

    /**
     * Inside the network namespace of {@code pid} (a restored clone that does not run yet): eth0's
     * addresses replaced by {@code config.address()}, and the default route via the gateway again.
     */
    void readdress(int pid, BridgeConfig config) throws IOException;

    /** The name of a container's host-side veth end; CRIU restores the pair under it. */
    String hostInterfaceName(String containerName);

    /** Removes the host end (and so the pair); safe to call twice. */
    void detach(BridgeAttachment attachment) throws IOException;
}
