package handlers

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/disputed/disputed/workflows"
)

// Metrics are the service's Prometheus metrics. Background loops count
// into DeadlinesFired and WebhookFailures; the rest is measured here.
type Metrics struct {
	Registry        *prometheus.Registry
	DeadlinesFired  prometheus.Counter
	WebhookFailures prometheus.Counter
	requests        *prometheus.HistogramVec
}

// NewMetrics registers the metrics. Gauges read from the database are
// cached for a few seconds so a scrape never costs more than one query set.
func NewMetrics(svc *workflows.Service) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		DeadlinesFired: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "disputed_deadlines_fired_total", Help: "Dispute deadlines applied by this instance."}),
		WebhookFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "disputed_webhook_failures_total", Help: "Webhook delivery attempts that failed."}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "disputed_http_request_duration_seconds", Help: "HTTP requests by route, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method", "status"}),
	}
	reg.MustRegister(m.DeadlinesFired, m.WebhookFailures, m.requests,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&dbCollector{svc: svc, ttl: 5 * time.Second})
	return m
}

// observe is the middleware timing every request by its route template.
func (m *Metrics) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			if p, _ := toProblem(err); p != nil {
				status = p.Status
			}
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, c.Request().Method, strconv.Itoa(status)).Observe(time.Since(start).Seconds())
		return err
	}
}

// Handler serves the metrics.
func (m *Metrics) Handler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
}

var (
	stageDesc   = prometheus.NewDesc("disputed_disputes", "Disputes by stage.", []string{"stage"}, nil)
	pendingDesc = prometheus.NewDesc("disputed_ledger_pending_instructions", "Instructions the ledger has not answered.", nil, nil)
	lagDesc     = prometheus.NewDesc("disputed_ledger_feed_lag_seconds", "Age of the oldest unanswered instruction.", nil, nil)
	deadDesc    = prometheus.NewDesc("disputed_webhook_dead_deliveries", "Deliveries that gave up, awaiting support.", nil, nil)
)

// dbCollector reads gauges from the database, at most once per ttl.
type dbCollector struct {
	svc  *workflows.Service
	ttl  time.Duration
	mu   sync.Mutex
	at   time.Time
	last *workflows.Gauges
}

func (d *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- stageDesc
	ch <- pendingDesc
	ch <- lagDesc
	ch <- deadDesc
}

func (d *dbCollector) Collect(ch chan<- prometheus.Metric) {
	d.mu.Lock()
	if d.last == nil || time.Since(d.at) > d.ttl {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if g, err := d.svc.ReadGauges(ctx); err == nil {
			d.last, d.at = g, time.Now()
		}
		cancel()
	}
	g := d.last
	d.mu.Unlock()
	if g == nil {
		return
	}
	for stage, n := range g.DisputesByStage {
		ch <- prometheus.MustNewConstMetric(stageDesc, prometheus.GaugeValue, float64(n), stage)
	}
	ch <- prometheus.MustNewConstMetric(pendingDesc, prometheus.GaugeValue, float64(g.PendingInstructions))
	ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, g.OldestPending.Seconds())
	ch <- prometheus.MustNewConstMetric(deadDesc, prometheus.GaugeValue, float64(g.DeadDeliveries))
}
