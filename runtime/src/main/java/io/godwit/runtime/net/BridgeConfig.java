package io.godwit.runtime.net;

/** Bridge network of a container: bridge name, container address in CIDR form, gateway address. */
public record BridgeConfig(String bridge, String addressCidr, String gateway) {
}
