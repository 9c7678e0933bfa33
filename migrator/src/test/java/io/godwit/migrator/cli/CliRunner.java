package io.godwit.migrator.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process with captured output. */
final class CliRunner {
    private CliRunner() {}

    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Result run(String... args) {
        return run(false, args);
    }

    static Result run(boolean progress, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        java.io.ByteArrayOutputStream rawOut = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream rawErr = new java.io.ByteArrayOutputStream();
        GodwitCli cli = new GodwitCli();
        cli.progress = progress;
        cli.stdout = rawOut;
        cli.stderr = rawErr;
        int code = GodwitCli.execute(cli, new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, rawOut.toString(java.nio.charset.StandardCharsets.UTF_8) + out,
                rawErr.toString(java.nio.charset.StandardCharsets.UTF_8) + err);
    }
}
