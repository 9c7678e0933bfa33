package io.godwit.migrator.cli;

import io.godwit.migrator.GodwitDaemon;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Writes what a shell and man need, made from the commands themselves (scripts/package runs it):
 * bash completion, zsh completion (the same script through zsh's bashcompinit), and man pages:
 * godwit(1), one godwit-COMMAND(1) per command, godwitd(8).
 */
public final class ShellFiles {
    private ShellFiles() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ShellFiles OUTDIR");
            System.exit(2);
        }
        write(Path.of(args[0]));
    }

    static void write(Path out) throws IOException {
        CommandLine godwit = GodwitCli.commandLine(new GodwitCli());
        String bash = bashCompletion(godwit);
        Files.createDirectories(out.resolve("bash-completion"));
        Files.writeString(out.resolve("bash-completion/godwit"), bash);
        Files.createDirectories(out.resolve("zsh"));
        Files.writeString(out.resolve("zsh/_godwit"), zshCompletion(bash));
        Path man1 = Files.createDirectories(out.resolve("man/man1"));
        String version = "godwit " + GodwitCli.VERSION;
        writePages(godwit, man1, version);
        Path man8 = Files.createDirectories(out.resolve("man/man8"));
        CommandLine daemon = new CommandLine(new GodwitDaemon());
        Files.writeString(man8.resolve("godwitd.8"), ManPage.render(daemon, 8, "godwitd " + GodwitDaemon.VERSION));
    }

    private static void writePages(CommandLine cl, Path dir, String version) throws IOException {
        Files.writeString(dir.resolve(ManPage.name(cl) + ".1"), ManPage.render(cl, 1, version));
        for (CommandLine sub : ManPage.distinctSubcommands(cl)) {
            writePages(sub, dir, version);
        }
    }

    static String bashCompletion(CommandLine godwit) {
        return AutoComplete.bash("godwit", godwit);
    }

    /** zsh runs picocli's bash script through bashcompinit, as picocli's script header says. */
    static String zshCompletion(String bash) {
        return "#compdef godwit\n"
                + "# godwit completion for zsh: the bash completion, through zsh's bashcompinit.\n"
                + "autoload -U +X bashcompinit && bashcompinit\n"
                + bash
                + "\n# the first completion loaded this file; complete it now, later ones call the function directly\n"
                + "_bash_complete -F _complete_godwit \"$@\"\n";
    }
}
