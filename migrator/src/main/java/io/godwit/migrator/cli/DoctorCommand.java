package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * godwit doctor: what the daemon's host probe found, and what each fact means for the user.
 * Exits 1 when this host cannot checkpoint at all.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Show what CRIU can do on the daemon's host and what that means: whether it can checkpoint,"
                + " which move modes work here and why not the others.",
                "Exits 1 when the host cannot checkpoint at all."})
final class DoctorCommand extends BaseCommand {
    @Mixin Format format;

    @Override
    int run(DaemonClient client) throws IOException {
        JsonNode host = client.get("/1.0").json().path("host");
        // a daemon that just started may still be probing (seconds): wait for it, bounded
        for (int i = 0; i < 600 && host.path("probing").asBoolean(false); i++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            host = client.get("/1.0").json().path("host");
        }
        if (host.isMissingNode() || host.isNull() || host.has("probing")) {
            err().println(host.has("probing") ? "godwit doctor: the daemon's host probe "
                    + (host.path("probing").asBoolean() ? "is still running" : "failed (see the daemon's log)")
                    : "godwit doctor: the daemon has no host report (is it older than this client?)");
            return ExitCodes.FAILED;
        }
        boolean can = host.path("canCheckpoint").asBoolean(false);
        if (format.json()) {
            printJson(host);
            return can ? ExitCodes.OK : ExitCodes.FAILED;
        }
        out().println(can ? "This host can checkpoint and restore containers."
                : "This host CANNOT checkpoint containers: " + host.path("facts").path("criuProblem").asText());
        out().println();
        Table facts = new Table("FACT", "VALUE", "OK", "MEANING");
        for (JsonNode f : host.path("findings")) {
            facts.row(f.path("fact").asText(), f.path("value").asText(), f.path("ok").asBoolean() ? "yes" : "NO",
                    f.path("meaning").asText());
        }
        facts.print(out());
        out().println();
        Table modes = new Table("MOVE MODE", "WORKS", "WHY");
        for (Map.Entry<String, JsonNode> m : host.path("moveModes").properties()) {
            modes.row(m.getKey(), m.getValue().path("works").asBoolean() ? "yes" : "no", m.getValue().path("why").asText());
        }
        modes.print(out());
        JsonNode f = host.path("facts");
        out().println();
        out().println("probed " + f.path("probedAt").asText() + " in " + f.path("probeMillis").asLong()
                + " ms (cached until the kernel, CRIU or the boot change)");
        out().flush();
        return can ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
