package io.godwit.runtime.confine;

import io.godwit.runtime.confine.SeccompProfile.Action;
import io.godwit.runtime.confine.SeccompProfile.ArgCondition;
import io.godwit.runtime.confine.SeccompProfile.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Godwit's default seccomp profile: an allow-list with EPERM for everything else, blocking what
 * Docker's default blocks. Written here as data (not copied from Docker's JSON). Blocked unless
 * the container holds the capability that makes the call meaningful:
 * kernel modules, kexec and reboot (SYS_MODULE, SYS_BOOT), clock setting (SYS_TIME), swap, mount,
 * namespaces, bpf, perf, fanotify and the new mount API (SYS_ADMIN), open_by_handle_at
 * (DAC_READ_SEARCH), process_vm_*, kcmp and userfaultfd (SYS_PTRACE), NUMA policy (SYS_NICE),
 * ioperm/iopl (SYS_RAWIO), acct (SYS_PACCT), syslog (SYSLOG), vhangup (SYS_TTY_CONFIG).
 * Blocked always: the keyring (add_key, keyctl, request_key), io_uring, obsolete calls (uselib,
 * ustat, sysfs, _sysctl, nfsservctl, vm86, create_module, get_kernel_syms, query_module).
 */
public final class DefaultSeccompProfile {
    private static final long EPERM = 1;
    private static final long ENOSYS = 38;
    /** clone(2) flags that make namespaces: NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET. */
    private static final long CLONE_NAMESPACE_FLAGS = 0x7E020000L;

    private static final String ALLOWED = """
            accept accept4 access adjtimex alarm arch_prctl bind brk cachestat capget capset chdir chmod chown chown32
            clock_getres clock_getres_time64 clock_gettime clock_gettime64 clock_nanosleep clock_nanosleep_time64 close
            close_range connect copy_file_range creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old
            epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit exit_group faccessat
            faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir fchmod fchmodat fchmodat2 fchown fchown32
            fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat fstat64
            fstatat64 fstatfs fstatfs64 fsync ftruncate ftruncate64 futex futex_requeue futex_time64 futex_wait
            futex_waitv futex_wake futimesat get_robust_list get_thread_area getcpu getcwd getdents getdents64 getegid
            getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp
            getpid getppid getpriority getrandom getresgid getresgid32 getresuid getresuid32 getrlimit getrusage getsid
            getsockname getsockopt gettid gettimeofday getuid getuid32 getxattr inotify_add_watch inotify_init
            inotify_init1 inotify_rm_watch io_cancel io_destroy io_getevents io_pgetevents io_pgetevents_time64 io_setup
            io_submit ioctl ioprio_get ioprio_set ipc kill landlock_add_rule landlock_create_ruleset
            landlock_restrict_self lchown lchown32 lgetxattr link linkat listen listxattr llistxattr _llseek
            lremovexattr lseek lsetxattr lstat lstat64 madvise map_shadow_stack membarrier memfd_create memfd_secret
            mincore mkdir mkdirat mknod mknodat mlock mlock2 mlockall mmap mmap2 modify_ldt mprotect mq_getsetattr
            mq_notify mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap
            mseal msgctl msgget msgrcv msgsnd msync munlock munlockall munmap nanosleep newfstatat _newselect open
            openat openat2 pause pidfd_open pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll ppoll
            ppoll_time64 prctl pread64 preadv preadv2 prlimit64 process_mrelease pselect6 pselect6_time64 ptrace
            pwrite64 pwritev pwritev2 read readahead readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64
            recvmsg remap_file_pages removexattr rename renameat renameat2 restart_syscall rmdir rseq rt_sigaction
            rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait
            rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_get_priority_max sched_get_priority_min sched_getaffinity
            sched_getattr sched_getparam sched_getscheduler sched_rr_get_interval sched_rr_get_interval_time64
            sched_setaffinity sched_setattr sched_setparam sched_setscheduler sched_yield seccomp select semctl semget
            semop semtimedop semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto set_robust_list
            set_thread_area set_tid_address setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups
            setgroups32 setitimer setpgid setpriority setregid setregid32 setresgid setresgid32 setresuid setresuid32
            setreuid setreuid32 setrlimit setsid setsockopt setuid setuid32 setxattr shmat shmctl shmdt shmget shutdown
            sigaltstack signalfd signalfd4 sigprocmask sigreturn socket socketcall socketpair splice stat stat64 statfs
            statfs64 statx symlink symlinkat sync sync_file_range syncfs sysinfo tee tgkill time timer_create
            timer_delete timer_getoverrun timer_gettime timer_gettime64 timer_settime timer_settime64 timerfd_create
            timerfd_gettime timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill truncate truncate64
            ugetrlimit umask uname unlink unlinkat utime utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid
            waitpid write writev
            """;

    /** Allowed only with the capability named first. */
    private static final String[][] WITH_CAPABILITY = {
        {"CAP_SYS_ADMIN", "bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie mount"
                + " mount_setattr move_mount open_tree perf_event_open quotactl quotactl_fd setdomainname sethostname"
                + " setns swapoff swapon umount umount2 unshare"},
        {"CAP_SYS_BOOT", "kexec_file_load kexec_load reboot"},
        {"CAP_SYS_MODULE", "delete_module finit_module init_module"},
        {"CAP_SYS_TIME", "clock_adjtime clock_adjtime64 clock_settime clock_settime64 settimeofday stime"},
        {"CAP_SYS_CHROOT", "chroot"},
        {"CAP_SYS_PTRACE", "kcmp pidfd_getfd process_madvise process_vm_readv process_vm_writev userfaultfd"},
        {"CAP_DAC_READ_SEARCH", "name_to_handle_at open_by_handle_at"},
        {"CAP_SYS_NICE", "get_mempolicy mbind set_mempolicy set_mempolicy_home_node"},
        {"CAP_SYS_RAWIO", "ioperm iopl"},
        {"CAP_SYS_PACCT", "acct"},
        {"CAP_SYSLOG", "syslog"},
        {"CAP_SYS_TTY_CONFIG", "vhangup"},
        {"CAP_BPF", "bpf"},
        {"CAP_PERFMON", "perf_event_open"},
    };

    /** personality(2) personas that are harmless: Linux, UNAME26, PER_LINUX32, and the query 0xffffffff. */
    private static final long[] PERSONAS = {0x0, 0x8, 0x20000, 0x20008, 0xffffffffL};

    private DefaultSeccompProfile() {
    }

    public static SeccompProfile get() {
        List<Rule> rules = new ArrayList<>();
        rules.add(allow(names(ALLOWED), List.of(), Set.of(), Set.of()));
        for (long persona : PERSONAS) {
            rules.add(allow(List.of("personality"), List.of(new ArgCondition(0, "eq", persona, 0)), Set.of(), Set.of()));
        }
        for (String[] group : WITH_CAPABILITY) {
            rules.add(allow(names(group[1]), List.of(), Set.of(group[0]), Set.of()));
        }
        // without SYS_ADMIN: clone only without namespace flags; clone3 (flags in memory, out of a filter's
        // reach) says ENOSYS, which makes libc fall back to clone
        rules.add(allow(List.of("clone"), List.of(new ArgCondition(0, "masked_eq", CLONE_NAMESPACE_FLAGS, 0)),
                Set.of(), Set.of("CAP_SYS_ADMIN")));
        rules.add(new Rule(List.of("clone3"), Action.errno(ENOSYS), List.of(), Set.of(), Set.of("CAP_SYS_ADMIN"), null));
        return new SeccompProfile(Action.errno(EPERM), architectures(), List.copyOf(rules));
    }

    private static List<String> architectures() {
        return SeccompProfileJson.nativeArch().equals("x86_64") ? List.of("x86_64", "x86", "x32")
                : List.of(SeccompProfileJson.nativeArch());
    }

    private static Rule allow(List<String> names, List<ArgCondition> args, Set<String> incl, Set<String> excl) {
        return new Rule(names, Action.ALLOW, args, incl, excl, null);
    }

    private static List<String> names(String words) {
        return List.of(words.trim().split("\\s+"));
    }
}
