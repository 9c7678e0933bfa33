package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code godwit image import|list|delete}: root filesystem images to create containers from. */
@Command(name = "image", mixinStandardHelpOptions = true,
        description = "Manage root filesystem images.",
        subcommands = {ImageCommands.Import.class, ImageCommands.ListImages.class, ImageCommands.Delete.class})
final class ImageCommands extends GroupCommand {

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import a directory or tarball as an image named ALIAS.")
    static final class Import extends BaseCommand {
        @Parameters(index = "0", paramLabel = "ALIAS") String alias;
        @Parameters(index = "1", paramLabel = "PATH", description = "A root filesystem directory or a tarball.")
        Path path;
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            // The daemon resolves the path on its own, so send it absolute: its cwd is not ours.
            String abs = path.toAbsolutePath().normalize().toString();
            JsonNode image = client.post("/1.0/images", DaemonClient.body("alias", alias, "path", abs)).json();
            if (format.json()) {
                printJson(image);
            } else {
                out().printf("Imported %s (%s, %s)%n", Fmt.text(image.path("alias")),
                        shortFingerprint(image.path("fingerprint")), Fmt.bytes(image.path("sizeBytes")));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List images.")
    static final class ListImages extends BaseCommand {
        @Mixin Format format;

        @Override
        int run(DaemonClient client) throws IOException {
            return printTable(client.get("/1.0/images").json(), format,
                    new Table("ALIAS", "FINGERPRINT", "SIZE", "IMPORTED"),
                    i -> new Object[] {Fmt.text(i.path("alias")), shortFingerprint(i.path("fingerprint")),
                        Fmt.bytes(i.path("sizeBytes")), Fmt.time(i.path("importedAt"))});
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

    /** Twelve hex digits identify an image well enough on screen, like git's short hashes. */
    static String shortFingerprint(JsonNode fp) {
        String s = Fmt.text(fp);
        return s.length() > 12 ? s.substring(0, 12) : s;
    }
}
