package io.godwit.runtime;

import com.fasterxml.jackson.annotation.JsonIgnore;

/** "none": loopback only in the container's own network namespace; "bridge": a veth on a host bridge. */
public record NetworkSpec(String mode, String bridge, String address, String gateway) {
    public static final NetworkSpec NONE = new NetworkSpec("none", null, null, null);

    @JsonIgnore
    public boolean bridgeMode() {
        return "bridge".equals(mode);
    }
}
