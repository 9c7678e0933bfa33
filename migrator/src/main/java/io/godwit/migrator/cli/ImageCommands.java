package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code godwit image import|list|info|export|alias|delete}: images to create containers from. */
@Command(name = "image", mixinStandardHelpOptions = true,
        description = "Manage images: root filesystems and OCI/Docker images.",
        subcommands = {ImageCommands.Import.class, ImageCommands.ListImages.class, ImageCommands.Info.class,
            ImageCommands.Export.class, ImageCommands.Alias.class, ImageCommands.Delete.class})
final class ImageCommands extends GroupCommand {

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Import an image named ALIAS from PATH: a root filesystem (directory or tarball), an OCI "
                    + "image layout directory, an OCI archive or a docker-archive (podman save, skopeo copy, "
                    + "docker save).",
                "An OCI/Docker image's Entrypoint, Cmd, Env, WorkingDir and User become the defaults of "
                    + "containers launched from it without a command. The same content imported again keeps its "
                    + "other aliases."})
    static final class Import extends BaseCommand {
        @Parameters(index = "0", paramLabel = "ALIAS") String alias;
        @Parameters(index = "1", paramLabel = "PATH", description = "A directory, tarball or image archive.")
        Path path;
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            // The daemon resolves the path on its own, so send it absolute: its cwd is not ours.
            String abs = path.toAbsolutePath().normalize().toString();
            JsonNode image = client.post("/1.0/images", DaemonClient.body("alias", alias, "path", abs)).json();
            printImage(this, image, format, "Imported");
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List images.")
    static final class ListImages extends BaseCommand {
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            return printTable(client.get("/1.0/images").json(), format,
                    new Table("ALIASES", "FINGERPRINT", "SIZE", "COMMAND", "IMPORTED"),
                    i -> new Object[] {aliases(i), shortFingerprint(i.path("fingerprint")),
                        Fmt.bytes(i.path("sizeBytes")), command(i), Fmt.time(i.path("importedAt"))});
        }
    }

    @Command(name = "info", aliases = "show", mixinStandardHelpOptions = true,
            description = "Show an image: fingerprint, aliases, size and the defaults of its OCI config.")
    static final class Info extends BaseCommand {
        @Parameters(paramLabel = "IMAGE", description = "Alias or fingerprint.") String image;
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            JsonNode i = client.get(path("/1.0/images", image)).json();
            if (format.json()) {
                printJson(i);
                return ExitCodes.OK;
            }
            out().printf("Fingerprint: %s%n", Fmt.text(i.path("fingerprint")));
            out().printf("Aliases:     %s%n", aliases(i));
            out().printf("Size:        %s%n", Fmt.bytes(i.path("sizeBytes")));
            out().printf("Imported:    %s%n", Fmt.time(i.path("importedAt")));
            JsonNode c = i.path("config");
            if (c.isObject()) {
                out().printf("Entrypoint:  %s%n", joined(c.path("entrypoint")));
                out().printf("Cmd:         %s%n", joined(c.path("cmd")));
                out().printf("Env:         %s%n", joined(c.path("env")));
                out().printf("WorkingDir:  %s%n", c.path("workingDir").asText("-"));
                out().printf("User:        %s%n", c.path("user").asText("-"));
            } else {
                out().println("Config:      none (a root filesystem: launch needs a command)");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write an image as an OCI archive to FILE (on the daemon's host), which `image import`, "
                    + "skopeo (oci-archive:FILE) and podman load read.")
    static final class Export extends BaseCommand {
        @Parameters(index = "0", paramLabel = "IMAGE", description = "Alias or fingerprint.") String image;
        @Parameters(index = "1", paramLabel = "FILE") Path file;
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            String abs = file.toAbsolutePath().normalize().toString();
            JsonNode r = client.post(path("/1.0/images", image, "export"), DaemonClient.body("path", abs)).json();
            if (format.json()) {
                printJson(r);
            } else {
                out().printf("Exported %s to %s (%s)%n", image, Fmt.text(r.path("path")), Fmt.bytes(r.path("bytes")));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "alias", mixinStandardHelpOptions = true, description = "Add or remove an image's aliases.",
            subcommands = {Alias.Add.class, Alias.Remove.class})
    static final class Alias extends GroupCommand {

        @Command(name = "add", mixinStandardHelpOptions = true,
                description = "Give IMAGE the alias ALIAS too (taken from the image that had it).")
        static final class Add extends BaseCommand {
            @Parameters(index = "0", paramLabel = "IMAGE", description = "Alias or fingerprint.") String image;
            @Parameters(index = "1", paramLabel = "ALIAS") String alias;

            @Override
            int run(DaemonClient client) throws IOException {
                JsonNode i = client.post(path("/1.0/images", image, "aliases"), DaemonClient.body("alias", alias)).json();
                out().printf("%s: %s%n", shortFingerprint(i.path("fingerprint")), aliases(i));
                return ExitCodes.OK;
            }
        }

        @Command(name = "remove", aliases = "rm", mixinStandardHelpOptions = true,
                description = "Take the alias ALIAS away; the image stays (under its fingerprint and other aliases).")
        static final class Remove extends BaseCommand {
            @Parameters(index = "0", paramLabel = "ALIAS") String alias;

            @Override
            int run(DaemonClient client) throws IOException {
                JsonNode i = client.delete(path("/1.0/images", alias, "aliases", alias)).json();
                out().printf("%s: %s%n", shortFingerprint(i.path("fingerprint")), aliases(i));
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "delete", aliases = "rm", mixinStandardHelpOptions = true,
            description = "Delete an image (refused while a container uses it).")
    static final class Delete extends BaseCommand {
        @Parameters(paramLabel = "ALIAS", description = "Alias or fingerprint.") String alias;

        @Override
        int run(DaemonClient client) throws IOException {
            client.delete(path("/1.0/images", alias));
            return ExitCodes.OK;
        }
    }

    /** {@code godwit publish CONTAINER --alias NAME}: a stopped container's tree as a new image, as lxc publish. */
    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = "Make an image of a stopped container: its image with its changes, under ALIAS, keeping "
                    + "the defaults of the image it came from.")
    static final class Publish extends BaseCommand {
        @Parameters(paramLabel = "CONTAINER") String container;
        @Option(names = "--alias", required = true, paramLabel = "ALIAS", description = "The new image's alias.")
        String alias;
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            JsonNode image = client.post(containerPath(container, "publish"), DaemonClient.body("alias", alias)).json();
            printImage(this, image, format, "Published " + container + " as");
            return ExitCodes.OK;
        }
    }

    static void printImage(BaseCommand cmd, JsonNode image, Format format, String verb) {
        if (format.json()) {
            cmd.printJson(image);
        } else {
            cmd.out().printf("%s %s (%s, %s)%n", verb, aliases(image), shortFingerprint(image.path("fingerprint")),
                    Fmt.bytes(image.path("sizeBytes")));
        }
    }

    static String aliases(JsonNode image) {
        List<String> out = new ArrayList<>();
        image.path("aliases").forEach(a -> out.add(a.asText()));
        if (out.isEmpty() && image.path("alias").isTextual()) {
            out.add(image.path("alias").asText());
        }
        return out.isEmpty() ? "-" : String.join(", ", out);
    }

    private static String command(JsonNode image) {
        JsonNode c = image.path("config");
        if (!c.isObject()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        c.path("entrypoint").forEach(p -> parts.add(p.asText()));
        c.path("cmd").forEach(p -> parts.add(p.asText()));
        String s = parts.isEmpty() ? "-" : String.join(" ", parts);
        return s.length() > 40 ? s.substring(0, 39) + "…" : s;
    }

    private static String joined(JsonNode array) {
        List<String> parts = new ArrayList<>();
        array.forEach(p -> parts.add(p.asText()));
        return parts.isEmpty() ? "-" : String.join(" ", parts);
    }

    /** Twelve hex digits identify an image well enough on screen, like git's short hashes. */
    static String shortFingerprint(JsonNode fp) {
        String s = Fmt.text(fp);
        return s.length() > 12 ? s.substring(0, 12) : s;
    }
}
