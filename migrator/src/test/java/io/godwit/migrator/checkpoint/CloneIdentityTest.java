package io.godwit.migrator.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.godwit.runtime.ContainerSpec;
import io.godwit.runtime.NetworkSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each clone of one checkpoint: its own host name, address (bridged) and seed. */
class CloneIdentityTest {
    private final ContainerSpec template = ContainerSpec.of("jvm", List.of("/opt/java/bin/java")).withDefaults("svc");
    private final ContainerSpec bridged = template.withNetwork(new NetworkSpec("bridge", "gwbr0", "10.9.0.2/24", "10.9.0.1"));

    @Test
    void theCloneIsNamedForItselfNotItsTemplate() {
        assertEquals("svc", template.hostname());
        ContainerSpec spec = CloneIdentity.fresh("web-1", "svc", "ck1", null).specFrom(template);
        assertEquals("web-1", spec.hostname());
        assertEquals(template.command(), spec.command());
        assertEquals(template.network(), spec.network());
    }

    @Test
    void everyCloneGetsAFreshSeedAndTheFileSaysWhoItIs() {
        CloneIdentity a = CloneIdentity.fresh("web-1", "svc", "ck1", null);
        CloneIdentity b = CloneIdentity.fresh("web-2", "svc", "ck1", null);
        assertNotEquals(a.seed(), b.seed());
        assertTrue(a.seed().matches("[0-9a-f]{64}"), a.seed());
        String text = new String(a.fileText(), StandardCharsets.UTF_8);
        assertTrue(text.startsWith("name=web-1\nsource=svc\ncheckpoint=ck1\nseed=" + a.seed() + "\nrestored-at="), text);
        assertTrue(text.endsWith("\n") && !text.contains("address="), text);
    }

    @Test
    void aBridgedTemplateNeedsAnAddressPerClone() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CloneIdentity.fresh("web-1", "svc", "ck1", null).specFrom(bridged));
        assertTrue(e.getMessage().contains("own address"), e.getMessage());
        CloneIdentity c = CloneIdentity.fresh("web-1", "svc", "ck1", "10.9.0.11/24");
        ContainerSpec spec = c.specFrom(bridged);
        assertEquals(new NetworkSpec("bridge", "gwbr0", "10.9.0.11/24", "10.9.0.1"), spec.network());
        assertTrue(new String(c.fileText(), StandardCharsets.UTF_8).contains("address=10.9.0.11/24\n"));
    }

    @Test
    void anAddressWithoutABridgeIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> CloneIdentity.fresh("web-1", "svc", "ck1", "10.9.0.11/24").specFrom(template));
    }
}
