package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** godwit version: this client's version, and the daemon's, its API's and its CRIU's. */
@Command(name = "version", mixinStandardHelpOptions = true,
        description = {"Show the versions of this client, of godwitd, of its API and of the CRIU it drives.",
                "The client's version is printed even when the daemon cannot be reached (exit 5 then)."})
final class VersionCommand extends BaseCommand {
    @Mixin Format format;

    @Override
    int run(DaemonClient client) throws IOException {
        String mine = new GodwitCli.Version().getVersion()[0].replaceFirst("^godwit ", "");
        if (!format.json()) {
            out().println("client:  " + mine);
            out().flush();
        }
        ApiResponse info = client.get("/1.0");
        JsonNode body = info.json();
        // "api" is in the body since the request path has versions; older daemons say it only in the header
        String api = body.hasNonNull("api") ? body.get("api").asText() : info.header("Godwit-Api-Version");
        JsonNode criu = body.path("criu").path("version");
        ObjectNode v = DaemonClient.json().createObjectNode();
        v.put("client", mine);
        v.put("daemon", body.path("version").asText(null));
        v.put("api", api);
        v.put("criu", criu.isMissingNode() || criu.isNull() ? null : criu.asText());
        if (format.json()) {
            printJson(v);
            return ExitCodes.OK;
        }
        out().println("daemon:  " + Fmt.text(v.path("daemon")));
        out().println("API:     " + Fmt.text(v.path("api")));
        out().println("CRIU:    " + (body.path("criu").path("probing").asBoolean(false) ? "(the daemon is still probing it)"
                : Fmt.text(v.path("criu"))));
        out().flush();
        return ExitCodes.OK;
    }
}
