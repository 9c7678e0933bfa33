#!/bin/bash
# Can plain CRIU, without Godwit, checkpoint and restore this program on this host? Runs the
# program as init of fresh pid/mount/uts/ipc/net namespaces on an overlay of the test rootfs
# (mounted index=on,nfs_export=on, the most CRIU can get), waits for "ready", dumps it with the
# options Godwit uses (criu command line), restores it onto the same root, sends SIGUSR1 and
# reads its verdict. Prints one line, "probe: ok" or "probe: <step> failed: <why>", and exits 0
# only for ok. Usage: plain-criu-probe.sh TESTFS_ROOTFS WORK_DIR PROGRAM [ARGS...]
set -u
lower="$1" work="$2"; shift 2
mkdir -p "$work"/{upper,ovwork,root,images}
root="$work/root" img="$work/images" out="$work/root/tmp/out.log"
restored=""
cleanup() {
  [ -n "$restored" ] && kill -9 "$restored" 2>/dev/null
  [ -n "${unshare_pid:-}" ] && kill -9 "$unshare_pid" 2>/dev/null
  sleep 0.2
  umount "$root" 2>/dev/null
}
trap cleanup EXIT
verdict() { echo "probe: $*"; exit "$([ "$1" = ok ] && echo 0 || echo 1)"; }
errors() { grep -E "Error|Warn" "$1" 2>/dev/null | grep -v -E "RLIMIT|iptables|ip6tables|util.c:6[45]" | tail -4 | tr '\n' ' '; }

mount -t overlay overlay -o "lowerdir=$lower,upperdir=$work/upper,workdir=$work/ovwork,index=on,nfs_export=on" "$root" \
  || verdict setup failed: cannot mount the overlay
setsid unshare --fork --pid --mount --uts --ipc --net /bin/sh -c '
  set -e; root="$1"; shift
  mount --make-rprivate /
  mount --bind "$root" "$root"
  mount -t proc proc "$root/proc"
  mount -t tmpfs -o mode=755 tmpfs "$root/dev"
  for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
    IFS=: read name maj min <<EOT
$n
EOT
    mknod -m 666 "$root/dev/$name" c "$maj" "$min"
  done
  mkdir -p "$root/dev/pts" "$root/dev/shm"
  mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"; ln -s pts/ptmx "$root/dev/ptmx"
  mount -t tmpfs shm "$root/dev/shm"
  mkdir -p "$root/.old"; cd "$root"; pivot_root . .old; umount -l /.old; rmdir /.old
  exec /bin/busybox sh -c "for fd in \$(ls /proc/\$\$/fd); do [ \"\$fd\" -gt 2 ] && eval \"exec \$fd>&-\"; done
    exec </dev/null >/tmp/out.log 2>&1; exec /bin/busybox setsid \"\$@\"" sh "$@"' sh "$root" "$@" \
  >"$work/unshare.log" 2>&1 &
unshare_pid=$!
pid=""
for _ in $(seq 100); do
  grep -q "^ready\|^FAIL" "$out" 2>/dev/null && break; sleep 0.1
done
grep -q "^ready" "$out" 2>/dev/null || verdict setup failed: "$(cat "$out" "$work/unshare.log" 2>/dev/null | tail -2 | tr '\n' ' ')"
# unshare's child is the namespace's init, which exec'd into the program
pid=$(cat /proc/$unshare_pid/task/*/children 2>/dev/null | awk '{print $1}')
criu dump -t "$pid" -D "$img" -o dump.log -v4 --link-remap --file-locks --tcp-established \
  --network-lock nftables --manage-cgroups=ignore >/dev/null 2>&1 || verdict dump failed: "$(errors "$img/dump.log")"
lines=$(grep -c "^ok\|^FAIL" "$out")
criu restore -D "$img" -o restore.log -v4 --root "$root" -d --pidfile "$work/restored.pid" --file-locks \
  --tcp-established --network-lock nftables --manage-cgroups=ignore >/dev/null 2>&1 \
  || verdict restore failed: "$(errors "$img/restore.log")"
restored=$(cat "$work/restored.pid")
kill -USR1 "$restored"
for _ in $(seq 100); do
  [ "$(grep -c "^ok\|^FAIL" "$out")" -gt "$lines" ] && break; sleep 0.1
done
last=$(grep "^ok\|^FAIL" "$out" | tail -1)
case "$last" in
  ok*) verdict ok ;;
  FAIL*) verdict check failed: "$last" ;;
  *) verdict check failed: no answer to SIGUSR1 after the restore ;;
esac
