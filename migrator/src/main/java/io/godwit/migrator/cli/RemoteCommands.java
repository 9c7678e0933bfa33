package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code godwit remote add|list|remove} and {@code godwit trust token}: pairing daemons. */
@Command(name = "remote", mixinStandardHelpOptions = true, description = "Manage the peer daemons this one can move to.",
        subcommands = {RemoteCommands.Add.class, RemoteCommands.ListRemotes.class, RemoteCommands.Remove.class})
final class RemoteCommands extends GroupCommand {
    static final int DEFAULT_PORT = 8443;

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Pair with a remote daemon, both ways, using a token from 'godwit trust token' run there."})
    static final class Add extends BaseCommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", paramLabel = "ADDRESS[:PORT]", description = "The remote's TLS address (port 8443 if omitted).")
        String address;
        @Option(names = "--token", required = true, paramLabel = "T", description = "One-time trust token from the remote.")
        String token;
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            JsonNode r = client.post("/1.0/remotes",
                    DaemonClient.body("name", name, "address", withPort(address), "token", token)).json();
            if (format.json()) {
                printJson(r);
            } else {
                out().printf("Added remote %s at %s (fingerprint %s)%n", Fmt.text(r.path("name")),
                        Fmt.text(r.path("address")), Fmt.text(r.path("fingerprint")));
                out().flush();
            }
            return ExitCodes.OK;
        }

        /** "10.0.0.2" → "10.0.0.2:8443"; bracketed IPv6 "[fd00::2]" likewise; a port given stays. */
        String withPort(String a) {
            boolean hasPort = a.startsWith("[") ? a.matches("\\[.*]:\\d+") : a.matches("[^:]+:\\d+");
            if (hasPort) {
                return a;
            }
            if (a.isEmpty() || (!a.startsWith("[") && a.contains(":"))) {
                throw usage("ADDRESS wants HOST[:PORT] (IPv6 in brackets), got '" + a + "'");
            }
            return a + ":" + DEFAULT_PORT;
        }
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List remotes.")
    static final class ListRemotes extends BaseCommand {
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            return printTable(client.get("/1.0/remotes").json(), format, new Table("NAME", "ADDRESS", "FINGERPRINT"),
                    r -> new Object[] {Fmt.text(r.path("name")), Fmt.text(r.path("address")), Fmt.text(r.path("fingerprint"))});
        }
    }

    @Command(name = "remove", aliases = "rm", mixinStandardHelpOptions = true,
            description = {"Forget a remote and unpair: it is asked to stop trusting this daemon too.",
                    "When it does not answer it is forgotten here all the same, and a warning says so."})
    static final class Remove extends BaseCommand {
        @Parameters(paramLabel = "NAME") String name;
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            JsonNode r = client.delete(path("/1.0/remotes", name)).json();
            if (format.json()) {
                printJson(r);
            } else if (r.path("otherSideToo").asBoolean()) {
                out().println("Removed " + name + "; " + r.path("detail").asText());
            } else {
                out().println("Removed " + name + " here");
                err().println("warning: " + r.path("detail").asText());
                err().flush();
            }
            out().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "trust", mixinStandardHelpOptions = true,
            description = "Who may talk to this daemon over TLS: pair with tokens, list, revoke.",
            subcommands = {Token.class, TrustList.class, Revoke.class})
    static final class Trust extends GroupCommand {
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
            description = "Every certificate this daemon trusts: paired daemons and clients, with their role.")
    static final class TrustList extends BaseCommand {
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            return printTable(client.get("/1.0/trust").json(), format,
                    new Table("NAME", "ROLE", "REMOTE", "ADDED", "FINGERPRINT"),
                    t -> new Object[] {Fmt.text(t.path("name")), Fmt.text(t.path("role")), Fmt.text(t.path("remote")),
                        Fmt.time(t.path("addedAt")), Fmt.text(t.path("fingerprint"))});
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Stop trusting a certificate (and forget the remotes that use it): its next call is refused.")
    static final class Revoke extends BaseCommand {
        @Parameters(paramLabel = "FINGERPRINT") String fingerprint;

        @Override
        int run(DaemonClient client) throws IOException {
            client.delete(path("/1.0/trust", fingerprint));
            out().println("Revoked " + fingerprint);
            out().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = "Print a one-time token (valid 10 minutes) for 'godwit remote add' on another host.")
    static final class Token extends BaseCommand {
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            JsonNode t = client.post("/1.0/trust/tokens", null).json();
            if (format.json()) {
                printJson(t);
            } else {
                out().println(t.path("token").asText());
                out().flush();
            }
            return ExitCodes.OK;
        }
    }
}
