package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"minyi/feed"
)

// SchedulerOptions configures a Scheduler; the zero value is usable.
type SchedulerOptions struct {
	// Fetcher is shared by every pull, so its per-host limit holds across sources
	// (default: feed.NewFetcher with its defaults).
	Fetcher *feed.Fetcher
	// Poll is how often the scheduler looks for saved or deleted sources (default 5s): the
	// 数据源 screen saves through the store, and the scheduler follows the stored revision.
	Poll time.Duration
	// Reminders is how often the automatic 催办 of overdue cases runs (Core.RunReminders),
	// also once at Start; default 15 minutes, negative turns it off.
	Reminders time.Duration
}

// Scheduler pulls each enabled source on its cron schedule (in `serve` and in the desktop app).
// A pull that would overlap the previous run of the same source is skipped and logged; Stop
// cancels running pulls and waits for them to commit or give up cleanly. Because a pull saves its
// cursor only after its records are committed, cancelling at any point loses nothing.
type Scheduler struct {
	core   *Core
	fetch  *feed.Fetcher
	poll   time.Duration
	remind time.Duration
	log    *slog.Logger
	cron   *cron.Cron

	mu      sync.Mutex
	ctx     context.Context // the pulls' context, cancelled by Stop
	cancel  context.CancelFunc
	started bool
	stopped bool
	rev     uint64               // sources revision last scheduled
	entries map[string]scheduled // source name → its cron entry
	running map[string]bool      // sources being pulled now
	skipped map[string]int       // overlapping runs skipped, per source
	pulls   sync.WaitGroup       // running pulls
	done    chan struct{}        // closed when the watcher has exited
}

// remindersJob is the running-set key of the reminder run; source names cannot contain "/".
const remindersJob = "/reminders"

// scheduled is one source's place in the cron table.
type scheduled struct {
	spec string
	id   cron.EntryID
}

// NewScheduler returns a stopped scheduler over c; Start runs it.
func NewScheduler(c *Core, opt SchedulerOptions) *Scheduler {
	if opt.Fetcher == nil {
		opt.Fetcher = feed.NewFetcher(feed.FetcherOptions{})
	}
	if opt.Poll <= 0 {
		opt.Poll = 5 * time.Second
	}
	if opt.Reminders == 0 {
		opt.Reminders = 15 * time.Minute
	}
	return &Scheduler{
		core: c, fetch: opt.Fetcher, poll: opt.Poll, remind: opt.Reminders, log: c.Log.With("part", "scheduler"),
		cron:    cron.New(cron.WithParser(scheduleParser()), cron.WithLocation(cst)),
		entries: map[string]scheduled{}, running: map[string]bool{}, skipped: map[string]int{},
		done: make(chan struct{}),
	}
}

// StartScheduler applies <data>/sources.json, starts a scheduler over c and stops it when ctx
// ends; the caller may also Stop it (e.g. deferred) to wait for running pulls.
func StartScheduler(ctx context.Context, c *Core) *Scheduler {
	if n, err := c.LoadSourcesFile(ctx); err != nil {
		c.Log.Warn("sources file", "err", err, "saved", n)
	}
	s := NewScheduler(c, SchedulerOptions{})
	if err := s.Start(ctx); err != nil {
		c.Log.Error("scheduler not started; sources are pulled only on demand", "err", err)
	}
	return s
}

// Start schedules every enabled source and begins following changes to the sources. Pulls run
// under a context derived from ctx; when ctx ends the scheduler stops.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return fmt.Errorf("scheduler already started")
	}
	s.started = true
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.mu.Unlock()
	err := s.Sync(s.ctx)
	if s.remind > 0 {
		s.cron.Schedule(cron.Every(s.remind), cron.FuncJob(s.runReminders))
		go s.runReminders()
	}
	s.cron.Start()
	go s.watch()
	return err
}

// runReminders records the automatic 催办 of overdue cases; Stop waits for it like for a pull.
func (s *Scheduler) runReminders() {
	s.mu.Lock()
	if s.stopped || s.running[remindersJob] {
		s.mu.Unlock()
		return
	}
	s.running[remindersJob] = true
	s.pulls.Add(1)
	ctx := s.ctx
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.running, remindersJob)
		s.mu.Unlock()
		s.pulls.Done()
	}()
	n, err := s.core.RunReminders(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		s.log.Error("automatic reminders", "err", err)
	case n > 0:
		s.log.Info("automatic reminders recorded", "cases", n)
	}
}

// watch re-reads the sources when their revision changes, and stops the scheduler with its ctx.
func (s *Scheduler) watch() {
	defer close(s.done)
	t := time.NewTicker(s.poll)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			go s.Stop() // Stop waits for done, so it cannot run on this goroutine
			return
		case <-t.C:
			if err := s.Sync(s.ctx); err != nil && s.ctx.Err() == nil {
				s.log.Warn("reading sources", "err", err)
			}
		}
	}
}

// Sync brings the cron table in line with the stored sources when they changed: new and edited
// enabled sources are (re)scheduled, deleted and disabled ones removed.
func (s *Scheduler) Sync(ctx context.Context) error {
	l, err := s.core.sourceList(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped || (l.Rev == s.rev && l.Rev != 0) {
		return nil
	}
	s.rev = l.Rev
	want := map[string]string{}
	for _, src := range l.Sources {
		if src.Enabled {
			want[src.Name] = src.Schedule
		}
	}
	for name, e := range s.entries {
		if spec, ok := want[name]; !ok || spec != e.spec {
			s.cron.Remove(e.id)
			delete(s.entries, name)
			s.log.Info("source unscheduled", "source", name)
		}
	}
	for name, spec := range want {
		if _, ok := s.entries[name]; ok {
			continue
		}
		id, err := s.cron.AddFunc(spec, func() { s.runScheduled(name) })
		if err != nil {
			s.log.Warn("source has an unreadable schedule; not scheduled", "source", name, "schedule", spec, "err", err)
			continue
		}
		s.entries[name] = scheduled{spec: spec, id: id}
		s.log.Info("source scheduled", "source", name, "schedule", spec)
	}
	return nil
}

// runScheduled is the cron job of one source.
func (s *Scheduler) runScheduled(name string) {
	res, err := s.RunNow(context.Background(), name)
	switch {
	case errors.Is(err, ErrPullRunning):
		s.log.Info("pull skipped: the previous pull of this source is still running", "source", name)
	case err != nil:
		s.log.Warn("scheduled pull", "source", name, "err", err, "error", res.Error)
	}
}

// RunNow pulls one source now, unless it is being pulled already (then ErrPullRunning) or the
// scheduler has stopped (then context.Canceled). The pull ends when ctx or the scheduler's
// context ends, and Stop waits for it.
func (s *Scheduler) RunNow(ctx context.Context, name string) (PullResult, error) {
	s.mu.Lock()
	if !s.started || s.stopped {
		s.mu.Unlock()
		return PullResult{Source: name, Error: pullErrorText(context.Canceled)}, context.Canceled
	}
	if s.running[name] {
		s.skipped[name]++
		s.mu.Unlock()
		return PullResult{Source: name, Error: "上一次拉取尚未结束，本次已跳过"}, ErrPullRunning
	}
	s.running[name] = true
	s.pulls.Add(1)
	pctx, cancel := context.WithCancel(s.ctx)
	s.mu.Unlock()
	stop := context.AfterFunc(ctx, cancel)
	defer func() {
		stop()
		cancel()
		s.mu.Lock()
		delete(s.running, name)
		s.mu.Unlock()
		s.pulls.Done()
	}()
	return s.core.PullSource(pctx, s.fetch, name, nil)
}

// Skipped is how many runs of the source were skipped because the previous one was still running.
func (s *Scheduler) Skipped(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.skipped[name]
}

// Next is when the source is next due, or the zero time when it is not scheduled.
func (s *Scheduler) Next(name string) time.Time {
	s.mu.Lock()
	e, ok := s.entries[name]
	s.mu.Unlock()
	if !ok {
		return time.Time{}
	}
	return s.cron.Entry(e.id).Next
}

// Stop stops scheduling, cancels running pulls and waits until they have committed or given up.
// It is safe to call more than once and from several goroutines.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	if !s.started {
		s.started, s.stopped = true, true
		close(s.done)
		s.mu.Unlock()
		return
	}
	first := !s.stopped
	s.stopped = true
	s.mu.Unlock()
	if first {
		s.log.Info("scheduler stopping")
	}
	cronDone := s.cron.Stop() // no new runs; running jobs are the pulls below
	s.cancel()
	<-cronDone.Done()
	s.pulls.Wait()
	<-s.done
}
