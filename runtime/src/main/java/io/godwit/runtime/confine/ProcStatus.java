package io.godwit.runtime.confine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The confinement of one live process, as /proc/PID/status tells it. */
public record ProcStatus(long capInh, long capPrm, long capEff, long capBnd, long capAmb, boolean noNewPrivs,
        int seccompMode, int seccompFilters, List<Long> uids, List<Long> gids, List<Long> groups) {

    /** null when the process is gone. */
    public static ProcStatus of(int pid) throws IOException {
        Path p = Path.of("/proc", Integer.toString(pid), "status");
        try {
            return read(p);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    static ProcStatus read(Path file) throws IOException {
        long inh = 0, prm = 0, eff = 0, bnd = 0, amb = 0;
        boolean nnp = false;
        int mode = 0, filters = 0;
        List<Long> uids = List.of(), gids = List.of(), groups = List.of();
        for (String line : Files.readAllLines(file)) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String k = line.substring(0, colon);
            String v = line.substring(colon + 1).trim();
            switch (k) {
                case "CapInh" -> inh = Long.parseUnsignedLong(v, 16);
                case "CapPrm" -> prm = Long.parseUnsignedLong(v, 16);
                case "CapEff" -> eff = Long.parseUnsignedLong(v, 16);
                case "CapBnd" -> bnd = Long.parseUnsignedLong(v, 16);
                case "CapAmb" -> amb = Long.parseUnsignedLong(v, 16);
                case "NoNewPrivs" -> nnp = v.equals("1");
                case "Seccomp" -> mode = Integer.parseInt(v);
                case "Seccomp_filters" -> filters = Integer.parseInt(v);
                case "Uid" -> uids = numbers(v);
                case "Gid" -> gids = numbers(v);
                case "Groups" -> groups = numbers(v);
                default -> { }
            }
        }
        return new ProcStatus(inh, prm, eff, bnd, amb, nnp, mode, filters, uids, gids, groups);
    }

    private static List<Long> numbers(String v) {
        List<Long> out = new ArrayList<>();
        for (String s : v.trim().split("\\s+")) {
            if (!s.isEmpty()) {
                out.add(Long.parseLong(s));
            }
        }
        return List.copyOf(out);
    }
}
