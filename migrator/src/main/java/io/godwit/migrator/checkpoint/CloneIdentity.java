package io.godwit.migrator.checkpoint;

import io.godwit.criu.CriuNotifications;
import io.godwit.runtime.ContainerRuntime;
import io.godwit.runtime.ContainerName;
import io.godwit.runtime.ContainerSpec;
import io.godwit.runtime.NetworkSpec;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Who one warm-started clone is, so that clones of one checkpoint are safe side by side: its own
 * host name (its container name), its own address when bridged, and a file that tells the
 * application it was restored, written into the clone's rootfs before it resumes (docs/WARM-JVM.md):
 *
 * <pre>
 * /run/godwit/restored   (mode 0644, key=value lines)
 * name=NEW-NAME          the clone's container name, also its host name
 * source=TEMPLATE        the container the checkpoint was taken of
 * checkpoint=ID
 * seed=64 hex digits     fresh random bytes for this clone, from the daemon's SecureRandom
 * restored-at=INSTANT    ISO-8601, UTC
 * address=CIDR           bridged clones only
 * </pre>
 *
 * A process restored from a checkpoint carries its template's random state; one that reads this
 * file when it changes (or on every request, a stat is cheap) re-seeds and renews what must be
 * unique per instance.
 *
 * @param address null, or the clone's own CIDR when the template was bridged
 */
public record CloneIdentity(String name, String source, String checkpoint, String address, String seed,
        Instant restoredAt) {
    /** Where the clone finds {@link #fileText()}. */
    public static final String FILE = "/run/godwit/restored";
    private static final SecureRandom RANDOM = new SecureRandom();

    public static CloneIdentity fresh(String name, String source, String checkpoint, String address) {
        byte[] seed = new byte[32];
        RANDOM.nextBytes(seed);
        return new CloneIdentity(name, source, checkpoint, address, HexFormat.of().formatHex(seed), Instant.now());
    }

    /**
     * The clone's spec: the template's, with the clone's name as host name and, bridged, its own
     * address. A bridged template needs an address per clone, and only a bridged one takes one.
     */
    public ContainerSpec specFrom(ContainerSpec template) {
        NetworkSpec net = template.network() == null ? NetworkSpec.NONE : template.network();
        if (net.bridgeMode() && address == null) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + " is of a bridged container (" + source
                    + " at " + net.address() + "): each clone needs its own address ('addresses', one CIDR per clone)"
                    + ", or the clones would share the template's");
        }
        if (!net.bridgeMode() && address != null) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + " is of a container without bridge"
                    + " networking (" + source + "): 'addresses' has nothing to apply to");
        }
        ContainerSpec spec = template.withHostname(ContainerName.defaultHostname(name));
        return address == null ? spec
                : spec.withNetwork(new NetworkSpec(net.mode(), net.bridge(), address, net.gateway()));
    }

    public byte[] fileText() {
        StringBuilder s = new StringBuilder()
                .append("name=").append(name).append('\n')
                .append("source=").append(source).append('\n')
                .append("checkpoint=").append(checkpoint).append('\n')
                .append("seed=").append(seed).append('\n')
                .append("restored-at=").append(restoredAt).append('\n');
        if (address != null) {
            s.append("address=").append(address).append('\n');
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Between making the clone's container and restoring into it: the file, while nothing runs there. */
    void beforeRestore(ContainerRuntime runtime) throws java.io.IOException {
        runtime.placeFile(name, FILE, fileText());
    }

    /** CRIU's post-restore (every task back, none running yet): host name and address. */
    CriuNotifications notifications(ContainerRuntime runtime) {
        return new CriuNotifications() {
            @Override
            public void postRestore(int pid) throws Exception {
                runtime.takeIdentity(name, pid);
            }
        };
    }
}
