package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

const (
	rssInterval = 200 * time.Millisecond
	clockTicks  = 100 // USER_HZ: what /proc/<pid>/stat counts in on every Linux build
)

// Server is what a phase cost the server process: resident memory in MiB
// (the peak of the samples, and the kernel's high-water mark VmHWM over the
// whole process life, which also catches peaks between samples) and CPU.
type Server struct {
	PeakRSSMiB float64 `json:"peak_rss_mib"`
	HWMMiB     float64 `json:"hwm_mib"`
	Samples    int     `json:"samples"`
	CPUSeconds float64 `json:"cpu_seconds"`
	CPUCores   float64 `json:"cpu_cores"` // CPU seconds per second of the phase
	// LoadAvg is the machine's 1-minute load at the end: well above the
	// cores, something else competed for them and the numbers are noisy.
	LoadAvg float64 `json:"load_avg_1m"`
	Err     string  `json:"error,omitempty"`
}

type sampler struct {
	done chan *Server
}

// startSampler samples /proc/<pid> until ctx ends; pid 0 samples nothing.
func startSampler(ctx context.Context, pid int) *sampler {
	s := &sampler{done: make(chan *Server, 1)}
	if pid == 0 {
		s.done <- nil
		return s
	}
	go func() { s.done <- sample(ctx, pid) }()
	return s
}

func (s *sampler) wait() *Server { return <-s.done }

func sample(ctx context.Context, pid int) *Server {
	r := &Server{}
	start := time.Now()
	cpu0, err := cpuSeconds(pid)
	if err != nil {
		r.Err = err.Error()
		return r
	}
	t := time.NewTicker(rssInterval)
	defer t.Stop()
	for ctx.Err() == nil {
		rss, hwm, err := readStatus(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			r.Err = err.Error()
			return r
		}
		r.Samples++
		r.PeakRSSMiB, r.HWMMiB = max(r.PeakRSSMiB, rss), hwm
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
	cpu1, err := cpuSeconds(pid)
	if err != nil {
		r.Err = err.Error()
		return r
	}
	r.CPUSeconds = cpu1 - cpu0
	r.CPUCores = r.CPUSeconds / time.Since(start).Seconds()
	if raw, err := os.ReadFile("/proc/loadavg"); err == nil {
		r.LoadAvg, _ = strconv.ParseFloat(strings.Fields(string(raw))[0], 64)
	}
	return r
}

func readStatus(path string) (rss, hwm float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	return parseStatus(f)
}

// parseStatus reads VmRSS and VmHWM (in kB) from a /proc/<pid>/status.
func parseStatus(r io.Reader) (rss, hwm float64, err error) {
	sc := bufio.NewScanner(r)
	found := 0
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(value), "kB")), 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", name, err)
		}
		if name == "VmRSS" {
			rss = kb / 1024
		} else {
			hwm = kb / 1024
		}
		found++
	}
	if err := sc.Err(); err != nil {
		return 0, 0, err
	}
	if found < 2 {
		return 0, 0, fmt.Errorf("no VmRSS/VmHWM (a kernel thread?)")
	}
	return rss, hwm, nil
}

func cpuSeconds(pid int) (float64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStat(string(raw))
}

// parseStat reads utime + stime from a /proc/<pid>/stat line. The command
// name in parentheses may hold spaces, so fields count from its closing
// parenthesis: utime and stime are the 14th and 15th fields of the line.
func parseStat(line string) (float64, error) {
	end := strings.LastIndexByte(line, ')')
	if end < 0 {
		return 0, fmt.Errorf("stat: no command name")
	}
	f := strings.Fields(line[end+1:]) // f[0] is the 3rd field, the state
	if len(f) < 13 {
		return 0, fmt.Errorf("stat: %d fields", len(f))
	}
	var ticks float64
	for _, v := range f[11:13] {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, fmt.Errorf("stat: %w", err)
		}
		ticks += n
	}
	return ticks / clockTicks, nil
}
