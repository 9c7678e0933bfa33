package io.godwit.runtime.net;

/**
 * A container's veth pair: the host end's name and the name inside (eth0). CRIU needs it as a
 * veth pair option ({@code veths {if_in: containerIf, if_out: hostIf}}) on restore.
 */
public record BridgeAttachment(String containerName, String bridge, String hostIf, String containerIf,
        String addressCidr) {
}
