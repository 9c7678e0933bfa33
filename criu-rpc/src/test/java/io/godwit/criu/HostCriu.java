package io.godwit.criu;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CRIU of the machine the tests run on, started as the daemon would start it here: the
 * breakpoint probe runs once per test JVM and its verdict goes into every client's launch.
 */
final class HostCriu {
    private static CriuLaunch launch;
    private static BreakpointProbe.Result probed;

    private HostCriu() {}

    static synchronized BreakpointProbe.Result probe() throws Exception {
        if (probed == null) {
            Path dir = Files.createTempDirectory("godwit-criu-probe-");
            probed = new BreakpointProbe(Path.of("criu"), dir).run();
        }
        return probed;
    }

    static synchronized CriuLaunch launch() throws Exception {
        if (launch == null) {
            launch = CriuLaunch.defaults().withHardwareBreakpoints(probe().verdict() == BreakpointProbe.Verdict.DELIVERED);
        }
        return launch;
    }

    static CriuClient client() {
        try {
            return new CriuClient(Path.of("criu"), launch());
        } catch (Exception e) {
            throw new IllegalStateException("cannot probe this host's CRIU: " + e, e);
        }
    }
}
