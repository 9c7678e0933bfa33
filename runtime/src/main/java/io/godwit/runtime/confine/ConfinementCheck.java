package io.godwit.runtime.confine;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether live processes are at most as privileged as their container's spec allows: no
 * capability outside the allowed set in any of the five sets, no_new_privs and seccomp on where
 * the spec has them on. A process may have narrowed itself (dropped caps, more filters): that passes.
 * Used after a restore, before the restored tree is adopted: CRIU restores credentials and
 * filters from the images, and whatever the images say, the container must not come back wider.
 */
public record ConfinementCheck(long allowedCaps, boolean noNewPrivs, boolean seccomp) {

    /** What is wrong with {@code s} (of process {@code pid}), or an empty list. */
    public List<String> violations(int pid, ProcStatus s) {
        List<String> out = new ArrayList<>();
        capSet(out, pid, "bounding", s.capBnd());
        capSet(out, pid, "effective", s.capEff());
        capSet(out, pid, "permitted", s.capPrm());
        capSet(out, pid, "inheritable", s.capInh());
        capSet(out, pid, "ambient", s.capAmb());
        if (noNewPrivs && !s.noNewPrivs()) {
            out.add("pid " + pid + ": no_new_privs is off, the spec has it on");
        }
        if (seccomp && (s.seccompMode() != 2 || s.seccompFilters() < 1)) {
            out.add("pid " + pid + ": seccomp mode " + s.seccompMode() + " with " + s.seccompFilters()
                    + " filters, the spec has a filter");
        }
        return out;
    }

    private void capSet(List<String> out, int pid, String which, long caps) {
        long extra = caps & ~allowedCaps;
        if (extra != 0) {
            out.add("pid " + pid + ": " + which + " capabilities beyond the spec: " + Capabilities.names(extra));
        }
    }
}
