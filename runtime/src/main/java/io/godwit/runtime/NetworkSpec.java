package io.godwit.runtime;

/** "none": loopback only in the container's own network namespace; "bridge": a veth on a host bridge. */
public record NetworkSpec(String mode, String bridge, String address, String gateway) {
    public static final NetworkSpec NONE = new NetworkSpec("none", null, null, null);

    public boolean isBridge() {
        return "bridge".equals(mode);
    }
}
