#!/bin/sh
# Runs as pid 1 of fresh pid/mount/uts/ipc/net namespaces (under `unshare --fork`) and turns
# itself into a container CRIU can dump whole: private mounts, pivot_root into ROOT with its
# own /proc and a tmpfs /dev, stdio opened inside the new root, session leader, then exec.
# Usage: container-init.sh ROOT PROGRAM [ARGS...]
set -e
root="$1"; shift
mount --make-rprivate /
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=755,size=1m tmpfs "$root/dev"
for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  IFS=: read name maj min <<EOT
$n
EOT
  mknod -m 666 "$root/dev/$name" c "$maj" "$min"
done
mkdir -p "$root/.oldroot"
hostname godwit-test
cd "$root"
pivot_root . .oldroot
umount -l /.oldroot
rmdir /.oldroot
# From here on only the container's own busybox; stdio comes from inside the new root so
# CRIU need not know about any host file.
# Every other inherited fd (shell script fds, the caller's pipes) is closed: CRIU cannot
# dump files that live on mounts outside the container.
exec /bin/busybox sh -c '
  for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
  exec </dev/null >/tmp/out.log 2>&1
  exec /bin/busybox setsid "$@"' sh "$@"
