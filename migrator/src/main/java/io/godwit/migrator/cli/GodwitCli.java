package io.godwit.migrator.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.UnmatchedArgumentException;

/** {@code godwit}: the command-line client of godwitd. */
// scope INHERIT: every subcommand gets --help and a working --version from here.
@Command(name = "godwit",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = GodwitCli.Version.class,
        description = "Checkpoint, restore and live-migrate Linux containers (client of godwitd).")
public final class GodwitCli implements Runnable {
    static final String VERSION = "0.1.0-SNAPSHOT";

    /** Every top-level command, in the order {@code godwit --help} lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(
            ImageCommands.class,
            ImageCommands.Publish.class,
            LaunchCommand.class,
            ContainerCommands.ListCmd.class,
            ContainerCommands.Info.class,
            ContainerCommands.Logs.class,
            ContainerCommands.Exec.class,
            StateCommands.Start.class,
            StateCommands.Stop.class,
            StateCommands.Kill.class,
            StateCommands.Pause.class,
            StateCommands.Resume.class,
            ContainerCommands.Delete.class,
            CheckpointCommands.class,
            CheckpointCommands.ListCheckpoints.class,
            CheckpointCommands.Schedules.class,
            CheckpointCommands.Restore.class,
            MoveCommand.class,
            RemoteCommands.class,
            RemoteCommands.Trust.class,
            OperationCommands.ListOps.class,
            OperationCommands.Wait.class,
            OperationCommands.Cancel.class,
            OperationCommands.Events.class,
            DoctorCommand.class,
            VersionCommand.class,
            AliasCommands.class,
            ClusterCommands.class);

    // INHERIT: the options are accepted after any subcommand too ("godwit list --socket X").
    @Option(names = "--socket", paramLabel = "PATH", scope = ScopeType.INHERIT,
            defaultValue = "${env:GODWIT_SOCKET:-/run/godwit/godwit.sock}",
            description = "godwitd's Unix socket (default: $GODWIT_SOCKET, else /run/godwit/godwit.sock).")
    Path socket;

    @Option(names = "--remote", paramLabel = "NAME", scope = ScopeType.INHERIT,
            description = "Run the command on a remote daemon you logged in to ('godwit remote login').")
    String remote;

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT,
            description = "Print nothing on stdout and draw no progress bar: errors still go to stderr, and the"
                    + " exit code tells the outcome. 'list -q' prints the names alone.")
    boolean quiet;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Trace every call to godwitd on stderr (method, path, status, request id, time) and print"
                    + " the stack trace of an internal error.")
    boolean debug;

    @Spec
    CommandSpec spec;

    /** The client's own files (aliases, client certificate); tests point it elsewhere. */
    Path configDir = ClientCredentials.defaultDir();

    /** Whether long work draws a progress bar; tests turn it on to see it. */
    boolean progress = ProgressBar.terminal();

    /** Where a container's own bytes go ({@code exec}'s output): as they are, not through a text writer. */
    java.io.OutputStream stdout = System.out;
    java.io.OutputStream stderr = System.err;

    /** A progress bar only where one can be seen and was not asked away. */
    boolean showProgress() {
        return progress && !quiet;
    }

    @Override
    public void run() {
        // "godwit" alone: a usage error, like any other missing subcommand.
        throw new ParameterException(spec.commandLine(), "missing command");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs one command line with the real stdout and stderr; returns the exit code. */
    public static int execute(String... args) {
        GodwitCli cli = new GodwitCli();
        String[] expanded;
        try {
            expanded = withAliases(cli, args);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("godwit: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        return commandLine(cli, expanded).execute(expanded);
    }

    /** The command line with the user's alias expanded ('godwit alias'); the file is read only if it exists. */
    static String[] withAliases(GodwitCli cli, String[] args) throws IOException {
        java.util.Map<String, String> aliases = new Aliases(cli.configDir).load();
        return aliases.isEmpty() ? args : Aliases.expand(args, aliases);
    }

    /** Whether a word names a top-level command or one of its aliases. */
    static boolean isCommand(String word) {
        return SUBCOMMANDS.stream().anyMatch(c -> CommandWord.names(c).contains(word));
    }

    /** The whole command tree: for help, completion and tests that walk every command. */
    static CommandLine commandLine(GodwitCli cli) {
        return configure(new CommandLine(cli), SUBCOMMANDS);
    }

    /**
     * The command tree that running {@code args} needs. Building picocli's model of a command costs
     * reflection over its fields and those of all its subcommands, and the whole tree was most of
     * the CLI's start; so when the first word names a command, only that command is built. Without
     * one (help, a typo that deserves suggestions) the whole tree is.
     */
    static CommandLine commandLine(GodwitCli cli, String... args) {
        List<Class<?>> needed = CommandWord.of(args)
                .flatMap(word -> SUBCOMMANDS.stream().filter(c -> CommandWord.names(c).contains(word)).findFirst())
                .<List<Class<?>>>map(List::of)
                .orElse(SUBCOMMANDS);
        return configure(new CommandLine(cli), needed);
    }

    private static CommandLine configure(CommandLine cl, List<Class<?>> subcommands) {
        for (Class<?> c : subcommands) {
            cl.addSubcommand(c);
        }
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(new Errors());
        cl.setParameterExceptionHandler(new UsageErrors());
        // The exit-code table belongs to the top command only; subcommands stay short.
        cl.getCommandSpec().usageMessage().footer(ExitCodes.FOOTER);
        return cl;
    }

    /** Runs with the given writers; what tests use. */
    static int execute(GodwitCli cli, PrintWriter out, PrintWriter err, String... args) {
        int code;
        try {
            String[] expanded = withAliases(cli, args);
            CommandLine cl = commandLine(cli, expanded);
            cl.setOut(out);
            cl.setErr(err);
            code = cl.execute(expanded);
        } catch (IOException | IllegalArgumentException e) {
            err.println("godwit: " + e.getMessage());
            code = ExitCodes.USAGE;
        }
        out.flush();
        err.flush();
        return code;
    }

    /** Maps what a command threw to "godwit: MESSAGE" on stderr and an exit code. */
    static final class Errors implements IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cl, ParseResult parsed) {
            PrintWriter err = cl.getErr();
            int code;
            switch (e) {
                case ApiException a -> {
                    err.println("godwit: " + a.getMessage());
                    code = ExitCodes.forStatus(a.status());
                }
                case CliException c -> {
                    err.println("godwit: " + c.getMessage());
                    code = c.exitCode();
                }
                case DaemonUnreachableException d -> {
                    err.println("godwit: " + d.getMessage());
                    err.println("hint: " + d.hint());
                    code = ExitCodes.UNREACHABLE;
                }
                case IOException io -> {
                    err.println("godwit: talking to godwitd: " + (io.getMessage() == null ? io : io.getMessage()));
                    code = ExitCodes.FAILED;
                }
                default -> {
                    err.println("godwit: internal error: " + e);
                    if (System.getenv("GODWIT_DEBUG") != null || debug(cl)) {
                        e.printStackTrace(err);
                    }
                    code = ExitCodes.FAILED;
                }
            }
            if (debug(cl) && (e instanceof ApiException || e instanceof CliException || e instanceof IOException)) {
                e.printStackTrace(err);
            }
            err.flush();
            return code;
        }
    }

    private static boolean debug(CommandLine cl) {
        return cl.getCommandSpec().root().userObject() instanceof GodwitCli g && g.debug;
    }

    /** Usage errors: one line saying what is wrong and where the help is, not the whole help. */
    static final class UsageErrors implements IParameterExceptionHandler {
        @Override
        public int handleParseException(ParameterException ex, String[] args) {
            CommandLine cl = ex.getCommandLine();
            PrintWriter err = cl.getErr();
            err.println("godwit: " + ex.getMessage());
            UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Run '" + cl.getCommandSpec().qualifiedName() + " --help' for usage.");
            err.flush();
            return ExitCodes.USAGE;
        }
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = GodwitCli.class.getPackage().getImplementationVersion();
            return new String[] {"godwit " + (v == null ? VERSION : v)};
        }
    }
}
