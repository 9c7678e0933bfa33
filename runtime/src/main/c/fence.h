/*
 * The monitor's fence (docs/CLUSTER.md, "Fencing"): a daemon in a fleet hands the monitor of each
 * failover container a deadline it keeps pushing back on every lease renewal etcd acknowledges
 * (STATE_DIR/fence). A monitor whose deadline passes freezes the container's cgroup and kills it if
 * it is not frozen within the freeze bound, and keeps it frozen, so that a container whose daemon
 * crashed cannot run beside the copy the fleet restores elsewhere. Without the file: nothing happens.
 */
#ifndef GODWIT_FENCE_H
#define GODWIT_FENCE_H

/* Starts watching STATE_DIR/fence; returns 0, or -1 (logged) when inotify or timerfd are missing. */
int fence_open(const char *state_dir);
/* The two fds to poll for POLLIN (-1 when fence_open failed). */
int fence_watch_fd(void);
int fence_timer_fd(void);
/* Called when the watch fd, resp. the timer fd, is readable. */
void fence_on_watch(void);
void fence_on_timer(void);

#endif
