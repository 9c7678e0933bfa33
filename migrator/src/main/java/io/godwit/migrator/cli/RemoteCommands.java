package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code godwit remote add|list|remove} and {@code godwit trust token}: pairing daemons. */
@Command(name = "remote", mixinStandardHelpOptions = true, description = "Manage the peer daemons this one can move to.",
        subcommands = {RemoteCommands.Add.class, RemoteCommands.ListRemotes.class, RemoteCommands.Remove.class,
                RemoteCommands.Login.class})
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

        String withPort(String a) {
            try {
                return withDefaultPort(a);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
    }

    /** "10.0.0.2" → "10.0.0.2:8443"; bracketed IPv6 "[fd00::2]" likewise; a port given stays. */
    static String withDefaultPort(String a) {
        boolean hasPort = a.startsWith("[") ? a.matches("\\[.*]:\\d+") : a.matches("[^:]+:\\d+");
        if (hasPort) {
            return a;
        }
        if (a.isEmpty() || (!a.startsWith("[") && a.contains(":"))) {
            throw new IllegalArgumentException("ADDRESS wants HOST[:PORT] (IPv6 in brackets), got '" + a + "'");
        }
        return a + ":" + DEFAULT_PORT;
    }

    @Command(name = "login", mixinStandardHelpOptions = true,
            description = {"Become a client of a remote daemon, for 'godwit --remote NAME ...'.",
                    "Redeems a client token from 'godwit trust token --client' run there with your own client"
                            + " certificate (made on first use in ~/.config/godwit, or $GODWIT_CONFIG_DIR).",
                    "Pairing daemons for moves ('remote add') does not give access to the other's API; this does."})
    static final class Login extends BaseCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The name to use with --remote.") String name;
        @Parameters(index = "1", arity = "0..1", paramLabel = "ADDRESS[:PORT]",
                description = "The remote's TLS address; if omitted, that of the local daemon's remote NAME.")
        String address;
        @Option(names = "--token", required = true, paramLabel = "T", description = "One-time client token from the remote.")
        String token;
        @Mixin Format format;

        @Override
        int run(DaemonClient local) throws IOException {
            String addr;
            try {
                addr = address != null ? withDefaultPort(address) : addressOfRemote(local);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
            ClientCredentials mine = ClientCredentials.ofUser();
            io.godwit.transfer.PairResult paired;
            try {
                paired = io.godwit.transfer.PeerClient.pair(io.godwit.migrator.peer.PeerLink.parseAddress(addr),
                        mine.identity(), token);
            } catch (io.godwit.migrator.api.ApiException e) {
                throw usage(e.getMessage());
            } catch (IOException e) {
                throw new CliException(ExitCodes.FAILED, "cannot log in to " + name + " at " + addr + ": " + e.getMessage());
            }
            if (!io.godwit.transfer.TrustedPeer.CLIENT.equals(paired.role())) {
                throw new CliException(ExitCodes.FAILED, "that token made this user's certificate a " + paired.role()
                        + " of " + name + ", not a client: ask for 'godwit trust token --client' there (and revoke "
                        + mine.identity().fingerprint() + " there with 'godwit trust revoke')");
            }
            mine.save(new ClientCredentials.Remote(name, addr, paired.serverFingerprint()));
            if (format.json()) {
                printJson(io.godwit.migrator.api.Json.MAPPER.valueToTree(java.util.Map.of("name", name, "address", addr,
                        "fingerprint", paired.serverFingerprint(), "clientFingerprint", mine.identity().fingerprint())));
            } else {
                out().printf("Logged in to %s at %s (fingerprint %s) as client %s%n", name, addr,
                        paired.serverFingerprint(), mine.identity().fingerprint());
                out().flush();
            }
            return ExitCodes.OK;
        }

        private String addressOfRemote(DaemonClient local) throws IOException {
            for (JsonNode r : local.get("/1.0/remotes").json()) {
                if (r.path("name").asText().equals(name)) {
                    return r.path("address").asText();
                }
            }
            throw new IllegalArgumentException("no remote " + name + " on the local daemon: give its ADDRESS");
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
            description = {"Print a one-time token (valid 10 minutes).",
                    "Without --client: for 'godwit remote add' on another daemon, which may then move containers"
                            + " here (not use this daemon's API).",
                    "With --client: for 'godwit remote login' by a user, who may then use this daemon's API."})
    static final class Token extends BaseCommand {
        @Option(names = "--client", description = "A token for a user's CLI (the API), not for a daemon (moves).")
        boolean client;
        @Mixin Format format;

        @Override
        int run(DaemonClient daemon) throws IOException {
            JsonNode t = daemon.post("/1.0/trust/tokens", client ? DaemonClient.body("role", "client") : null).json();
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
