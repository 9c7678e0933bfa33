package io.godwit.runtime.confine;

import java.util.List;
import java.util.Set;

/**
 * A seccomp profile after parsing: what Docker's and OCI's JSON format say, in Godwit's terms.
 * Rules may depend on the container's capabilities and the kernel (Docker's includes/excludes);
 * {@link SeccompRules#compile} resolves those for one container.
 */
public record SeccompProfile(Action defaultAction, List<String> architectures, List<Rule> rules) {

    /** kind: allow, errno, kill_thread, kill_process, trap, log or trace; ret: the errno or trace value. */
    public record Action(String kind, long ret) {
        public static final Action ALLOW = new Action("allow", 0);

        public static Action errno(long errno) {
            return new Action("errno", errno);
        }
    }

    /** op: ne, lt, le, eq, ge, gt or masked_eq (value is the mask, valueTwo what the masked arg must equal). */
    public record ArgCondition(int index, String op, long value, long valueTwo) {
    }

    /** Applies when the container has every cap of capsIncluded, none of capsExcluded, and the kernel >= minKernel. */
    public record Rule(List<String> names, Action action, List<ArgCondition> args, Set<String> capsIncluded,
            Set<String> capsExcluded, String minKernel) {
        public Rule {
            names = List.copyOf(names);
            args = args == null ? List.of() : List.copyOf(args);
            capsIncluded = capsIncluded == null ? Set.of() : Set.copyOf(capsIncluded);
            capsExcluded = capsExcluded == null ? Set.of() : Set.copyOf(capsExcluded);
        }
    }
}
