package io.godwit.runtime.cgroup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reading and writing cgroup control files, with errors that name the file and the value. */
final class CgroupFiles {

    private CgroupFiles() {
    }

    static String read(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new IOException("cannot read " + file + ": " + e, e);
        }
    }

    /** The value of a file that may be absent (controller not there): empty then. */
    static Optional<String> readIfExists(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(read(file));
        } catch (IOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    static long readLong(Path file) throws IOException {
        String text = read(file);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException("not a number in " + file + ": '" + text + "'", e);
        }
    }

    /** The number after {@code key} in a "key value" per line file (memory.events, cpu.stat, oom_control). */
    static Optional<Long> keyed(Path file, String key) throws IOException {
        Optional<String> text = readIfExists(file);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        for (String line : text.get().split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && parts[0].equals(key)) {
                try {
                    return Optional.of(Long.parseLong(parts[1]));
                } catch (NumberFormatException e) {
                    throw new IOException("not a number for " + key + " in " + file + ": '" + line + "'", e);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Writes a value in a single write(2), without O_CREAT or O_TRUNC: the kernel parses each
     * write as one value and reports a bad one (EINVAL, EBUSY) from that very call.
     */
    static void write(Path file, String value) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(value.getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        } catch (IOException e) {
            throw new IOException("cannot write '" + value + "' to " + file + ": " + e, e);
        }
    }

    static List<Integer> pids(Path procsFile) throws IOException {
        List<Integer> pids = new ArrayList<>();
        Optional<String> text = readIfExists(procsFile);
        if (text.isEmpty()) {
            return pids;
        }
        for (String line : text.get().split("\n")) {
            if (!line.isBlank()) {
                pids.add(Integer.parseInt(line.trim()));
            }
        }
        return pids;
    }

    /**
     * SIGKILLs every process listed in {@code procsFile} until the list stays empty; new ones may
     * be forked while we kill, hence the loop. Processes that are our own children become zombies
     * and leave the list as they exit, so this does not wait for anyone to reap them.
     */
    static void killAll(Path procsFile, long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (true) {
            List<Integer> pids = pids(procsFile);
            if (pids.isEmpty()) {
                return;
            }
            for (int pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("processes " + pids + " still in " + procsFile + " after SIGKILL and "
                        + timeoutMillis + " ms");
            }
            sleep(20);
        }
    }

    /**
     * Removes a cgroup directory (rmdir); absent is fine. The kernel refuses with EBUSY for a short
     * while after the last task died, so retry briefly.
     */
    static void rmdir(Path dir, long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (true) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("cannot remove cgroup " + dir + ": " + e, e);
                }
                sleep(20);
            }
        }
    }

    static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
