package io.godwit.runtime.confine;

import io.godwit.runtime.confine.SeccompProfile.Action;
import io.godwit.runtime.confine.SeccompProfile.ArgCondition;
import io.godwit.runtime.confine.SeccompProfile.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Compiles a profile for one container into the line format the monitor reads (see confine.c):
 * capability and kernel conditions are decided here, so the C side only adds rules.
 */
public final class SeccompRules {
    private SeccompRules() {
    }

    public static String compile(SeccompProfile profile, Set<String> capabilities, String kernel) {
        StringBuilder b = new StringBuilder();
        b.append("# compiled by godwitd from the container's spec; read by godwit-monitor\n");
        b.append("default ").append(action(profile.defaultAction())).append('\n');
        for (String arch : profile.architectures()) {
            b.append("arch ").append(arch).append('\n');
        }
        for (Rule r : profile.rules()) {
            // libseccomp refuses a rule that repeats the default action, and it would change nothing
            if (r.action().equals(profile.defaultAction()) || !applies(r, capabilities, kernel)) {
                continue;
            }
            for (String name : r.names()) {
                b.append("rule ").append(action(r.action())).append(' ').append(name).append(' ').append(r.args().size());
                for (ArgCondition a : r.args()) {
                    b.append(' ').append(a.index()).append(' ').append(a.op()).append(' ')
                            .append(Long.toUnsignedString(a.value())).append(' ')
                            .append(Long.toUnsignedString(a.valueTwo()));
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    static boolean applies(Rule r, Set<String> caps, String kernel) {
        if (!caps.containsAll(r.capsIncluded())) {
            return false;
        }
        for (String c : r.capsExcluded()) {
            if (caps.contains(c)) {
                return false;
            }
        }
        return r.minKernel() == null || compareKernel(kernel, r.minKernel()) >= 0;
    }

    /** "6.18.44-fc" against "4.8": numeric parts compared in order. */
    static int compareKernel(String a, String b) {
        List<Integer> x = parts(a);
        List<Integer> y = parts(b);
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            int p = i < x.size() ? x.get(i) : 0;
            int q = i < y.size() ? y.get(i) : 0;
            if (p != q) {
                return Integer.compare(p, q);
            }
        }
        return 0;
    }

    private static List<Integer> parts(String v) {
        List<Integer> out = new ArrayList<>();
        for (String s : v.split("[^0-9]+", -1)) {
            if (out.size() == 3) {
                break;
            }
            if (!s.isEmpty()) {
                out.add(Integer.parseInt(s));
            } else if (!out.isEmpty()) {
                break;
            }
        }
        return out;
    }

    private static String action(Action a) {
        return a.kind() + " " + a.ret();
    }
}
