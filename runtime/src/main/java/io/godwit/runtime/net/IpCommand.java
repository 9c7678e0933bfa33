package io.godwit.runtime.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs iproute2 (on the host, or inside a process's network namespace through nsenter). */
final class IpCommand {

    /** The outcome of one command: its status and what it printed. */
    record Result(List<String> command, int status, String stdout, String stderr) {
        boolean ok() {
            return status == 0;
        }

        IOException failure() {
            return new IOException(String.join(" ", command) + " failed with status " + status + ": " + stderr.strip());
        }
    }

    private IpCommand() {
    }

    static String ip(String... args) throws IOException {
        return check(run(withIp(List.of(), args)));
    }

    /** {@code ip ARGS} inside the network namespace of {@code pid}. */
    static String ipIn(int pid, String... args) throws IOException {
        return check(run(withIp(List.of("nsenter", "-t", Integer.toString(pid), "-n"), args)));
    }

    static Result tryIp(String... args) throws IOException {
        return run(withIp(List.of(), args));
    }

    private static List<String> withIp(List<String> prefix, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.add("ip");
        command.addAll(List.of(args));
        return command;
    }

    private static String check(Result r) throws IOException {
        if (!r.ok()) {
            throw r.failure();
        }
        return r.stdout();
    }

    static Result run(List<String> command) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new IOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        String out = drain(p.getInputStream());
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within 30 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        }
        return new Result(command, p.exitValue(), out, err.join());
    }

    private static String drain(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read output: " + e + ")";
        }
    }
}
